package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.repgeom.backend.NativeKernels;
import org.repgeom.study.StudyManifest;

/**
 * A run killed with SIGKILL in the middle of a study and resumed with {@code --resume} ends with
 * the same members, statuses, kernels, curves and parameters, byte for byte, as a run that was
 * never interrupted — and the resumed run trains only the chunks the killed one had not finished.
 * On the native backend the chunks of 12 members train two at a time (one per thread) and wait for their
 * analysis until none is left to train, each as a finished checkpoint: the kill comes once one waits, so it
 * catches chunks in flight side by side and chunks trained but not analysed, and the resume analyses
 * those without training them again.
 */
class ResumeAfterKillTest {
    /** 192 members in 16 chunks of 12; a few seconds on the Java backend. */
    static final String SPEC = """
            name: resumable
            task:
              kind: hypercube
              labels: 2
              per_class: 1
              input: {geometry: whitened, seed: 3}
            model:
              activation: [relu, tanh]
              widths: [8, 16]
            grid:
              seeds: 24
              lambda: [1.0e-2, 1.0e-3]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 4000, tol: 1.0e-12, window: 500, trace_every: 100}
            """;
    static final int CHUNKS = 16;

    /** The same 16 chunks of 12 for the native backend, long enough (width 64, 60,000 steps) to be killed midway. */
    static final String NATIVE_SPEC = SPEC.replace("widths: [8, 16]", "widths: [64]").replace("seeds: 24", "seeds: 48")
            .replace("max_steps: 4000", "max_steps: 60000");

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void killedRunResumesToTheUninterruptedResult(String backend, @TempDir Path tmp) throws Exception {
        if (backend.equals("native")) {
            assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
        }
        Path spec = tmp.resolve("resumable.yaml");
        Files.writeString(spec, backend.equals("java") ? SPEC : NATIVE_SPEC);
        Path out = tmp.resolve("out"), work = tmp.resolve("out.incomplete");

        boolean nativeRun = backend.equals("native");
        Process p = CliProcess.start(List.of(), tmp.resolve("killed.log"), run(spec, out, backend));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (nativeRun ? waitingChunks(work) < 1 : finishedChunks(work) < 1) {
            assertTrue(p.isAlive(), "the run ended before it could be killed: " + Files.readString(tmp.resolve("killed.log")));
            assertTrue(System.nanoTime() < deadline, "no chunk finished within 120 s");
            Thread.sleep(5);
        }
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
        p.waitFor();
        int done = finishedChunks(work), waiting = waitingChunks(work);
        assertFalse(Files.exists(out), "a killed run must not leave a finished-looking directory");
        assertTrue(done < CHUNKS && (nativeRun ? waiting >= 1 : done >= 1),
                "killed with " + done + " of " + CHUNKS + " chunks done and " + waiting + " waiting for their analysis");

        // without --resume the unfinished run is protected
        CliProcess.Result refused = CliProcess.run(List.of(), tmp.resolve("refused.log"), 60, run(spec, out, backend));
        assertEquals(2, refused.code(), refused.output());
        assertTrue(refused.output().contains("pass --resume to continue it"), refused.output());

        CliProcess.Result resumed = CliProcess.run(List.of(), tmp.resolve("resumed.log"), 120, run(spec, out, backend, "--resume"));
        assertEquals(0, resumed.code(), resumed.output());
        if (done > 0) {
            assertTrue(resumed.output().contains("resumed: " + done + " of " + CHUNKS + " chunks were already done"),
                    resumed.output());
        }
        if (nativeRun) {
            assertTrue(resumed.output().contains("trained before the interruption, analysing it from its checkpoint"),
                    "a chunk trained before the kill is analysed, not trained again: " + resumed.output());
        }
        assertFalse(Files.exists(work));

        Path reference = tmp.resolve("reference");
        CliProcess.Result ref = CliProcess.run(List.of(), tmp.resolve("reference.log"), 120, run(spec, reference, backend));
        assertEquals(0, ref.code(), ref.output());
        StudyDirs.assertSameResults(reference, out);
        assertEquals(CHUNKS, StudyManifest.read(out).chunks().size());
    }

    /** Chunks the manifest of {@code work} lists as finished (0 before it exists). */
    static int finishedChunks(Path work) {
        if (!StudyManifest.existsIn(work)) return 0;
        return StudyManifest.read(work).chunks().size();
    }

    /** Trained chunks of {@code work} waiting for their analysis: checkpoint files (the native run writes no other). */
    static int waitingChunks(Path work) throws java.io.IOException {
        Path dir = work.resolve("checkpoints");
        if (!Files.isDirectory(dir)) return 0;
        try (var files = Files.list(dir)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".state")).count();
        }
    }

    private static String[] run(Path spec, Path out, String backend, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("run", spec.toString(), "--out", out.toString(),
                "--backend", backend, "--chunk-size", "12", "--quiet"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }
}
