package org.repgeom.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;
import org.repgeom.train.TrainState;

/**
 * The native CPU backend: {@code mlp_train_fused} in C ({@code native/}, through {@link NativeKernels}),
 * float32. The group is copied once into direct (off-heap) buffers, members are split into chunks,
 * and a fixed pool of threads each trains one chunk at a time with a single native call that runs
 * every step of every member of the chunk; progress is reported per chunk. Results are converted
 * back into a {@link TrainResult} (parameters widened to double). Same semantics as
 * {@link JavaBackend}, tested against it member by member.
 *
 * <p>Recurrent networks train in {@link NativeRnn} ({@code rnn_train_fused}).
 *
 * <p>{@link #hiddenRepresentations} is the native forward pass for analysis ({@code mlp_forward} in C).
 */
public final class NativeBackend implements Backend {
    /** The most members one vector holds (16 floats of AVX-512): chunks are multiples of it. */
    private static final int LANES = 16;

    /**
     * Below this many members per lane of every thread, a chunk's vector lanes cannot be refilled often
     * enough to stay busy to its end (its slowest members run alone in half-empty groups of lanes), so a
     * study trains several such chunks at once, one per thread ({@link #chunksAtOnce}).
     */
    static final int MEMBERS_PER_LANE = 4;

    private final int threads;

    /** CPU nanoseconds of the training calls, over every worker thread ({@link #trainingCpuSeconds}). */
    private final AtomicLong trainCpuNanos = new AtomicLong();

    /**
     * The parameter buffer of the last {@link #train} call, reused by the next one. A fresh direct buffer
     * is zeroed and page-faulted in by the calling thread while the workers wait: on W64's 1024 members
     * (17.6 MB) that took about 50 ms of the 0.8 s call. Kept only up to {@link #PARAM_CACHE_FLOATS}.
     */
    private FloatBuffer paramCache;

    /** The largest parameter buffer kept between calls (64 MB). */
    static final long PARAM_CACHE_FLOATS = 16L << 20;

    public NativeBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public NativeBackend(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1");
        if (!NativeKernels.isAvailable()) {
            throw new IllegalStateException("native backend is not available: " + NativeKernels.unavailableReason());
        }
        this.threads = threads;
    }

    @Override
    public String name() {
        return "native";
    }

    /** {@code threads} chunks at once when each holds fewer than {@link #MEMBERS_PER_LANE} members per lane of every thread. */
    @Override
    public int chunksAtOnce(int members) {
        return threads > 1 && members < MEMBERS_PER_LANE * LANES * threads ? threads : 1;
    }

    @Override
    public Backend forConcurrentChunk(int chunksAtOnce) {
        return new NativeBackend(Math.max(1, threads / Math.max(1, chunksAtOnce)));
    }

    @Override
    public double trainingCpuSeconds() {
        return trainCpuNanos.get() / 1e9;
    }

    static ByteBuffer bytes(long n, int size) {
        long b = n * size;
        if (b > Integer.MAX_VALUE) throw new IllegalArgumentException("group too large for one direct buffer: " + b + " bytes");
        return ByteBuffer.allocateDirect((int) Math.max(b, size)).order(ByteOrder.nativeOrder());
    }

    static FloatBuffer floats(double[] a) {
        FloatBuffer f = bytes(a.length, Float.BYTES).asFloatBuffer();
        for (int i = 0; i < a.length; i++) f.put(i, (float) a[i]);
        return f;
    }

    /** The shape array of {@link NativeKernels#mlp_train_fused} for this request. */
    private static int[] trainShape(TrainRequest req, Task task) {
        Architecture arch = req.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        StopRule stop = req.stop();
        OptimizerSettings opt = req.optimizer();
        int depth = arch.depth();
        int[] shape = new int[8 + depth + 2];
        shape[0] = depth;
        shape[1] = arch.activation().ordinal();
        shape[2] = arch.bias().code();
        shape[3] = task.samples();
        shape[4] = opt.kind().ordinal();
        shape[5] = stop.maxSteps();
        shape[6] = stop.window();
        shape[7] = stop.traceEvery();
        for (int l = 0; l <= depth; l++) shape[8 + l] = arch.fanIn(l);
        shape[8 + depth + 1] = arch.outputDim();
        return shape;
    }

    private static double[] trainHyper(TrainRequest req) {
        OptimizerSettings opt = req.optimizer();
        return new double[] {opt.finalLrRatio(), opt.momentum(), opt.beta1(), opt.beta2(), opt.eps(), req.stop().tol()};
    }

    @Override
    public TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        if (req.architecture().isRecurrent()) return NativeRnn.train(this, req, task, progress);
        int[] shape = trainShape(req, task);
        double[] hyper = trainHyper(req);
        int members = req.members();
        int stride = req.layout().stride();
        int traceLength = req.stop().traceLength();

