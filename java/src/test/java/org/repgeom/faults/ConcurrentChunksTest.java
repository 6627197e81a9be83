package org.repgeom.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.Backend;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.NativeBackend;
import org.repgeom.backend.NativeKernels;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.io.Json;
import org.repgeom.study.Shard;
import org.repgeom.study.StudyManifest;
import org.repgeom.study.StudyOptimum;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;
import org.repgeom.task.Task;
import org.repgeom.train.TrainState;

/**
 * Several chunks training at the same time ({@link Backend#chunksAtOnce}): the results are those of one
 * chunk at a time byte for byte, the seconds stay wall time, and a chunk that fails lets the others in
 * flight be kept, so a resume finishes the study as if nothing had happened.
 */
class ConcurrentChunksTest {

    /** A backend that hands everything to {@code inner}; the tests' backends override what they watch. */
    abstract static class Delegating implements Backend {
        final Backend inner;

        Delegating(Backend inner) {
            this.inner = inner;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public TrainResult train(TrainRequest request, Task task, ProgressListener progress) {
            return inner.train(request, task, progress);
        }

        @Override
        public int chunksAtOnce(int members) {
            return inner.chunksAtOnce(members);
        }

        @Override
        public double trainingCpuSeconds() {
            return inner.trainingCpuSeconds();
        }

        @Override
        public boolean supportsSegments() {
            return inner.supportsSegments();
        }

        @Override
        public TrainState trainSegment(TrainRequest request, TrainState from, int untilStep, Task task,
                                       ProgressListener progress) {
            return inner.trainSegment(request, from, untilStep, task, progress);
        }
    }

    /**
     * The Java reference asking for {@code atOnce} chunks at a time; its {@code failAt}-th training call fails.
     * Its first two calls wait (up to a minute) for each other, so that a runner training chunks side by side
     * is seen doing so however the threads happen to be scheduled: otherwise one thread could train every
     * chunk of a small study before the others start.
     */
    static final class ConcurrentJava extends Delegating {
        private static final long MEET_SECONDS = 60;
        private final int atOnce;
        private final int failAt;
        final AtomicInteger calls;
        final Set<String> threads;
        /** Counted down by each of the first two calls; zero once two calls were in flight at the same time. */
        final CountDownLatch firstTwo;

        ConcurrentJava(int atOnce, int failAt) {
            this(atOnce, failAt, new AtomicInteger(), ConcurrentHashMap.newKeySet(), new CountDownLatch(2));
        }

        private ConcurrentJava(int atOnce, int failAt, AtomicInteger calls, Set<String> threads, CountDownLatch firstTwo) {
            super(new JavaBackend());
            this.atOnce = atOnce;
            this.failAt = failAt;
            this.calls = calls;
            this.threads = threads;
            this.firstTwo = firstTwo;
        }

        @Override
        public TrainResult train(TrainRequest request, Task task, ProgressListener progress) {
            threads.add(Thread.currentThread().getName());
            firstTwo.countDown();
            try {
                firstTwo.await(MEET_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (calls.incrementAndGet() == failAt) throw new IllegalStateException("simulated failure of one chunk");
            return inner.train(request, task, progress);
        }

        @Override
        public int chunksAtOnce(int members) {
            return atOnce;
        }

        @Override
        public Backend forConcurrentChunk(int chunksAtOnce) {
            assertEquals(atOnce, chunksAtOnce);
            return new ConcurrentJava(atOnce, failAt, calls, threads, firstTwo);
        }
    }

    /**
     * The native backend on two threads, noting at each training call how many chunks the study's manifest
     * lists (analysed and written) and how many wait as finished checkpoints; its {@code failAt}-th call fails.
     */
    static final class WatchedNative extends Delegating {
        private final Path work;
        private final int failAt;
        final java.util.List<int[]> listedAndWaiting;

        WatchedNative(Backend inner, Path work, int failAt, java.util.List<int[]> listedAndWaiting) {
            super(inner);
            this.work = work;
            this.failAt = failAt;
            this.listedAndWaiting = listedAndWaiting;
        }

        @Override
        public TrainResult train(TrainRequest request, Task task, ProgressListener progress) {
            int listed = StudyManifest.existsIn(work) ? StudyManifest.read(work).chunks().size() : 0;
            int waiting;
            try (var files = Files.list(work.resolve("checkpoints"))) {
                waiting = (int) files.filter(f -> f.getFileName().toString().endsWith(".state")).count();
            } catch (java.io.IOException e) {
                waiting = 0; // no checkpoint written yet
            }
            listedAndWaiting.add(new int[] {listed, waiting});
            if (listedAndWaiting.size() == failAt) throw new IllegalStateException("simulated failure of one chunk");
            return inner.train(request, task, progress);
        }

        @Override
        public Backend forConcurrentChunk(int chunksAtOnce) {
            return new WatchedNative(inner.forConcurrentChunk(chunksAtOnce), work, failAt, listedAndWaiting);
        }
    }

    private static Path spec(Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        return spec;
    }

    /** The fixture with 8 seeds and two activations: 4 groups whose chunks the native backend trains two at a time. */
    private static Path fourGroups(Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC.replace("seeds: 2", "seeds: 8").replace("activation: [relu]",
                "activation: [relu, tanh]"));
        return spec;
    }

