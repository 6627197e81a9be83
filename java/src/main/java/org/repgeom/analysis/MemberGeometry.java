package org.repgeom.analysis;

import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import java.util.Arrays;
import org.repgeom.theory.ConfigurationTheory;
import org.repgeom.theory.TheoryLookup;
import org.repgeom.theory.KktCertificate;

/**
 * The geometry of one trained member, measured on its last hidden layer R (M × P):
 * representation kernel K = RᵀR, parallelism score, participation ratio of K, numerical rank of
 * the augmented first layer W̃1 = [W1, b] (W1 without a bias), the residual of K outside
 * span{K_Y, 11ᵀ} ({@link LabelSpanResidual}), and — where a closed form of the catalogue applies
 * to the configuration ({@link TheoryLookup}, {@link ConfigurationTheory}) — the relative kernel
 * distance ‖K_l − K*_l‖_F/‖K*_l‖_F of every hidden layer (absolute ‖K_l‖_F where K*_l = 0),
 * their maximum {@code kernelDistance}, and the theoretical minimal loss L*. Where no form applies
 * these are NaN.
 *
 * <p>{@code shapeDistance} is the scale-free distance {@code min_c ‖K − c·T‖_F/‖K‖_F} to the kernel
 * shape of the activation's class on the whitened unit hypercube task, for two-layer networks:
 * {@code T = K_Y + dY·11ᵀ} for threshold-class activations (ReLU, leaky and clipped ReLU),
 * {@code T = K_Y} for odd ones (linear, tanh); NaN for GELU and elsewhere. It needs no closed-form
 * coefficient.
 *
 * <p>{@code minNormSubgradient} is the norm of the smallest element of the loss's subdifferential
 * ({@link MinNormSubgradient}, two-layer networks; NaN deeper): at a ReLU optimum the raw gradient
 * norm stays finite because neurons sit on the kink, while this one vanishes.
 *
 * <p>{@code certificate} is the mean-field KKT verdict of {@link KktCertificate} (min single-neuron
 * energy ≥ 0 and loss equal to the dual bound) for two-layer ReLU members whose configuration has a
 * certifiable closed form: exact for P ≤ {@link #CERTIFY_MAX_SAMPLES} (support enumeration when
 * K_X⁻¹ is an M-matrix, sign patterns up to P = 12 otherwise), sampled beyond (which can refute but
 * never certify); {@code certificateMethod} names the method ({@link KktCertificate#methodKind}).
 */
