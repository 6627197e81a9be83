package org.repgeom.theory;

import java.util.Locale;
import org.repgeom.analysis.Kernels;
import org.repgeom.task.Task;

/**
 * Two-layer ReLU network on one-hot labels: neural collapse in closed form (docs/science.md §5.6).
 * C balanced classes, n samples each, {@code P = nC}, class-major order, {@code Y} one-hot
 * ({@code K_Y = YᵀY = Σ_c 1_c 1_cᵀ}); {@code Π_c = K_Y/n − 11ᵀ/P} is the projector onto the centred
 * class space. Loss {@code ‖Y − W2 relu(W̃1 X̃)‖² + λ1‖W̃1‖² + λ2‖W2‖²}.
 *
 * <pre>
 *   with first-layer bias, K_X = I + 11ᵀ (whitened X):
 *       K* = λ_c Π_c + λ_1 11ᵀ/P,   λ_c = (sqrt(λ2 n / λ1) − λ2)_+,   λ_1 = (sqrt(λ2 n (P+1) / λ1) − λ2)_+
 *       L* = (C−1) ℓ(1) + ℓ(1/(P+1)),
 *   without bias on whitened X, K_X = I (more generally K_X = g I, g &gt; 0):
 *       K* = λ_g K_Y / n,   λ_g = (sqrt(λ2 n g / λ1) − λ2)_+          (g = 1: (sqrt(λ2/(λ1 n)) − λ2/n) K_Y)
 *       L* = C ℓ(1/g),
 *   ℓ(κ) = 2 sqrt(λ1 λ2 κ n) − λ1 λ2 κ   (n when the eigenvalue is cut to 0).
 * </pre>
 * Within-class collapse and a simplex ETF after centring; with bias the kernel is not ∝ K_Y (36–58 %
 * away in trained networks).
 *
 * <p>Derivation. The reduced loss is {@code λ1 Σ_i h_iᵀ K_X⁻¹ h_i + λ2 tr K_Y (K + λ2)⁻¹}. Take
 * neurons that are nonnegative and constant on classes ({@code relu(h) = h}); then the first-layer
 * cost is {@code λ1 tr(K_X⁻¹ K)}, linear in K. K_X⁻¹ and K_Y share eigenvectors: 1/√P with
 * ({@code K_X⁻¹}, K_Y) eigenvalues {@code (1/(P+1), n)} with bias, and the centred class space with
 * {@code (1, n)}. For K with the same eigenvectors and eigenvalue m on a direction of weights
 * {@code (κ, n)} the cost is {@code λ1 κ m + λ2 n/(m + λ2)}, minimal at
 * {@code m = sqrt(λ2 n / (λ1 κ)) − λ2} with value ℓ(κ). The resulting K is a nonnegative,
 * diagonally dominant matrix on the class space, so it is a sum of nonnegative rank-one terms
 * (realisable by ReLU neurons); the optimal neurons are not unique (any nonnegative mix of class
 * indicators is tight), the kernel is. Global optimality: certified exactly by
 * {@link KktCertificate} on trained members (K_X⁻¹ has non-positive off-diagonals).
 *
 * <p>The engine's networks always carry a first-layer bias. A bias-free network on whitened X is
 * reproduced exactly by a biased network on an input with {@code X̃ᵀX̃ = g I} (e.g.
 * {@code X = sqrt(g)·Bᵀ} with B an orthonormal basis of 1⊥ and g = P, so that
 * {@code XᵀX = P I − 11ᵀ}) at λ1' = g·λ1: both reduced problems are
 * {@code λ1 Σ‖h_i‖² + λ2 tr K_Y (K + λ2)⁻¹} over all preactivations H, because the cheapest first
 * layer realising H costs {@code λ1' ‖H‖²/g}. The kernel, L* and the certificate are the same; only
 * the parametrisation (and hence Adam's path) differs. {@link #withoutBias} takes g for this.
 */
public final class OneHotReluTheory {
    private final int classes;
    private final int perClass;
    private final int samples;
    private final boolean bias;
    private final double inputGain;
    private final double lambda1;
    private final double lambda2;
    private final double centredEigenvalue;
    private final double meanEigenvalue;
    private final double minimalLoss;

