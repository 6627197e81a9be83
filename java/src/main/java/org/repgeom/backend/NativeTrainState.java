package org.repgeom.backend;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.repgeom.train.TrainState;

/**
 * A {@link TrainState} as the direct buffers a native training call continues in place: the float
 * arrays narrowed (exact: they hold float32 values), the rest as they are; {@link #toState} copies
 * them back into a new state. Shared by the feed-forward and the recurrent native loops.
 */
final class NativeTrainState {
    final FloatBuffer params, lastFinite, trace;
    /** null where the optimiser keeps no such moment (GD: neither; momentum: no second). */
    final FloatBuffer moment1, moment2;
    final DoubleBuffer finalLoss, gradNorm, beta1Pow, beta2Pow, windowStart, penalty;
    final IntBuffer steps, status;

    NativeTrainState(TrainState from) {
        int members = from.step().length;
        params = NativeBackend.floats(from.params());
        lastFinite = NativeBackend.floats(from.lastFinite());
        moment1 = from.moment1().length == 0 ? null : NativeBackend.floats(from.moment1());
        moment2 = from.moment2().length == 0 ? null : NativeBackend.floats(from.moment2());
        trace = NativeBackend.bytes(from.trace().length, Float.BYTES).asFloatBuffer().put(0, from.trace());
        finalLoss = NativeBackend.doubles(from.finalLoss());
        gradNorm = NativeBackend.doubles(from.gradNorm());
        beta1Pow = NativeBackend.doubles(from.beta1Power());
        beta2Pow = NativeBackend.doubles(from.beta2Power());
        windowStart = NativeBackend.doubles(from.windowStartLoss());
        penalty = NativeBackend.doubles(from.penalty());
        steps = NativeBackend.bytes(members, Integer.BYTES).asIntBuffer().put(0, from.step());
        status = NativeBackend.bytes(members, Integer.BYTES).asIntBuffer().put(0, from.status());
    }

    /** How many of members {@code [first, first + count)} are still running. */
    int running(int first, int count) {
        int n = 0;
        for (int e = first; e < first + count; e++) if (status.get(e) == TrainState.RUNNING) n++;
        return n;
    }

    /** A copy of {@code from} holding the buffers' values (the float arrays widened). */
    TrainState toState(TrainState from) {
        TrainState to = from.copy();
        NativeBackend.widen(params, to.params());
        NativeBackend.widen(lastFinite, to.lastFinite());
        if (moment1 != null) NativeBackend.widen(moment1, to.moment1());
        if (moment2 != null) NativeBackend.widen(moment2, to.moment2());
        trace.get(0, to.trace());
        finalLoss.get(0, to.finalLoss());
        gradNorm.get(0, to.gradNorm());
        beta1Pow.get(0, to.beta1Power());
        beta2Pow.get(0, to.beta2Power());
        windowStart.get(0, to.windowStartLoss());
        penalty.get(0, to.penalty());
        steps.get(0, to.step());
        status.get(0, to.status());
        return to;
    }
}
