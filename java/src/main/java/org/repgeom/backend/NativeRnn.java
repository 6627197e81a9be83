package org.repgeom.backend;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
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
        NativeTrainState st = new NativeTrainState(from);

        backend.inChunks(members, "repgeom-native-rnn", (first, count) -> {
            int running = st.running(first, count);
            backend.timed(() -> NativeKernels.rnn_train_fused(shape, hyper, x, y, st.params, lambdas, lrs, st.trace,
                    st.finalLoss, st.gradNorm, st.steps, st.status, first, count, untilStep, st.lastFinite, st.moment1,
                    st.moment2, st.beta1Pow, st.beta2Pow, st.windowStart));
            progress.membersDone(running - st.running(first, count));
        });
        return st.toState(from);
    }

    /** Recurrent networks record no kernel trace (their per-step geometry is analysed after training). */
    private static void refuseKernelTrace(TrainRequest req) {
        if (req.kernelTrace() != null && req.kernelTrace().count() > 0) {
            throw new IllegalArgumentException("kernel traces are recorded for feed-forward networks only");
        }
    }
}
