package org.repgeom.optimum;

import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * One instance of the two-layer problem whose global minimum over all widths the solver finds:
 * {@code L = ‖Y − W2 φ(W̃1 X̃)‖² + λ1‖W̃1‖² + λ2‖W2‖²} with φ ∈ {relu, leaky_relu, linear} and
 * {@code X̃ = [X; 1ᵀ]} with a first-layer bias ({@code X̃ = X} without).
 *
 * <p>Only the kernels matter: a neuron is its preactivation vector {@code h = X̃ᵀw} over the P
 * samples, which ranges over {@code col(K_X)}, {@code K_X = X̃ᵀX̃}; its cheapest first-layer
 * weights cost {@code λ1 hᵀ K_X⁺ h} (its <em>mass</em>), and for a fixed representation kernel
 * {@code K = Σ φ(h)φ(h)ᵀ} the best readout leaves {@code F(K) = λ2 tr K_Y (K + λ2 I)⁻¹}.
 * This class holds {@code B = K_X⁺}, an orthonormal basis of {@code col(K_X)}, Y, λ and φ.
 */
public final class OptimumProblem {
    final int p;
    final int dY;
    final double[] y;          // dY × P
    final double[] xTilde;     // rows × P (X with the ones row when bias)
    final int xRows;
    final double lambda1;
    final double lambda2;
    final Activation activation;
    final boolean bias;
    final double negativeSlope; // φ(h) = h for h > 0, negativeSlope·h below
    final double[] bPinv;      // K_X⁺, P × P
    final double[] colBasis;   // P × rank, orthonormal basis of col(K_X)
    final int rank;
    final double[] kxEigenvalues;

    private OptimumProblem(Task task, Activation activation, boolean bias, double lambda1, double lambda2) {
        this(task, activation, bias, lambda1, lambda2, switch (activation) {
            case RELU -> 0.0;
            case LEAKY_RELU -> Activation.LEAKY_SLOPE;
            case LINEAR -> 1.0;
            default -> throw new IllegalArgumentException("activation: the global optimum needs a 1-homogeneous φ "
                    + "(relu, leaky_relu, linear), got " + activation.id());
        });
    }

    private OptimumProblem(Task task, Activation activation, boolean bias, double lambda1, double lambda2, double slope) {
        if (!(lambda1 > 0 && lambda2 > 0) || !Double.isFinite(lambda1) || !Double.isFinite(lambda2)) {
            throw new IllegalArgumentException("lambda: λ1 and λ2 must be positive and finite, got " + lambda1 + ", " + lambda2);
        }
        this.negativeSlope = slope;
        this.p = task.samples();
        this.dY = task.outputDim();
        this.y = task.yData().clone();
        this.activation = activation;
        this.bias = bias;
        this.lambda1 = lambda1;
        this.lambda2 = lambda2;
        this.xRows = task.inputDim() + (bias ? 1 : 0);
        this.xTilde = new double[xRows * p];
        System.arraycopy(task.xData(), 0, xTilde, 0, task.inputDim() * p);
        if (bias) {
            for (int q = 0; q < p; q++) xTilde[task.inputDim() * p + q] = 1.0;
        }
        double[] kx = new double[p * p];
        for (int r = 0; r < xRows; r++) {
            for (int a = 0; a < p; a++) {
                double xa = xTilde[r * p + a];
                if (xa == 0) continue;
                for (int b = 0; b < p; b++) kx[a * p + b] += xa * xTilde[r * p + b];
            }
        }
        Dense.Eig e = Dense.eig(kx, p);
        double cut = 1e-10 * Math.max(e.values()[p - 1], 1e-300);
        int r = 0;
        for (double v : e.values()) if (v > cut) r++;
        if (r == 0) throw new IllegalArgumentException("x: the input kernel is zero");
        this.rank = r;
        this.kxEigenvalues = e.values();
        this.colBasis = new double[p * r];
        this.bPinv = new double[p * p];
        for (int j = p - r, c = 0; j < p; j++, c++) {
            double ev = e.values()[j];
            for (int a = 0; a < p; a++) {
                double va = e.vectors()[a * p + j];
                colBasis[a * r + c] = va;
                for (int b = 0; b < p; b++) bPinv[a * p + b] += va * e.vectors()[b * p + j] / ev;
            }
        }
    }

    /** The problem for a task (X dX×P, Y dY×P), a 1-homogeneous φ, with or without first-layer bias, λ1, λ2 &gt; 0. */
    public static OptimumProblem of(Task task, Activation activation, boolean bias, double lambda1, double lambda2) {
        return new OptimumProblem(task, activation, bias, lambda1, lambda2);
    }

    /**
     * A leaky ReLU with any negative slope in [0, 1] (0 is ReLU, 1 is linear): lets tests follow the
     * optimum between the two limits.
     */
    static OptimumProblem leaky(Task task, boolean bias, double lambda1, double lambda2, double slope) {
        if (!(slope >= 0 && slope <= 1)) throw new IllegalArgumentException("slope must lie in [0, 1], got " + slope);
        Activation a = slope == 0 ? Activation.RELU : slope == 1 ? Activation.LINEAR : Activation.LEAKY_RELU;
        return new OptimumProblem(task, a, bias, lambda1, lambda2, slope);
    }

    public int samples() {
        return p;
    }

    public double lambda1() {
        return lambda1;
    }

    public double lambda2() {
        return lambda2;
    }

    public Activation activation() {
        return activation;
    }

    public boolean bias() {
        return bias;
    }

    /** The rank of K_X: preactivations live in a space of this dimension. */
    public int rank() {
        return rank;
    }

    double phi(double h) {
        return h > 0 ? h : negativeSlope * h;
    }

    /** True when K_X is invertible and K_X⁻¹ has no positive off-diagonal entry (whitened inputs, with or without bias). */
    boolean inverseIsMMatrix() {
        if (rank < p) return false;
        double scale = 0;
        for (int i = 0; i < p; i++) scale = Math.max(scale, Math.abs(bPinv[i * p + i]));
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                if (i != j && bPinv[i * p + j] > 1e-9 * scale) return false;
            }
        }
        return true;
    }

    /** {@code tr K_Y = ‖Y‖²}: the loss of the empty network (F(0)). */
    double emptyLoss() {
        double s = 0;
        for (double v : y) s += v * v;
        return s;
    }
}
