package org.repgeom.train;

import java.util.Arrays;

/**
 * Everything that decides how a group's training goes on from a given step, so that training in
 * segments (checkpoint, kill, resume) gives bit for bit what one uninterrupted run gives.
 *
 * <p>Flat layout, member e of E, stride S = {@code ParamLayout.stride()}, trace length T:
 * <ul>
 * <li>{@code params[e·S … (e+1)·S)}: the current parameters (packed ParamLayout order);</li>
 * <li>{@code lastFinite[e·S …]}: the parameters before the last update, restored when the next loss
 *     or gradient is NaN or beyond the float32 range (DIVERGED);</li>
 * <li>{@code moment1[e·S …]}: momentum velocity v or Adam's m (empty for GD);
 *     {@code moment2[e·S …]}: Adam's v (empty otherwise);</li>
 * <li>{@code beta1Power[e]}, {@code beta2Power[e]}: β1^t, β2^t as Adam's bias correction has
 *     multiplied them up (stored, not recomputed, so the rounding is the same);</li>
 * <li>{@code step[e]}: updates taken; the schedule lr·ratio^(t/maxSteps) is evaluated at it;</li>
 * <li>{@code windowStartLoss[e]}: the stop rule's loss at the start of the current window;</li>
 * <li>{@code penalty[e]}: the backend's cached penalty Σλ_l‖W_l‖² of {@code params} where it keeps one
 *     (native float32 path), else NaN;</li>
 * <li>{@code status[e]}: {@link #RUNNING} or a {@link MemberStatus} ordinal once the member stopped,
 *     with {@code finalLoss[e]}, {@code gradNorm[e]} then set;</li>
 * <li>{@code trace[e·T …]}: the loss trace so far (NaN where not reached);</li>
 * <li>{@code kernelTrace}: the kernel trace so far of the traced members (NaN where not reached;
 *     layout of {@code org.repgeom.backend.KernelTraceRequest}), empty when none is recorded.</li>
 * </ul>
 */
public record TrainState(int members, int stride, int traceLength, double[] params, double[] lastFinite,
                         double[] moment1, double[] moment2, double[] beta1Power, double[] beta2Power, int[] step,
                         double[] windowStartLoss, double[] penalty, int[] status, double[] finalLoss,
                         double[] gradNorm, float[] trace, float[] kernelTrace) {

    /** {@code status[e]} of a member that has not stopped yet. */
    public static final int RUNNING = -1;

    public TrainState {
        long ms = (long) members * stride;
        check("params", params.length, ms);
        check("lastFinite", lastFinite.length, ms);
        if (moment1.length != 0) check("moment1", moment1.length, ms);
        if (moment2.length != 0) check("moment2", moment2.length, ms);
        for (var a : new Object[] {beta1Power, beta2Power, windowStartLoss, penalty, finalLoss, gradNorm}) {
            check("per-member array", ((double[]) a).length, members);
        }
        check("step", step.length, members);
        check("status", status.length, members);
        check("trace", trace.length, (long) members * traceLength);
    }

    /** A state without a kernel trace. */
    public TrainState(int members, int stride, int traceLength, double[] params, double[] lastFinite, double[] moment1,
                      double[] moment2, double[] beta1Power, double[] beta2Power, int[] step, double[] windowStartLoss,
                      double[] penalty, int[] status, double[] finalLoss, double[] gradNorm, float[] trace) {
        this(members, stride, traceLength, params, lastFinite, moment1, moment2, beta1Power, beta2Power, step,
                windowStartLoss, penalty, status, finalLoss, gradNorm, trace, new float[0]);
    }

    /** This state with an empty (all NaN) kernel trace of {@code floats} values. */
    public TrainState withKernelTrace(int floats) {
        float[] k = new float[floats];
        Arrays.fill(k, Float.NaN);
        return new TrainState(members, stride, traceLength, params, lastFinite, moment1, moment2, beta1Power, beta2Power,
                step, windowStartLoss, penalty, status, finalLoss, gradNorm, trace, k);
    }

    private static void check(String what, long got, long expected) {
        if (got != expected) throw new IllegalArgumentException(what + " has " + got + " entries, expected " + expected);
    }

    /** The state before step 0: {@code initialParams}, zero moments, empty trace. */
    public static TrainState initial(OptimizerKind kind, int members, int stride, int traceLength,
                                     double[] initialParams) {
        int ms = members * stride;
        double[] nan = new double[members];
        Arrays.fill(nan, Double.NaN);
        double[] ones = new double[members];
        Arrays.fill(ones, 1.0);
        int[] status = new int[members];
        Arrays.fill(status, RUNNING);
        float[] trace = new float[members * traceLength];
        Arrays.fill(trace, Float.NaN);
        return new TrainState(members, stride, traceLength, initialParams.clone(), initialParams.clone(),
                new double[kind == OptimizerKind.GD ? 0 : ms], new double[kind == OptimizerKind.ADAM ? ms : 0],
                ones, ones.clone(), new int[members], nan, nan.clone(), status, nan.clone(), nan.clone(), trace);
    }

    /** A deep copy. */
    public TrainState copy() {
        return new TrainState(members, stride, traceLength, params.clone(), lastFinite.clone(), moment1.clone(),
                moment2.clone(), beta1Power.clone(), beta2Power.clone(), step.clone(), windowStartLoss.clone(),
                penalty.clone(), status.clone(), finalLoss.clone(), gradNorm.clone(), trace.clone(), kernelTrace.clone());
    }

    /** True when every member has stopped. */
    public boolean finished() {
        for (int s : status) {
            if (s == RUNNING) return false;
        }
        return true;
    }

    /** Members that have stopped. */
    public int stoppedCount() {
        int n = 0;
        for (int s : status) {
            if (s != RUNNING) n++;
        }
        return n;
    }

    /** Content equality (the record's own equals compares arrays by identity). */
    public boolean sameAs(TrainState o) {
        return members == o.members && stride == o.stride && traceLength == o.traceLength
                && Arrays.equals(params, o.params) && Arrays.equals(lastFinite, o.lastFinite)
                && Arrays.equals(moment1, o.moment1) && Arrays.equals(moment2, o.moment2)
                && Arrays.equals(beta1Power, o.beta1Power) && Arrays.equals(beta2Power, o.beta2Power)
                && Arrays.equals(step, o.step) && Arrays.equals(windowStartLoss, o.windowStartLoss)
                && Arrays.equals(penalty, o.penalty) && Arrays.equals(status, o.status)
                && Arrays.equals(finalLoss, o.finalLoss) && Arrays.equals(gradNorm, o.gradNorm)
                && Arrays.equals(trace, o.trace) && Arrays.equals(kernelTrace, o.kernelTrace);
    }
}
