package org.repgeom.backend;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.repgeom.model.Architecture;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;
import org.repgeom.train.TrainState;

/**
 * The native backend's recurrent path: {@code rnn_train_fused} in C ({@code native/repgeom_rnn.c}),
 * float32, always continuing a {@link TrainState} (a whole run continues the initial state to the
 * last step), so checkpointed training comes with it. Members are split into chunks over the
 * backend's threads as for MLPs.
 */
final class NativeRnn {
    private NativeRnn() {
    }

    /** The shape array of {@link NativeKernels#rnn_train_fused}. */
    static int[] shape(TrainRequest req, Task task) {
        Architecture arch = req.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        StopRule stop = req.stop();
        return new int[] {arch.inputDim(), arch.width(0), arch.outputDim(), arch.recurrence().timeSteps(),
                arch.recurrence().input() == org.repgeom.model.Recurrence.Input.EVERY ? 1 : 0,
                arch.activation().ordinal(), task.samples(), req.optimizer().kind().ordinal(), stop.maxSteps(),
                stop.window(), stop.traceEvery()};
    }

    static TrainResult train(NativeBackend backend, TrainRequest req, Task task, ProgressListener progress) {
        TrainState initial = TrainState.initial(req.optimizer().kind(), req.members(), req.layout().stride(),
                req.stop().traceLength(), req.initialParams());
        TrainState end = trainSegment(backend, req, initial, req.stop().maxSteps(), task, progress);
        // the native loop works on float32: the result is the float parameters widened (initial included)
        return TrainResult.of(end);
    }

    static TrainState trainSegment(NativeBackend backend, TrainRequest req, TrainState from, int untilStep, Task task,
                                   ProgressListener progress) {
        refuseKernelTrace(req);
        int[] shape = shape(req, task);
        OptimizerSettings opt = req.optimizer();
        double[] hyper = {opt.finalLrRatio(), opt.momentum(), opt.beta1(), opt.beta2(), opt.eps(), req.stop().tol()};
        int members = req.members();
        FloatBuffer x = NativeBackend.floats(task.xData());
        FloatBuffer y = NativeBackend.floats(task.yData());
        FloatBuffer lambdas = NativeBackend.floats(req.lambdas());
        DoubleBuffer lrs = NativeBackend.doubles(req.learningRates());
        FloatBuffer params = NativeBackend.floats(from.params());
        FloatBuffer lastFinite = NativeBackend.floats(from.lastFinite());
        FloatBuffer moment1 = from.moment1().length == 0 ? null : NativeBackend.floats(from.moment1());
        FloatBuffer moment2 = from.moment2().length == 0 ? null : NativeBackend.floats(from.moment2());
        FloatBuffer trace = NativeBackend.bytes(from.trace().length, Float.BYTES).asFloatBuffer().put(0, from.trace());
        DoubleBuffer finalLoss = NativeBackend.doubles(from.finalLoss()), gradNorm = NativeBackend.doubles(from.gradNorm());
        DoubleBuffer beta1Pow = NativeBackend.doubles(from.beta1Power()), beta2Pow = NativeBackend.doubles(from.beta2Power());
        DoubleBuffer windowStart = NativeBackend.doubles(from.windowStartLoss());
        IntBuffer steps = NativeBackend.bytes(members, Integer.BYTES).asIntBuffer().put(0, from.step());
        IntBuffer status = NativeBackend.bytes(members, Integer.BYTES).asIntBuffer().put(0, from.status());

        backend.inChunks(members, "repgeom-native-rnn", (first, count) -> {
            int running = 0;
            for (int e = first; e < first + count; e++) if (status.get(e) == TrainState.RUNNING) running++;
            NativeKernels.rnn_train_fused(shape, hyper, x, y, params, lambdas, lrs, trace, finalLoss, gradNorm, steps,
                    status, first, count, untilStep, lastFinite, moment1, moment2, beta1Pow, beta2Pow, windowStart);
            for (int e = first; e < first + count; e++) if (status.get(e) == TrainState.RUNNING) running--;
            progress.membersDone(running);
        });

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
        steps.get(0, to.step());
        status.get(0, to.status());
        return to;
    }

    /** Recurrent networks record no kernel trace (their per-step geometry is analysed after training). */
    private static void refuseKernelTrace(TrainRequest req) {
        if (req.kernelTrace() != null && req.kernelTrace().count() > 0) {
            throw new IllegalArgumentException("kernel traces are recorded for feed-forward networks only");
        }
    }
}
