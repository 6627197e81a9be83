package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.repgeom.backend.KernelTraceRequest;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerKind;

/**
 * Drives the kernels through a {@link CudaDriver}: allocation, transfers, launches (a GPU through
 * {@link JCudaDriverApi}; the tests run this same code against a fake driver over the host emulator).
 *
 * <p>Training ({@link #train}) follows a {@link CudaLaunchPlan}: X, Y and the schedule are uploaded
 * once; the group is cut into chunks; two slots, each with its own stream, device buffers, page-locked
 * host staging buffers and a pair of timing events, take chunks in turn. A slot packs its chunk,
 * copies it up, resets the member counter, launches mlp_train_fused between its two events and copies
 * the results down, all asynchronously on its stream, so one slot's transfers and packing overlap the
 * other slot's training. Before a slot is reused its stream is synchronised, its results unpacked (and
 * reported as progress) and its kernel time read from the events. The slots live in a
 * {@link CudaWorkspace}, which a caller may keep to reuse them across calls.
 */
final class CudaTrainer {
    private CudaTrainer() {
    }

    /** Device allocations, host buffers, streams and events, all released by close(). */
    static final class Resources implements AutoCloseable {
        private final CudaDriver d;
        private final List<Long> device = new ArrayList<>();
        private final List<ByteBuffer> host = new ArrayList<>();
        private final List<Long> streams = new ArrayList<>();
        private final List<Long> events = new ArrayList<>();
        private long deviceBytes;

        Resources(CudaDriver d) {
            this.d = d;
        }

        long alloc(long bytes, String what) {
            long p = d.alloc(bytes, what);
            device.add(p);
            deviceBytes += Math.max(4, bytes);
            return p;
        }

        long upload(ByteBuffer host, String what) {
            long p = alloc(host.capacity(), what);
            d.copyToDevice(p, host, host.capacity());
            return p;
        }

        /** A host staging buffer the device can copy asynchronously (see {@link CudaDriver#allocHost}). */
        ByteBuffer host(long bytes) {
            if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("host staging buffer too large: " + bytes + " bytes");
            ByteBuffer b = d.allocHost((int) bytes);
            host.add(b);
            return b;
        }

        long stream() {
            long s = d.createStream();
            streams.add(s);
            return s;
        }

        long event() {
            long e = d.createEvent();
            events.add(e);
            return e;
        }

        /** Device bytes held. */
        long deviceBytes() {
            return deviceBytes;
        }

        @Override
        public void close() {
            for (long s : streams) d.synchronize(s);
            for (long s : streams) d.destroyStream(s);
            for (long e : events) d.destroyEvent(e);
            for (long p : device) d.free(p);
            for (ByteBuffer b : host) d.freeHost(b);
            streams.clear();
            events.clear();
            device.clear();
            host.clear();
            deviceBytes = 0;
        }
    }

    /** One of the two chunk slots: its stream, timing events, device buffers and host staging buffers. */
    static final class Slot {
        long stream;
        long start;
        long end;
        final long[] dev = new long[8]; // ChunkBuffers order
        final long[] bytes = new long[8];
        ChunkBuffers host;
        long scratch;
        long scratchBytes;
        long work;
        int first = -1;
        int count;

        /** True when this slot's buffers hold chunks of these sizes and this scratch. */
        boolean fits(long[] need, long needScratch) {
            for (int i = 0; i < 8; i++) if (bytes[i] < need[i]) return false;
            return scratchBytes >= needScratch;
        }
    }

