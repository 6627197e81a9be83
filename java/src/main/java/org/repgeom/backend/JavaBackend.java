package org.repgeom.backend;

import java.util.concurrent.atomic.AtomicInteger;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.OptimizerState;
import org.repgeom.train.StopRule;

/**
 * The reference backend: plain double-precision loops ({@link Mlp}), one member at a time,
 * members spread over a thread pool. Simple and obviously right; the oracle for the native and
 * CUDA backends.
 */
public final class JavaBackend implements Backend {
    private final int threads;

    public JavaBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public JavaBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1");
        this.threads = threads;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        int members = req.members();
        ParamLayout layout = req.layout();
        int stride = layout.stride();
        int traceLength = req.stop().traceLength();
        double[] params = req.initialParams().clone();
        float[] trace = new float[members * traceLength];
        double[] finalLoss = new double[members];
        double[] gradNorm = new double[members];
        int[] steps = new int[members];
        MemberStatus[] status = new MemberStatus[members];

        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            Mlp mlp = new Mlp(layout, task);
            double[] grad = new double[stride];
            for (int e = next.getAndIncrement(); e < members; e = next.getAndIncrement()) {
                MemberOutcome o = mlp_train_fused(mlp, params, e * stride, req.lambdas(),
                        e * layout.architecture().layerCount(), req.learningRates()[e], req.optimizer(), req.stop(),
                        grad, trace, e * traceLength);
                finalLoss[e] = o.loss();
                gradNorm[e] = o.gradNorm();
                steps[e] = o.steps();
                status[e] = o.status();
                progress.membersDone(1);
            }
        };
        Workers.run(worker, Math.min(threads, members), "repgeom-java-backend");
        return new TrainResult(params, trace, traceLength, finalLoss, gradNorm, steps, status);
    }

    /** Final state of one member. */
    public record MemberOutcome(double loss, double gradNorm, int steps, MemberStatus status) {
    }

    /**
     * Trains one member in place ({@code params[off … off+stride)}) for up to
     * {@code stop.maxSteps()} steps: full-batch loss and gradient, then an optimiser update with the
     * scheduled learning rate. Every {@code stop.window()} steps the relative loss change over the
     * window is compared with the tolerance. A non-finite loss stops the member as DIVERGED and
     * restores the last finite parameters it had, so nothing it learned is lost. The loss is written to
     * {@code trace[traceOff + k]} at step k·traceEvery (NaN after it stops). Named as the native and
     * CUDA kernels that do the same work.
     */
    public static MemberOutcome mlp_train_fused(Mlp mlp, double[] params, int off, double[] lambdas, int lambdaOff,
                                                double lr0, OptimizerSettings opt, StopRule stop, double[] grad,
                                                float[] trace, int traceOff) {
        int stride = mlp.layout().stride();
        OptimizerState state = new OptimizerState(opt, stride);
        double[] lastFinite = new double[stride];
        System.arraycopy(params, off, lastFinite, 0, stride);
        int traceLength = stop.traceLength();
        java.util.Arrays.fill(trace, traceOff, traceOff + traceLength, Float.NaN);
        double windowStartLoss = Double.NaN;
        MemberStatus status = MemberStatus.MAX_STEPS;
        int step = 0;
        for (; step < stop.maxSteps(); step++) {
            double loss = mlp.lossAndGradient(params, off, lambdas, lambdaOff, grad, 0);
            if (!Double.isFinite(loss) || !finite(grad, stride)) {
                System.arraycopy(lastFinite, 0, params, off, stride);
                status = MemberStatus.DIVERGED;
                break;
            }
            if (step % stop.traceEvery() == 0) trace[traceOff + step / stop.traceEvery()] = (float) loss;
            if (step % stop.window() == 0) {
                if (step > 0 && stop.converged(windowStartLoss, loss)) {
                    status = MemberStatus.CONVERGED;
                    break;
                }
                windowStartLoss = loss;
            }
            System.arraycopy(params, off, lastFinite, 0, stride);
            state.update(params, off, grad, 0, opt.learningRate(lr0, step, stop.maxSteps()));
        }
        double loss = mlp.lossAndGradient(params, off, lambdas, lambdaOff, grad, 0);
        if (status != MemberStatus.DIVERGED && !Double.isFinite(loss)) status = MemberStatus.DIVERGED;
        // A member whose last window at the end of the budget already met the tolerance converged.
        if (status == MemberStatus.MAX_STEPS && step >= stop.window() && step % stop.window() == 0
                && stop.converged(windowStartLoss, loss)) {
            status = MemberStatus.CONVERGED;
        }
        if (step == stop.maxSteps() && step % stop.traceEvery() == 0) {
            trace[traceOff + step / stop.traceEvery()] = (float) loss;
        }
        double norm = 0;
        for (int i = 0; i < stride; i++) norm += grad[i] * grad[i];
        return new MemberOutcome(loss, Math.sqrt(norm), step, status);
    }

    private static boolean finite(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(a[i])) return false;
        }
        return true;
    }
}
