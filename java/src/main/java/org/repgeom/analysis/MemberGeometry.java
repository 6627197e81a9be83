package org.repgeom.analysis;

import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.theory.KktCertificate;

/**
 * The geometry of one trained member, measured on its last hidden layer R (M × P):
 * representation kernel K = RᵀR, parallelism score, participation ratio of K, numerical rank of
 * the augmented first layer W̃1 = [W1, b], and — where the closed form of docs/science.md §5.1 applies
 * (two-layer ReLU, whitened hypercube task, λ1, λ2 &gt; 0) — the relative kernel distance
 * ‖K − K*‖_F/‖K*‖_F and the theoretical minimal loss L*. Where theory does not apply both are NaN.
 *
 * <p>{@code shapeDistance} is the scale-free distance {@code min_c ‖K − c·T‖_F/‖K‖_F} to the kernel
 * shape docs/science.md §4.3 predicts for the activation's class on a whitened hypercube task, for
 * two-layer networks: {@code T = K_Y + dY·11ᵀ} for threshold-class activations (ReLU, leaky and
 * clipped ReLU), {@code T = K_Y} for odd ones (linear, tanh); NaN for GELU and elsewhere. It needs no
 * closed-form coefficient, so it also covers the activations whose c is not known in closed form.
 *
 * <p>{@code minNormSubgradient} is the norm of the smallest element of the loss's subdifferential
 * ({@link MinNormSubgradient}, two-layer networks; NaN deeper): at a ReLU optimum the raw gradient
 * norm stays finite because neurons sit on the kink, while this one vanishes (docs/science.md §3.4).
 *
 * <p>{@code certificate} is the mean-field KKT verdict of {@link KktCertificate} (docs/science.md §6,
 * §6.2: min single-neuron energy ≥ 0 and loss equal to the dual bound), computed exactly for
 * two-layer ReLU members on whitened hypercube tasks with P ≤ {@link #CERTIFY_MAX_SAMPLES};
 * NOT_CHECKED elsewhere (minEnergy NaN).
 */
public record MemberGeometry(double[] kernel, double parallelismScore, double participationRatio, int w1Rank,
                             double kernelDistance, double theoryLoss, double shapeDistance,
                             double minNormSubgradient, KktCertificate.Verdict certificate, double minEnergy) {

    /** Largest P at which members are certified: 2^P − 1 supports stay cheap (4095 at P = 12). */
    public static final int CERTIFY_MAX_SAMPLES = 12;
    /**
     * Relative tolerance of the certificate for trained members: min energy ≥ −tol·λ1‖K_X⁺‖ and
     * |loss − dual bound| ≤ tol·loss. Measured on the example study (float32 native training):
     * members within ~1e-4 of K* have energies around −1e-4 of that scale, members stuck 1 % away
     * around −1e-2, non-global minima (width &lt; 2·dY) around −1e5; 1e-3 certifies "global to
     * about 1e-3" and separates the three.
     */
    public static final double CERTIFY_TOL = 1e-3;


    /** True when docs/science.md §5.1's theory covers this member on a task for which {@code taskFits}. */
    public static boolean theoryApplies(Architecture arch, boolean taskFits, double lambda1, double lambda2) {
        return taskFits && arch.depth() == 1 && arch.activation() == Activation.RELU && lambda1 > 0 && lambda2 > 0;
    }

    /**
     * Measures the member stored at {@code params[off …]}; {@code taskFitsTheory} says whether
     * the task is a whitened hypercube ({@link HypercubeReluTheory#applies}), computed once per study.
     */
    public static MemberGeometry measure(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
                                         boolean taskFitsTheory) {
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
        int rank = NumericalRank.of(augmentedFirstLayer(layout, params, off), arch.width(0), arch.inputDim() + 1);

        double distance = Double.NaN, theoryLoss = Double.NaN, minEnergy = Double.NaN;
        KktCertificate.Verdict certificate = KktCertificate.Verdict.NOT_CHECKED;
        double l1 = lambdas[lambdaOff], l2 = lambdas[lambdaOff + 1];
        if (theoryApplies(arch, taskFitsTheory, l1, l2)) {
            HypercubeReluTheory theory = HypercubeReluTheory.forTask(task, l1, l2);
            distance = KernelDistance.relative(k, theory.kernel(task.yData(), task.outputDim(), p));
            theoryLoss = theory.minimalLoss();
            if (p <= CERTIFY_MAX_SAMPLES) {
                double loss = mlp.loss(params, off, lambdas, lambdaOff);
                KktCertificate.Result c = KktCertificate.certify(k, task, l1, l2, loss, CERTIFY_TOL);
                certificate = c.verdict();
                minEnergy = c.minEnergy();
            }
        }
        double subgradient = MinNormSubgradient.of(mlp, task, params, off, lambdas, lambdaOff).minNormSubgradient();
        return new MemberGeometry(k, ps, pr, rank, distance, theoryLoss, shapeDistance(k, arch, task, taskFitsTheory),
                subgradient, certificate, minEnergy);
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

    /** W̃1 = [W1, b1] (M × (dX+1)), row-major. */
    static double[] augmentedFirstLayer(ParamLayout layout, double[] params, int off) {
        Architecture arch = layout.architecture();
        int m = arch.width(0), d = arch.inputDim();
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
