package org.repgeom.analysis;

import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * Stationarity of a trained member measured by the norm of its <em>minimum-norm subgradient</em>,
 * next to the raw gradient norm that training sees (docs/science.md §3.4).
 *
 * <p>At a ReLU optimum every used neuron sits exactly on the kink for the samples it does not fire
 * on. The training gradient takes φ'(0) = 0 there (the left derivative, {@link Activation}), and
 * that one element of the subdifferential need not vanish, so the raw gradient norm stays finite
 * at a minimum. The subdifferential does contain 0 there; its smallest element measures how far
 * the point is from stationary.
 *
 * <p><b>Two-layer networks.</b> {@code F = W2 φ(Z)}, {@code Z = W̃1 X̃} with {@code W̃1 = [W1, b]},
 * {@code X̃ = [X; 1ᵀ]}, loss {@code L = ‖Y − F‖² + λ1‖W̃1‖² + λ2‖W2‖²}. Let φ'(z_ip) range over
 * {@code [φ'(κ⁻), φ'(κ⁺)]} at every (unit i, sample p) whose pre-activation sits at a kink κ, and be
 * the ordinary derivative elsewhere. Because φ is continuous, R = φ(Z) and F do not depend on
 * that choice, so
 * <pre>
 *   ∇W2 = 2(F − Y) Rᵀ + 2λ2 W2                       (fixed)
 *   δ   = W2ᵀ · 2(F − Y)                               (M × P, fixed)
 *   g_i(s) = Σ_p δ_ip s_ip x̃_p + 2λ1 w̃_i             (row i of ∇W̃1, affine in s_i·)
 * </pre>
 * with s_ip = φ'(z_ip) off the kinks and s_ip ∈ [lo, hi] on them. The rows decouple, so
 * <pre>
 *   min-norm subgradient² = ‖∇W2‖² + Σ_i min_{s_i· ∈ box} ‖c_i + A_i s_i‖²,
 *   c_i = Σ_{p off kink} δ_ip φ'(z_ip) x̃_p + 2λ1 w̃_i,    A_i = [δ_ip x̃_p]_{p at a kink},
 * </pre>
 * one bounded least-squares problem per unit in as many variables as that unit has kink samples,
 * solved exactly by an active-set method ({@link BoxLeastSquares}). The reported value is the norm
 * of an explicit element of the set, found by descending from the training gradient's own choice,
 * so it never exceeds the raw gradient norm.
 *
 * <p>The box of choices is the chain-rule outer estimate of the Clarke subdifferential. It is the
 * Clarke subdifferential itself when, for each unit, the augmented inputs x̃_p of its kink samples
 * are linearly independent (every on/off pattern is then reachable by moving w̃_i, e.g. whitened
 * inputs with dX ≥ P); otherwise it can be larger and the value is a lower bound of the Clarke
 * minimum norm.
 *
 * <p><b>What "at a kink" means.</b> An optimiser never lands exactly on a kink: Adam keeps the
 * on-kink pre-activations oscillating around it by about the final learning rate times ‖x̃_p‖. An
 * entry counts as on a kink κ when {@code |z_ip − κ| ≤ kinkTol · max_{i,p} |z_ip|}. The default
 * {@link #DEFAULT_KINK_TOL} = 1e-3: on trained whitened-hypercube members (Adam 1e-2 → 1e-6, see
 * MinNormSubgradientTrainedTest) the on-kink entries measure ≤ 1.6e-6 of max|z| (≈ the final
 * learning rate, as max|z| ≈ 0.7…0.9) while firing entries are ≥ 1.3e-2 of it, and every tolerance
 * from 1e-5 to 1e-2 gives the same kinks and the same value. 1e-3 sits inside that gap with a
 * margin of 10 towards the firing side and covers runs stopped by the loss-change rule while the
 * learning rate is still ~1e-4. Too small a tolerance misses on-kink entries and the value jumps
 * back towards the raw norm (1e-6 does so in 6 of those 8 members). A point merely near a kink is
 * treated as on it, which is what makes this a practical convergence measure (an
 * ε-subdifferential).
 *
 * <p><b>Deeper networks.</b> For depth ≠ 1 the choices of different layers multiply: the signal
 * reaching layer l is {@code G_l = (W_{l+1}ᵀ G_{l+1}) ⊙ S_l}, so a first-layer gradient row is a
 * product of choices from every layer above it. The gradient is then no longer affine in the
 * choices, the rows no longer decouple, and the minimum over the box is not a convex problem
 * (nor is the image of the box the Clarke set). Rather than report a number of unknown meaning,
 * the subgradient is NaN there; the raw gradient norm and the kink count (over all hidden layers,
 * each layer with its own max|z|) are still given.
 */