public record MemberGeometry(double[] kernel, double parallelismScore, double participationRatio, int w1Rank,
                             double kernelDistance, double theoryLoss, double shapeDistance,
                             double minNormSubgradient, KktCertificate.Verdict certificate, double minEnergy,
                             double[] layerKernelDistances, String certificateMethod, double spanResidual) {

    /** The geometry without per-layer distances, certificate method and span residual (older callers). */
    public MemberGeometry(double[] kernel, double parallelismScore, double participationRatio, int w1Rank,
                          double kernelDistance, double theoryLoss, double shapeDistance, double minNormSubgradient,
                          KktCertificate.Verdict certificate, double minEnergy) {
        this(kernel, parallelismScore, participationRatio, w1Rank, kernelDistance, theoryLoss, shapeDistance,
                minNormSubgradient, certificate, minEnergy, new double[0], "not-checked", Double.NaN);
    }

    /**
     * Largest P at which members are certified exactly: the support enumeration visits 2^P − 1
     * supports (about 0.8 s per member at P = 16); beyond it the certificate is sampled.
     */
    public static final int CERTIFY_MAX_SAMPLES = 16;
    /** Up to this P every member is certified (4095 supports at most); beyond it only CONVERGED members. */
    public static final int CERTIFY_ALWAYS_SAMPLES = 12;
    /**
     * Relative tolerance of the certificate for trained members: min energy ≥ −tol·λ1‖K_X⁺‖ and
     * |loss − dual bound| ≤ tol·loss. Measured on the example study (float32 native training):
     * members within ~1e-4 of K* have energies around −1e-4 of that scale, members stuck 1 % away
     * around −1e-2, non-global minima (width &lt; 2·dY) around −1e5; 1e-3 certifies "global to
     * about 1e-3" and separates the three.
     */
    public static final double CERTIFY_TOL = 1e-3;

    /**
     * {@link #measure(Mlp, Task, double[], int, double[], int, ConfigurationTheory, boolean)} with the
     * configuration's theory looked up here ({@code taskFitsTheory} false: no theory at all).
     */
    public static MemberGeometry measure(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
                                         boolean taskFitsTheory) {
        Architecture arch = mlp.layout().architecture();
        TheoryLookup lookup = new TheoryLookup(task);
        ConfigurationTheory theory = taskFitsTheory
                ? lookup.lookup(arch, Arrays.copyOfRange(lambdas, lambdaOff, lambdaOff + arch.layerCount()))
                : ConfigurationTheory.none("not asked");
        return measure(mlp, task, params, off, lambdas, lambdaOff, theory, lookup.whitenedUnitHypercube(), true);
    }

    /**
     * Measures the member stored at {@code params[off …]} against its configuration's
     * {@code theory}; {@code unitHypercube} says whether the task is the whitened unit hypercube
     * (for {@code shapeDistance}); both are computed once per configuration / study. The certificate
     * is computed for every member while P ≤ {@link #CERTIFY_ALWAYS_SAMPLES} (cheap), beyond that only
     * for {@code converged} members (exact up to P = 16: under a second each; sampled beyond).
     */
    public static MemberGeometry measure(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
                                         ConfigurationTheory theory, boolean unitHypercube, boolean converged) {
        ParamLayout layout = mlp.layout();
        Architecture arch = layout.architecture();
        int p = task.samples();
        int top = arch.depth() - 1;
        int m = arch.width(top);
        mlp.forward(params, off);
        double[] r = mlp.hidden(top);
        double[] k = RepresentationKernel.of(r, m, p);
        double ps = ParallelismScore.of(r, m, task).mean();
        double pr = Dimensionality.participationRatio(k, p);
        int rank = NumericalRank.of(augmentedFirstLayer(layout, params, off), arch.width(0),
                arch.inputDim() + (layout.bias(0) >= 0 ? 1 : 0));
        double span = LabelSpanResidual.of(k, Kernels.outputKernel(task));

        double distance = Double.NaN, theoryLoss = Double.NaN, minEnergy = Double.NaN;
        double[] layerDistances = new double[0];
        KktCertificate.Verdict certificate = KktCertificate.Verdict.NOT_CHECKED;
        String method = "not-checked";
        if (theory.applies()) {
            layerDistances = new double[arch.depth()];
            distance = 0;
            for (int l = 0; l < arch.depth(); l++) {
                double[] kl = l == top ? k : RepresentationKernel.of(mlp.hidden(l), arch.width(l), p);
                layerDistances[l] = KernelDistance.relative(kl, theory.layerKernels()[l]);
                distance = Math.max(distance, layerDistances[l]);
            }
            theoryLoss = theory.minimalLoss();
            if (theory.certifiable() && (converged || p <= CERTIFY_ALWAYS_SAMPLES)) {
                double loss = mlp.loss(params, off, lambdas, lambdaOff);
                KktCertificate.Result c = KktCertificate.certify(k, task, layout.bias(0) >= 0, lambdas[lambdaOff],
                        lambdas[lambdaOff + 1], loss, CERTIFY_TOL,
                        p <= CERTIFY_MAX_SAMPLES ? KktCertificate.Method.AUTO : KktCertificate.Method.SAMPLED);
                certificate = c.verdict();
                minEnergy = c.minEnergy();
                method = KktCertificate.methodKind(c.method());
            }
        }
        double subgradient = MinNormSubgradient.of(mlp, task, params, off, lambdas, lambdaOff).minNormSubgradient();
        return new MemberGeometry(k, ps, pr, rank, distance, theoryLoss, shapeDistance(k, arch, task, unitHypercube),
                subgradient, certificate, minEnergy, layerDistances, method, span);
    }

    /** Scale-free distance to the predicted shape (see class comment); NaN where none is predicted. */
    static double shapeDistance(double[] k, Architecture arch, Task task, boolean taskFitsTheory) {
        Activation act = arch.activation();
        boolean odd = act == Activation.LINEAR || act == Activation.TANH;
        if (!taskFitsTheory || arch.depth() != 1 || !(odd || act.isThresholdClass())) return Double.NaN;
        double[] target = Kernels.outputKernel(task);
        if (!odd) {
            for (int i = 0; i < target.length; i++) target[i] += task.outputDim();
        }
        return KernelDistance.scaleFree(k, target);
    }

    /** W̃1 = [W1, b1] (M × (dX+1)), row-major; W1 alone (M × dX) without a first-layer bias. */
    static double[] augmentedFirstLayer(ParamLayout layout, double[] params, int off) {
        Architecture arch = layout.architecture();
        int m = arch.width(0), d = arch.inputDim();
        if (layout.bias(0) < 0) {
            double[] w = new double[m * d];
            System.arraycopy(params, off + layout.weight(0), w, 0, m * d);
            return w;
        }
        double[] w = new double[m * (d + 1)];
        int wOff = off + layout.weight(0), bOff = off + layout.bias(0);
        for (int i = 0; i < m; i++) {
            System.arraycopy(params, wOff + i * d, w, i * (d + 1), d);
            w[i * (d + 1) + d] = params[bOff + i];
        }
        return w;
    }

    /** Relative gap (L − L*)/L* of a final loss to the theoretical minimum; NaN where theory does not apply. */
    public double lossGap(double finalLoss) {
        return Double.isNaN(theoryLoss) ? Double.NaN : (finalLoss - theoryLoss) / theoryLoss;
    }
}
