package org.repgeom.theory;

import java.util.Locale;
import org.ejml.data.DMatrixRMaj;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.task.Task;
import org.repgeom.theory.NeuronEnergy.Minimum;

/**
 * Mean-field KKT certificate of global optimality for a trained two-layer ReLU network with a
 * first-layer bias (docs/science.md §6), loss of §3.1:
 * {@code L = ‖Y − W2 relu(W̃1 X̃)‖² + λ1‖W̃1‖² + λ2‖W2‖²}.
 *
 * <p>The member's kernel {@code K = RᵀR} gives the {@link DualBound dual bound} D, a lower bound on
 * every network's loss when the {@link NeuronEnergy single-neuron energy}
 * {@code E(h) = λ1 hᵀ K_X⁺ h − λ2 relu(h)ᵀ G relu(h)} is nonnegative on col(K_X). The entry point
 * minimises E over unit h with one of three algorithms: {@link SupportEnumeration} (exact, K_X⁻¹
 * an M-matrix, P ≤ {@value #MAX_SUPPORT_P}), {@link SignPatternEnumeration} (exact, any K_X,
 * P ≤ {@value #MAX_PATTERN_P}) or {@link SampledEnergySearch} (beyond those: an upper bound that can
 * refute, never certify). The derivation, why each algorithm is exact and the tolerances are in
 * docs/certificate.md.
 *
 * <p>With the caller's {@code tol}: CERTIFIED iff {@code minEnergy ≥ −tol · λ1 ‖K_X⁺‖₂} and
 * {@code |L − D| ≤ tol · L}; a sampled negative energy below the same threshold gives NOT_CERTIFIED.
 */
public final class KktCertificate {

    /** Outcome of a certificate. */
    public enum Verdict { CERTIFIED, NOT_CERTIFIED, NOT_CHECKED }

