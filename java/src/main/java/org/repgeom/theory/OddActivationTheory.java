package org.repgeom.theory;

import java.util.Locale;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * Two-layer networks with an odd activation (linear, tanh) on the whitened hypercube task
 * (docs/science.md §5.3: odd activations give K* = c·K_Y, no constant shift). dY unit ±1 labels over all
 * 2^dY classes, n per class, {@code P = n·2^dY}, {@code XᵀX = I_P} with a first-layer bias,
 * loss {@code ‖Y − W2 φ(W̃1 X̃)‖² + λ1‖W̃1‖² + λ2‖W2‖²}.
 *
 * <h2>Linear</h2>
 * <pre>
 *   K* = c K_Y,   c = sqrt(λ2/λ1) (√P − sqrt(λ1 λ2))_+ / P,
 *   L* = dY [ (√P − σ)² + 2 sqrt(λ1 λ2) σ ],   σ = (√P − sqrt(λ1 λ2))_+
 * </pre>
 * This is §5.5 with L = 2 ({@link DeepLinearTheory}): {@code YYᵀ = P I}, so every singular value
 * of Y is √P and {@code V Vᵀ = K_Y / P}; the bias is unused because Y's rows sum to zero. Any
 * rotation of the hidden units is also optimal (mixed selectivity is allowed, not forced).
 *
 * <h2>tanh, width M with dY | M</h2>
 * <pre>
 *   K* = c K_Y,   c = (M/dY) tanh²(r*),
 *   r* = argmin_{r ≥ 0}  F(r) = λ1 P M r² + dY λ2 P / (P (M/dY) tanh²(r) + λ2),     L* = F(r*)
 * </pre>
 * found numerically ({@link ScalarMinimizer} on [0, sqrt(dY/(λ1 M))], beyond which the first term
 * alone exceeds F(0) = dY·P). Unlike ReLU, tanh is not homogeneous, so K* depends on
 * the width M; as M → ∞, c tends to the linear c.
 *
 * <p>Derivation (dY = 2 exactly; dY ≥ 3 verified by training). Take neurons
 * {@code h_i = Σ_k w_ik y_k} (bias and directions outside span(Y) only add first-layer cost and
 * kernel outside the label space). Their cost is {@code λ1 P ‖w_i‖²} (y_k ⊥ 1, ‖y_k‖² = P, and K_X
 * acts as the identity there). For dY = 2 the four corner values of {@code tanh(h_i)} are
 * ±tanh(r(c+s)), ±tanh(r(c−s)) (w_i = r(c, s), c² + s² = 1), an odd function of the corner, so
 * {@code tanh(h_i) = A y_1 + B y_2} with {@code A² + B² = (g(r²(c+s)²) + g(r²(c−s)²))/2},
 * {@code g(u) = tanh²(√u)}. g is concave, so for a given cost r² this "kernel mass" is largest, g(r²),
 * when cs = 0: a pure-selectivity neuron ({@code h = ±r y_k}). With {@code tanh(h_i) = Σ_k a_ik y_k}
 * the kernel is {@code K = Σ_{k,l} S_kl y_k y_lᵀ}, {@code S = Σ_i a_i a_iᵀ} (dY×dY), and the readout
 * cost {@code λ2 Σ_j P/(P s_j + λ2)} over the eigenvalues s_j of S is convex and symmetric, so for a
 * given trace it is smallest with equal s_j; and by concavity of
 * g the trace for a total cost {@code Σ r_i²} is at most {@code M g(Σ r_i² / M)}, reached with equal
 * r_i. Both bounds hold together for M/dY pure neurons per label with equal r — the ansatz above,
 * which therefore is the global minimum among span(Y) neurons. For dY ≥ 3 a mixed neuron also
 * produces parity components (y_1 y_2 y_3), which this argument does not cover. The expected
 * "mixed selectivity" for odd activations therefore holds for linear networks (any rotation) but
 * not for tanh at finite width, whose optimum is pure selectivity.
 */
public final class OddActivationTheory {
    private final Activation activation;
    private final int labels;
    private final int samples;
    private final int width;
    private final double lambda1;
    private final double lambda2;
    private final double coefficient;
    private final double minimalLoss;
    private final double preactivationScale;

