package org.repgeom.backend;

import org.repgeom.train.MemberStatus;

/**
 * What training a group produced, per member: final parameters (same block layout as the
 * request), the loss every {@code traceEvery} steps ({@code lossTrace[e * traceLength + k]}, NaN
 * after the member stopped), the final loss and raw gradient norm evaluated at the final
 * parameters, the number of update steps taken, and the status.
 */
public record TrainResult(double[] params, float[] lossTrace, int traceLength, double[] finalLoss,
                          double[] gradNorm, int[] steps, MemberStatus[] status) {

    public int members() {
        return finalLoss.length;
    }
}
