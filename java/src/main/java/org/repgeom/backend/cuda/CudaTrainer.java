package org.repgeom.backend.cuda;

import static org.repgeom.backend.cuda.CudaException.check;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.repgeom.backend.KernelTraceRequest;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerKind;

/**
 * Drives the kernels on a {@link CudaDevice}: allocation, transfers, launches.
 *
 * <p>Training ({@link #train}) follows a {@link CudaLaunchPlan}: X, Y and the schedule are uploaded
 * once; the group is cut into chunks; two slots, each with its own stream, device buffers and pinned
 * host staging buffers, take chunks in turn. A slot packs its chunk, copies it up, resets the
 * member counter, launches mlp_train_fused and copies the results down, all asynchronously on its
 * stream, so one slot's transfers and packing overlap the other slot's training. Before a slot is
 * reused its stream is synchronised and its results unpacked (and reported as progress).
 */
final class CudaTrainer {
    private CudaTrainer() {
    }

    /** Device allocations, pinned host buffers and streams of one call, all released by close(). */
    static final class Resources implements AutoCloseable {
        private final CudaDevice dev;
        private final List<CUdeviceptr> device = new ArrayList<>();
        private final List<Pointer> pinned = new ArrayList<>();
        private final List<CUstream> streams = new ArrayList<>();

        Resources(CudaDevice dev) {
            this.dev = dev;
        }

        CUdeviceptr alloc(long bytes, String what) {
            CUdeviceptr p = dev.alloc(bytes, what);
            device.add(p);
            return p;
        }

        CUdeviceptr upload(ByteBuffer host, String what) {
            CUdeviceptr p = alloc(host.capacity(), what);
            check(JCudaDriver.cuMemcpyHtoD(p, Pointer.to(host), host.capacity()), "cuMemcpyHtoD(" + what + ")");
            return p;
        }

        /** A host buffer the device can copy asynchronously: pinned, or direct where pinning fails. */
        ByteBuffer host(long bytes, Pointer[] pointerOut) {
            if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException("host staging buffer too large: " + bytes + " bytes");
            int n = (int) Math.max(8, bytes);
            Pointer p = new Pointer();
            if (JCudaDriver.cuMemAllocHost(p, n) == 0) {
                pinned.add(p);
                pointerOut[0] = p;
                return p.getByteBuffer(0, n).order(ByteOrder.LITTLE_ENDIAN);
            }
            ByteBuffer b = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
            pointerOut[0] = Pointer.to(b);
            return b;
        }

        CUstream stream() {
            CUstream s = new CUstream();
            check(JCudaDriver.cuStreamCreate(s, 0), "cuStreamCreate");
            streams.add(s);
            return s;
        }

        @Override
        public void close() {
            for (CUstream s : streams) JCudaDriver.cuStreamSynchronize(s);
            for (CUstream s : streams) JCudaDriver.cuStreamDestroy(s);
            for (CUdeviceptr p : device) JCudaDriver.cuMemFree(p);
            for (Pointer p : pinned) JCudaDriver.cuMemFreeHost(p);
        }
    }

    /** One of the two chunk slots. */
    private static final class Slot {
        CUstream stream;
        CUdeviceptr[] dev = new CUdeviceptr[8]; // ChunkBuffers order
        Pointer[] hostPtr = new Pointer[8];
        ChunkBuffers host;
        CUdeviceptr scratch;
        CUdeviceptr work;
        int first = -1;
        int count;
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
        return CudaLaunchPlan.plan(req.architecture(), task.samples(), req.optimizer().kind(), req.layout().stride(),
                req.stop().traceLength(), req.stop().maxSteps(), req.members(), dev.limits(), dev.trainRegisters(),
                dev.memoryInfo()[0]);
    }

    /** The plan of rnn_train_fused for a recurrent request on this device now. */
    static RnnLaunchPlan rnnPlan(CudaDevice dev, TrainRequest req, Task task) {
        dev.makeCurrent();
        return RnnLaunchPlan.plan(req.architecture(), task.samples(), req.optimizer().kind(), req.layout().stride(),
                req.stop().traceLength(), req.stop().maxSteps(), req.members(), dev.limits(), dev::rnnRegisters,
                dev.memoryInfo()[0]);
    }

