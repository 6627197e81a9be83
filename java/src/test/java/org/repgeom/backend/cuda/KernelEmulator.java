package org.repgeom.backend.cuda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.task.Task;

/**
 * Runs the CUDA kernels' code on the CPU through the host emulator ({@code cuda/rg_emulator.cpp},
 * built by cuda/build.sh into {@code target/cuda-emulator/rg_cuda_emu}), with the kernel arguments
 * produced by the same Java code the CUDA backend uses ({@link FusedLayout}, {@link FusedTrainingJob})
 * and exchanged as raw files.
 */
public final class KernelEmulator {
    private KernelEmulator() {
    }

    /** The emulator builds of cuda/build.sh. */
    public enum Build {
        /** Warps of one thread: any team size, reductions through memory only. */
        SINGLE_LANE("rg_cuda_emu", 1),
        /** Warps of 32 emulated lanes: the device's shuffle reductions and, for 32-thread teams, its __syncwarp path. */
        WARP32("rg_cuda_emu32", 32),
        /** WARP32 under ThreadSanitizer: a data race between the team's threads fails the run. */
        WARP32_TSAN("rg_cuda_emu32_tsan", 32),
        /** SINGLE_LANE with a*b+c contracted into fma (g++ -mfma -ffp-contract=fast), as nvcc contracts by default. */
        SINGLE_LANE_FMA("rg_cuda_emu_fma", 1),
        /** WARP32 with contraction: the closest build to a device (32-lane warps, fma). */
        WARP32_FMA("rg_cuda_emu32_fma", 32);

        private final String file;
        /** Threads per warp, as the layout must know it (reduction buffer size). */
        public final int warp;

        Build(String file, int warp) {
            this.file = file;
            this.warp = warp;
        }

        /** target/cuda-emulator/FILE, or for the default build the property {@code repgeom.cuda.emulator}. */
        public Path binary() {
            String p = this == SINGLE_LANE ? System.getProperty("repgeom.cuda.emulator") : null;
            return p != null ? Path.of(p) : Path.of("target", "cuda-emulator", file);
        }

        public boolean available() {
            return Files.isExecutable(binary());
        }

        /** A layout for this build: teams of {@code teamThreads} host threads. */
        public FusedLayout layout(TrainRequest req, Task task, int teamThreads, int teamsPerBlock,
                                  FusedLayout.Placement placement) {
            return new FusedLayout(req.architecture(), task.samples(), req.optimizer().kind(), teamThreads, warp,
                    teamsPerBlock, placement);
        }

        /** A layout of the recurrent kernel for this build (placement ON_CHIP or ALL_GLOBAL). */
        public RnnLayout rnnLayout(TrainRequest req, Task task, int teamThreads, int teamsPerBlock,
                                   FusedLayout.Placement placement) {
            return new RnnLayout(req.architecture(), task.samples(), req.optimizer().kind(), teamThreads, warp, teamsPerBlock,
                    placement);
        }

        /**
         * Trains the request in chunks of {@code chunk} members on {@code blocks} emulated blocks: mlp_train_fused,
         * or rnn_train_fused for an {@link RnnLayout}.
         */
        public TrainResult train(TrainRequest req, Task task, KernelLayout layout, int blocks, int chunk) {
            return KernelEmulator.train(this, req, task, layout, blocks, chunk);
        }

        /** mlp_forward on this build (see {@link KernelEmulator#forward}). */
        public float[] forward(FusedLayout layout, double[] params, int members, Task task, int layer, int blocks) {
            return KernelEmulator.forward(this, layout, params, members, task, layer, blocks);
        }

        /** philox_init on this build (see {@link KernelEmulator#init}). */
        public float[] init(FusedLayout layout, long[] seeds, double[] scales) {
            return KernelEmulator.init(this, layout, seeds, scales);
        }
    }

    /** The default emulator binary (property {@code repgeom.cuda.emulator} or target/cuda-emulator/rg_cuda_emu). */
    public static Path binary() {
        return Build.SINGLE_LANE.binary();
    }