    private OddActivationTheory(Activation activation, int labels, int perClass, int width, double lambda1,
            double lambda2) {
        if (labels < 1 || labels > 16 || perClass < 1) {
            throw new IllegalArgumentException("need 1 ≤ dY ≤ 16 and n ≥ 1, got dY=" + labels + ", n=" + perClass);
        }
        if (!(lambda1 > 0 && lambda2 > 0 && Double.isFinite(lambda1) && Double.isFinite(lambda2))) {
            throw new IllegalArgumentException("λ1, λ2 must be positive and finite, got " + lambda1 + ", " + lambda2);
        }
        this.activation = activation;
        this.labels = labels;
        this.samples = perClass << labels;
        this.width = width;
        this.lambda1 = lambda1;
        this.lambda2 = lambda2;
        double p = samples;
        if (activation == Activation.LINEAR) {
            double shrink = Math.sqrt(lambda1 * lambda2);
            double sigma = Math.max(0, Math.sqrt(p) - shrink);
            this.coefficient = Math.sqrt(lambda2 / lambda1) * sigma / p;
            double gap = Math.sqrt(p) - sigma;
            this.minimalLoss = labels * (gap * gap + 2 * shrink * sigma);
            this.preactivationScale = Double.NaN;
        } else if (activation == Activation.TANH) {
            if (width < labels || width % labels != 0) {
                throw new IllegalArgumentException("the tanh closed form needs dY | M, got M=" + width + ", dY=" + labels);
            }
            double r = argminTanh();
            this.preactivationScale = r;
            double t = Math.tanh(r);
            this.coefficient = (double) width / labels * t * t;
            this.minimalLoss = tanhObjective(r);
        } else {
            throw new IllegalArgumentException("odd-activation theory covers linear and tanh, got " + activation.id());
        }
    }

    /** The linear network (any width ≥ dY). */
    public static OddActivationTheory linear(int labels, int perClass, double lambda1, double lambda2) {
        return new OddActivationTheory(Activation.LINEAR, labels, perClass, labels, lambda1, lambda2);
    }

    /** The tanh network of width M (dY must divide M). */
    public static OddActivationTheory tanh(int labels, int perClass, int width, double lambda1, double lambda2) {
        return new OddActivationTheory(Activation.TANH, labels, perClass, width, lambda1, lambda2);
    }

    /** {@code F(r) = λ1 P M r² + dY λ2 P / (P (M/dY) tanh²(r) + λ2)}. */
    double tanhObjective(double r) {
        double p = samples, t = Math.tanh(r);
        double q = (double) width / labels * t * t;
        return lambda1 * p * width * r * r + labels * lambda2 * p / (p * q + lambda2);
    }

    /** {@code F'(r) = 2 λ1 P M r − dY λ2 P² (M/dY) 2 tanh(r) sech²(r) / (P q + λ2)²}. */
    double tanhSlope(double r) {
        double p = samples, t = Math.tanh(r);
        double share = (double) width / labels;
        double d = p * share * t * t + lambda2;
        return 2 * lambda1 * p * width * r - labels * lambda2 * p * p * share * 2 * t * (1 - t * t) / (d * d);
    }

    private double argminTanh() {
        double hi = Math.sqrt((double) labels / (lambda1 * width)) + 1e-12;
        return ScalarMinimizer.argmin(this::tanhObjective, this::tanhSlope, hi);
    }

    /** c of {@code K* = c K_Y}. */
    public double coefficient() {
        return coefficient;
    }

    /** L*. */
    public double minimalLoss() {
        return minimalLoss;
    }

    /** tanh: r*, the preactivation amplitude of every neuron at the optimum ({@code h = ±r* y_k}); NaN for linear. */
    public double preactivationScale() {
        return preactivationScale;
    }

    public Activation activation() {
        return activation;
    }

    /** {@code K* = c K_Y}, P×P row-major in class-major sample order. */
    public double[] kernel() {
        double[] w = new double[labels];
        java.util.Arrays.fill(w, coefficient);
        return TaskKernels.labelKernel(TaskKernels.hypercubeSigns(labels, samples >> labels), labels, samples, w, 0.0);
    }

    /** Whether the task is the whitened class-major unit hypercube of this theory. */
    public boolean applies(Task task, double tol) {
        return TaskKernels.isWhitenedUnitHypercube(task, labels, samples, tol);
    }

    /** One-line formula for tables. */
    public String formula() {
        return String.format(Locale.ROOT, "c·K_Y, c=%.4g", coefficient);
    }
}