    static ByteBuffer floats(float[] a) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * Math.max(1, a.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; i++) b.putFloat(4 * i, a[i]);
        return b;
    }

    static ByteBuffer ints(int[] a) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * Math.max(1, a.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; i++) b.putInt(4 * i, a[i]);
        return b;
    }

    static ByteBuffer doubles(double[] a) {
        ByteBuffer b = ByteBuffer.allocateDirect(8 * Math.max(1, a.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; i++) b.putDouble(8 * i, a[i]);
        return b;
    }

    /** The plan for a request on this device now (free memory as it is). */
    static CudaLaunchPlan plan(CudaDevice dev, TrainRequest req, Task task) {
        dev.makeCurrent();
        return plan(new JCudaDriverApi(dev), req, task, 0);
    }

    /** The plan of rnn_train_fused for a recurrent request on this device now. */
    static RnnLaunchPlan rnnPlan(CudaDevice dev, TrainRequest req, Task task) {
        dev.makeCurrent();
        return rnnPlan(new JCudaDriverApi(dev), req, task, 0);
    }

    /** The plan of the request's kernel (rnn_train_fused or mlp_train_fused) with {@code reusable} bytes counted as free. */
    static KernelPlan kernelPlan(CudaDriver d, TrainRequest req, Task task, long reusable) {
        return req.architecture().isRecurrent() ? rnnPlan(d, req, task, reusable) : plan(d, req, task, reusable);
    }

    static RnnLaunchPlan rnnPlan(CudaDriver d, TrainRequest req, Task task, long reusable) {
        return RnnLaunchPlan.plan(req.architecture(), task.samples(), req.optimizer().kind(), req.layout().stride(),
                req.stop().traceLength(), req.stop().maxSteps(), req.members(), d.limits(), d::rnnRegisters,
                d.freeMemory() + reusable);
    }

    /** The plan with {@code reusable} bytes (a workspace's slots) counted as free. */
    static CudaLaunchPlan plan(CudaDriver d, TrainRequest req, Task task, long reusable) {
        return CudaLaunchPlan.plan(req.architecture(), task.samples(), req.optimizer().kind(), req.layout().stride(),
                req.stop().traceLength(), req.stop().maxSteps(), req.members(), d.limits(), d.trainRegisters(),
                d.freeMemory() + reusable);
    }

    /** Trains on the device with slots of a workspace of this call only. */
    static TrainResult train(CudaDevice dev, TrainRequest req, Task task, ProgressListener progress) {
        try (CudaWorkspace ws = CudaWorkspace.open(dev)) {
            return ws.train(req, task, progress, false);
        }
    }

    private static final String[] NAMES = {"parameters", "lambdas", "learning rates", "loss trace", "final loss",
        "gradient norm", "steps", "status"};

    /**
     * Trains the request with {@code ws}'s slots (reallocated where too small) and, when
     * {@code reuseResult}, into the arrays of its previous result; the caller holds the device.
     */
    static TrainResult train(CudaDriver d, TrainRequest req, Task task, ProgressListener progress, CudaWorkspace ws,
                             boolean reuseResult) {
        long t0 = System.nanoTime();
        boolean recurrent = req.architecture().isRecurrent();
        KernelPlan plan = kernelPlan(d, req, task, ws.slotBytes());
        KernelLayout layout = plan.layout();
        FusedTrainingJob job = new FusedTrainingJob(req, task, layout, reuseResult ? ws.previous : null);
        int members = job.members();
        double kernelMillis = 0;
        int launches = 0;
        try (Resources r = new Resources(d)) {
            long x = r.upload(floats(job.paddedX()), "X");
            long y = r.upload(floats(job.paddedY()), "Y");
            long sched = r.upload(doubles(job.schedule()), "learning-rate schedule");
            byte[] cfg = job.config();
            // the kernel trace, whole request at once: each member's global row (chunk launches get the rows
            // from their first member on) and every traced row's depth x T x P x P floats, read back at the end
            KernelTraceRequest kt = req.kernelTrace();
            int kernelFloats = req.kernelTraceFloats(task.samples());
            long kernelRows = 0;
            long kernelTrace = 0;
            if (kt != null) {
                kernelRows = r.upload(ints(kt.rows(members)), "kernel trace rows");
                kernelTrace = r.alloc(4L * Math.max(1, kernelFloats), "kernel trace");
            }
            Slot[] slots = ws.slots(Math.min(2, plan.chunks(members)), job.sizes(plan.chunkMembers()).all(),
                    (long) plan.gridBlocks() * layout.blockScratchBytes());
            for (Slot s : slots) s.first = -1;
            int next = 0;
            for (int first = 0; first < members; first += plan.chunkMembers(), next++) {
                Slot s = slots[next % slots.length];
                kernelMillis += finish(d, job, s, progress);
                int count = Math.min(plan.chunkMembers(), members - first);
                job.packInputs(first, count, s.host);
                long[] n = job.sizes(count).all();
                ByteBuffer[] host = s.host.all();
                for (int i = 0; i < 3; i++) d.copyToDeviceAsync(s.dev[i], host[i], n[i], s.stream);
                d.zeroWordsAsync(s.work, 1, s.stream);
                int grid = Math.max(1, Math.min(plan.gridBlocks(), (count + layout.teamsPerBlock() - 1) / layout.teamsPerBlock()));
                KernelArgs args = new KernelArgs().struct(cfg).pointer(x).pointer(y).pointer(s.dev[0]).pointer(s.dev[1])
                        .pointer(s.dev[2]).pointer(sched).pointer(s.dev[3]).pointer(s.dev[4]).pointer(s.dev[5])
                        .pointer(s.dev[6]).pointer(s.dev[7]).pointer(s.scratch).pointer(s.work).i32(count);
                if (!recurrent) { // rnn_train_fused takes no kernel-trace arguments
                    args.i32(kt == null ? 0 : kt.every()).pointer(kt == null ? 0 : kernelRows + 4L * first).pointer(kernelTrace);
                }
                d.recordEvent(s.start, s.stream);
                d.launch(layout.kernelName(), grid, layout.blockThreads(), (int) layout.blockSharedBytes(),
                        s.stream, args);
                d.recordEvent(s.end, s.stream);
                launches++;
                for (int i : new int[] {0, 3, 4, 5, 6, 7}) d.copyToHostAsync(host[i], s.dev[i], n[i], s.stream);
                s.first = first;
                s.count = count;
            }
            // the remaining slots, oldest first
            for (int k = 0; k < slots.length; k++) kernelMillis += finish(d, job, slots[(next + k) % slots.length], progress);
            float[] kernels = new float[kernelFloats];
            if (kernelFloats > 0) {
                ByteBuffer host = ByteBuffer.allocateDirect(4 * kernelFloats).order(ByteOrder.LITTLE_ENDIAN);
                d.copyToHost(host, kernelTrace, 4L * kernelFloats);
                host.asFloatBuffer().get(kernels);
            }
            TrainResult res = job.result();
            TrainResult out = new TrainResult(res.params(), res.lossTrace(), res.traceLength(), res.finalLoss(), res.gradNorm(),
                    res.steps(), res.status(), kernels);
            ws.finished(out, kernelMillis / 1e3, launches, (System.nanoTime() - t0) / 1e9);
            return out;
        }
    }

    /** Allocates a slot's stream, events and buffers in {@code r}. */
    static Slot newSlot(Resources r, int k, long[] bytes, long scratchBytes) {
        Slot s = new Slot();
        s.stream = r.stream();
        s.start = r.event();
        s.end = r.event();
        ByteBuffer[] host = new ByteBuffer[8];
        for (int i = 0; i < 8; i++) {
            s.dev[i] = r.alloc(bytes[i], NAMES[i] + " (chunk slot " + k + ")");
            s.bytes[i] = bytes[i];
            host[i] = r.host(bytes[i]);
        }
        s.host = ChunkBuffers.of(host);
        s.scratch = r.alloc(scratchBytes, "global scratch (chunk slot " + k + ")");
        s.scratchBytes = scratchBytes;
        s.work = r.alloc(4, "member counter");
        return s;
    }

    /** Waits for a slot's chunk (if any), collects its results; returns its kernel milliseconds. */
    private static double finish(CudaDriver d, FusedTrainingJob job, Slot s, ProgressListener progress) {
        if (s.first < 0) return 0;
        try {
            d.synchronize(s.stream);
        } catch (CudaException ex) {
            throw new CudaException(job.layout().kernelName() + " (chunk at member " + s.first + "): " + ex.getMessage(), ex.code());
        }
        job.unpackOutputs(s.first, s.count, s.host);
        progress.membersDone(s.count);
        s.first = -1;
        return d.elapsedMillis(s.start, s.end);
    }

    /**
     * mlp_forward: the representations φ(Z_layer) of the first {@code members} members of
     * {@code params}, {@code members × width × P} floats (as NativeBackend.hiddenRepresentations).
     */
    static float[] hiddenRepresentations(CudaDevice dev, ParamLayout layout, double[] params, int members, Task task,
                                         int layer) {
        synchronized (dev) {
            dev.makeCurrent();
            return hiddenRepresentations(new JCudaDriverApi(dev), layout, params, members, task, layer);
        }
    }

    static float[] hiddenRepresentations(CudaDriver d, ParamLayout layout, double[] params, int members, Task task,
                                         int layer) {
        Architecture arch = layout.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        if (layer < 0 || layer >= arch.depth()) {
            throw new IllegalArgumentException("hidden layer " + layer + " out of range [0, " + arch.depth() + ")");
        }
        int stride = layout.stride();
        if (members < 0 || (long) members * stride > params.length) {
            throw new IllegalArgumentException(members + " members of stride " + stride + " do not fit in " + params.length + " parameters");
        }
        int block = arch.width(layer) * task.samples();
        long total = (long) members * block;
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("representations too large for one array: " + total + " floats");
        float[] result = new float[(int) total];
        if (members == 0) return result;
        FusedLayout fl = CudaLaunchPlan.chooseLayout(arch, task.samples(), OptimizerKind.GD, d.limits(), d.forwardRegisters());
        int residentBlocks = Math.max(1, CudaLaunchPlan.residentBlocks(d.limits(), fl.blockThreads(), fl.blockSharedBytes(),
                d.forwardRegisters())) * d.limits().multiprocessors();
        long perMember = 4L * stride + 4L * block;
        long budget = (long) (d.freeMemory() * (1 - CudaLaunchPlan.HEADROOM)) - (long) residentBlocks * fl.blockScratchBytes()
                - 4L * fl.ldp() * arch.inputDim();
        int chunk = (int) Math.min(members, Math.min(budget / perMember, (Integer.MAX_VALUE / 2) / Math.max(4L * stride, 4L * block)));
        if (chunk < 1) throw new IllegalArgumentException("not even one member's forward pass fits in device memory (" + perMember + " bytes)");
        byte[] cfg = fl.config(null, null);
        try (Resources r = new Resources(d)) {
            long x = r.upload(floats(fl.pad(task.xData(), arch.inputDim())), "X");
            long p = r.alloc(4L * chunk * stride, "parameters");
            long out = r.alloc(4L * chunk * block, "representations");
            int grid = (int) Math.min(residentBlocks, (chunk + fl.teamsPerBlock() - 1) / fl.teamsPerBlock());
            long scratch = r.alloc((long) grid * fl.blockScratchBytes(), "global scratch");
            long work = r.alloc(4, "member counter");
            ByteBuffer host = ByteBuffer.allocateDirect(4 * chunk * Math.max(stride, block)).order(ByteOrder.LITTLE_ENDIAN);
            for (int first = 0; first < members; first += chunk) {
                int count = Math.min(chunk, members - first);
                for (int i = 0; i < count * stride; i++) host.putFloat(4 * i, (float) params[first * stride + i]);
                d.copyToDevice(p, host, 4L * count * stride);
                d.zeroWordsAsync(work, 1, 0);
                int g = Math.max(1, Math.min(grid, (count + fl.teamsPerBlock() - 1) / fl.teamsPerBlock()));
                KernelArgs args = new KernelArgs().struct(cfg).pointer(x).pointer(p).i32(layer).pointer(out).pointer(scratch)
                        .pointer(work).i32(count);
                d.launch("mlp_forward", g, fl.blockThreads(), (int) fl.blockSharedBytes(), 0, args);
                d.copyToHost(host, out, 4L * count * block);
                host.asFloatBuffer().get(result, first * block, count * block);
            }
        }
        return result;
    }

    /** philox_init: InitialWeights.fill on the device, rounded to float (members × stride). */
    static float[] initialParams(CudaDevice dev, ParamLayout layout, long[] seeds, double[] scales) {
        synchronized (dev) {
            dev.makeCurrent();
            return initialParams(new JCudaDriverApi(dev), layout, seeds, scales);
        }
    }

    static float[] initialParams(CudaDriver d, ParamLayout layout, long[] seeds, double[] scales) {
        if (seeds.length != scales.length) throw new IllegalArgumentException("one init scale per seed");
        int members = seeds.length, stride = layout.stride();
        if ((long) members * stride > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many parameters for one array");
        float[] result = new float[members * stride];
        if (members == 0) return result;
        FusedLayout fl = new FusedLayout(layout.architecture(), 1, OptimizerKind.GD, CudaLaunchPlan.WARP, CudaLaunchPlan.WARP, 1,
                FusedLayout.Placement.ALL_GLOBAL);
        try (Resources r = new Resources(d)) {
            ByteBuffer s = ByteBuffer.allocateDirect(8 * members).order(ByteOrder.LITTLE_ENDIAN);
            for (int e = 0; e < members; e++) s.putLong(8 * e, seeds[e]);
            long dSeeds = r.upload(s, "seeds");
            long dScales = r.upload(doubles(scales), "init scales");
            long out = r.alloc(4L * members * stride, "initial parameters");
            KernelArgs args = new KernelArgs().struct(fl.config(null, null)).pointer(dSeeds).pointer(dScales).pointer(out).i32(members);
            d.launch("philox_init", Math.min(members, 65_535), 128, 0, 0, args);
            ByteBuffer host = ByteBuffer.allocateDirect(4 * members * stride).order(ByteOrder.LITTLE_ENDIAN);
            d.copyToHost(host, out, 4L * members * stride);
            host.asFloatBuffer().get(result);
        }
        return result;
    }
}