    public static boolean available() {
        return Build.SINGLE_LANE.available();
    }

    /** A layout for the emulator: teams of {@code teamThreads} host threads, one "warp" per thread. */
    public static FusedLayout layout(TrainRequest req, Task task, int teamThreads, int teamsPerBlock,
                                     FusedLayout.Placement placement) {
        return Build.SINGLE_LANE.layout(req, task, teamThreads, teamsPerBlock, placement);
    }

    /** Trains the request in chunks of {@code chunk} members on {@code blocks} emulated blocks. */
    public static TrainResult train(TrainRequest req, Task task, KernelLayout layout, int blocks, int chunk) {
        return train(Build.SINGLE_LANE, req, task, layout, blocks, chunk);
    }

    private static TrainResult train(Build build, TrainRequest req, Task task, KernelLayout layout, int blocks, int chunk) {
        boolean recurrent = layout instanceof RnnLayout;
        FusedTrainingJob job = new FusedTrainingJob(req, task, layout);
        Path dir = tempDir();
        try {
            Files.write(dir.resolve("cfg.bin"), job.config());
            write(dir.resolve("x.bin"), floats(job.paddedX()));
            write(dir.resolve("y.bin"), floats(job.paddedY()));
            write(dir.resolve("sched.bin"), doubles(job.schedule()));
            // the kernel trace: rows of the whole request, each chunk's rows renumbered from 0 for the kernel
            org.repgeom.backend.KernelTraceRequest kt = req.kernelTrace();
            int[] rows = kt == null ? new int[job.members()] : kt.rows(job.members());
            if (kt == null) java.util.Arrays.fill(rows, -1);
            float[] kernels = new float[req.kernelTraceFloats(task.samples())];
            int perRow = kt == null ? 0 : (int) kt.floatsPerMember(req.architecture(), task.samples(), req.stop().maxSteps());
            for (int first = 0; first < job.members(); first += chunk) {
                int count = Math.min(chunk, job.members() - first);
                ChunkBuffers b = ChunkBuffers.allocate(job.sizes(count));
                job.packInputs(first, count, b);
                write(dir.resolve("params.bin"), b.params());
                write(dir.resolve("lambdas.bin"), b.lambdas());
                write(dir.resolve("lrs.bin"), b.lrs());
                int firstRow = -1, traced = 0;
                ByteBuffer local = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
                for (int e = first; e < first + count; e++) {
                    if (rows[e] >= 0 && firstRow < 0) firstRow = rows[e];
                    local.putInt(rows[e] >= 0 ? traced++ : -1);
                }
                write(dir.resolve("krows.bin"), local);
                // the emulator would take an output file present as the array's old content: start clean
                for (String out : new String[] {"trace.bin", "final_loss.bin", "grad_norm.bin", "steps.bin", "status.bin", "ktrace.bin"}) {
                    Files.deleteIfExists(dir.resolve(out));
                }
                if (recurrent) {
                    run(build, "rnn", dir.toString(), Integer.toString(blocks), Integer.toString(count));
                } else {
                    run(build, "train", dir.toString(), Integer.toString(blocks), Integer.toString(count),
                            Integer.toString(kt == null ? 0 : kt.every()));
                }
                if (kt != null && traced > 0) {
                    ByteBuffer k = ByteBuffer.allocate(4 * traced * perRow);
                    read(dir.resolve("ktrace.bin"), k);
                    k.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(kernels, firstRow * perRow, traced * perRow);
                }
                String[] outs = {"params.bin", null, null, "trace.bin", "final_loss.bin", "grad_norm.bin", "steps.bin", "status.bin"};
                ByteBuffer[] all = b.all();
                for (int i = 0; i < outs.length; i++) {
                    if (outs[i] != null) read(dir.resolve(outs[i]), all[i]);
                }
                job.unpackOutputs(first, count, b);
            }
            TrainResult r = job.result();
            return new TrainResult(r.params(), r.lossTrace(), r.traceLength(), r.finalLoss(), r.gradNorm(), r.steps(),
                    r.status(), kernels);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        } finally {
            delete(dir);
        }
    }