        FloatBuffer x = floats(task.xData());
        FloatBuffer y = floats(task.yData());
        double[] initial = req.initialParams();
        FloatBuffer params = takeParams(initial.length);
        double[] outParams = new double[initial.length];
        FloatBuffer lambdas = floats(req.lambdas());
        DoubleBuffer lrs = doubles(req.learningRates());
        FloatBuffer trace = bytes((long) members * traceLength, Float.BYTES).asFloatBuffer();
        DoubleBuffer finalLoss = bytes(members, Double.BYTES).asDoubleBuffer();
        DoubleBuffer gradNorm = bytes(members, Double.BYTES).asDoubleBuffer();
        IntBuffer steps = bytes(members, Integer.BYTES).asIntBuffer();
        IntBuffer status = bytes(members, Integer.BYTES).asIntBuffer();
        int kernelEvery = req.kernelTrace() == null ? 0 : req.kernelTrace().every();
        IntBuffer kernelRows = kernelRows(req);
        FloatBuffer kernelTrace = bytes(req.kernelTraceFloats(task.samples()), Float.BYTES).asFloatBuffer();

        // each worker converts its own chunk's parameters in and out, beside the other's training
        inChunks(members, "repgeom-native-backend", (first, count) -> {
            int from = first * stride, to = (first + count) * stride;
            for (int i = from; i < to; i++) params.put(i, (float) initial[i]);
            timed(() -> NativeKernels.mlp_train_fused(shape, hyper, x, y, params, lambdas, lrs, trace, finalLoss,
                    gradNorm, steps, status, first, count, kernelEvery, kernelRows, kernelTrace));
            for (int i = from; i < to; i++) outParams[i] = params.get(i);
            progress.membersDone(count);
        });
        keepParams(params);
        float[] outTrace = new float[members * traceLength];
        trace.get(0, outTrace);
        double[] outLoss = new double[members];
        finalLoss.get(0, outLoss);
        double[] outNorm = new double[members];
        gradNorm.get(0, outNorm);
        int[] outSteps = new int[members];
        steps.get(0, outSteps);
        MemberStatus[] outStatus = new MemberStatus[members];
        MemberStatus[] all = MemberStatus.values();
        for (int e = 0; e < members; e++) outStatus[e] = all[status.get(e)];
        float[] outKernels = new float[req.kernelTraceFloats(task.samples())];
        kernelTrace.get(0, outKernels);
        return new TrainResult(outParams, outTrace, traceLength, outLoss, outNorm, outSteps, outStatus, outKernels);
    }

    /** A parameter buffer of at least n floats: the kept one when it is large enough, else a new one. */
    private synchronized FloatBuffer takeParams(long n) {
        FloatBuffer b = paramCache;
        if (b != null && b.capacity() >= n) {
            paramCache = null; // a concurrent call allocates its own
            return b;
        }
        return bytes(n, Float.BYTES).asFloatBuffer();
    }

    /** Keeps b for the next call when it is within the cap and larger than the one kept. */
    private synchronized void keepParams(FloatBuffer b) {
        if (b.capacity() <= PARAM_CACHE_FLOATS && (paramCache == null || paramCache.capacity() < b.capacity())) {
            paramCache = b;
        }
    }

    /** Each member's row of the kernel trace (-1: not traced), for the C kernel; a one-entry dummy without a trace. */
    private static IntBuffer kernelRows(TrainRequest req) {
        int[] rows = req.kernelTrace() == null ? new int[] {-1} : req.kernelTrace().rows(req.members());
        return bytes(rows.length, Integer.BYTES).asIntBuffer().put(0, rows);
    }

    /** RG_MAX_DEPTH of native/repgeom_kernels.h: the C kernels' per-layer tables have this many entries. */
    static final int MAX_HIDDEN_LAYERS = 16;

    @Override
    public int maxHiddenLayers() {
        return MAX_HIDDEN_LAYERS;
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
        if (req.architecture().isRecurrent()) return NativeRnn.trainSegment(this, req, from, untilStep, task, progress);
        int[] shape = trainShape(req, task);
        double[] hyper = trainHyper(req);
        int members = req.members();
        FloatBuffer x = floats(task.xData());
        FloatBuffer y = floats(task.yData());
        FloatBuffer lambdas = floats(req.lambdas());
        DoubleBuffer lrs = doubles(req.learningRates());
        NativeTrainState st = new NativeTrainState(from);
        int kernelEvery = req.kernelTrace() == null ? 0 : req.kernelTrace().every();
        if (from.kernelTrace().length != req.kernelTraceFloats(task.samples())) {
            throw new IllegalArgumentException("the state's kernel trace holds " + from.kernelTrace().length
                    + " floats, the request needs " + req.kernelTraceFloats(task.samples()));
        }
        IntBuffer kernelRows = kernelRows(req);
        FloatBuffer kernelTrace = bytes(from.kernelTrace().length, Float.BYTES).asFloatBuffer().put(0, from.kernelTrace());

        inChunks(members, "repgeom-native-backend", (first, count) -> {
            int running = st.running(first, count);
            timed(() -> NativeKernels.mlp_train_fused_resume(shape, hyper, x, y, st.params, lambdas, lrs, st.trace,
                    st.finalLoss, st.gradNorm, st.steps, st.status, first, count, untilStep, st.lastFinite, st.moment1,
                    st.moment2, st.beta1Pow, st.beta2Pow, st.windowStart, st.penalty, kernelEvery, kernelRows,
                    kernelTrace));
            progress.membersDone(running - st.running(first, count));
        });

        TrainState to = st.toState(from);
        kernelTrace.get(0, to.kernelTrace());
        return to;
    }

    /** One native call on members {@code [first, first + count)}. */
    @FunctionalInterface
    interface ChunkCall {
        void run(int first, int count);
    }

    /**
     * Runs {@code call} over members {@code [0, members)} on the thread pool, a few chunks per
     * thread: that balances members that stop early and gives the progress bar steps.
     */
    void inChunks(int members, String threadName, ChunkCall call) {
        int workers = Math.min(threads, members);
        int chunk = callSize(members, workers);
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int first = next.getAndAdd(chunk); first < members; first = next.getAndAdd(chunk)) {
                call.run(first, Math.min(chunk, members - first));
            }
        };
        Workers.run(worker, workers, threadName);
    }

    /**
     * Members per native call: about four calls per worker (members that stop early balance out, the
     * progress bar moves), in whole groups of vector lanes (small shapes train LANES members per vector,
     * repgeom_soa.c, and a call of 8 would leave half of each AVX-512 instruction idle), and never fewer
     * than {@link #MEMBERS_PER_LANE} members per lane while the worker's share allows: a call's lanes take
     * its next member as one stops, so its last members finish in a group that was full for longer.
     */
    static int callSize(int members, int workers) {
        int even = Math.max(1, (members + 4 * workers - 1) / (4 * workers));
        int share = (members + workers - 1) / workers;
        int size = Math.max(even, Math.min(share, MEMBERS_PER_LANE * LANES));
        return Math.min(members, (size + LANES - 1) / LANES * LANES);
    }

    /** Runs a training call on this thread and adds the CPU time it took to {@link #trainingCpuSeconds}. */
    void timed(Runnable nativeCall) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long start = mx.getCurrentThreadCpuTime();
        try {
            nativeCall.run();
        } finally {
            if (start >= 0) trainCpuNanos.addAndGet(mx.getCurrentThreadCpuTime() - start);
        }
    }

    static DoubleBuffer doubles(double[] a) {
        return bytes(a.length, Double.BYTES).asDoubleBuffer().put(0, a);
    }

    static void widen(FloatBuffer from, double[] to) {
        for (int i = 0; i < to.length; i++) to[i] = from.get(i);
    }

    /**
     * The hidden representations R = φ(Z_layer) of hidden layer {@code layer} (0-based) of the first
     * {@code members} members stored in {@code params} (member-major, {@code layout} order) on
     * {@code task}'s inputs: {@code members × width × P} floats, element
     * {@code [(e·width + unit)·P + sample]}, i.e. member e's block is what
     * {@link org.repgeom.model.Mlp#forward}{@code (params, e·stride)} then
     * {@link org.repgeom.model.Mlp#hidden}{@code (layer)} gives, in float32. Members are split into
     * chunks computed in parallel by the native {@code mlp_forward}.
     */
    public float[] hiddenRepresentations(ParamLayout layout, double[] params, int members, Task task, int layer) {
        Architecture arch = layout.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        int depth = arch.depth();
        if (layer < 0 || layer >= depth) {
            throw new IllegalArgumentException("hidden layer " + layer + " out of range [0, " + depth + ")");
        }
        int stride = layout.stride();
        if (members < 0 || (long) members * stride > params.length) {
            throw new IllegalArgumentException(members + " members of stride " + stride + " do not fit in "
                    + params.length + " parameters");
        }
        int samples = task.samples();
        int width = arch.width(layer);
        long total = (long) members * width * samples;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("representations too large for one array: " + total + " floats");
        }
        float[] result = new float[(int) total];
        if (members == 0) return result;

        int[] shape = new int[4 + depth + 2];
        shape[0] = depth;
        shape[1] = arch.activation().ordinal();
        shape[2] = arch.bias().code();
        shape[3] = samples;
        for (int l = 0; l <= depth; l++) shape[4 + l] = arch.fanIn(l);
        shape[4 + depth + 1] = arch.outputDim();

        FloatBuffer x = floats(task.xData());
        FloatBuffer p = bytes((long) members * stride, Float.BYTES).asFloatBuffer();
        for (int i = 0; i < members * stride; i++) p.put(i, (float) params[i]);
        FloatBuffer out = bytes(total, Float.BYTES).asFloatBuffer();

        inChunks(members, "repgeom-native-forward",
                (first, count) -> NativeKernels.mlp_forward(shape, x, p, layer, out, first, count));
        out.get(0, result);
        return result;
    }
}