public final class MinNormSubgradient {
    /** Default relative kink tolerance, see the class comment for the measured gap it sits in. */
    public static final double DEFAULT_KINK_TOL = 1e-3;

    private MinNormSubgradient() {
    }

    /**
     * @param gradientNorm       ‖∇L‖ with φ' at its left value on kinks, exactly what training uses
     * @param minNormSubgradient the smallest norm in the subdifferential (NaN for depth ≠ 1)
     * @param kinkEntries        number of (unit, sample) pre-activations counted as on a kink
     */
    public record Result(double gradientNorm, double minNormSubgradient, int kinkEntries) {
    }

    /** {@link #of(Mlp, Task, double[], int, double[], int, double)} with {@link #DEFAULT_KINK_TOL}. */
    public static Result of(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff) {
        return of(mlp, task, params, off, lambdas, lambdaOff, DEFAULT_KINK_TOL);
    }

    /**
     * Raw gradient norm and min-norm subgradient of the member at {@code params[off …]} with
     * per-layer λ at {@code lambdas[lambdaOff …]}.
     *
     * @param kinkTol relative tolerance for "on a kink", ≥ 0 (0: exactly on it)
     */
    public static Result of(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
                            double kinkTol) {
        if (!(kinkTol >= 0)) throw new IllegalArgumentException("kinkTol must be ≥ 0, got " + kinkTol);
        ParamLayout layout = mlp.layout();
        Architecture arch = layout.architecture();
        double[] grad = new double[layout.stride()];
        mlp.lossAndGradient(params, off, lambdas, lambdaOff, grad, 0); // also leaves the forward pass in mlp
        double gradientNorm = Matrices.frobeniusNorm(grad);
        Kinks kinks = Kinks.of(arch.activation());

        if (arch.depth() != 1) {
            int count = 0;
            for (int l = 0; l < arch.depth(); l++) {
                double[] z = mlp.preActivation(l);
                double band = kinkTol * maxAbs(z);
                for (double v : z) if (kinks.nearest(v, band) >= 0) count++;
            }
            return new Result(gradientNorm, Double.NaN, count);
        }

        int width = arch.width(0), samples = task.samples(), inDim = arch.inputDim(), outDim = arch.outputDim();
        boolean biased = layout.bias(0) >= 0; // without a bias, x̃_p = x_p (no constant coordinate)
        int augIn = inDim + (biased ? 1 : 0);
        double[] z = mlp.preActivation(0);
        double[] f = mlp.output();
        double[] y = task.yData();
        int w1 = off + layout.weight(0), b1 = off + layout.bias(0), w2 = off + layout.weight(1);
        double lambda1 = lambdas[lambdaOff];

        // The readout's gradient does not depend on the kink choices.
        double squaredNorm = 0;
        for (int i = 0; i < outDim * width; i++) squaredNorm += grad[layout.weight(1) + i] * grad[layout.weight(1) + i];

        double[] delta = new double[width * samples]; // W2ᵀ · 2(F − Y)
        for (int k = 0; k < outDim; k++) {
            for (int i = 0; i < width; i++) {
                double wki = params[w2 + k * width + i];
                for (int p = 0; p < samples; p++) delta[i * samples + p] += wki * 2.0 * (f[k * samples + p] - y[k * samples + p]);
            }
        }

        double band = kinkTol * maxAbs(z);
        int kinkEntries = 0;
        for (int i = 0; i < width; i++) {
            // c_i: fixed part of row i of ∇W̃1 = [∇W1 | ∇b]
            double[] c = new double[augIn];
            for (int col = 0; col < inDim; col++) c[col] = 2.0 * lambda1 * params[w1 + i * inDim + col];
            if (biased) c[inDim] = 2.0 * lambda1 * params[b1 + i];
            int[] kinkSample = new int[samples];
            int[] kinkIndex = new int[samples];
            int nKink = 0;
            for (int p = 0; p < samples; p++) {
                double zip = z[i * samples + p];
                int kink = kinks.nearest(zip, band);
                if (kink >= 0) {
                    kinkSample[nKink] = p;
                    kinkIndex[nKink++] = kink;
                } else {
                    addScaledInput(c, task, p, delta[i * samples + p] * arch.activation().derivative(zip), biased);
                }
            }
            kinkEntries += nKink;
            // A_i: column q = δ_ip x̃_p for the q-th kink sample p; box and start per column.
            double[] a = new double[augIn * nKink];
            double[] lo = new double[nKink], hi = new double[nKink], start = new double[nKink];
            for (int q = 0; q < nKink; q++) {
                int p = kinkSample[q];
                double d = delta[i * samples + p];
                for (int col = 0; col < inDim; col++) a[col * nKink + q] = d * task.x(col, p);
                if (biased) a[inDim * nKink + q] = d;
                lo[q] = kinks.lowerSlope(kinkIndex[q]);
                hi[q] = kinks.upperSlope(kinkIndex[q]);
                start[q] = arch.activation().derivative(z[i * samples + p]);
            }
            double[] s = BoxLeastSquares.minimize(a, augIn, nKink, c, lo, hi, start);
            squaredNorm += BoxLeastSquares.squaredResidual(a, augIn, nKink, c, s);
        }
        return new Result(gradientNorm, Math.sqrt(squaredNorm), kinkEntries);
    }