    /** mlp_forward: members × width × P floats of hidden layer {@code layer}. */
    public static float[] forward(FusedLayout layout, double[] params, int members, Task task, int layer, int blocks) {
        return forward(Build.SINGLE_LANE, layout, params, members, task, layer, blocks);
    }

    private static float[] forward(Build build, FusedLayout layout, double[] params, int members, Task task, int layer,
                                   int blocks) {
        int stride = new org.repgeom.model.ParamLayout(layout.architecture()).stride();
        Path dir = tempDir();
        try {
            Files.write(dir.resolve("cfg.bin"), layout.config(null, null));
            write(dir.resolve("x.bin"), floats(layout.pad(task.xData(), layout.architecture().inputDim())));
            float[] p = new float[members * stride];
            for (int i = 0; i < p.length; i++) p[i] = (float) params[i];
            write(dir.resolve("params.bin"), floats(p));
            run(build, "forward", dir.toString(), Integer.toString(blocks), Integer.toString(members), Integer.toString(layer));
            ByteBuffer out = ByteBuffer.allocate(4 * members * layout.architecture().width(layer) * task.samples());
            read(dir.resolve("out.bin"), out);
            float[] r = new float[out.capacity() / 4];
            out.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(r);
            return r;
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        } finally {
            delete(dir);
        }
    }

    /** philox_init: members × stride floats for the given seeds and init scales. */
    public static float[] init(FusedLayout layout, long[] seeds, double[] scales) {
        return init(Build.SINGLE_LANE, layout, seeds, scales);
    }

    private static float[] init(Build build, FusedLayout layout, long[] seeds, double[] scales) {
        int stride = new org.repgeom.model.ParamLayout(layout.architecture()).stride();
        Path dir = tempDir();
        try {
            Files.write(dir.resolve("cfg.bin"), layout.config(null, null));
            ByteBuffer s = ByteBuffer.allocate(8 * seeds.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : seeds) s.putLong(v);
            write(dir.resolve("seeds.bin"), s);
            write(dir.resolve("scales.bin"), doubles(scales));
            run(build, "init", dir.toString(), Integer.toString(seeds.length));
            ByteBuffer out = ByteBuffer.allocate(4 * seeds.length * stride);
            read(dir.resolve("params.bin"), out);
            float[] r = new float[seeds.length * stride];
            out.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(r);
            return r;
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        } finally {
            delete(dir);
        }
    }

    private static void run(Build build, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(build.binary().toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        exec(cmd);
    }

    /** Runs an emulator command line to its end (at most 300 s); a non-zero exit throws with its output. */
    static void exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] log;
        try {
            log = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("emulator timed out: " + cmd);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("emulator failed (" + p.exitValue() + "): " + new String(log) + " " + cmd);
        }
    }

    static ByteBuffer floats(float[] a) {
        ByteBuffer b = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : a) b.putFloat(v);
        return b;
    }

    static ByteBuffer doubles(double[] a) {
        ByteBuffer b = ByteBuffer.allocate(8 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : a) b.putDouble(v);
        return b;
    }

    private static void write(Path p, ByteBuffer b) throws IOException {
        byte[] a = new byte[b.capacity()];
        b.duplicate().position(0).get(a);
        Files.write(p, a);
    }

    private static void read(Path p, ByteBuffer into) throws IOException {
        byte[] a = Files.readAllBytes(p);
        if (a.length != into.capacity()) throw new IllegalStateException(p + ": " + a.length + " bytes, expected " + into.capacity());
        into.duplicate().position(0).put(a);
    }

    private static Path tempDir() {
        return tempDir("rg-cuda-emu-");
    }

    /** A fresh temporary directory for one emulator call's files. */
    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Removes an emulator call's directory and its files. */
    static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
