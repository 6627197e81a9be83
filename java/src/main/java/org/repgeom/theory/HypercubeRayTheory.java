package org.repgeom.theory;

import java.util.Locale;
import org.repgeom.analysis.Kernels;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * Two-layer network with a threshold-class activation on hypercube labels: the "ray" closed forms
 * of docs/science.md §5.2 in one family, with §5.1 ({@link HypercubeReluTheory}) as the special case
 * γ = 1, ρ = 0, α = 0, s = 1, κ = 1.
 *
 * <h2>Setting</h2>
 * dY labels over all 2^dY classes, n ≥ 1 samples per class, {@code P = n·2^dY}, class-major order;
 * row k of Y is {@code s_k·y_k} with {@code y_k ∈ {±1}^P} (per-label output scale {@code s_k > 0}).
 * The augmented input kernel is
 * <pre>
 *   K_X = X̃ᵀX̃ = γ² (I_C ⊗ W_ρ) + Σ_k α_k² y_k y_kᵀ + 11ᵀ,     W_ρ = (1−ρ) I_n + ρ 11ᵀ
 * </pre>
 * which covers whitened input (γ = 1, ρ = α = 0, K_X = I + 11ᵀ), within-class correlated input
 * (ρ &gt; 0, {@code InputGeometry.withinClassCorrelated}), target-aligned input
 * ({@code X = a Q_A Y + b Q_B}: γ = b, α_k = a·s_k) and per-label anisotropic input (α_k differ).
 * Loss {@code ‖Y − W2 φ(W̃1 X̃)‖² + λ1‖W̃1‖² + λ2‖W2‖²} with {@code φ = κ·relu} near its kink:
 * κ = φ'(0⁺) = 1 for relu and clipped_relu.
 *
 * <h2>Closed form</h2>
 * With {@code β = 1 + (n−1)ρ}, the eigenvalues of K_X on 1 and on y_k are
 * {@code e_1 = γ²β + P} and {@code e_k = γ²β + α_k² P}; let {@code w_1 = P/e_1},
 * {@code w_k = P/e_k} and the ray cost
 * <pre>
 *   a_k = w_1 + w_k                      if w_k ≥ w_1   (neurons on the kink)
 *   a_k = 4 w_1 w_k / (w_1 + w_k)         if w_k &lt; w_1   (strongly aligned input: off the kink)
 * </pre>
 * Then, with {@code λ1' = λ1/κ²},
 * <pre>
 *   K* = Σ_k c_k (y_k y_kᵀ + 11ᵀ),        c_k = ( s_k sqrt(λ2 / (λ1' a_k)) − λ2 / P )_+
 *   L* = Σ_k  2 s_k sqrt(λ1' λ2 a_k) − λ1' λ2 a_k / P      (s_k² P for a label with c_k = 0)
 * </pre>
 * a hyper-rectangle kernel: class prototypes sit on a box with side {@code ∝ sqrt(c_k)} along label
 * k (a cube when all c_k agree). PS = 1 for every label with c_k &gt; 0. Attained with 2 neurons per
 * kept label (width ≥ 2·dY).
 *
 * <h2>Derivation</h2>
 * For fixed preactivations H (rows h_i ∈ col K_X) the cheapest first layer costs
 * {@code λ1 Σ_i h_iᵀ K_X⁻¹ h_i} and the ridge readout costs {@code λ2 tr K_Y (K + λ2 I)⁻¹}, K = φ(H)ᵀφ(H)
 * (docs/science.md §5.1). Ansatz: for each label two neurons whose activations are {@code u(1 ± y_k)}
 * (they fire on one side of label k). Realising {@code relu(h) = u(1 + y_k)} as cheaply as possible
 * is a convex problem invariant under within-class permutations and the sign flips of the other
 * labels (both leave K_X invariant), so its minimiser is {@code h = σ 1 + τ y_k} with
 * {@code σ + τ = 2u} (value on the firing side) and {@code σ − τ ≤ 0} (silent side). Its cost is
 * {@code w_1 σ² + w_k τ²} (1 and y_k are eigenvectors of K_X, {@code 1ᵀK_X⁻¹1 = P/e_1},
 * {@code y_kᵀK_X⁻¹y_k = P/e_k}); the unconstrained minimiser {@code σ = 2u w_k/(w_1+w_k)} is
 * admissible iff {@code w_k ≤ w_1}, else the constraint is active ({@code σ = τ = u}, the kink);
 * so the cost is {@code a_k u²}. The pair for label k gives {@code 2u²(y_k y_kᵀ + 11ᵀ)}, whose
 * eigenvalue on y_k is {@code c_k P} ({@code c_k = 2u²}); y_k ⊥ y_j ⊥ 1, so the readout cost splits
 * into {@code λ2 s_k² P/(c_k P + λ2)} per label and the total is
 * {@code Σ_k λ1 a_k c_k + λ2 s_k² P / (c_k P + λ2)}, convex in each c_k and minimal at the c_k above.
 * φ = κ relu with preactivation h equals relu at preactivation κh, whose first-layer cost is
 * {@code λ1/κ²} times as large: the same problem with λ1' = λ1/κ² (the threshold-class rescaling).
 * For clipped_relu (clip at 1) the relu optimum is also realisable when every activation stays ≤ 1:
 * with m neurons per ray the largest one is {@code sqrt(2 c_k / m)} ({@link #maxActivation}).
 *
 * <h2>What is proved and what was measured</h2>
 * The ansatz gives an upper bound on the minimum; that it is the global minimum needs every other
 * neuron pattern to be no cheaper. For whitened input this is §5.1 (certified exactly by
 * {@link KktCertificate}). For within-class correlation, target alignment, per-label output and
 * input scales and the threshold class it was verified by training matched ensembles: in
 * {@code repgeom verify-theory} (16 seeds per case) the median relative kernel error is about
 * 1e-5 and every certifiable member is CERTIFIED; the same held (12 seeds each, medians
 * 2e-7…1.2e-5) at ρ = 0.2 and 0.9 with n = 3, at target alignment a = 0.5, 1, 3 (γ = 1) and
 * a = 2 with γ = 0.5, and at s = (2, 0.7), α = (1.5, 0), γ = 0.7. Clipped ReLU with
 * {@code maxActivation > 1} does not reach the ReLU kernel (17–89 % away in those runs). That the
 * ray family is the global minimum is thus measured, not proved, beyond §5.1.
 */
public final class HypercubeRayTheory {

    /**
     * The input kernel's parameters: {@code K_X = γ² (I_C ⊗ W_ρ) + Σ_k α_k² y_k y_kᵀ + 11ᵀ}.
     *
     * @param isotropic γ² ≥ 0 (the whitened part)
     * @param withinClass ρ ∈ [0, 1): within-class correlation of the whitened part
     * @param alignment α_k ≥ 0 per label (null or empty: all 0)
     */
    public record InputModel(double isotropic, double withinClass, double[] alignment) {
        public InputModel {
            if (!(isotropic >= 0) || !(withinClass >= 0 && withinClass < 1)) {
                throw new IllegalArgumentException("need γ² ≥ 0 and 0 ≤ ρ < 1, got γ²=" + isotropic + ", ρ=" + withinClass);
            }
            alignment = alignment == null ? new double[0] : alignment.clone();
        }

        /** Whitened input: K_X = I + 11ᵀ. */
        public static InputModel whitened() {
            return new InputModel(1.0, 0.0, null);
        }

        double alpha(int k) {
            return k < alignment.length ? alignment[k] : 0.0;
        }
    }

    private final int labels;
    private final int perClass;
    private final int samples;
    private final double[] outputScales;
    private final InputModel input;
    private final double lambda1;
    private final double lambda2;
    private final double slope;
    private final double[] rayCost;
    private final double[] coefficients;
    private final double minimalLoss;

    private HypercubeRayTheory(int labels, int perClass, double[] outputScales, InputModel input, double lambda1,
            double lambda2, double slope) {
        if (labels < 1 || labels > 16 || perClass < 1) {
            throw new IllegalArgumentException("need 1 ≤ dY ≤ 16 and n ≥ 1, got dY=" + labels + ", n=" + perClass);
        }
        if (!(lambda1 > 0 && lambda2 > 0 && Double.isFinite(lambda1) && Double.isFinite(lambda2))) {
            throw new IllegalArgumentException("λ1, λ2 must be positive and finite, got " + lambda1 + ", " + lambda2);
        }
        if (!(slope > 0 && Double.isFinite(slope))) {
            throw new IllegalArgumentException("the activation's slope φ'(0+) must be positive, got " + slope);
        }
        if (outputScales.length != labels) {
            throw new IllegalArgumentException("need " + labels + " output scales, got " + outputScales.length);
        }
        for (double s : outputScales) {
            if (!(s > 0 && Double.isFinite(s))) throw new IllegalArgumentException("output scales must be positive, got " + s);
        }
        if (input.alignment().length > labels) {
            throw new IllegalArgumentException("more alignment weights than labels");
        }
        this.labels = labels;
        this.perClass = perClass;
        this.samples = perClass << labels;
        this.outputScales = outputScales.clone();
        this.input = input;
        this.lambda1 = lambda1;
        this.lambda2 = lambda2;
        this.slope = slope;
        double p = samples;
        double l1 = effectiveLambda1();
        double beta = 1 + (perClass - 1) * input.withinClass();
        double w1 = p / (input.isotropic() * beta + p);
        this.rayCost = new double[labels];
        this.coefficients = new double[labels];
        double loss = 0;
        for (int k = 0; k < labels; k++) {
            double a = input.alpha(k);
            double wk = p / (input.isotropic() * beta + a * a * p);
            rayCost[k] = wk >= w1 ? w1 + wk : 4 * w1 * wk / (w1 + wk);
            double s = outputScales[k];
            double c = s * Math.sqrt(lambda2 / (l1 * rayCost[k])) - lambda2 / p;
            if (c > 0) {
                coefficients[k] = c;
                double g = l1 * lambda2 * rayCost[k];
                loss += 2 * s * Math.sqrt(g) - g / p;
            } else {
                loss += s * s * p;
            }
        }
        this.minimalLoss = loss;
    }

    /**
     * The general form: per-label output scales s_k, input model, λ1, λ2 and the activation's slope
     * κ = φ'(0⁺) (λ1 is rescaled to λ1/κ²).
     */
    public static HypercubeRayTheory of(int labels, int perClass, double[] outputScales, InputModel input,
            double lambda1, double lambda2, double slope) {
        return new HypercubeRayTheory(labels, perClass, outputScales, input, lambda1, lambda2, slope);
    }

    /** Whitened input, unit labels, ReLU: docs/science.md §5.1 ({@link HypercubeReluTheory}). */
    public static HypercubeRayTheory whitened(int labels, int perClass, double lambda1, double lambda2) {
        return of(labels, perClass, ones(labels), InputModel.whitened(), lambda1, lambda2, 1.0);
    }

    /**
     * Within-class correlated input ({@code XᵀX = I_C ⊗ W_ρ}): the ray cost becomes
     * {@code a = P(P + 2β)/(β(P + β))}, β = 1 + (n−1)ρ; neurons are constant within each class
     * (within-class collapse).
     */
    public static HypercubeRayTheory withinClass(int labels, int perClass, double rho, double lambda1, double lambda2) {
        return of(labels, perClass, ones(labels), new InputModel(1.0, rho, null), lambda1, lambda2, 1.0);
    }

    /**
     * Target-aligned input {@code X = a Q_A Y + b Q_B} on unit labels ({@code XᵀX = a² K_Y + b² I}):
     * γ² = b², α_k = a. The kernel keeps the shape {@code K_Y + dY 11ᵀ}; only c changes.
     */
    public static HypercubeRayTheory targetAligned(int labels, int perClass, double aligned, double orthogonal,
            double lambda1, double lambda2) {
        double[] alpha = new double[labels];
        java.util.Arrays.fill(alpha, aligned);
        return of(labels, perClass, ones(labels), new InputModel(orthogonal * orthogonal, 0.0, alpha), lambda1, lambda2,
                1.0);
    }

    /**
     * The slope κ = φ'(0⁺) of the threshold-class rescaling λ1 → λ1/κ² for an activation: 1 for
     * relu, clipped_relu and leaky_relu. Clipped ReLU attains the ReLU optimum while
     * {@link #maxActivation} ≤ 1. Leaky ReLU (negative slope ε) attains it because the optimal
     * neurons sit exactly on the kink, where the negative side is silent, as long as the kink stays
     * stable ({@link #kinkStable}).
     *
     * @throws IllegalArgumentException for activations outside the threshold class
     */
    public static double slopeOf(Activation activation) {
        return switch (activation) {
            case RELU, CLIPPED_RELU, LEAKY_RELU -> 1.0;
            default -> throw new IllegalArgumentException("no ray closed form for activation " + activation.id()
                    + " (threshold class: relu, clipped_relu, leaky_relu)");
        };
    }

    /**
     * Whether a leaky ReLU with negative slope ε keeps the whitened ray optimum on its kink:
     * {@code ε (P + 2) < P}. Derivation: push the silent side of a ray neuron {@code t(1 + y_k)} down
     * by z &lt; 0. The first-layer cost rises at rate {@code λ1 t P²/(P+1)} per unit |z| (the gradient of
     * {@code hᵀK_X⁻¹h} there), while the leaky output {@code ε z} on that side lowers the readout cost
     * at rate {@code ε λ2 t P²/(cP + λ2)² = ε λ1 t a} (the optimality condition of c,
     * {@code λ1 a = λ2 P²/(cP + λ2)²}, a = P(P+2)/(P+1)). The kink is stable when the first rate
     * wins: {@code ε P(P+2) < P²}. (A first-order local condition; that no other leaky pattern is
     * better was checked by training, not proved.)
     */
    public static boolean kinkStable(double negativeSlope, int samples) {
        return negativeSlope * (samples + 2) < samples;
    }

    private static double[] ones(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1.0);
        return a;
    }

    /** λ1/κ². */
    public double effectiveLambda1() {
        return lambda1 / (slope * slope);
    }

    /** c_k per label (0 for a dropped label). */
    public double[] coefficients() {
        return coefficients.clone();
    }

    /** a_k per label: {@code hᵀK_X⁻¹h / u²} of the cheapest neuron with activations u(1 ± y_k). */
    public double[] rayCosts() {
        return rayCost.clone();
    }

    /** Whether label k's optimal neurons sit off the kink (strongly aligned input, {@code w_k < w_1}). */
    public boolean offKink(int label) {
        double p = samples, beta = 1 + (perClass - 1) * input.withinClass();
        double a = input.alpha(label);
        return p / (input.isotropic() * beta + a * a * p) < p / (input.isotropic() * beta + p);
    }

    /** L*. */
    public double minimalLoss() {
        return minimalLoss;
    }

    public int samples() {
        return samples;
    }

    public int labels() {
        return labels;
    }

    /** Smallest width that attains the minimum: 2 neurons per kept label. */
    public int minimalWidth() {
        int kept = 0;
        for (double c : coefficients) if (c > 0) kept++;
        return 2 * kept;
    }

    /**
     * Largest activation of the optimum realised with {@code width / (2 dY)} neurons per ray (mass
     * split evenly): {@code sqrt(2 c_max / m)}. Clipped ReLU (clip at 1) attains the ReLU optimum only
     * when this is ≤ 1. Infinite when width &lt; 2 dY.
     */
    public double maxActivation(int width) {
        int m = width / (2 * labels);
        if (m == 0) return Double.POSITIVE_INFINITY;
        double cMax = 0;
        for (double c : coefficients) cMax = Math.max(cMax, c);
        return Math.sqrt(2 * cMax / m);
    }

    /**
     * The optimal neurons' preactivations of the φ = κ·relu network, one pair per kept label
     * (rows 2k and 2k+1 for {@code 1 + y_k} and {@code 1 − y_k}): {@code h = (σ 1 ± τ y_k)/κ} with
     * {@code σ = τ = u} on the kink and {@code σ = 2u w_k/(w_1 + w_k)}, {@code τ = 2u w_1/(w_1 + w_k)}
     * off it, {@code u = sqrt(c_k / 2)}. (2·kept)×P row-major, class-major order; with the min-norm
     * first layer and the ridge readout they attain L* (tests check this and certify it).
     */
    public double[] optimalPreactivations() {
        double p = samples, beta = 1 + (perClass - 1) * input.withinClass();
        double w1 = p / (input.isotropic() * beta + p);
        double[] y = TaskKernels.hypercubeSigns(labels, perClass);
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        for (int k = 0; k < labels; k++) {
            if (coefficients[k] == 0) continue;
            double u = Math.sqrt(coefficients[k] / 2);
            double a = input.alpha(k);
            double wk = p / (input.isotropic() * beta + a * a * p);
            double sigma = offKink(k) ? 2 * u * wk / (w1 + wk) : u;
            double tau = offKink(k) ? 2 * u * w1 / (w1 + wk) : u;
            for (int sign = 1; sign >= -1; sign -= 2) {
                double[] h = new double[samples];
                for (int q = 0; q < samples; q++) h[q] = (sigma + sign * tau * y[k * samples + q]) / slope;
                rows.add(h);
            }
        }
        double[] out = new double[rows.size() * samples];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, out, i * samples, samples);
        return out;
    }

    /** {@code K* = Σ_k c_k (y_k y_kᵀ + 11ᵀ)}, P×P row-major in class-major sample order. */
    public double[] kernel() {
        double total = 0;
        for (double c : coefficients) total += c;
        return TaskKernels.labelKernel(TaskKernels.hypercubeSigns(labels, perClass), labels, samples, coefficients, total);
    }

    /** The model's K_X (class-major), for {@link #applies}. */
    double[] modelInputKernel() {
        int p = samples, n = perClass;
        double rho = input.withinClass(), g = input.isotropic();
        double[] alpha2 = new double[labels];
        for (int k = 0; k < labels; k++) alpha2[k] = input.alpha(k) * input.alpha(k);
        double[] kx = TaskKernels.labelKernel(TaskKernels.hypercubeSigns(labels, n), labels, p, alpha2, 1.0);
        for (int s = 0; s < p; s++) {
            for (int q = 0; q < p; q++) {
                if (s / n == q / n) kx[s * p + q] += g * (s == q ? 1.0 : rho);
            }
        }
        return kx;
    }

    /**
     * Whether a task is the one this theory describes: Y a class-major hypercube with this theory's
     * dY, n and row scales s_k, and the task's {@code K_X = X̃ᵀX̃} equal to the model's, both within
     * tol (relative to the largest entry).
     */
    public boolean applies(Task task, double tol) {
        if (task.outputDim() != labels || task.samples() != samples) return false;
        double[] scales = TaskKernels.hypercubeScales(task, tol);
        if (scales == null || !TaskKernels.close(scales, outputScales, tol)) return false;
        return TaskKernels.close(Kernels.augmentedInputKernel(task), modelInputKernel(), tol);
    }

    /** One-line formula for tables. */
    public String formula() {
        boolean cube = true;
        for (double c : coefficients) cube &= Math.abs(c - coefficients[0]) <= 1e-12 * Math.abs(coefficients[0]);
        if (cube) return String.format(Locale.ROOT, "c(K_Y+%d·11ᵀ), c=%.4g", labels, coefficients[0]);
        StringBuilder sb = new StringBuilder("Σc_k(y_ky_kᵀ+11ᵀ), c=");
        for (int k = 0; k < labels; k++) sb.append(k == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.3g", coefficients[k]));
        return sb.toString();
    }
}