    /** c += scale · x̃_p. */
    private static void addScaledInput(double[] c, Task task, int p, double scale, boolean biased) {
        int inDim = task.inputDim();
        for (int col = 0; col < inDim; col++) c[col] += scale * task.x(col, p);
        if (biased) c[inDim] += scale;
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /**
     * The kinks κ of a piecewise-linear φ with the one-sided slopes there: ReLU κ = 0, slopes
     * [0, 1]; leaky ReLU κ = 0, [{@link Activation#LEAKY_SLOPE}, 1]; clipped ReLU κ = 0 and κ = 1,
     * both [0, 1] (as an interval; at κ = 1 the left slope is the larger). Smooth φ: none.
     */
    private record Kinks(double[] at, double[] lower, double[] upper) {
        static Kinks of(Activation phi) {
            switch (phi) {
                case RELU: return new Kinks(new double[] {0}, new double[] {0}, new double[] {1});
                case LEAKY_RELU: return new Kinks(new double[] {0}, new double[] {Activation.LEAKY_SLOPE}, new double[] {1});
                case CLIPPED_RELU: return new Kinks(new double[] {0, 1}, new double[] {0, 0}, new double[] {1, 1});
                default: return new Kinks(new double[0], new double[0], new double[0]);
            }
        }

        /** Index of the kink within {@code band} of z (the closest if several), or −1. */
        int nearest(double z, double band) {
            int best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int k = 0; k < at.length; k++) {
                double distance = Math.abs(z - at[k]);
                if (distance <= band && distance < bestDistance) {
                    best = k;
                    bestDistance = distance;
                }
            }
            return best;
        }

        double lowerSlope(int k) {
            return lower[k];
        }

        double upperSlope(int k) {
            return upper[k];
        }
    }
}