    private OneHotReluTheory(int classes, int perClass, boolean bias, double inputGain, double lambda1,
            double lambda2) {
        if (classes < 2 || perClass < 1) {
            throw new IllegalArgumentException("need C ≥ 2 classes and n ≥ 1, got C=" + classes + ", n=" + perClass);
        }
        if (!(lambda1 > 0 && lambda2 > 0 && Double.isFinite(lambda1) && Double.isFinite(lambda2))) {
            throw new IllegalArgumentException("λ1, λ2 must be positive and finite, got " + lambda1 + ", " + lambda2);
        }
        if (!(inputGain > 0 && Double.isFinite(inputGain))) {
            throw new IllegalArgumentException("input gain g must be positive, got " + inputGain);
        }
        this.classes = classes;
        this.perClass = perClass;
        this.samples = classes * perClass;
        this.bias = bias;
        this.inputGain = inputGain;
        this.lambda1 = lambda1;
        this.lambda2 = lambda2;
        double p = samples;
        if (bias) {
            centredEigenvalue = eigenvalue(1.0);
            meanEigenvalue = eigenvalue(1.0 / (p + 1));
            minimalLoss = (classes - 1) * directionLoss(1.0) + directionLoss(1.0 / (p + 1));
        } else {
            centredEigenvalue = eigenvalue(1.0 / inputGain);
            meanEigenvalue = centredEigenvalue;
            minimalLoss = classes * directionLoss(1.0 / inputGain);
        }
    }

    /** With a first-layer bias on whitened input ({@code K_X = I + 11ᵀ}). */
    public static OneHotReluTheory withBias(int classes, int perClass, double lambda1, double lambda2) {
        return new OneHotReluTheory(classes, perClass, true, 1.0, lambda1, lambda2);
    }

    /**
     * Without bias: first-layer cost {@code λ1 hᵀ K_X⁻¹ h} with {@code K_X = g I} (g = 1: whitened
     * input; see the class comment for realising it with a biased network).
     */
    public static OneHotReluTheory withoutBias(int classes, int perClass, double inputGain, double lambda1,
            double lambda2) {
        return new OneHotReluTheory(classes, perClass, false, inputGain, lambda1, lambda2);
    }

    /** {@code m = (sqrt(λ2 n / (λ1 κ)) − λ2)_+}. */
    private double eigenvalue(double kappa) {
        return Math.max(0, Math.sqrt(lambda2 * perClass / (lambda1 * kappa)) - lambda2);
    }

    /** {@code ℓ(κ) = 2 sqrt(λ1 λ2 κ n) − λ1 λ2 κ}, or n when the eigenvalue is cut. */
    private double directionLoss(double kappa) {
        if (eigenvalue(kappa) == 0) return perClass;
        double g = lambda1 * lambda2 * kappa;
        return 2 * Math.sqrt(g * perClass) - g;
    }

    /** λ_c, the eigenvalue of K* on the centred class space. */
    public double centredEigenvalue() {
        return centredEigenvalue;
    }

    /** λ_1, the eigenvalue of K* on 1/√P (equal to λ_c without bias). */
    public double meanEigenvalue() {
        return meanEigenvalue;
    }

    /** L*. */
    public double minimalLoss() {
        return minimalLoss;
    }

    public boolean hasBias() {
        return bias;
    }

    /** {@code K* = λ_c Π_c + λ_1 11ᵀ/P}, P×P row-major, class-major order. */
    public double[] kernel() {
        int p = samples, n = perClass;
        double[] k = new double[p * p];
        for (int s = 0; s < p; s++) {
            for (int q = 0; q < p; q++) {
                double same = s / n == q / n ? 1.0 / n : 0.0;
                k[s * p + q] = centredEigenvalue * (same - 1.0 / p) + meanEigenvalue / p;
            }
        }
        return k;
    }

    /**
     * Whether the task fits: class-major one-hot Y with C classes of n, and {@code X̃ᵀX̃} equal to
     * {@code I + 11ᵀ} (with bias) or to {@code g I} (the bias-free emulation), within tol.
     */
    public boolean applies(Task task, double tol) {
        return applies(task, Kernels.augmentedInputKernel(task), tol);
    }

    /**
     * {@link #applies(Task, double)} with the first layer's input kernel given: {@code X̃ᵀX̃} for a
     * network with a first-layer bias, {@code XᵀX} for one without.
     */
    public boolean applies(Task task, double[] kx, double tol) {
        if (task.outputDim() != classes || task.samples() != samples) return false;
        for (int c = 0; c < classes; c++) {
            for (int s = 0; s < samples; s++) {
                if (Math.abs(task.y(c, s) - (s / perClass == c ? 1.0 : 0.0)) > tol) return false;
            }
        }
        double[] model = new double[samples * samples];
        for (int s = 0; s < samples; s++) {
            for (int q = 0; q < samples; q++) {
                model[s * samples + q] = bias ? (s == q ? 2.0 : 1.0) : (s == q ? inputGain : 0.0);
            }
        }
        return TaskKernels.close(kx, model, tol);
    }

    /** One-line formula for tables. */
    public String formula() {
        return bias ? String.format(Locale.ROOT, "λcΠc+λ1·11ᵀ/P, λc=%.4g λ1=%.4g", centredEigenvalue, meanEigenvalue)
                : String.format(Locale.ROOT, "c·K_Y, c=%.4g", centredEigenvalue / perClass);
    }
}
