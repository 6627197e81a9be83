package org.repgeom.backend.cuda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * A {@link CudaDriver} without a GPU, for running {@link CudaTrainer}'s real host code: device memory
 * is host memory at made-up addresses, work queued on a stream runs only when the host waits for it
 * ({@link #synchronize}, a synchronous copy), and a kernel launch runs the kernels' own code in the
 * host emulator ({@link KernelEmulator.Build}, a process per launch) on the bytes the launch points at.
 *
 * <p>It checks the driver's contracts and throws {@link ContractViolation} at the first breach:
 * <ul>
 * <li>a launch's arguments match the kernel's parameter list in cuda/repgeom_train.cu (count, order,
 * kind: the config struct by value with its size, pointers, ints), its block is the config's
 * teams × team threads within the launch bound, its dynamic shared memory what the config needs and
 * within the device limit, the entry point is the config's placement;</li>
 * <li>every pointer argument lies in a live allocation with room for what the kernel reads or writes
 * (sizes from the config, the count and the grid), at launch and again when it runs; the member
 * counter is zero when the kernel starts;</li>
 * <li>copies stay inside their allocation and host buffer; asynchronous copies use {@link #allocHost}
 * buffers, and a host buffer an async copy reads must not change before the copy runs;</li>
 * <li>a buffer an async copy writes holds garbage until the stream is synchronised, so a host that
 * reads results before waiting sees garbage; new device memory holds garbage too (cuMemAlloc does not
 * clear), and output arrays go to the emulator with that content, so an element the kernel never
 * writes shows up;</li>
 * <li>event times are read only after both events completed; handles are live; at {@link #assertReleased}
 * nothing is left allocated.</li>
 * </ul>
 */
public final class FakeCudaDriver implements CudaDriver {
    /** A breach of the driver's contract by the host code. */
    public static final class ContractViolation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ContractViolation(String message) {
            super(message);
        }
    }

    /** Bytes new device memory and not-yet-written async destinations hold: finite floats and doubles, implausible ints. */
    static final byte GARBAGE = 0x7B;
    private static final long BASE = 0x7f00_0000_0000L;

    private record Allocation(long address, byte[] data, String what) {
    }

    /** Queued work: a description (for errors) and what it does when it runs. */
    private record Op(String what, Runnable run) {
    }

    /** A queued host-to-device copy: what it sends, and what its host buffer must hold until then. */
    private static final class PendingRead {
        final ByteBuffer src;
        final byte[] data;
        final byte[] expected;

        PendingRead(ByteBuffer src, byte[] data) {
            this.src = src;
            this.data = data;
            this.expected = data.clone();
        }
    }

    private final List<PendingRead> pendingReads = new ArrayList<>();
    private final KernelEmulator.Build build;
    private final DeviceLimits limits;
    private final TreeMap<Long, Allocation> memory = new TreeMap<>();
    private final Map<ByteBuffer, Boolean> hostBuffers = new IdentityHashMap<>();
    private final Map<Long, Deque<Op>> streams = new LinkedHashMap<>();
    private final Map<Long, long[]> events = new HashMap<>(); // {recorded, completed, nanoTime}
    private final Map<String, List<Param>> signatures;
    private long nextAddress = BASE;
    private long nextHandle = 1;
    private long used;
    /** What happened, for tests of ordering: launches, syncs, copies. */
    private final List<String> log = new ArrayList<>();
    private int launches;
    private int maxConcurrentPending;

    /**
     * A fake device with {@code multiprocessors} SMs of {@code threadsPerSm} threads (small, so that an
     * emulated grid stays a few host threads), an H100's shared-memory limits and {@code memory} bytes.
     */
    public FakeCudaDriver(KernelEmulator.Build build, int multiprocessors, int threadsPerSm, long memory) {
        if (build.warp != CudaLaunchPlan.WARP) throw new IllegalArgumentException("the planner lays out 32-lane warps: " + build);
        this.build = build;
        this.limits = new DeviceLimits("fake CUDA device (" + build + ")", 9, 0, multiprocessors, 227 * 1024, 228 * 1024, 1024,
                threadsPerSm, 32, 65536, memory);
        this.signatures = signatures(KernelBinaries.source());
        streams.put(0L, new ArrayDeque<>());
    }

    // ---------------------------------------------------------------------------------------------- limits

    @Override
    public DeviceLimits limits() {
        return limits;
    }

    @Override
    public int trainRegisters() {
        return 128;
    }

    @Override
    public int rnnRegisters(FusedLayout.Placement placement) {
        return 128;
    }

    @Override
    public int forwardRegisters() {
        return 118;
    }

    @Override
    public long freeMemory() {
        return limits.totalMemory() - used;
    }

    // ---------------------------------------------------------------------------------------------- memory

    @Override
    public long alloc(long bytes, String what) {
        long n = Math.max(4, bytes);
        if (n > freeMemory()) throw CudaException.allocation(CudaException.OUT_OF_MEMORY, what, bytes, freeMemory(), limits.totalMemory());
        if (n > Integer.MAX_VALUE - 8) throw new ContractViolation("fake device: allocation of " + n + " bytes too large");
        byte[] data = new byte[(int) n];
        Arrays.fill(data, GARBAGE);
        long address = nextAddress;
        nextAddress += (n + 4096 + 255) & ~255L; // a gap: an overrun never lands in a neighbour
        memory.put(address, new Allocation(address, data, what));
        used += n;
        return address;
    }

    @Override
    public void free(long address) {
        Allocation a = memory.remove(address);
        if (a == null) throw new ContractViolation("cuMemFree of " + Long.toHexString(address) + ": not an allocation (double free?)");
        for (Map.Entry<Long, Deque<Op>> s : streams.entrySet()) {
            if (!s.getValue().isEmpty()) {
                throw new ContractViolation("freed " + a.what + " while stream " + s.getKey() + " still had work queued: "
                        + s.getValue().peek().what);
            }
        }
        used -= a.data.length;
    }

    /** The allocation holding [address, address + bytes) and the offset in it. */
    private Allocation at(long address, long bytes, String use) {
        Map.Entry<Long, Allocation> e = memory.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + e.getValue().data.length || bytes < 0) {
            String near = e == null ? "no allocation below it" : "nearest: " + e.getValue().what + " of " + e.getValue().data.length
                    + " bytes at +" + (address - e.getKey());
            throw new ContractViolation(use + ": " + bytes + " bytes at " + Long.toHexString(address) + " are outside every live allocation ("
                    + near + ")");
        }
        return e.getValue();
    }

    private byte[] read(long address, long bytes, String use) {
        Allocation a = at(address, bytes, use);
        int off = (int) (address - a.address);
        return Arrays.copyOfRange(a.data, off, off + (int) bytes);
    }

    private void write(long address, byte[] src, String use) {
        Allocation a = at(address, src.length, use);
        System.arraycopy(src, 0, a.data, (int) (address - a.address), src.length);
    }

    @Override
    public ByteBuffer allocHost(int bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(8, bytes)).order(ByteOrder.LITTLE_ENDIAN);
        hostBuffers.put(b, Boolean.TRUE);
        return b;
    }

    @Override
    public void freeHost(ByteBuffer buffer) {
        if (hostBuffers.remove(buffer) == null) throw new ContractViolation("cuMemFreeHost of a buffer not from cuMemAllocHost (or freed twice)");
        for (Deque<Op> q : streams.values()) {
            if (!q.isEmpty()) throw new ContractViolation("freed a page-locked buffer while work was queued: " + q.peek().what);
        }
    }

    private static void checkHost(ByteBuffer b, long bytes, String use) {
        if (!b.isDirect()) throw new ContractViolation(use + ": a heap buffer (the driver needs a direct or page-locked one)");
        if (bytes > b.capacity()) throw new ContractViolation(use + ": " + bytes + " bytes but the host buffer holds " + b.capacity());
    }

    private static byte[] hostBytes(ByteBuffer b, long bytes) {
        byte[] a = new byte[(int) bytes];
        b.duplicate().clear().get(a);
        return a;
    }

    // ---------------------------------------------------------------------------------------------- streams

    @Override
    public long createStream() {
        long s = nextHandle++;
        streams.put(s, new ArrayDeque<>());
        return s;
    }

    private Deque<Op> queue(long stream, String use) {
        Deque<Op> q = streams.get(stream);
        if (q == null) throw new ContractViolation(use + " on stream " + stream + ", which does not exist (destroyed?)");
        return q;
    }

    /** Queues work: the legacy default stream first waits for every other stream, and they for it. */
    private void enqueue(long stream, Op op) {
        Deque<Op> q = queue(stream, op.what);
        if (stream == 0) {
            for (long s : streams.keySet()) if (s != 0) drain(s);
        } else {
            drain(0);
        }
        q.add(op);
        int pending = 0;
        for (Deque<Op> d : streams.values()) pending += d.isEmpty() ? 0 : 1;
        maxConcurrentPending = Math.max(maxConcurrentPending, pending);
    }

    private void drain(long stream) {
        Deque<Op> q = streams.get(stream);
        while (!q.isEmpty()) q.poll().run.run();
    }

    private void drainAll() {
        for (long s : new ArrayList<>(streams.keySet())) drain(s);
    }

    @Override
    public void synchronize(long stream) {
        queue(stream, "cuStreamSynchronize");
        if (stream == 0) drainAll();
        else drain(stream);
        log.add("sync " + stream);
    }

    @Override
    public void destroyStream(long stream) {
        if (stream == 0) throw new ContractViolation("cuStreamDestroy of the default stream");
        queue(stream, "cuStreamDestroy");
        drain(stream); // its queued work still completes
        streams.remove(stream);
    }

    // ---------------------------------------------------------------------------------------------- copies

    @Override
    public void copyToDevice(long dst, ByteBuffer src, long bytes) {
        checkHost(src, bytes, "cuMemcpyHtoD");
        at(dst, bytes, "cuMemcpyHtoD");
        drainAll();
        write(dst, hostBytes(src, bytes), "cuMemcpyHtoD");
    }

    @Override
    public void copyToHost(ByteBuffer dst, long src, long bytes) {
        checkHost(dst, bytes, "cuMemcpyDtoH");
        drainAll();
        dst.duplicate().clear().put(read(src, bytes, "cuMemcpyDtoH"));
    }

    @Override
    public void copyToDeviceAsync(long dst, ByteBuffer src, long bytes, long stream) {
        String use = "cuMemcpyHtoDAsync to " + at(dst, bytes, "cuMemcpyHtoDAsync").what;
        checkHost(src, bytes, use);
        if (!hostBuffers.containsKey(src)) throw new ContractViolation(use + ": the source is not a page-locked buffer of cuMemAllocHost");
        PendingRead r = new PendingRead(src, hostBytes(src, bytes));
        pendingReads.add(r);
        enqueue(stream, new Op(use, () -> {
            pendingReads.remove(r);
            if (!Arrays.equals(hostBytes(src, bytes), r.expected)) {
                throw new ContractViolation(use + ": the host buffer changed while the copy was queued");
            }
            write(dst, r.data, use);
        }));
    }

    @Override
    public void copyToHostAsync(ByteBuffer dst, long src, long bytes, long stream) {
        String use = "cuMemcpyDtoHAsync from " + at(src, bytes, "cuMemcpyDtoHAsync").what;
        checkHost(dst, bytes, use);
        if (!hostBuffers.containsKey(dst)) throw new ContractViolation(use + ": the destination is not a page-locked buffer of cuMemAllocHost");
        // until the copy has run the buffer holds garbage, as a real one holds stale or torn data (a
        // queued upload from the same buffer, earlier in stream order, still sends what it held)
        byte[] garbage = new byte[(int) bytes];
        Arrays.fill(garbage, GARBAGE);
        dst.duplicate().clear().put(garbage);
        for (PendingRead r : pendingReads) {
            if (r.src == dst) Arrays.fill(r.expected, 0, (int) Math.min(bytes, r.expected.length), GARBAGE);
        }
        enqueue(stream, new Op(use, () -> dst.duplicate().clear().put(read(src, bytes, use))));
    }

    @Override
    public void zeroWordsAsync(long dst, int count, long stream) {
        String use = "cuMemsetD32Async of " + at(dst, 4L * count, "cuMemsetD32Async").what;
        enqueue(stream, new Op(use, () -> write(dst, new byte[4 * count], use)));
    }

    // ---------------------------------------------------------------------------------------------- events

    @Override
    public long createEvent() {
        long e = nextHandle++;
        events.put(e, new long[3]);
        return e;
    }

    private long[] event(long e, String use) {
        long[] v = events.get(e);
        if (v == null) throw new ContractViolation(use + " of event " + e + ", which does not exist");
        return v;
    }

    @Override
    public void recordEvent(long event, long stream) {
        long[] v = event(event, "cuEventRecord");
        v[0] = 1;
        v[1] = 0;
        enqueue(stream, new Op("event " + event, () -> {
            v[1] = 1;
            v[2] = System.nanoTime();
        }));
    }

    @Override
    public float elapsedMillis(long start, long end) {
        long[] a = event(start, "cuEventElapsedTime"), b = event(end, "cuEventElapsedTime");
        if (a[0] == 0 || b[0] == 0) throw new ContractViolation("cuEventElapsedTime of an event never recorded");
        if (a[1] == 0 || b[1] == 0) throw new ContractViolation("cuEventElapsedTime before both events completed (CUDA_ERROR_NOT_READY)");
        return (b[2] - a[2]) / 1e6f;
    }

    @Override
    public void destroyEvent(long event) {
        event(event, "cuEventDestroy");
        events.remove(event);
    }

    // ---------------------------------------------------------------------------------------------- launches

    /** One kernel parameter from the source: its name, kind and element size (pointers). */
    record Param(String name, KernelArgs.Kind kind, int elementBytes) {
    }

    /** The parameter lists of the kernels the host launches, parsed from the kernel source. */
    static Map<String, List<Param>> signatures(String source) {
        if (source == null) throw new IllegalStateException("the kernel source is not on the class path");
        String flat = source.replace("\\\n", " ");
        Map<String, List<Param>> out = new HashMap<>();
        Matcher m = Pattern.compile("__global__\\s+void\\s+(?:__launch_bounds__\\([^)]*\\)\\s+)?(\\w+)\\s*\\(([^)]*)\\)").matcher(flat);
        while (m.find()) {
            List<Param> params = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                String t = p.trim().replaceAll("\\s+", " ");
                String name = t.substring(t.lastIndexOf(' ') + 1).replace("*", "");
                if (t.contains("*")) {
                    int size = t.contains("double") || t.contains("long long") ? 8 : t.contains("float") || t.contains("int") ? 4 : 0;
                    params.add(new Param(name, KernelArgs.Kind.POINTER, size));
                } else if (t.contains("rg_cuda_config")) {
                    params.add(new Param(name, KernelArgs.Kind.STRUCT, FusedLayout.CONFIG_BYTES));
                } else if (t.contains("rg_rnn_cuda_config")) {
                    params.add(new Param(name, KernelArgs.Kind.STRUCT, RnnLayout.CONFIG_BYTES));
                } else if (t.startsWith("int ") || t.startsWith("const int ")) {
                    params.add(new Param(name, KernelArgs.Kind.INT, 4));
                } else {
                    throw new IllegalStateException("unknown kernel parameter type: " + t);
                }
            }
            // both training macros name their kernel NAME: tell them apart by their config struct
            boolean recurrent = params.stream().anyMatch(q -> q.kind() == KernelArgs.Kind.STRUCT && q.elementBytes() == RnnLayout.CONFIG_BYTES
                    && RnnLayout.CONFIG_BYTES != FusedLayout.CONFIG_BYTES);
            out.put(m.group(1).equals("NAME") && recurrent ? "RNN_NAME" : m.group(1), params);
        }
        // the placement variants come from one macro: its parameter list is theirs
        List<Param> train = out.remove("NAME");
        if (train == null) throw new IllegalStateException("no RG_TRAIN_KERNEL macro in the kernel source");
        for (FusedLayout.Placement p : FusedLayout.Placement.values()) out.put(p.kernelName(), train);
        List<Param> rnn = out.remove("RNN_NAME");
        if (rnn != null) {
            for (FusedLayout.Placement p : new FusedLayout.Placement[] {FusedLayout.Placement.ON_CHIP, FusedLayout.Placement.ALL_GLOBAL}) {
                out.put(p.kernelName().replace("mlp_", "rnn_"), rnn);
            }
        }
        return out;
    }

    /** The config's int field {@code i} (after the five doubles), as rg_cuda_config orders them. */
    private static int cfg(byte[] c, int i) {
        return ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).getInt(40 + 4 * i);
    }

    private static final int DEPTH = 0, LAYERS = 1, SAMPLES = 4, LDP = 5, MAX_STEPS = 6, TRACE_LEN = 9, STRIDE = 10,
            TEAM_THREADS = 12, TEAMS_PER_BLOCK = 13, SHARED_FLOATS = 14, TEAM_FLOATS = 15, SCRATCH_FLOATS = 16, PLACE = 17,
            FIN = FusedLayout.CONFIG_SCALAR_INTS, FOUT = FIN + FusedLayout.MAX_DEPTH + 1;

    @Override
    public void launch(String kernel, int grid, int blockThreads, int sharedBytes, long stream, KernelArgs args) {
        List<Param> sig = signatures.get(kernel);
        if (sig == null) throw new ContractViolation("cuLaunchKernel: no kernel " + kernel + " in the module");
        List<KernelArgs.Arg> list = args.list();
        if (list.size() != sig.size()) {
            throw new ContractViolation(kernel + ": " + list.size() + " arguments for " + sig.size() + " parameters");
        }
        Map<String, KernelArgs.Arg> byName = new HashMap<>();
        for (int i = 0; i < sig.size(); i++) {
            Param p = sig.get(i);
            KernelArgs.Arg a = list.get(i);
            if (a.kind() != p.kind() || a.size() != (p.kind() == KernelArgs.Kind.STRUCT ? p.elementBytes() : a.size())) {
                throw new ContractViolation(kernel + " argument " + i + " (" + p.name() + "): a " + a.kind() + " of " + a.size()
                        + " bytes where the kernel takes a " + p.kind() + (p.kind() == KernelArgs.Kind.STRUCT ? " of " + p.elementBytes() + " bytes" : ""));
            }
            byName.put(p.name(), a);
        }
        if (grid < 1 || grid > 65_535 * 32_768) throw new ContractViolation(kernel + ": grid of " + grid + " blocks");
        if (blockThreads < 1 || blockThreads > 1024) throw new ContractViolation(kernel + ": blocks of " + blockThreads + " threads");
        if (sharedBytes > limits.sharedPerBlockOptin()) {
            throw new ContractViolation(kernel + ": " + sharedBytes + " bytes of shared memory, over the device's " + limits.sharedPerBlockOptin());
        }
        byte[] c = byName.get("c").bytes();
        Map<String, Long> need = new HashMap<>();
        int count = (int) byName.get("count").value();
        if (count < 0) throw new ContractViolation(kernel + ": count " + count);
        String mode;
        if (kernel.equals("philox_init")) {
            mode = "init";
            need.put("seeds", 8L * count);
            need.put("scales", 8L * count);
            need.put("params", 4L * count * cfg(c, STRIDE));
        } else {
            checkTeamLaunch(kernel, c, grid, blockThreads, sharedBytes);
            int ldp = cfg(c, LDP), depth = cfg(c, DEPTH);
            need.put("x", 4L * cfg(c, FIN) * ldp);
            need.put("params", 4L * count * cfg(c, STRIDE));
            need.put("scratch", 4L * grid * cfg(c, TEAMS_PER_BLOCK) * cfg(c, SCRATCH_FLOATS));
            need.put("work", 4L);
            if (kernel.equals("mlp_forward")) {
                mode = "forward";
                int layer = (int) byName.get("layer").value();
                if (layer < 0 || layer >= depth) throw new ContractViolation("mlp_forward: layer " + layer + " of " + depth);
                need.put("out", 4L * count * cfg(c, FOUT + layer) * cfg(c, SAMPLES));
            } else {
                mode = "train";
                need.put("y", 4L * cfg(c, FOUT + depth) * ldp);
                need.put("lambdas", 4L * count * cfg(c, LAYERS));
                need.put("lrs", 8L * count);
                need.put("sched", 24L * cfg(c, MAX_STEPS));
                need.put("trace", 4L * count * cfg(c, TRACE_LEN));
                need.put("final_loss", 8L * count);
                need.put("grad_norm", 8L * count);
                need.put("steps", 4L * count);
                need.put("status", 4L * count);
                if (byName.get("kernel_every").value() > 0) {
                    need.put("kernel_rows", 4L * count);
                    need.put("kernel_trace", 4L); // at least; the rows' extent is checked when it runs
                }
            }
        }
        for (Map.Entry<String, Long> n : need.entrySet()) {
            at(byName.get(n.getKey()).value(), n.getValue(), kernel + " argument " + n.getKey());
        }
        launches++;
        log.add("launch " + kernel + " on " + stream);
        enqueue(stream, new Op(kernel, () -> run(kernel, mode, c, grid, count, byName, need)));
    }

    /** Block shape, shared memory and entry point against the config (mlp_train_fused_*, mlp_forward). */
    private void checkTeamLaunch(String kernel, byte[] c, int grid, int blockThreads, int sharedBytes) {
        int t = cfg(c, TEAM_THREADS), tpb = cfg(c, TEAMS_PER_BLOCK);
        if (blockThreads != t * tpb) {
            throw new ContractViolation(kernel + ": blocks of " + blockThreads + " threads, the config has " + tpb + " teams of " + t);
        }
        if (blockThreads > 256) throw new ContractViolation(kernel + ": " + blockThreads + " threads over the kernel's launch bound of 256");
        if (t % CudaLaunchPlan.WARP != 0) throw new ContractViolation(kernel + ": teams of " + t + " threads, not whole warps");
        long smem = 4L * (cfg(c, SHARED_FLOATS) + (long) tpb * cfg(c, TEAM_FLOATS));
        if (sharedBytes < smem) throw new ContractViolation(kernel + ": " + sharedBytes + " bytes of shared memory, the config needs " + smem);
        if (kernel.startsWith("mlp_train_fused")) {
            for (FusedLayout.Placement p : FusedLayout.Placement.values()) {
                if (p.kernelName().equals(kernel) && p.bits != cfg(c, PLACE)) {
                    throw new ContractViolation(kernel + " launched for placement bits " + cfg(c, PLACE) + " (the kernel would trap)");
                }
            }
        }
    }

    /** Runs a queued launch in the emulator on the bytes its pointers address now. */
    private void run(String kernel, String mode, byte[] c, int grid, int count, Map<String, KernelArgs.Arg> args, Map<String, Long> need) {
        Map<String, String> files = new LinkedHashMap<>();
        switch (mode) {
            case "init" -> files.putAll(Map.of("seeds", "seeds.bin", "scales", "scales.bin"));
            case "forward" -> files.putAll(Map.of("x", "x.bin", "params", "params.bin", "out", "out.bin"));
            default -> {
                for (String n : new String[] {"x", "y", "params", "lambdas", "lrs", "sched", "trace", "final_loss", "grad_norm", "steps", "status"}) {
                    files.put(n, n + ".bin");
                }
            }
        }
        Path dir = KernelEmulator.tempDir("rg-fake-cuda-");
        try {
            Files.write(dir.resolve("cfg.bin"), c);
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.write(dir.resolve(f.getValue()), read(args.get(f.getKey()).value(), need.get(f.getKey()), kernel + " " + f.getKey()));
            }
            if (!mode.equals("init")) {
                byte[] work = read(args.get("work").value(), 4, kernel + " work");
                if (ByteBuffer.wrap(work).order(ByteOrder.LITTLE_ENDIAN).getInt() != 0) {
                    throw new ContractViolation(kernel + ": the member counter is not 0 when the kernel starts (members would be skipped)");
                }
                at(args.get("scratch").value(), need.get("scratch"), kernel + " scratch");
            }
            long traceBytes = 0;
            int every = mode.equals("train") ? (int) args.get("kernel_every").value() : 0;
            if (every > 0) {
                byte[] rows = read(args.get("kernel_rows").value(), 4L * count, kernel + " kernel_rows");
                Files.write(dir.resolve("krows.bin"), rows);
                ByteBuffer r = ByteBuffer.wrap(rows).order(ByteOrder.LITTLE_ENDIAN);
                int maxRow = -1;
                for (int e = 0; e < count; e++) maxRow = Math.max(maxRow, r.getInt(4 * e));
                int steps = cfg(c, MAX_STEPS);
                long points = steps / every + 1 + (steps % every != 0 ? 1 : 0);
                traceBytes = 4L * (maxRow + 1) * cfg(c, DEPTH) * points * cfg(c, SAMPLES) * cfg(c, SAMPLES);
                Files.write(dir.resolve("ktrace.bin"), read(args.get("kernel_trace").value(), traceBytes, kernel + " kernel_trace"));
            }
            List<String> cmd = new ArrayList<>(List.of(build.binary().toAbsolutePath().toString(), mode, dir.toString()));
            if (mode.equals("init")) {
                cmd.add(Integer.toString(count));
            } else {
                cmd.addAll(List.of(Integer.toString(grid), Integer.toString(count)));
                cmd.add(Integer.toString(mode.equals("forward") ? (int) args.get("layer").value() : every));
            }
            KernelEmulator.exec(cmd);
            List<String> outs = switch (mode) {
                case "init" -> List.of("params");
                case "forward" -> List.of("out");
                default -> List.of("params", "trace", "final_loss", "grad_norm", "steps", "status");
            };
            for (String o : outs) {
                byte[] b = Files.readAllBytes(dir.resolve(o + ".bin"));
                if (b.length != need.get(o)) throw new IllegalStateException(kernel + ": emulator wrote " + b.length + " bytes of " + o);
                write(args.get(o).value(), b, kernel + " " + o);
            }
            if (every > 0) write(args.get("kernel_trace").value(), Files.readAllBytes(dir.resolve("ktrace.bin")), kernel + " kernel_trace");
            if (!mode.equals("init")) {
                // the counter as a device leaves it: past the last member
                write(args.get("work").value(), ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, count + grid).array(), "work");
            }
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        } finally {
            KernelEmulator.delete(dir);
        }
    }

    // ---------------------------------------------------------------------------------------------- CudaTrainer on this driver

    /** CudaTrainer.train with a workspace of this call only; then checks that everything was released. */
    public TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        TrainResult r;
        try (CudaWorkspace ws = workspace()) {
            r = ws.train(req, task, progress, false);
        }
        assertReleased();
        return r;
    }

    /** A workspace on this driver, as a benchmark keeps one. */
    public CudaWorkspace workspace() {
        return new CudaWorkspace(this, this, () -> { });
    }

    /** CudaTrainer's training through {@code ws}, writing into its previous result's arrays. */
    public TrainResult train(CudaWorkspace ws, TrainRequest req, Task task, ProgressListener progress) {
        return ws.train(req, task, progress, true);
    }

    /** The plan CudaTrainer makes for the request on this device. */
    public CudaLaunchPlan plan(TrainRequest req, Task task) {
        return CudaTrainer.plan(this, req, task, 0);
    }

    /** CudaTrainer.hiddenRepresentations (mlp_forward); then checks that everything was released. */
    public float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer) {
        float[] r = CudaTrainer.hiddenRepresentations(this, layout, params, members, task, layer);
        assertReleased();
        return r;
    }

    /** CudaTrainer.initialParams (philox_init); then checks that everything was released. */
    public float[] init(ParamLayout layout, long[] seeds, double[] scales) {
        float[] r = CudaTrainer.initialParams(this, layout, seeds, scales);
        assertReleased();
        return r;
    }

    // ---------------------------------------------------------------------------------------------- checks

    /** Nothing left: no device memory, page-locked buffer, stream (but the default) or event. */
    public void assertReleased() {
        List<String> left = new ArrayList<>();
        for (Allocation a : memory.values()) left.add(a.what);
        if (!hostBuffers.isEmpty()) left.add(hostBuffers.size() + " page-locked buffers");
        if (streams.size() > 1) left.add((streams.size() - 1) + " streams");
        if (!events.isEmpty()) left.add(events.size() + " events");
        if (!left.isEmpty()) throw new ContractViolation("not released: " + left);
    }

    /** Kernel launches so far. */
    public int launches() {
        return launches;
    }

    /** The most streams that had work queued at once (2: the two slots overlapped). */
    public int maxConcurrentStreams() {
        return maxConcurrentPending;
    }

    /** Launches and synchronisations in order ("launch KERNEL on S", "sync S"). */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** Device bytes allocated now. */
    public long usedBytes() {
        return used;
    }
}
