package org.repgeom.theory;

import java.util.Locale;
import org.repgeom.task.Task;

/**
 * Closed-form global minimum of a two-layer ReLU network on the whitened hypercube task
 * (docs/science.md §5.1).
 *
 * <p>Setting: {@code XᵀX = I_P} with a first-layer bias, so {@code K_X = X̃ᵀX̃ = I + 11ᵀ}; dY
 * balanced ±1 labels over all 2^dY classes, n ≥ 1 samples per class, {@code P = n·2^dY}. Loss
 * {@code L = ‖Y − W2 φ(W̃1 X̃)‖_F² + λ1 ‖W̃1‖_F² + λ2 ‖W2‖_F²} (no 1/2, no 1/P).
 *
 * <p>At every global minimum (attained iff the width M ≥ 2·dY)
 * <pre>
 *   K* = c · (K_Y + dY·11ᵀ),   c = sqrt(λ2 (P+1) / (λ1 P (P+2))) − λ2 / P,
 *   L* = dY · (2 sqrt(λ1 λ2 a) − λ1 λ2 a / P),   a = P (P+2) / (P+1),
 * </pre>
 * and once {@code c ≤ 0}, i.e. {@code λ1 λ2 ≥ P (P+1)/(P+2)}, the minimum is trivial:
 * {@code K* = 0}, {@code L* = ‖Y‖² = dY·P}.
 *
 * <p>Why: a neuron on the ray {@code h = t(1 ± y_k)} costs {@code λ1 hᵀK_X⁻¹h = λ1 a t²} in first
 * layer weights ({@code K_X⁻¹ = I − 11ᵀ/(P+1)}); one neuron per ray gives
 * {@code K = 2t²(K_Y + dY 11ᵀ)}, whose eigenvalue on each {@code y_k} is {@code cP}
 * ({@code c = 2t²}), and the ridge readout costs {@code λ2 tr K_Y (K + λ2 I)⁻¹ = dY λ2 P/(cP + λ2)}.
 * The total {@code dY (λ1 a c + λ2 P/(cP + λ2))} is convex in c and minimal at the c above.
 */
public final class HypercubeReluTheory {
    private final int samples;
    private final int labels;
    private final double lambda1;
    private final double lambda2;
    private final double coefficient;
    private final double minimalLoss;

    private HypercubeReluTheory(int samples, int labels, double lambda1, double lambda2) {
        this.samples = samples;
        this.labels = labels;
        this.lambda1 = lambda1;
        this.lambda2 = lambda2;
        double p = samples;
        double raw = Math.sqrt(lambda2 * (p + 1) / (lambda1 * p * (p + 2))) - lambda2 / p;
        if (raw > 0) {
            double a = a(p);
            double g = lambda1 * lambda2 * a;
            this.coefficient = raw;
            this.minimalLoss = labels * (2 * Math.sqrt(g) - g / p);
        } else {
            this.coefficient = 0.0;
            this.minimalLoss = labels * p;
        }
    }

    /**
     * The theory for P samples and dY labels.
     *
     * @throws IllegalArgumentException unless P is a positive multiple of 2^dY and both λ are
     *                                  positive and finite
     */
    public static HypercubeReluTheory of(int samples, int labels, double lambda1, double lambda2) {
        if (labels <= 0 || labels >= 31 || samples <= 0 || samples % (1 << labels) != 0) {
            throw new IllegalArgumentException("hypercube task needs P = n·2^dY with n ≥ 1, got P=" + samples
                    + ", dY=" + labels);
        }
        if (!(lambda1 > 0 && lambda2 > 0 && Double.isFinite(lambda1) && Double.isFinite(lambda2))) {
            throw new IllegalArgumentException("λ1, λ2 must be positive and finite, got " + lambda1 + ", " + lambda2);
        }
        return new HypercubeReluTheory(samples, labels, lambda1, lambda2);
    }

    /** {@link #of} with the task's P and dY (does not check {@link #applies}). */
    public static HypercubeReluTheory forTask(Task task, double lambda1, double lambda2) {
        return of(task.samples(), task.outputDim(), lambda1, lambda2);
    }

    /** {@code a = P(P+2)/(P+1) = hᵀK_X⁻¹h / t²} for a ray {@code h = t(1 ± y_k)}. */
    private static double a(double p) {
        return p * (p + 2) / (p + 1);
    }

    /** c of {@code K* = c (K_Y + dY 11ᵀ)}; 0 on the trivial side of the threshold. */
    public double coefficient() {
        return coefficient;
    }

    /** L*, the global minimum of the loss; {@code dY·P} when trivial. */
    public double minimalLoss() {
        return minimalLoss;
    }