    /**
     * Trains on the fused kernels: mlp_train_fused, or rnn_train_fused for a recurrent request (the same
     * chunks, slots and arguments, less the kernel trace, which recurrent requests do not carry).
     */
    static TrainResult train(CudaDevice dev, TrainRequest req, Task task, ProgressListener progress) {
        synchronized (dev) {
            boolean recurrent = req.architecture().isRecurrent();
            KernelPlan plan = recurrent ? rnnPlan(dev, req, task) : plan(dev, req, task);
            KernelLayout layout = plan.layout();
            FusedTrainingJob job = new FusedTrainingJob(req, task, layout);
            CUfunction kernel = layout instanceof RnnLayout rl ? dev.rnnTrain(rl.placement())
                    : dev.train(((FusedLayout) layout).placement());
            int members = job.members();
            try (Resources r = new Resources(dev)) {
                CUdeviceptr x = r.upload(floats(job.paddedX()), "X");
                CUdeviceptr y = r.upload(floats(job.paddedY()), "Y");
                CUdeviceptr sched = r.upload(doubles(job.schedule()), "learning-rate schedule");
                byte[] cfg = job.config();
                // the kernel trace, whole request at once: each member's global row (chunk launches get the rows
                // from their first member on) and every traced row's depth x T x P x P floats, read back at the end
                KernelTraceRequest kt = req.kernelTrace();
                int kernelFloats = req.kernelTraceFloats(task.samples());
                CUdeviceptr kernelRows = new CUdeviceptr(), kernelTrace = new CUdeviceptr();
                if (kt != null) {
                    kernelRows = r.upload(ints(kt.rows(members)), "kernel trace rows");
                    kernelTrace = r.alloc(4L * Math.max(1, kernelFloats), "kernel trace");
                }
                ChunkBuffers.Sizes sizes = job.sizes(plan.chunkMembers());
                long[] bytes = sizes.all();
                String[] names = {"parameters", "lambdas", "learning rates", "loss trace", "final loss", "gradient norm", "steps", "status"};
                Slot[] slots = new Slot[Math.min(2, plan.chunks(members))];
                for (int k = 0; k < slots.length; k++) {
                    Slot s = new Slot();
                    s.stream = r.stream();
                    ByteBuffer[] host = new ByteBuffer[8];
                    Pointer[] out = new Pointer[1];
                    for (int i = 0; i < 8; i++) {
                        s.dev[i] = r.alloc(bytes[i], names[i] + " (chunk slot " + k + ")");
                        host[i] = r.host(bytes[i], out);
                        s.hostPtr[i] = out[0];
                    }
                    s.host = ChunkBuffers.of(host);
                    s.scratch = r.alloc((long) plan.gridBlocks() * layout.blockScratchBytes(), "global scratch (chunk slot " + k + ")");
                    s.work = r.alloc(4, "member counter");
                    slots[k] = s;
                }
                int next = 0;
                for (int first = 0; first < members; first += plan.chunkMembers(), next++) {
                    Slot s = slots[next % slots.length];
                    finish(job, s, progress);
                    int count = Math.min(plan.chunkMembers(), members - first);
                    job.packInputs(first, count, s.host);
                    ChunkBuffers.Sizes used = job.sizes(count);
                    long[] n = used.all();
                    for (int i = 0; i < 3; i++) {
                        check(JCudaDriver.cuMemcpyHtoDAsync(s.dev[i], s.hostPtr[i], n[i], s.stream), "cuMemcpyHtoDAsync(" + names[i] + ")");
                    }
                    check(JCudaDriver.cuMemsetD32Async(s.work, 0, 1, s.stream), "cuMemsetD32Async(member counter)");
                    int grid = Math.max(1, Math.min(plan.gridBlocks(), (count + layout.teamsPerBlock() - 1) / layout.teamsPerBlock()));
                    List<Pointer> a = new ArrayList<>(List.of(Pointer.to(cfg), Pointer.to(x), Pointer.to(y), Pointer.to(s.dev[0]),
                            Pointer.to(s.dev[1]), Pointer.to(s.dev[2]), Pointer.to(sched), Pointer.to(s.dev[3]),
                            Pointer.to(s.dev[4]), Pointer.to(s.dev[5]), Pointer.to(s.dev[6]), Pointer.to(s.dev[7]),
                            Pointer.to(s.scratch), Pointer.to(s.work), Pointer.to(new int[] {count})));
                    if (!recurrent) { // rnn_train_fused takes no kernel-trace arguments
                        a.addAll(List.of(Pointer.to(new int[] {kt == null ? 0 : kt.every()}),
                                Pointer.to(kt == null ? kernelRows : kernelRows.withByteOffset(4L * first)), Pointer.to(kernelTrace)));
                    }
                    Pointer args = Pointer.to(a.toArray(new Pointer[0]));
                    check(JCudaDriver.cuLaunchKernel(kernel, grid, 1, 1, layout.blockThreads(), 1, 1,
                            (int) layout.blockSharedBytes(), s.stream, args, null),
                            "cuLaunchKernel(" + layout.kernelName() + ")");
                    for (int i : new int[] {0, 3, 4, 5, 6, 7}) {
                        check(JCudaDriver.cuMemcpyDtoHAsync(s.hostPtr[i], s.dev[i], n[i], s.stream), "cuMemcpyDtoHAsync(" + names[i] + ")");
                    }
                    s.first = first;
                    s.count = count;
                }
                // the remaining slots, oldest first
                for (int k = 0; k < slots.length; k++) finish(job, slots[(next + k) % slots.length], progress);
                float[] kernels = new float[kernelFloats];
                if (kernelFloats > 0) {
                    ByteBuffer host = ByteBuffer.allocateDirect(4 * kernelFloats).order(ByteOrder.LITTLE_ENDIAN);
                    check(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), kernelTrace, 4L * kernelFloats), "cuMemcpyDtoH(kernel trace)");
                    host.asFloatBuffer().get(kernels);
                }
                TrainResult res = job.result();
                return new TrainResult(res.params(), res.lossTrace(), res.traceLength(), res.finalLoss(), res.gradNorm(),
                        res.steps(), res.status(), kernels);
            }
        }
    }

    /** Waits for a slot's chunk (if any) and collects its results. */
    private static void finish(FusedTrainingJob job, Slot s, ProgressListener progress) {
        if (s.first < 0) return;
        check(JCudaDriver.cuStreamSynchronize(s.stream), "training kernel (chunk at member " + s.first + ")");
        job.unpackOutputs(s.first, s.count, s.host);
        progress.membersDone(s.count);
        s.first = -1;
    }

    /**
     * mlp_forward: the representations φ(Z_layer) of the first {@code members} members of
     * {@code params}, {@code members × width × P} floats (as NativeBackend.hiddenRepresentations).
     */
    static float[] hiddenRepresentations(CudaDevice dev, ParamLayout layout, double[] params, int members, Task task,
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
        synchronized (dev) {
            dev.makeCurrent();
            FusedLayout fl = CudaLaunchPlan.chooseLayout(arch, task.samples(), OptimizerKind.GD, dev.limits(), dev.forwardRegisters());
            int residentBlocks = Math.max(1, CudaLaunchPlan.residentBlocks(dev.limits(), fl.blockThreads(), fl.blockSharedBytes(),
                    dev.forwardRegisters())) * dev.limits().multiprocessors();
            long perMember = 4L * stride + 4L * block;
            long budget = (long) (dev.memoryInfo()[0] * (1 - CudaLaunchPlan.HEADROOM)) - (long) residentBlocks * fl.blockScratchBytes()
                    - 4L * fl.ldp() * arch.inputDim();
            int chunk = (int) Math.min(members, Math.min(budget / perMember, (Integer.MAX_VALUE / 2) / Math.max(4L * stride, 4L * block)));
            if (chunk < 1) throw new IllegalArgumentException("not even one member's forward pass fits in device memory (" + perMember + " bytes)");
            byte[] cfg = fl.config(null, null);
            try (Resources r = new Resources(dev)) {
                CUdeviceptr x = r.upload(floats(fl.pad(task.xData(), arch.inputDim())), "X");
                CUdeviceptr p = r.alloc(4L * chunk * stride, "parameters");
                CUdeviceptr out = r.alloc(4L * chunk * block, "representations");
                int grid = (int) Math.min(residentBlocks, (chunk + fl.teamsPerBlock() - 1) / fl.teamsPerBlock());
                CUdeviceptr scratch = r.alloc((long) grid * fl.blockScratchBytes(), "global scratch");
                CUdeviceptr work = r.alloc(4, "member counter");
                ByteBuffer host = ByteBuffer.allocateDirect(4 * chunk * Math.max(stride, block)).order(ByteOrder.LITTLE_ENDIAN);
                for (int first = 0; first < members; first += chunk) {
                    int count = Math.min(chunk, members - first);
                    for (int i = 0; i < count * stride; i++) host.putFloat(4 * i, (float) params[first * stride + i]);
                    check(JCudaDriver.cuMemcpyHtoD(p, Pointer.to(host), 4L * count * stride), "cuMemcpyHtoD(parameters)");
                    check(JCudaDriver.cuMemsetD32Async(work, 0, 1, null), "cuMemsetD32Async(member counter)");
                    int g = Math.max(1, Math.min(grid, (count + fl.teamsPerBlock() - 1) / fl.teamsPerBlock()));
                    Pointer args = Pointer.to(Pointer.to(cfg), Pointer.to(x), Pointer.to(p), Pointer.to(new int[] {layer}),
                            Pointer.to(out), Pointer.to(scratch), Pointer.to(work), Pointer.to(new int[] {count}));
                    check(JCudaDriver.cuLaunchKernel(dev.forward, g, 1, 1, fl.blockThreads(), 1, 1, (int) fl.blockSharedBytes(),
                            null, args, null), "cuLaunchKernel(mlp_forward)");
                    check(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), out, 4L * count * block), "mlp_forward");
                    host.asFloatBuffer().get(result, first * block, count * block);
                }
            }
        }
        return result;
    }

    /** philox_init: InitialWeights.fill on the device, rounded to float (members × stride). */
    static float[] initialParams(CudaDevice dev, ParamLayout layout, long[] seeds, double[] scales) {
        if (seeds.length != scales.length) throw new IllegalArgumentException("one init scale per seed");
        int members = seeds.length, stride = layout.stride();
        if ((long) members * stride > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("too many parameters for one array");
        float[] result = new float[members * stride];
        if (members == 0) return result;
        synchronized (dev) {
            dev.makeCurrent();
            FusedLayout fl = new FusedLayout(layout.architecture(), 1, OptimizerKind.GD, CudaLaunchPlan.WARP, CudaLaunchPlan.WARP, 1,
                    FusedLayout.Placement.ALL_GLOBAL);
            try (Resources r = new Resources(dev)) {
                ByteBuffer s = ByteBuffer.allocateDirect(8 * members).order(ByteOrder.LITTLE_ENDIAN);
                for (int e = 0; e < members; e++) s.putLong(8 * e, seeds[e]);
                CUdeviceptr dSeeds = r.upload(s, "seeds");
                CUdeviceptr dScales = r.upload(doubles(scales), "init scales");
                CUdeviceptr out = r.alloc(4L * members * stride, "initial parameters");
                Pointer args = Pointer.to(Pointer.to(fl.config(null, null)), Pointer.to(dSeeds), Pointer.to(dScales), Pointer.to(out),
                        Pointer.to(new int[] {members}));
                check(JCudaDriver.cuLaunchKernel(dev.init, Math.min(members, 65_535), 1, 1, 128, 1, 1, 0, null, args, null),
                        "cuLaunchKernel(philox_init)");
                ByteBuffer host = ByteBuffer.allocateDirect(4 * members * stride).order(ByteOrder.LITTLE_ENDIAN);
                check(JCudaDriver.cuMemcpyDtoH(Pointer.to(host), out, 4L * members * stride), "philox_init");
                host.asFloatBuffer().get(result);
            }
        }
        return result;
    }
}