    /**
     * @param verdict      CERTIFIED, NOT_CERTIFIED or NOT_CHECKED (then minEnergy is NaN, or the
     *                     sampled upper bound when method starts with "sampled")
     * @param minEnergy    min of E over unit preactivation patterns h ∈ col(K_X) (see class doc;
     *                     copositive method: {@code min vᵀAv} over unit v ≥ 0)
     * @param loss         the member's loss, as supplied
     * @param dualBound    {@code D = λ2 tr K_Y (K+λ2 I)⁻¹ + λ2 tr(G K)}
     * @param relativeGap  {@code (loss − D) / loss}
     * @param method       how minEnergy was obtained, with the minimising support / pattern, or
     *                     why it was not checked
     * @param minimiser    unit P-vector attaining minEnergy (null when not checked)
     */
    public record Result(Verdict verdict, double minEnergy, double loss, double dualBound, double relativeGap,
            String method, double[] minimiser) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s(minEnergy=%.3e, loss=%.9g, bound=%.9g, gap=%.3e, %s)",
                    verdict, minEnergy, loss, dualBound, relativeGap, method);
        }
    }

    /** Largest P for the support enumeration (2^20 eigenproblems). */
    public static final int MAX_SUPPORT_P = SupportEnumeration.MAX_P;
    /** Largest P for the sign-pattern enumeration (3^12 eigenproblems). */
    public static final int MAX_PATTERN_P = SignPatternEnumeration.MAX_P;
    /** Random starts for the sampled check. */
    public static final int SAMPLED_STARTS = SampledEnergySearch.STARTS;
    /** Projected gradient steps per start in the sampled check. */
    public static final int SAMPLED_STEPS = SampledEnergySearch.STEPS;

    private KktCertificate() {
    }

    /**
     * Certifies a member from its representation kernel and loss.
     *
     * @param k       P×P row-major {@code K = RᵀR}, R = relu(W̃1 X̃)
     * @param task    the task (X, Y) it was trained on
     * @param loss    the member's full loss (§3.1 convention)
     * @param tol     relative tolerance, see the class doc (e.g. 1e-4 for trained members)
     */
    public static Result certify(double[] k, Task task, double lambda1, double lambda2, double loss, double tol) {
        return certify(k, task, lambda1, lambda2, loss, tol, Method.AUTO);
    }

    /** Which minimisation to run; AUTO picks the copositive reduction when it applies. */
    public enum Method { AUTO, SUPPORTS, SIGN_PATTERNS, SAMPLED }

    /** {@link #certify(double[], Task, double, double, double, double)} with a forced method (tests). */
    public static Result certify(double[] k, Task task, double lambda1, double lambda2, double loss, double tol,
            Method method) {
        return certify(k, task, true, lambda1, lambda2, loss, tol, method);
    }

    /**
     * The certificate of a member with ({@code bias}) or without a first-layer bias: the first layer's
     * input kernel is {@code X̃ᵀX̃} or {@code XᵀX}; everything else is the same.
     */
    public static Result certify(double[] k, Task task, boolean bias, double lambda1, double lambda2, double loss,
            double tol, Method method) {
        int p = task.samples();
        if (k.length != p * p) {
            throw new IllegalArgumentException("kernel has " + k.length + " entries, expected P² = " + p * p);
        }
        if (!(lambda1 > 0 && lambda2 > 0)) {
            throw new IllegalArgumentException("λ1, λ2 must be positive, got " + lambda1 + ", " + lambda2);
        }
        DMatrixRMaj kMat = new DMatrixRMaj(p, p, true, k);
        DMatrixRMaj ky = new DMatrixRMaj(p, p, true, Kernels.outputKernel(task));
        DMatrixRMaj kx = new DMatrixRMaj(p, p, true, bias ? Kernels.augmentedInputKernel(task)
                : Kernels.linear(task.xData(), task.inputDim(), p));

        DualBound dual = DualBound.of(kMat, ky, lambda2);
        double bound = dual.value();
        double gap = (loss - bound) / loss;
        InputKernelInverse kxInv = InputKernelInverse.of(kx);
        double energyScale = lambda1 / kxInv.minPositiveEigenvalue(); // λ1 ‖K_X⁺‖₂
        Minimum min = minimum(new NeuronEnergy(kxInv.pinv(), dual.g(), lambda1, lambda2), kxInv, method);

        Verdict verdict;
        if (Double.isNaN(min.value())) {
            verdict = Verdict.NOT_CHECKED;
        } else if (min.sampled()) {
            verdict = min.value() < -tol * energyScale ? Verdict.NOT_CERTIFIED : Verdict.NOT_CHECKED;
        } else {
            boolean energyOk = min.value() >= -tol * energyScale;
            boolean gapOk = Math.abs(loss - bound) <= tol * Math.abs(loss);
            verdict = energyOk && gapOk ? Verdict.CERTIFIED : Verdict.NOT_CERTIFIED;
        }
        return new Result(verdict, min.value(), loss, bound, gap, min.description(), min.vector());
    }

    /** Runs the requested minimiser of E, or the one AUTO picks, falling back to sampling beyond its P limit. */
    private static Minimum minimum(NeuronEnergy energy, InputKernelInverse kxInv, Method method) {
        int p = energy.kxPinv().numRows;
        boolean mMatrix = kxInv.isMMatrixInverse();
        Method chosen = method == Method.AUTO ? (mMatrix ? Method.SUPPORTS : Method.SIGN_PATTERNS) : method;
        if (chosen == Method.SUPPORTS && !mMatrix) {
            return Minimum.notChecked("copositive reduction needs K_X invertible with K_X⁻¹ off-diagonals ≤ 0");
        }
        boolean tooLarge = (chosen == Method.SUPPORTS && p > MAX_SUPPORT_P)
                || (chosen == Method.SIGN_PATTERNS && p > MAX_PATTERN_P);
        if (chosen == Method.SAMPLED || tooLarge) {
            return SampledEnergySearch.minimum(energy, kxInv.basis(), mMatrix);
        }
        return chosen == Method.SUPPORTS ? SupportEnumeration.minimum(energy)
                : SignPatternEnumeration.minimum(energy, kxInv.basis());
    }

    /**
     * Certifies member {@code params[off …]} of a two-layer ReLU group: runs the forward pass for K
     * and the loss ({@code lambdas[lambdaOff]} = λ1, {@code lambdas[lambdaOff + 1]} = λ2).
     */
    public static Result certify(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
            double tol) {
        Architecture arch = mlp.layout().architecture();
        if (arch.depth() != 1 || arch.activation() != Activation.RELU) {
            throw new IllegalArgumentException("the certificate is for two-layer ReLU networks, got " + arch);
        }
        double loss = mlp.loss(params, off, lambdas, lambdaOff);
        double[] k = RepresentationKernel.of(mlp.hidden(0), arch.width(0), task.samples());
        return certify(k, task, lambdas[lambdaOff], lambdas[lambdaOff + 1], loss, tol);
    }

    /** The kind of method a result's {@code method} text names: copositive-supports, sign-patterns, sampled or not-checked. */
    public static String methodKind(String method) {
        if (method == null) return "not-checked";
        for (String kind : new String[] {"copositive-supports", "sign-patterns", "sampled"}) {
            if (method.startsWith(kind)) return kind;
        }
        return "not-checked";
    }

    /** Single-neuron energy {@code E(h) = λ1 hᵀ K_X⁺ h − λ2 relu(h)ᵀ G relu(h)} (for tests and tools). */
    static double energy(double[] h, DMatrixRMaj kxPinv, DMatrixRMaj g, double lambda1, double lambda2) {
        return new NeuronEnergy(kxPinv, g, lambda1, lambda2).at(h);
    }
}
