package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The CUDA library path (issue #16): the training of {@code JavaBackend.mlp_train_fused} as a
 * sequence of batched SGEMMs ({@link BatchedSgemm}: cuBLAS) and elementwise kernels
 * ({@link LibraryKernel}: cuda/repgeom_library.cu), one step of every member of a chunk at a time.
 * The device and the GEMM are interfaces, so the tests run this very sequence on the host.
 *
 * <p><b>Layouts.</b> Everything is row-major with the sample index fastest, which cuBLAS (column-major)
 * sees transposed: a row-major r × c array is a column-major c × r one. With W_l (fanOut × fanIn,
 * packed ParamLayout, per member at {@code stride}) and the layer input A (fanIn × P; X shared by all
 * members: batch stride 0), per layer and step:
 * <pre>
 *   forward        Z_l  = W_l A        gemm(N, N, m=P,     n=fanOut, k=fanIn,  A, lda=P,  W, ldb=fanIn, Z, ldc=P)
 *   weight grad    dW_l = G_l Aᵀ       gemm(T, N, m=fanIn, n=fanOut, k=P,      A, lda=P,  G, ldb=P,     dW, ldc=fanIn)
 *   hidden error   T    = W_lᵀ G_l     gemm(N, T, m=P,     n=fanIn,  k=fanOut, G, lda=P,  W, ldb=fanIn, T, ldc=P)
 * </pre>
 * then bias + φ (bias_act_forward), G_F = 2(F − Y) with the data loss (loss_grad), bias gradients as row
 * sums (bias_grad), G_{l−1} = T ⊙ φ'(Z_{l−1}) over Z_{l−1} (act_backward), the penalty's gradient and
 * per-member sums (penalty_grad), the reference's stop logic (step_control) and the update
 * (optimizer_update, which keeps θ_prev: a diverging member gets its last finite parameters back,
 * the reference's rule without the fused kernel's replay). After the loop one more evaluation gives
 * the final loss and raw gradient norm at the final parameters (finish_members).
 *
 * <p>Members that stop are frozen (their work still runs, their parameters do not move); every 32
 * steps the host checks whether any member still runs and ends the loop early when none does. Chunks
 * run one after another on one stream (no overlap of transfers with training: at the widths this
 * path is for, a chunk's training dwarfs its transfers).
 */
public final class LibraryTrainer implements AutoCloseable {
    /** Parameters per penalty part (a warp of {@link #LANES} threads sums a part, lane by lane). */
    static final int PART = 4096;
    /** Lanes per penalty part: RG_LIB_LANES of repgeom_library.cu. */
    static final int LANES = 32;
    /** Steps between the host's checks whether any member still runs. */
    static final int CHECK_EVERY = 32;
    /** Most members per chunk: cuBLAS's batch count (a grid dimension in some of its kernels). */
    public static final int MAX_BATCH = 65535;

    private static final int UPDATE = 1; // RG_LIB_UPDATE

    private final TrainRequest req;
    private final Architecture arch;
    private final ParamLayout layout;
    private final LibraryDevice dev;
    private final BatchedSgemm gemm;
    private final int capacity;
    private final int P;
    private final int stride;
    private final int layers;
    private final int depth;
    private final int traceLength;
    private final int parts;
    // device buffers (addresses)
    private final long x, y, partOff, partLen, partLayer;
    private final long params, prev, grad, m1, m2, lambdas, lrs, stepLr;
    private final long[] z, a;
    private final long f, t;
    private final long dataLoss, penParts, gsqParts, action, status, steps, windowStart, trace, finalLoss, gradNorm;

    /**
     * Allocates the buffers of chunks of up to {@code capacity} members of {@code req} on {@code dev}
     * and uploads X, Y and the part tables.
     */
    public LibraryTrainer(TrainRequest req, Task task, LibraryDevice dev, BatchedSgemm gemm, int capacity) {
        this.req = req;
        this.arch = req.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        if (capacity < 1 || capacity > MAX_BATCH) throw new IllegalArgumentException("chunk of " + capacity + " members");
        this.layout = req.layout();
        this.dev = dev;
        this.gemm = gemm;
        this.capacity = capacity;
        this.P = task.samples();
        this.stride = layout.stride();
        this.layers = arch.layerCount();
        this.depth = arch.depth();
        this.traceLength = req.stop().traceLength();
        int[][] table = partTable(layout);
        this.parts = table[0].length;

        long c = capacity;
        x = dev.alloc(4L * arch.inputDim() * P, "X");
        y = dev.alloc(4L * arch.outputDim() * P, "Y");
        dev.upload(x, floats(task.xData()), 4L * arch.inputDim() * P);
        dev.upload(y, floats(task.yData()), 4L * arch.outputDim() * P);
        partOff = uploadInts(table[0], "part offsets");
        partLen = uploadInts(table[1], "part lengths");
        partLayer = uploadInts(table[2], "part layers");
        params = dev.alloc(4 * c * stride, "parameters");
        prev = dev.alloc(4 * c * stride, "previous parameters");
        grad = dev.alloc(4 * c * stride, "gradient");
        int moments = moments(req.optimizer());
        m1 = moments >= 1 ? dev.alloc(4 * c * stride, "first moments") : 0;
        m2 = moments >= 2 ? dev.alloc(4 * c * stride, "second moments") : 0;
        lambdas = dev.alloc(4 * c * layers, "lambdas");
        lrs = dev.alloc(8 * c, "learning rates");
        stepLr = dev.alloc(4 * c, "step learning rates");
        z = new long[depth];
        a = new long[depth];
        int widest = 0;
        for (int l = 0; l < depth; l++) {
            z[l] = dev.alloc(4 * c * arch.fanOut(l) * P, "Z_" + l);
            a[l] = dev.alloc(4 * c * arch.fanOut(l) * P, "A_" + l);
            widest = Math.max(widest, arch.fanOut(l));
        }
        f = dev.alloc(4 * c * arch.outputDim() * P, "F");
        t = dev.alloc(4 * c * widest * P, "hidden error");
        dataLoss = dev.alloc(8 * c, "data loss");
        penParts = dev.alloc(8 * c * parts * LANES, "penalty sums");
        gsqParts = dev.alloc(8 * c * parts * LANES, "gradient sums");
        action = dev.alloc(4 * c, "actions");
        status = dev.alloc(4 * c, "status");
        steps = dev.alloc(4 * c, "steps");
        windowStart = dev.alloc(8 * c, "window start loss");
        trace = dev.alloc(4 * c * Math.max(1, traceLength), "loss trace");
        finalLoss = dev.alloc(8 * c, "final loss");
        gradNorm = dev.alloc(8 * c, "gradient norm");
    }

    /** Device bytes one member of a chunk needs (for the planner). */
    public static long perMemberBytes(Architecture arch, int samples, OptimizerSettings opt, int stride, int traceLength) {
        long floats = (long) stride * (3 + moments(opt)) + arch.layerCount() + 1;
        long widest = 0;
        for (int l = 0; l < arch.depth(); l++) {
            floats += 2L * arch.fanOut(l) * samples;
            widest = Math.max(widest, arch.fanOut(l));
        }
        floats += (long) arch.outputDim() * samples + widest * samples + Math.max(1, traceLength);
        long partsPerMember = partTable(new ParamLayout(arch))[0].length;
        return 4 * floats + 8L * (2 * partsPerMember * LANES + 5) + 4L * 3;
    }

    /**
     * Trains every member of {@code req} in chunks of up to {@code chunk} members on {@code dev}; the
     * result in the reference's format.
     */
    /** Why this path cannot train the request (a recurrent network, a kernel trace), or null. */
    public static String refuses(TrainRequest req) {
        if (req.architecture().isRecurrent()) return "the library path trains feed-forward networks only";
        if (req.kernelTrace() != null && req.kernelTrace().count() > 0) return "the library path records no kernel trace";
        return null;
    }

    public static TrainResult train(TrainRequest req, Task task, LibraryDevice dev, BatchedSgemm gemm, int chunk,
                                    ProgressListener progress) {
        String refused = refuses(req);
        if (refused != null) throw new IllegalArgumentException(refused);
        int members = req.members();
        double[] outParams = new double[members * req.layout().stride()];
        int tl = req.stop().traceLength();
        float[] outTrace = new float[members * tl];
        double[] outLoss = new double[members], outNorm = new double[members];
        int[] outSteps = new int[members];
        MemberStatus[] outStatus = new MemberStatus[members];
        try (LibraryTrainer tr = new LibraryTrainer(req, task, dev, gemm, Math.min(chunk, members))) {
            for (int first = 0; first < members; first += tr.capacity) {
                int count = Math.min(tr.capacity, members - first);
                tr.trainChunk(first, count);
                tr.collect(first, count, outParams, outTrace, outLoss, outNorm, outSteps, outStatus);
                progress.membersDone(count);
            }
        }
        return new TrainResult(outParams, outTrace, tl, outLoss, outNorm, outSteps, outStatus);
    }

    /**
     * φ(Z_layer) of the first {@code members} members of {@code params} ({@code members × width × P}
     * floats, as {@code CudaBackend.hiddenRepresentations}), by the library path's forward pass.
     */
    public static float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer, LibraryDevice dev,
                                 BatchedSgemm gemm, int chunk) {
        Architecture arch = layout.architecture();
        if (layer < 0 || layer >= arch.depth()) throw new IllegalArgumentException("no hidden layer " + layer + " in " + arch);
        TrainRequest req = new TrainRequest(layout, members, params, new double[members * arch.layerCount()],
                new double[members], OptimizerSettings.gd(), new StopRule(1, 0, 1, 1));
        int block = arch.fanOut(layer) * task.samples();
        float[] out = new float[members * block];
        try (LibraryTrainer tr = new LibraryTrainer(req, task, dev, gemm, Math.min(chunk, members))) {
            for (int first = 0; first < members; first += tr.capacity) {
                int count = Math.min(tr.capacity, members - first);
                tr.uploadParams(first, count);
                tr.forward(count, layer);
                ByteBuffer b = direct(4L * count * block);
                dev.download(b, tr.a[layer], 4L * count * block);
                b.asFloatBuffer().get(out, first * block, count * block);
            }
        }
        return out;
    }

    /** Trains members [first, first + count) of the request (count ≤ capacity). */
    void trainChunk(int first, int count) {
        OptimizerSettings opt = req.optimizer();
        StopRule stop = req.stop();
        uploadParams(first, count);
        dev.copy(prev, params, 4L * count * stride);
        dev.zero(grad, 4L * count * stride);
        if (m1 != 0) dev.zero(m1, 4L * count * stride);
        if (m2 != 0) dev.zero(m2, 4L * count * stride);
        float[] lam = new float[count * layers];
        for (int i = 0; i < lam.length; i++) lam[i] = (float) req.lambdas()[first * layers + i];
        dev.upload(lambdas, floats(lam), 4L * lam.length);
        double[] lr = new double[count];
        System.arraycopy(req.learningRates(), first, lr, 0, count);
        dev.upload(lrs, doubles(lr), 8L * count);
        dev.upload(action, ints(count, UPDATE), 4L * count);
        dev.upload(status, ints(count, MemberStatus.MAX_STEPS.ordinal()), 4L * count);
        dev.zero(steps, 4L * count);
        double[] nan = new double[count];
        java.util.Arrays.fill(nan, Double.NaN);
        dev.upload(windowStart, doubles(nan), 8L * count);
        float[] traceNan = new float[count * traceLength];
        java.util.Arrays.fill(traceNan, Float.NaN);
        if (traceLength > 0) dev.upload(trace, floats(traceNan), 4L * traceNan.length);

        double[] sched = FusedTrainingJob.schedule(opt, stop);
        for (int s = 0; s < stop.maxSteps(); s++) {
            evaluate(count);
            dev.launch(LibraryKernel.STEP_CONTROL, new LibraryArgs().items(count)
                    .ptr(0, dataLoss).ptr(1, penParts).ptr(2, gsqParts).ptr(3, action).ptr(4, status).ptr(5, steps)
                    .ptr(6, windowStart).ptr(7, trace).ptr(8, lrs).ptr(9, stepLr)
                    .i(0, parts).i(1, s).i(2, stop.traceEvery()).i(3, stop.window()).i(4, traceLength)
                    .d(0, stop.tol()).d(1, sched[3 * s]));
            dev.launch(LibraryKernel.OPTIMIZER_UPDATE, new LibraryArgs().items((long) count * stride)
                    .ptr(0, params).ptr(1, grad).ptr(2, prev).ptr(3, m1).ptr(4, m2).ptr(5, action).ptr(6, stepLr)
                    .i(0, stride).i(1, opt.kind().ordinal())
                    .f(0, (float) opt.momentum()).f(1, (float) opt.beta1()).f(2, (float) opt.beta2())
                    .f(3, (float) (1.0 - opt.beta1())).f(4, (float) (1.0 - opt.beta2())).f(5, (float) opt.eps())
                    .f(6, (float) sched[3 * s + 1]).f(7, (float) sched[3 * s + 2]));
            if ((s + 1) % CHECK_EVERY == 0 && s + 1 < stop.maxSteps() && !anyRunning(count)) break;
        }
        evaluate(count);
        dev.launch(LibraryKernel.FINISH_MEMBERS, new LibraryArgs().items(count)
                .ptr(0, dataLoss).ptr(1, penParts).ptr(2, gsqParts).ptr(3, action).ptr(4, status).ptr(5, steps)
                .ptr(6, windowStart).ptr(7, trace).ptr(8, finalLoss).ptr(9, gradNorm)
                .i(0, parts).i(1, stop.maxSteps()).i(2, stop.traceEvery()).i(3, stop.window()).i(4, traceLength)
                .d(0, stop.tol()));
    }

    private boolean anyRunning(int count) {
        ByteBuffer b = direct(4L * count);
        dev.download(b, action, 4L * count);
        for (int e = 0; e < count; e++) {
            if (b.getInt(4 * e) == UPDATE) return true;
        }
        return false;
    }

    private void uploadParams(int first, int count) {
        float[] p = new float[count * stride];
        double[] init = req.initialParams();
        for (int i = 0; i < p.length; i++) p[i] = (float) init[first * stride + i];
        dev.upload(params, floats(p), 4L * p.length);
    }

    /** Forward through hidden layer {@code last} (depth: the readout). */
    private void forward(int count, int last) {
        for (int l = 0; l <= last; l++) {
            int fin = arch.fanIn(l), fout = arch.fanOut(l);
            long in = l == 0 ? x : a[l - 1];
            long inStride = l == 0 ? 0 : (long) fin * P;
            long out = l < depth ? z[l] : f;
            gemm.sgemmStridedBatched(false, false, P, fout, fin, 1f, in, P, inStride, params + 4L * layout.weight(l), fin,
                    stride, 0f, out, P, (long) fout * P, count);
            if (l < depth || layout.bias(l) >= 0) {
                int act = l < depth ? arch.activation().ordinal() : Activation.LINEAR.ordinal();
                dev.launch(LibraryKernel.BIAS_ACT_FORWARD, new LibraryArgs().items((long) count * fout * P)
                        .ptr(0, out).ptr(1, l < depth ? a[l] : f).ptr(2, params)
                        .i(0, fout).i(1, P).i(2, stride).i(3, layout.bias(l)).i(4, act));
            }
        }
    }

    /** Loss, gradient (with the penalty) and the per-member sums at the current parameters. */
    private void evaluate(int count) {
        forward(count, depth);
        dev.launch(LibraryKernel.LOSS_GRAD, new LibraryArgs().items(count).ptr(0, f).ptr(1, y).ptr(2, dataLoss)
                .i(0, arch.outputDim()).i(1, P));
        for (int l = depth; l >= 0; l--) {
            int fin = arch.fanIn(l), fout = arch.fanOut(l);
            long g = l == depth ? f : z[l];
            long in = l == 0 ? x : a[l - 1];
            long inStride = l == 0 ? 0 : (long) fin * P;
            long w = params + 4L * layout.weight(l);
            gemm.sgemmStridedBatched(true, false, fin, fout, P, 1f, in, P, inStride, g, P, (long) fout * P, 0f,
                    grad + 4L * layout.weight(l), fin, stride, count);
            if (layout.bias(l) >= 0) {
                dev.launch(LibraryKernel.BIAS_GRAD, new LibraryArgs().items((long) count * fout).ptr(0, g).ptr(1, grad)
                        .i(0, fout).i(1, P).i(2, stride).i(3, layout.bias(l)));
            }
            if (l > 0) {
                gemm.sgemmStridedBatched(false, true, P, fin, fout, 1f, g, P, (long) fout * P, w, fin, stride, 0f, t, P,
                        (long) fin * P, count);
                dev.launch(LibraryKernel.ACT_BACKWARD, new LibraryArgs().items((long) count * fin * P).ptr(0, z[l - 1]).ptr(1, t)
                        .i(4, arch.activation().ordinal()));
            }
        }
        dev.launch(LibraryKernel.PENALTY_GRAD, new LibraryArgs().items((long) count * parts * LANES)
                .ptr(0, params).ptr(1, grad).ptr(2, lambdas).ptr(3, partOff).ptr(4, partLen).ptr(5, partLayer)
                .ptr(6, penParts).ptr(7, gsqParts).i(0, parts).i(1, stride).i(2, layers));
    }

    private void collect(int first, int count, double[] outParams, float[] outTrace, double[] outLoss, double[] outNorm,
                         int[] outSteps, MemberStatus[] outStatus) {
        ByteBuffer p = direct(4L * count * stride);
        dev.download(p, params, 4L * count * stride);
        for (int i = 0; i < count * stride; i++) outParams[first * stride + i] = p.getFloat(4 * i);
        if (traceLength > 0) {
            ByteBuffer tr = direct(4L * count * traceLength);
            dev.download(tr, trace, 4L * count * traceLength);
            tr.asFloatBuffer().get(outTrace, first * traceLength, count * traceLength);
        }
        ByteBuffer fl = direct(8L * count), gn = direct(8L * count), st = direct(4L * count), ss = direct(4L * count);
        dev.download(fl, finalLoss, 8L * count);
        dev.download(gn, gradNorm, 8L * count);
        dev.download(st, steps, 4L * count);
        dev.download(ss, status, 4L * count);
        MemberStatus[] all = MemberStatus.values();
        for (int e = 0; e < count; e++) {
            outLoss[first + e] = fl.getDouble(8 * e);
            outNorm[first + e] = gn.getDouble(8 * e);
            outSteps[first + e] = st.getInt(4 * e);
            int s = ss.getInt(4 * e);
            if (s < 0 || s >= all.length) throw new IllegalStateException("library path returned status " + s + " for member " + (first + e));
            outStatus[first + e] = all[s];
        }
    }

    /**
     * {offsets, lengths, layers} of the penalty parts: each layer's [W_l, b_l] (contiguous in the packed
     * layout) cut into runs of at most {@link #PART} parameters.
     */
    static int[][] partTable(ParamLayout layout) {
        Architecture arch = layout.architecture();
        List<int[]> rows = new ArrayList<>();
        for (int l = 0; l < arch.layerCount(); l++) {
            int len = arch.fanOut(l) * arch.fanIn(l) + (layout.bias(l) >= 0 ? arch.fanOut(l) : 0);
            if (layout.bias(l) >= 0 && layout.bias(l) != layout.weight(l) + arch.fanOut(l) * arch.fanIn(l)) {
                throw new IllegalStateException(String.format(Locale.ROOT, "b_%d does not follow W_%d in %s", l, l, layout));
            }
            for (int o = 0; o < len; o += PART) rows.add(new int[] {layout.weight(l) + o, Math.min(PART, len - o), l});
        }
        int[][] out = new int[3][rows.size()];
        for (int k = 0; k < rows.size(); k++) {
            for (int j = 0; j < 3; j++) out[j][k] = rows.get(k)[j];
        }
        return out;
    }

    static int moments(OptimizerSettings opt) {
        return switch (opt.kind()) {
            case GD -> 0;
            case MOMENTUM -> 1;
            case ADAM -> 2;
        };
    }

    private long uploadInts(int[] v, String what) {
        long p = dev.alloc(4L * v.length, what);
        ByteBuffer b = direct(4L * v.length);
        b.asIntBuffer().put(v);
        dev.upload(p, b, 4L * v.length);
        return p;
    }

    private static ByteBuffer direct(long bytes) {
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException("host buffer of " + bytes + " bytes");
        return ByteBuffer.allocateDirect((int) Math.max(8, bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer floats(double[] v) {
        ByteBuffer b = direct(4L * v.length);
        for (int i = 0; i < v.length; i++) b.putFloat(4 * i, (float) v[i]);
        return b;
    }

    private static ByteBuffer floats(float[] v) {
        ByteBuffer b = direct(4L * v.length);
        b.asFloatBuffer().put(v);
        return b;
    }

    private static ByteBuffer doubles(double[] v) {
        ByteBuffer b = direct(8L * v.length);
        b.asDoubleBuffer().put(v);
        return b;
    }

    private static ByteBuffer ints(int n, int value) {
        ByteBuffer b = direct(4L * n);
        for (int i = 0; i < n; i++) b.putInt(4 * i, value);
        return b;
    }

    @Override
    public void close() {
        dev.close();
    }
}
