package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;

/**
 * The study side of {@code train.kernel_every}: the files and their shapes, the last time point equal
 * to kernels.npy, the deeper layers' files, the member sample, and that chunking, checkpoints, an
 * interrupted run resumed, and shards merged all give the same trace as one uninterrupted run.
 */
class KernelTraceStudyTest {
    /** 12 members: widths 4 (one hidden layer) and 5x3 (two), 2 λ, 3 seeds; P = 4. */
    static final String SPEC = """
            name: traced
            task: {kind: hypercube, labels: 2, per_class: 1, input: {geometry: whitened, seed: 2}}
            model: {activation: [tanh], widths: [4, [5, 3]]}
            grid: {seeds: 3, lambda: [1.0e-2, 1.0e-3]}
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 230, tol: 0.1, window: 50, trace_every: 10, kernel_every: 40%s}
            """;
    static final List<String> TRACE_FILES = List.of("kernel_trace.npy", "kernel_trace_layer1.npy", "kernel_trace_steps.npy",
            "kernel_trace_members.npy");

    private static StudyRunner runner(String sample) {
        return new StudyRunner(StudySpec.parse(SPEC.formatted(sample), null, "traced"), new JavaBackend(2));
    }

    private static StudyRunner.Outcome run(StudyRunner r, Path out, StudyRunner.Options o) throws Exception {
        return r.run(out, null, o, n -> ProgressListener.NONE);
    }

    @Test
    void filesShapesAndTheLastPointIsTheFinalKernel(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        StudyRunner.Outcome o = run(runner(""), out, new StudyRunner.Options(false, false, Shard.WHOLE, 5));
        NpyArray trace = Npy.read(out.resolve("kernel_trace.npy")), layer1 = Npy.read(out.resolve("kernel_trace_layer1.npy"));
        NpyArray steps = Npy.read(out.resolve("kernel_trace_steps.npy")), ids = Npy.read(out.resolve("kernel_trace_members.npy"));
        NpyArray kernels = Npy.read(out.resolve("kernels.npy"));
        // steps 0, 40, …, 200 and the end, 230
        assertArrayEquals(new double[] {0, 40, 80, 120, 160, 200, 230}, steps.data());
        assertArrayEquals(new int[] {12, 7, 4, 4}, trace.shape());
        assertArrayEquals(trace.shape(), layer1.shape());
        for (int i = 0; i < 12; i++) assertEquals(i, ids.data()[i]);
        assertTrue(Files.readString(out.resolve("manifest.json")).contains("kernel_trace_layer1.npy"), "hashed in the manifest");
        List<MemberRecord> members = o.members();
        int pp = 16, block = 7 * pp;
        boolean someStoppedEarly = false;
        for (int m = 0; m < 12; m++) {
            // the last time point is the member's row of kernels.npy, bit for bit
            for (int i = 0; i < pp; i++) assertEquals(kernels.data()[m * pp + i], trace.data()[m * block + 6 * pp + i], 0.0);
            // every point from the final step on repeats it
            int from = (members.get(m).steps() + 39) / 40;
            if (members.get(m).steps() < 230) someStoppedEarly = true;
            for (int k = Math.min(from, 6); k < 7; k++) {
                for (int i = 0; i < pp; i++) assertEquals(trace.data()[m * block + 6 * pp + i], trace.data()[m * block + k * pp + i], 0.0);
            }
            // the kernel moves during training
            assertFalse(Arrays.equals(Arrays.copyOfRange(trace.data(), m * block, m * block + pp),
                    Arrays.copyOfRange(trace.data(), m * block + 6 * pp, m * block + 7 * pp)), "member " + m + " learns");
            // layer 1 of the one-layer members is their only (last) layer; of the two-layer ones a 5-unit layer
            boolean deep = m >= 6;
            double[] l1 = Arrays.copyOfRange(layer1.data(), m * block, (m + 1) * block);
            double[] last = Arrays.copyOfRange(trace.data(), m * block, (m + 1) * block);
            assertEquals(!deep, Arrays.equals(l1, last), "member " + m + ": layer 1 file");
            for (double v : l1) assertTrue(Double.isFinite(v));
        }
        assertTrue(someStoppedEarly, "the stop rule stops some members before the budget");
    }

    @Test
    void chunksCheckpointsResumeAndShardsGiveTheSameTrace(@TempDir Path tmp) throws Exception {
        Path whole = tmp.resolve("whole");
        run(runner(""), whole, new StudyRunner.Options(false, false, Shard.WHOLE, 12));
        // chunks of 5 with checkpoints every 30 steps, interrupted after the first member of a later chunk stops
        Path out = tmp.resolve("out");
        int[] reported = {0};
        StudyRunner r = runner("");
        assertThrows(IllegalStateException.class, () -> r.run(out, null, new StudyRunner.Options(false, false, Shard.WHOLE,
                5, 30), n -> k -> {
                    reported[0] += k;
                    if (reported[0] > 6) throw new IllegalStateException("killed");
                }));
        assertTrue(Files.isDirectory(tmp.resolve("out.incomplete")), "an unfinished run to resume");
        run(runner(""), out, new StudyRunner.Options(false, true, Shard.WHOLE, null));
        assertSameTrace(whole, out);
        // shards merged
        Path spec = tmp.resolve("traced.yaml");
        Files.writeString(spec, SPEC.formatted(""));
        for (int i = 0; i < 2; i++) {
            runner("").run(tmp.resolve("sharded"), spec, new StudyRunner.Options(false, false, new Shard(i, 2), 5),
                    n -> ProgressListener.NONE);
        }
        StudyMerge.merge(List.of(tmp.resolve("sharded" + new Shard(0, 2).directorySuffix()),
                tmp.resolve("sharded" + new Shard(1, 2).directorySuffix())), tmp.resolve("merged"), false);
        assertSameTrace(whole, tmp.resolve("merged"));
    }