    /** The results files of two runs of {@link #fourGroups}, byte for byte. */
    private static void assertSameFiles(Path expected, Path actual) throws Exception {
        for (String f : new String[] {"members.csv", "kernels.npy", "loss_curves.npy", "params_group0.npy", "params_group3.npy"}) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(expected.resolve(f)),
                    Files.readAllBytes(actual.resolve(f)), f);
        }
    }

    /** The runner `repgeom run` makes (the global optimum check adds columns to members.csv). */
    private static StudyRunner runner(Path spec, Backend backend) {
        return new StudyRunner(StudySpec.load(spec), backend).withOptimum(StudyOptimum.Settings.defaults());
    }

    private static Path reference(Path tmp, Path spec) {
        Path ref = tmp.resolve("reference");
        Fixture.Result r = Fixture.run(spec, ref, "--chunk-size", "1");
        assertEquals(0, r.code(), r.err());
        return ref;
    }

    @Test
    @SuppressWarnings("unchecked")
    void chunksTrainedAtOnceGiveTheResultsOfOneAtATimeAndWallSeconds(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path ref = reference(tmp, spec);
        Path out = tmp.resolve("out");
        ConcurrentJava backend = new ConcurrentJava(3, -1);
        long start = System.nanoTime();
        runner(spec, backend).run(out, spec, new StudyRunner.Options(false, false, Shard.WHOLE, 1),
                n -> ProgressListener.NONE);
        double wall = (System.nanoTime() - start) / 1e9;
        Fixture.assertSameResults(ref, out);
        assertEquals(4, backend.calls.get(), "one training call per chunk");
        assertEquals(0, backend.firstTwo.getCount(), "two chunks trained at the same time");
        assertTrue(backend.threads.size() >= 2, "chunks trained on several threads: " + backend.threads);
        Map<String, Object> summary = (Map<String, Object>) Json.parse(Files.readString(out.resolve("summary.json")));
        double seconds = ((Number) summary.get("seconds")).doubleValue();
        double train = ((Number) summary.get("train_seconds")).doubleValue();
        assertTrue(0 < train && train <= seconds && seconds <= wall, train + " ≤ " + seconds + " ≤ " + wall);
    }

