package org.repgeom.backend;

import java.util.concurrent.atomic.AtomicInteger;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.model.Mlp;
import org.repgeom.model.Network;
import org.repgeom.model.Rnn;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.KernelSchedule;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.OptimizerState;
import org.repgeom.train.StopRule;
import org.repgeom.train.TrainState;

/**
 * The reference backend: plain double-precision loops ({@link Mlp}, {@link Rnn}), one member at a time,
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
        KernelTrace kt = KernelTrace.of(req, task);

        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            Network net = Network.of(layout, task);
            double[] grad = new double[stride];
            for (int e = next.getAndIncrement(); e < members; e = next.getAndIncrement()) {
                MemberOutcome o = train_fused(net, params, e * stride, req.lambdas(),
                        e * layout.architecture().layerCount(), req.learningRates()[e], req.optimizer(), req.stop(),
                        grad, trace, e * traceLength, null, 0, req.stop().maxSteps(), kt, e);
                finalLoss[e] = o.loss();
                gradNorm[e] = o.gradNorm();
                steps[e] = o.steps();
                status[e] = o.status();
                progress.membersDone(1);
            }
        };
        Workers.run(worker, Math.min(threads, members), "repgeom-java-backend");
        return new TrainResult(params, trace, traceLength, finalLoss, gradNorm, steps, status, kt.out);
    }

    @Override
    public boolean supportsKernelTrace() {
        return true;
    }

    @Override
    public boolean supportsSegments() {
        return true;
    }

    @Override
    public TrainState trainSegment(TrainRequest req, TrainState from, int untilStep, Task task, ProgressListener progress) {
        TrainState st = from.copy();
        KernelTrace kt = KernelTrace.of(req, task, st.kernelTrace());
        ParamLayout layout = req.layout();
        int members = req.members(), layers = layout.architecture().layerCount();
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            Network net = Network.of(layout, task);
            double[] grad = new double[layout.stride()];
            for (int e = next.getAndIncrement(); e < members; e = next.getAndIncrement()) {
                if (st.status()[e] != TrainState.RUNNING) continue;
                MemberOutcome o = train_fused(net, st.params(), e * layout.stride(), req.lambdas(), e * layers,
                        req.learningRates()[e], req.optimizer(), req.stop(), grad, st.trace(), e * st.traceLength(), st,
                        e, untilStep, kt, e);
                if (o != null) progress.membersDone(1);
            }
        };
        Workers.run(worker, Math.min(threads, members), "repgeom-java-backend");
        return st;
    }

    /** Final state of one member. */
    public record MemberOutcome(double loss, double gradNorm, int steps, MemberStatus status) {
    }

    /**
     * Trains one member in place ({@code params[off … off+stride)}) for up to
     * {@code stop.maxSteps()} steps: full-batch loss and gradient, then an optimiser update with the
     * scheduled learning rate. Every {@code stop.window()} steps the relative loss change over the
     * window is compared with the tolerance. A loss or gradient that is not finite in float32 (as on the
     * native and CUDA backends) stops the member as DIVERGED and
     * restores the last finite parameters it had, so nothing it learned is lost. The loss is written to
     * {@code trace[traceOff + k]} at step k·traceEvery (NaN after it stops). Named as the native and
     * CUDA kernels that do the same work.
     */
    public static MemberOutcome mlp_train_fused(Mlp mlp, double[] params, int off, double[] lambdas, int lambdaOff,
                                                double lr0, OptimizerSettings opt, StopRule stop, double[] grad,
                                                float[] trace, int traceOff) {
        return train_fused(mlp, params, off, lambdas, lambdaOff, lr0, opt, stop, grad, trace, traceOff, null, 0,
                stop.maxSteps(), KernelTrace.NONE, 0);
    }

    /**
     * Continues member e of {@code st} in place ({@code st.params()}, {@code st.trace()} and the rest
     * of its slice) until it has taken {@code untilStep} steps or stopped; the same loop as the plain
     * {@code mlp_train_fused}, so segments join up to exactly one uninterrupted run. Returns null when
     * the member paused (still running), else its outcome (also written to {@code st}).
     */
    public static MemberOutcome mlp_train_fused(Mlp mlp, TrainState st, int e, double[] lambdas, int lambdaOff,
                                                double lr0, OptimizerSettings opt, StopRule stop, double[] grad,
                                                int untilStep) {
        int stride = mlp.layout().stride();
        return train_fused(mlp, st.params(), e * stride, lambdas, lambdaOff, lr0, opt, stop, grad, st.trace(),
                e * st.traceLength(), st, e, untilStep, KernelTrace.NONE, 0);
    }

    /**
     * The recurrent twin of {@link #mlp_train_fused(Mlp, double[], int, double[], int, double, OptimizerSettings,
     * StopRule, double[], float[], int)}: the same loop, stop rule and divergence rule on an {@link Rnn}
     * (backpropagation through time); named as the native kernel that does the same work.
     */
    public static MemberOutcome rnn_train_fused(Rnn rnn, double[] params, int off, double[] lambdas, int lambdaOff,
                                                double lr0, OptimizerSettings opt, StopRule stop, double[] grad,
                                                float[] trace, int traceOff) {
        return train_fused(rnn, params, off, lambdas, lambdaOff, lr0, opt, stop, grad, trace, traceOff, null, 0,
                stop.maxSteps(), KernelTrace.NONE, 0);
    }

    /** The one training loop of the reference, for either kind of network. */
    private static MemberOutcome train_fused(Network mlp, double[] params, int off, double[] lambdas, int lambdaOff,
                                                 double lr0, OptimizerSettings opt, StopRule stop, double[] grad,
                                                 float[] trace, int traceOff, TrainState st, int e, int untilStep,
                                                 KernelTrace kt, int member) {
        int kOff = kt.offset(member);
        int stride = mlp.layout().stride();
        OptimizerState state = new OptimizerState(opt, stride);
        double[] lastFinite = new double[stride];
        double windowStartLoss = Double.NaN;
        int step = 0;
        if (st == null) {
            System.arraycopy(params, off, lastFinite, 0, stride);
            java.util.Arrays.fill(trace, traceOff, traceOff + stop.traceLength(), Float.NaN);
            if (kOff >= 0) java.util.Arrays.fill(kt.out, kOff, kOff + kt.perMember, Float.NaN);
        } else {
            state.load(st, e);
            System.arraycopy(st.lastFinite(), off, lastFinite, 0, stride);
            windowStartLoss = st.windowStartLoss()[e];
            step = st.step()[e];
        }
        MemberStatus status = MemberStatus.MAX_STEPS;
        int end = Math.min(untilStep, stop.maxSteps());
        for (; step < end; step++) {
            double loss = mlp.lossAndGradient(params, off, lambdas, lambdaOff, grad, 0);
            if (!representable(loss) || !finite(grad, stride)) {
                System.arraycopy(lastFinite, 0, params, off, stride);
                status = MemberStatus.DIVERGED;
                break;
            }
            if (step % stop.traceEvery() == 0) trace[traceOff + step / stop.traceEvery()] = (float) loss;
            if (kOff >= 0 && step % kt.schedule.every() == 0) {
                kernel_trace_record(mlp, kt, kOff, step / kt.schedule.every(), step / kt.schedule.every() + 1);
            }
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
        if (st != null && status == MemberStatus.MAX_STEPS && step < stop.maxSteps()) { // paused at untilStep
            state.save(st, e);
            System.arraycopy(lastFinite, 0, st.lastFinite(), off, stride);
            st.windowStartLoss()[e] = windowStartLoss;
            st.step()[e] = step;
            return null;
        }
        double loss = mlp.lossAndGradient(params, off, lambdas, lambdaOff, grad, 0);
        if (status != MemberStatus.DIVERGED && !representable(loss)) status = MemberStatus.DIVERGED;
        // A member whose last window at the end of the budget already met the tolerance converged.
        if (status == MemberStatus.MAX_STEPS && step >= stop.window() && step % stop.window() == 0
                && stop.converged(windowStartLoss, loss)) {
            status = MemberStatus.CONVERGED;
        }
        if (step == stop.maxSteps() && step % stop.traceEvery() == 0) {
            trace[traceOff + step / stop.traceEvery()] = (float) loss;
        }
        if (kOff >= 0) kernel_trace_record(mlp, kt, kOff, kt.schedule.firstPointFrom(step), kt.schedule.points());
        double norm = 0;
        for (int i = 0; i < stride; i++) norm += grad[i] * grad[i];
        MemberOutcome o = new MemberOutcome(loss, Math.sqrt(norm), step, status);
        if (st != null) {
            st.step()[e] = step;
            st.status()[e] = status.ordinal();
            st.finalLoss()[e] = o.loss();
            st.gradNorm()[e] = o.gradNorm();
        }
        return o;
    }

    private static boolean finite(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (!representable(a[i])) return false;
        }
        return true;
    }

    /**
     * Whether float32 can hold x: the divergence rule of every backend (the C and CUDA helpers of the
     * same name apply it to their double loss sums). The native and CUDA backends train in float32,
     * where a larger value is already infinite, so a loss beyond it is DIVERGED everywhere, this
     * double-precision reference included; NaN is not representable.
     */
    static boolean representable(double x) {
        return Math.abs(x) <= Float.MAX_VALUE;
    }

    /**
     * Writes each hidden layer's kernel K_l = R_lᵀR_l ({@link RepresentationKernel}, the definition of
     * kernels.npy) of the last forward pass of {@code mlp} to time points {@code [from, to)} of the
     * traced member whose block starts at {@code off} (layer l, point k at {@code off + (l·T + k)·P²}).
     * Named as the native and CUDA twins.
     */
    static void kernel_trace_record(Network net, KernelTrace kt, int off, int from, int to) {
        if (!(net instanceof Mlp mlp)) {
            throw new IllegalArgumentException("kernel traces are recorded for feed-forward networks only");
        }
        var arch = mlp.layout().architecture();
        int pp = kt.samples * kt.samples, points = kt.schedule.points();
        for (int l = 0; l < arch.depth(); l++) {
            double[] k = RepresentationKernel.of(mlp.hidden(l), arch.width(l), kt.samples);
            for (int t = from; t < to; t++) {
                int at = off + (l * points + t) * pp;
                for (int i = 0; i < pp; i++) kt.out[at + i] = (float) k[i];
            }
        }
    }

    /** Where the members of one group record their kernel traces (none: {@link #NONE}). */
    static final class KernelTrace {
        static final KernelTrace NONE = new KernelTrace(null, new int[0], 1, 0, new float[0]);
        final KernelSchedule schedule;
        final int[] rows;
        final int samples;
        final int perMember;
        final float[] out;

        private KernelTrace(KernelSchedule schedule, int[] rows, int samples, int perMember, float[] out) {
            this.schedule = schedule;
            this.rows = rows;
            this.samples = samples;
            this.perMember = perMember;
            this.out = out;
        }

        /** A fresh trace for the request (NONE when it traces nobody). */
        static KernelTrace of(TrainRequest req, Task task) {
            return of(req, task, new float[req.kernelTraceFloats(task.samples())]);
        }

        /** The request's trace in {@code out} (a state's kernelTrace, continued in place). */
        static KernelTrace of(TrainRequest req, Task task, float[] out) {
            KernelTraceRequest k = req.kernelTrace();
            if (k == null || k.count() == 0) return NONE;
            int floats = req.kernelTraceFloats(task.samples());
            if (out.length != floats) {
                throw new IllegalArgumentException("kernel trace holds " + out.length + " floats, the request needs " + floats);
            }
            return new KernelTrace(k.schedule(req.stop().maxSteps()), k.rows(req.members()), task.samples(),
                    (int) k.floatsPerMember(req.architecture(), task.samples(), req.stop().maxSteps()), out);
        }

        /** Start of member e's block, or -1 when it is not traced. */
        int offset(int e) {
            return e < rows.length && rows[e] >= 0 ? rows[e] * perMember : -1;
        }
    }
}
