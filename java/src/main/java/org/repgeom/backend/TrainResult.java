package org.repgeom.backend;

import org.repgeom.train.MemberStatus;
import org.repgeom.train.TrainState;

import java.util.Arrays;

/**
 * What training a group produced, per member: final parameters (same block layout as the
 * request), the loss every {@code traceEvery} steps ({@code lossTrace[e * traceLength + k]}, NaN
 * after the member stopped), the final loss and raw gradient norm evaluated at the final
 * parameters, the number of update steps taken, and the status; the kernel trace of the members the
 * request named ({@link KernelTraceRequest}: traced member j's {@code depth × T × P × P} floats from
 * {@code j·depth·T·P²}; empty without one).
 */
public record TrainResult(double[] params, float[] lossTrace, int traceLength, double[] finalLoss,
                          double[] gradNorm, int[] steps, MemberStatus[] status, float[] kernelTrace) {

    /** A result without a kernel trace. */
    public TrainResult(double[] params, float[] lossTrace, int traceLength, double[] finalLoss, double[] gradNorm,
                       int[] steps, MemberStatus[] status) {
        this(params, lossTrace, traceLength, finalLoss, gradNorm, steps, status, new float[0]);
    }

    /** The result held by a state whose members have all stopped (see {@link TrainState}). */
    public static TrainResult of(TrainState s) {
        if (!s.finished()) throw new IllegalStateException((s.members() - s.stoppedCount()) + " members still running");
        MemberStatus[] all = MemberStatus.values();
        MemberStatus[] status = new MemberStatus[s.members()];
        for (int e = 0; e < status.length; e++) status[e] = all[s.status()[e]];
        return new TrainResult(s.params().clone(), s.trace().clone(), s.traceLength(), s.finalLoss().clone(),
                s.gradNorm().clone(), s.step().clone(), status, s.kernelTrace().clone());
    }

    /**
     * The state of a training whose members have all stopped with this result (per-member {@code stride}
     * parameters), so that a checkpoint of it resumes to this result without a step: {@link #of} gives it
     * back. It keeps no optimiser moments (nothing continues from it) and lastFinite is the parameters.
     */
    public TrainState asFinishedState(int stride) {
        int e = members();
        double[] nan = new double[e];
        Arrays.fill(nan, Double.NaN);
        int[] ordinals = new int[e];
        for (int i = 0; i < e; i++) ordinals[i] = status[i].ordinal();
        return new TrainState(e, stride, traceLength, params.clone(), params.clone(), new double[0], new double[0],
                nan.clone(), nan.clone(), steps.clone(), nan.clone(), nan.clone(), ordinals, finalLoss.clone(),
                gradNorm.clone(), lossTrace.clone(), kernelTrace.clone());
    }

    public int members() {
        return finalLoss.length;
    }
}