    @Test
    void aFailingChunkKeepsTheChunksInFlightAndAResumeFinishesTheStudy(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path ref = reference(tmp, spec);
        Path out = tmp.resolve("out");
        ConcurrentJava backend = new ConcurrentJava(2, 3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> runner(spec, backend).run(out, spec, new StudyRunner.Options(false, false, Shard.WHOLE, 1), n -> ProgressListener.NONE));
        assertTrue(e.getMessage().contains("simulated failure"), e.getMessage());
        StudyManifest m = StudyManifest.read(tmp.resolve("out.incomplete"));
        // the two first chunks trained side by side; the failure came with the third call, and a fourth could
        // only have started in the instant between that call's start and its failure: every other one is kept
        assertTrue(m.chunks().size() >= 2, "the chunks trained beside the failing one are kept: " + m.chunks().keySet());
        assertEquals(backend.calls.get() - 1, m.chunks().size(), "every chunk but the failing one is listed");
        Fixture.Result r = Fixture.run(spec, out, "--resume");
        assertEquals(0, r.code(), r.err());
        Fixture.assertSameResults(ref, out);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theNativeBackendTrainsSmallChunksAtOnceWithTheSameResults(@TempDir Path tmp) throws Exception {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
        Path spec = fourGroups(tmp);
        NativeBackend two = new NativeBackend(2);
        assertEquals(2, two.chunksAtOnce(8), "chunks of 8 members train two at a time on two threads");
        assertEquals(1, two.chunksAtOnce(128), "a chunk of 4 members per lane of both threads trains alone");
        Path sequential = tmp.resolve("one-at-a-time"), concurrent = tmp.resolve("at-once");
        new StudyRunner(StudySpec.load(spec), new NativeBackend(1)).run(sequential, spec, false, ProgressListener.NONE);
        new StudyRunner(StudySpec.load(spec), two).run(concurrent, spec, false, ProgressListener.NONE);
        assertSameFiles(sequential, concurrent);
        for (Path dir : new Path[] {sequential, concurrent}) {
            Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("summary.json")));
            double cpu = ((Number) s.get("train_cpu_seconds")).doubleValue();
            assertTrue(cpu > 0 && Double.isFinite(cpu), dir + ": train_cpu_seconds " + cpu);
        }
    }

    @Test
    void trainedChunksWaitForTheirAnalysisUntilNoneIsLeftToTrain(@TempDir Path tmp) throws Exception {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
        Path spec = fourGroups(tmp);
        Path out = tmp.resolve("out"), alone = tmp.resolve("alone");
        java.util.List<int[]> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        WatchedNative watched = new WatchedNative(new NativeBackend(2), tmp.resolve("out.incomplete"), -1, seen);
        new StudyRunner(StudySpec.load(spec), watched).run(out, spec, false, ProgressListener.NONE);
        new StudyRunner(StudySpec.load(spec), new NativeBackend(1)).run(alone, spec, false, ProgressListener.NONE);

        int chunks = StudyManifest.read(out).chunks().size();
        assertTrue(chunks >= 4 && seen.size() == chunks, chunks + " chunks, " + seen.size() + " training calls");
        int mostWaiting = 0;
        for (int[] lw : seen) {
            assertEquals(0, lw[0], "no chunk is analysed and listed while chunks are left to train");
            mostWaiting = Math.max(mostWaiting, lw[1]);
        }
        // two chunks in flight at a time: the last call starts with at least chunks - 2 trained ones waiting
        assertTrue(mostWaiting >= chunks - 2, "trained chunks wait as finished checkpoints: at most " + mostWaiting);
        assertFalse(Files.exists(out.resolve("checkpoints")), "no checkpoint is left in the finished study");
        assertSameFiles(alone, out);
    }

    @Test
    void aFailureAnalysesAndListsTheChunksWaitingAndAResumeFinishesTheStudy(@TempDir Path tmp) throws Exception {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
        Path spec = fourGroups(tmp);
        Path out = tmp.resolve("out"), alone = tmp.resolve("alone"), work = tmp.resolve("out.incomplete");
        java.util.List<int[]> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        WatchedNative failing = new WatchedNative(new NativeBackend(2), work, 4, seen);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new StudyRunner(StudySpec.load(spec), failing).run(out, spec, false, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("simulated failure"), e.getMessage());
        // the three chunks trained before the failing call (and any that started beside it) are analysed and listed
        StudyManifest m = StudyManifest.read(work);
        assertEquals(seen.size() - 1, m.chunks().size(), "every chunk trained is listed: " + m.chunks().keySet());
        assertTrue(m.chunks().size() >= 3, "listed: " + m.chunks().keySet());
        new StudyRunner(StudySpec.load(spec), new NativeBackend(2)).run(out, spec,
                new StudyRunner.Options(false, true, Shard.WHOLE, null), n -> ProgressListener.NONE);
        new StudyRunner(StudySpec.load(spec), new NativeBackend(1)).run(alone, spec, false, ProgressListener.NONE);
        assertSameFiles(alone, out);
    }
}