    /** True when {@code λ1 λ2 ≥ P(P+1)/(P+2)}: the zero network is the global minimum. */
    public boolean isTrivial() {
        return coefficient == 0.0;
    }

    /** Smallest width at which the minimum is attained: 2·dY (one neuron per label and sign). */
    public int minimalWidth() {
        return 2 * labels;
    }

    /** The λ1λ2 product beyond which the minimum is trivial: {@code P(P+1)/(P+2)}. */
    public double lambdaProductThreshold() {
        double p = samples;
        return p * (p + 1) / (p + 2);
    }

    public int samples() {
        return samples;
    }

    public int labels() {
        return labels;
    }

    public double lambda1() {
        return lambda1;
    }

    public double lambda2() {
        return lambda2;
    }

    /**
     * {@code K* = c (YᵀY + dY 11ᵀ)} for the given labels, in their sample order (P×P row-major).
     *
     * @param y dY×P row-major labels of the task this theory was built for
     */
    public double[] kernel(double[] y, int dY, int p) {
        if (dY != labels || p != samples || y.length != (long) dY * p) {
            throw new IllegalArgumentException("Y is " + dY + "x" + p + " (" + y.length + " entries), theory is for dY="
                    + labels + ", P=" + samples);
        }
        double[] k = new double[p * p];
        if (coefficient == 0.0) {
            return k;
        }
        for (int s = 0; s < p; s++) {
            for (int q = 0; q < p; q++) {
                double kyy = 0;
                for (int l = 0; l < dY; l++) {
                    kyy += y[l * p + s] * y[l * p + q];
                }
                k[s * p + q] = coefficient * (kyy + dY);
            }
        }
        return k;
    }

    /**
     * Whether §5.1 applies to a task: X whitened ({@code max |XᵀX − I_P| ≤ tol}, which needs
     * dX ≥ P) and Y a balanced hypercube (every entry within tol of ±1, all 2^dY sign patterns
     * present, each on the same number of samples).
     */
    public static boolean applies(Task task, double tol) {
        return isWhitened(task, tol) && isBalancedHypercube(task, tol);
    }

    private static boolean isWhitened(Task task, double tol) {
        int dX = task.inputDim();
        int p = task.samples();
        if (dX < p) {
            return false;
        }
        double[] x = task.xData();
        for (int s = 0; s < p; s++) {
            for (int q = s; q < p; q++) {
                double g = 0;
                for (int i = 0; i < dX; i++) {
                    g += x[i * p + s] * x[i * p + q];
                }
                if (Math.abs(g - (s == q ? 1.0 : 0.0)) > tol) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isBalancedHypercube(Task task, double tol) {
        int dY = task.outputDim();
        int p = task.samples();
        if (dY >= 31 || p % (1 << dY) != 0) {
            return false;
        }
        int[] count = new int[1 << dY];
        for (int s = 0; s < p; s++) {
            int code = 0;
            for (int k = 0; k < dY; k++) {
                double v = task.y(k, s);
                if (Math.abs(v - 1) <= tol) {
                    code |= 1 << k;
                } else if (Math.abs(v + 1) > tol) {
                    return false;
                }
            }
            count[code]++;
        }
        int n = p >> dY;
        for (int c : count) {
            if (c != n) {
                return false;
            }
        }
        return true;
    }

    /** Multi-line summary for the {@code repgeom theory} command. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("Two-layer ReLU, whitened input, hypercube labels (docs/science.md §5.1)\n");
        line(sb, "samples P", Integer.toString(samples));
        line(sb, "labels dY", labels + "  (" + (1 << labels) + " classes, n = " + (samples >> labels) + " per class)");
        line(sb, "lambda1, lambda2", fmt(lambda1) + ", " + fmt(lambda2));
        line(sb, "lambda1*lambda2", fmt(lambda1 * lambda2) + "  (threshold P(P+1)/(P+2) = "
                + fmt(lambdaProductThreshold()) + ")");
        line(sb, "kernel", isTrivial() ? "K* = 0 (trivial minimum: lambda1*lambda2 >= threshold)"
                : "K* = c (K_Y + dY 11^T),  c = " + fmt(coefficient));
        line(sb, "minimal loss L*", fmt(minimalLoss) + (isTrivial() ? "  (= dY*P)" : ""));
        line(sb, "minimal width", minimalWidth() + "  (one neuron per label and sign)");
        if (!isTrivial()) {
            line(sb, "parallelism score", "1 (all labels)");
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "  %-18s %s\n", key, value));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "HypercubeReluTheory[P=%d, dY=%d, λ1=%g, λ2=%g, c=%g, L*=%g]",
                samples, labels, lambda1, lambda2, coefficient, minimalLoss);
    }
}
