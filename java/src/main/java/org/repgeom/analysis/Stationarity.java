package org.repgeom.analysis;

import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.MlpTrainF64;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * Decides whether a trained member is a stationary point, to the precision its arithmetic allows,
 * after the float32 training loop (native, CUDA) or the Java one has stopped — without touching
 * those loops.
 *
 * <p><b>Why.</b> Float32 training resolves the loss to about 1e-7 relative, and Adam's last steps
 * keep the parameters oscillating by about the final learning rate: a relative-loss rule of 1e-8 over
 * a window rarely fires although the member sits on the minimum, and the raw gradient of a ReLU
 * optimum never vanishes (its neurons sit on the kink).
 *
 * <p><b>What.</b> Every member that did not diverge gets a short double-precision <em>polish</em>:
 * {@link #polishSteps} Adam steps ({@value #POLISH_STEPS}, or 1/{@value #POLISH_BUDGET_SHARE} of the
 * training budget when that is less) from its trained parameters with a learning rate decaying
 * geometrically from {@value #POLISH_LR_FACTOR} × the run's final rate (at most {@value #POLISH_MAX_LR})
 * by a factor {@value #POLISH_DECAY} (fresh moments in each half), by the reference's double loop
 * ({@link MlpTrainF64}: in C where it gives the Java loop's bits, else in Java). The polished
 * parameters are kept only where the double-precision loss went down. A member the first polish leaves
 * short of the subgradient criterion gets one more, {@value #RETRY_FACTOR} times longer. Then, in this order:
 * <ol>
 *   <li>{@code subgradient}: where the smallest subgradient g is known — two-layer networks
 *       ({@link MinNormSubgradient}, kinks treated as such), or networks of any depth with a smooth
 *       activation (linear, tanh, gelu: g is the gradient) — the member is stationary when
 *       {@code ‖g‖² / (4 λ_min L) ≤ }{@value #STATIONARY_TOL}: the loss decrease a step along −g could
 *       still buy, relative to L, when the curvature is at least that of the smallest weight decay
 *       (2 λ_min);</li>
 *   <li>{@code loss-change-double}: deep networks with kinks (no min-norm subgradient): the
 *       double-precision loss changed by at most {@value #LOSS_CHANGE_TOL} (relative) over the second
 *       half of the polish;</li>
 *   <li>{@code loss-window}: else, where no subgradient is known, the training loop's own rule fired
 *       (relative float32 loss change over its window).</li>
 * </ol>
 * A member that passes one is CONVERGED and the criterion is recorded; otherwise it is MAX_STEPS
 * (not shown stationary) — also when the loop's window rule stopped it but its subgradient still
 * promises a decrease, as when a decayed learning rate stalls the loss away from a minimum.
 * DIVERGED members are left alone.
 */
public final class Stationarity {
    /** Double-precision Adam steps of the polish, at most. */
    public static final int POLISH_STEPS = 1000;
    /** The polish takes at most 1/this of the training budget, so short runs stay short. */
    public static final int POLISH_BUDGET_SHARE = 25;
    /** The polish starts at this multiple of the run's final learning rate. */
    public static final double POLISH_LR_FACTOR = 10;
    /** Largest learning rate the polish starts from. */
    public static final double POLISH_MAX_LR = 1e-4;
    /** Learning-rate decay over the polish. */
    public static final double POLISH_DECAY = 1e-3;
    /**
     * Bound on the relative loss decrease still available along the min-norm subgradient: float32's
     * unit roundoff 2^-24, the smallest relative loss change float32 training can resolve. Measured
     * (dY = 3 whitened hypercube, ReLU width 16, λ = 1e-2, 32 seeds, 60k native steps): after the
     * polish the median is 6e-9 and the largest 2e-8; before it 3e-8 … 5e-5.
     */
    public static final double STATIONARY_TOL = 0x1p-24;
    /** The retry polish is this many times longer than the first (only members the first leaves non-stationary). */
    public static final int RETRY_FACTOR = 4;
    /** Relative double-precision loss change over the polish's second half (deep kinked networks). */
    public static final double LOSS_CHANGE_TOL = 1e-11;

    /** Criterion names, as written to members.csv ({@code stop_criterion}). */
    public static final String SUBGRADIENT = "subgradient", LOSS_CHANGE = "loss-change-double",
            LOSS_WINDOW = "loss-window", NONE = "";

    private Stationarity() {
    }

    /**
     * @param status       CONVERGED, MAX_STEPS or DIVERGED after the check
     * @param criterion    which criterion made it CONVERGED ({@link #SUBGRADIENT}, {@link #LOSS_CHANGE},
     *                     {@link #LOSS_WINDOW}), empty otherwise
     * @param loss         the double-precision loss of the (possibly polished) parameters
     * @param decrease     {@code ‖g‖² / (4 λ_min L)} (NaN where no subgradient is known)
     * @param polished     whether the polished parameters were kept
     */
    public record Outcome(MemberStatus status, String criterion, double loss, double decrease, boolean polished) {
    }

    /** Polish steps for a training budget of {@code maxSteps}: {@code min(POLISH_STEPS, maxSteps / POLISH_BUDGET_SHARE)}. */
    public static int polishSteps(int maxSteps) {
        return Math.min(POLISH_STEPS, maxSteps / POLISH_BUDGET_SHARE);
    }

    /** {@link #judge(Mlp, Task, double[], int, double[], int, double, MemberStatus, int)} with the full polish. */
    public static Outcome judge(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
                                double finalLr, MemberStatus trained) {
        return judge(mlp, task, params, off, lambdas, lambdaOff, finalLr, trained, POLISH_STEPS);
    }

    /**
     * Polishes member {@code params[off …]} in place (kept only if the loss went down) and judges
     * it.
     *
     * @param finalLr   the run's last learning rate (lr × final_lr_ratio)
     * @param trained   the status the training loop reported
     * @param steps     polish steps ({@link #polishSteps}); below 2 there is no polish
     */
    public static Outcome judge(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
                                double finalLr, MemberStatus trained, int steps) {
        ParamLayout layout = mlp.layout();
        int stride = layout.stride();
        double before = mlp.loss(params, off, lambdas, lambdaOff);
        if (trained == MemberStatus.DIVERGED || !Double.isFinite(before)) {
            return new Outcome(MemberStatus.DIVERGED, NONE, before, Double.NaN, false);
        }
        if (steps < 2) {
            double decrease = decrease(mlp, task, params, off, lambdas, lambdaOff, before);
            if (decrease <= STATIONARY_TOL) return new Outcome(MemberStatus.CONVERGED, SUBGRADIENT, before, decrease, false);
            if (!Double.isNaN(decrease)) return new Outcome(notStationary(trained), NONE, before, decrease, false);
            return new Outcome(trained, trained == MemberStatus.CONVERGED ? LOSS_WINDOW : NONE, before, decrease, false);
        }
        double[] work = new double[stride];
        double lr = Math.min(finalLr > 0 ? POLISH_LR_FACTOR * finalLr : POLISH_MAX_LR, POLISH_MAX_LR);
        double loss = before, decrease = Double.NaN;
        boolean polished = false;
        // a second, RETRY_FACTOR times longer polish only for members the first leaves short of stationary
        for (int round = 0, n = steps; round < 2; round++, n *= RETRY_FACTOR) {
            System.arraycopy(params, off, work, 0, stride);
            int half = n / 2;
            float[] trace = new float[2];
            double[] grad = new double[stride];
            OptimizerSettings adam = OptimizerSettings.adam(Math.sqrt(POLISH_DECAY)); // per half
            // first half, then the second from there, so the loss at the midpoint is known in double
            JavaBackend.MemberOutcome mid = MlpTrainF64.mlp_train_fused_f64(mlp, task, work, 0, lambdas, lambdaOff,
                    lr, adam, new StopRule(half, 0, half, half), grad, new float[2], 0);
            double lrMid = lr * Math.pow(POLISH_DECAY, 0.5);
            JavaBackend.MemberOutcome end = MlpTrainF64.mlp_train_fused_f64(mlp, task, work, 0, lambdas, lambdaOff,
                    lrMid, adam, new StopRule(n - half, 0, n - half, n - half), grad, trace, 0);
            boolean better = end.status() != MemberStatus.DIVERGED && end.loss() < loss;
            if (better) {
                System.arraycopy(work, 0, params, off, stride);
                loss = end.loss();
                polished = true;
            }
            decrease = decrease(mlp, task, params, off, lambdas, lambdaOff, loss);
            if (!Double.isNaN(decrease)) {
                if (decrease <= STATIONARY_TOL) return new Outcome(MemberStatus.CONVERGED, SUBGRADIENT, loss, decrease, polished);
                continue; // not yet stationary: one longer polish
            }
            if (better && Math.abs(mid.loss() - end.loss()) <= LOSS_CHANGE_TOL * Math.abs(end.loss())) {
                return new Outcome(MemberStatus.CONVERGED, LOSS_CHANGE, loss, decrease, polished);
            }
            break; // no subgradient known: the loss-change test had its chance
        }
        if (!Double.isNaN(decrease)) {
            // the subgradient still promises a decrease: not stationary, whatever the loop's window rule said
            // (a decayed learning rate stalls the loss far from a minimum: measured with plain GD at λ = 1e-3)
            return new Outcome(notStationary(trained), NONE, loss, decrease, polished);
        }
        if (trained == MemberStatus.CONVERGED) return new Outcome(MemberStatus.CONVERGED, LOSS_WINDOW, loss, decrease, polished);
        return new Outcome(MemberStatus.MAX_STEPS, NONE, loss, decrease, polished);
    }

    /** A member shown not to be stationary: CONVERGED by the loop's window rule becomes MAX_STEPS (not converged). */
    private static MemberStatus notStationary(MemberStatus trained) {
        return trained == MemberStatus.CONVERGED ? MemberStatus.MAX_STEPS : trained;
    }

    /** {@code ‖g‖² / (4 λ_min L)} with g the min-norm subgradient, or NaN where it is not known. */
    static double decrease(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff, double loss) {
        Architecture arch = mlp.layout().architecture();
        MinNormSubgradient.Result r = MinNormSubgradient.of(mlp, task, params, off, lambdas, lambdaOff);
        boolean smooth = arch.activation() == Activation.LINEAR || arch.activation() == Activation.TANH
                || arch.activation() == Activation.GELU;
        double g = arch.depth() == 1 ? r.minNormSubgradient() : smooth ? r.gradientNorm() : Double.NaN;
        if (Double.isNaN(g)) return Double.NaN;
        double lambdaMin = Double.POSITIVE_INFINITY;
        for (int l = 0; l < arch.layerCount(); l++) lambdaMin = Math.min(lambdaMin, lambdas[lambdaOff + l]);
        if (!(lambdaMin > 0) || !(loss > 0)) return g == 0 ? 0.0 : Double.POSITIVE_INFINITY;
        return g * g / (4 * lambdaMin * loss);
    }
}