    private static void assertSameTrace(Path a, Path b) throws Exception {
        for (String f : TRACE_FILES) assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        assertArrayEquals(Files.readAllBytes(a.resolve("kernels.npy")), Files.readAllBytes(b.resolve("kernels.npy")));
    }

    @Test
    void aSampleSpreadOverTheConfigurations(@TempDir Path tmp) throws Exception {
        // 4 configurations x 3 seeds; 6 members: seed 0 of every configuration, then seed 1 of configurations 0 and 2
        KernelTraceSample s = new KernelTraceSample(12, 3, 6);
        assertArrayEquals(new int[] {0, 1, 3, 6, 7, 9}, s.ids());
        assertEquals(12, new KernelTraceSample(12, 3, 0).count());
        assertEquals(12, new KernelTraceSample(12, 3, 50).count());
        // fewer than the configurations: evenly spaced, seed 0
        assertArrayEquals(new int[] {0, 6}, new KernelTraceSample(12, 3, 2).ids());
        for (int m = 1; m <= 12; m++) {
            int[] ids = new KernelTraceSample(12, 3, m).ids();
            assertEquals(m, ids.length);
            Set<Integer> configs = new HashSet<>();
            for (int id : ids) configs.add(id / 3);
            assertEquals(Math.min(m, 4), configs.size(), m + " members cover min(m, C) configurations");
        }
        Path out = tmp.resolve("out");
        run(runner(", kernel_trace_members: 6"), out, new StudyRunner.Options(false, false, Shard.WHOLE, 5));
        assertArrayEquals(new double[] {0, 1, 3, 6, 7, 9}, Npy.read(out.resolve("kernel_trace_members.npy")).data());
        NpyArray trace = Npy.read(out.resolve("kernel_trace.npy")), kernels = Npy.read(out.resolve("kernels.npy"));
        assertEquals(6, trace.dim(0));
        for (int row = 0; row < 6; row++) {
            int id = new int[] {0, 1, 3, 6, 7, 9}[row];
            for (int i = 0; i < 16; i++) assertEquals(kernels.data()[id * 16 + i], trace.data()[(row * 7 + 6) * 16 + i], 0.0);
        }
    }

    @Test
    void theDefaultChunkLeavesRoomForTheTrace() {
        StudySpec plain = StudySpec.parse(SPEC.formatted("").replace(", kernel_every: 40", "").replace("max_steps: 230",
                "max_steps: 200000"), null, "t");
        StudySpec traced = StudySpec.parse(SPEC.formatted("").replace("max_steps: 230", "max_steps: 200000")
                .replace("kernel_every: 40", "kernel_every: 10"), null, "t");
        // P = 8: a member's kernels, 2 layers x 20,001 points x 64 values, take 20 MiB read back as doubles,
        // more than a default chunk's 16 MiB: one member a chunk; without the trace, dozens
        assertTrue(StudyPlan.defaultChunkSize(plain, 2, 2, 8) > 50);
        assertEquals(1, StudyPlan.defaultChunkSize(traced, 2, 2, 8));
        StudySpec sampled = StudySpec.parse(SPEC.formatted(", kernel_trace_members: 1").replace("max_steps: 230",
                "max_steps: 200000").replace("kernel_every: 40", "kernel_every: 10"), null, "t");
        assertTrue(StudyPlan.defaultChunkSize(sampled, 2, 2, 8) > 1, "one traced member in 12: its share");
    }

    @Test
    void specValidationAndTheSizeLimit() {
        SpecException e = assertThrows(SpecException.class, () -> StudySpec.parse(SPEC.formatted("").replace("kernel_every: 40",
                "kernel_every: -1"), null, "t"));
        assertTrue(e.getMessage().contains("kernel_every"), e.getMessage());
        e = assertThrows(SpecException.class, () -> StudySpec.parse(SPEC.formatted(", kernel_trace_members: 0"), null, "t"));
        assertTrue(e.getMessage().contains("kernel_trace_members"), e.getMessage());
        e = assertThrows(SpecException.class, () -> StudySpec.parse(SPEC.formatted("").replace(", kernel_every: 40", "")
                .replace("trace_every: 10", "trace_every: 10, kernel_trace_members: 3"), null, "t"));
        assertTrue(e.getMessage().contains("needs train.kernel_every"), e.getMessage());
        assertEquals(0, StudySpec.parse(SPEC.formatted("").replace(", kernel_every: 40", ""), null, "t").train().kernelEvery());
        // 12 members x 2 layers x 5,000,001 points x 16 floats is over 4 GiB: refused before anything is written
        e = assertThrows(SpecException.class, () -> new StudyRunner(StudySpec.parse(SPEC.formatted("")
                .replace("max_steps: 230", "max_steps: 5000000").replace("kernel_every: 40", "kernel_every: 1"), null, "t"),
                new JavaBackend(1)));
        assertTrue(e.getMessage().startsWith("train.kernel_every") && e.getMessage().contains("GiB limit"), e.getMessage());
        // a kernel trace on a backend without one is refused
        e = assertThrows(SpecException.class, () -> new StudyRunner(StudySpec.parse(SPEC.formatted(""), null, "t"),
                new org.repgeom.backend.Backend() {
                    public String name() {
                        return "plain";
                    }

                    public org.repgeom.backend.TrainResult train(org.repgeom.backend.TrainRequest r, org.repgeom.task.Task t,
                                                                 ProgressListener p) {
                        throw new AssertionError();
                    }
                }));
        assertTrue(e.getMessage().contains("does not record kernel traces"), e.getMessage());
    }
}
