package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.repgeom.backend.NativeKernels;

/**
 * One long chunk trained with {@code --checkpoint-every}, killed (SIGKILL) after its first
 * checkpoint and resumed, continues from the checkpoint rather than from step 0 and ends byte for
 * byte where a run without checkpoints ends; on the Java and the native backend.
 */
class CheckpointResumeTest {
    /** 24 members in one chunk, 30000 Adam steps with a decaying rate; about a second per run on the Java backend. */
    static final String SPEC = """
            name: long-chunk
            task:
              kind: hypercube
              labels: 2
              per_class: 1
              input: {geometry: whitened, seed: 3}
            model:
              activation: [relu, tanh]
              widths: [8]
            grid:
              seeds: 6
              lambda: [1.0e-2, 1.0e-3]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 30000, tol: 1.0e-9, window: 500, trace_every: 100}
            """;

    @ParameterizedTest
    @ValueSource(strings = {"java", "native"})
    void killedChunkResumesFromItsCheckpointToTheUninterruptedResult(String backend, @TempDir Path tmp) throws Exception {
        if (backend.equals("native")) {
            assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
        }
        Path spec = tmp.resolve("long.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("out"), work = tmp.resolve("out.incomplete"), checkpoints = work.resolve("checkpoints");

        Process p = CliProcess.start(List.of(), tmp.resolve("killed.log"), run(spec, out, backend, "--checkpoint-every", "1500"));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (checkpointCount(checkpoints) < 1) {
            assertTrue(p.isAlive(), "the run ended before it could be killed: " + Files.readString(tmp.resolve("killed.log")));
            assertTrue(System.nanoTime() < deadline, "no checkpoint within 60 s");
            Thread.sleep(2);
        }
        p.destroyForcibly(); // SIGKILL mid-chunk
        p.waitFor();
        assertFalse(Files.exists(out));
        assertEquals(0, ResumeAfterKillTest.finishedChunks(work), "the only chunk must not have finished");

        // java resumes with the option, native without it (the checkpoint is used either way)
        String[] resume = backend.equals("java") ? run(spec, out, backend, "--checkpoint-every", "1500", "--resume")
                : run(spec, out, backend, "--resume");
        CliProcess.Result resumed = CliProcess.run(List.of(), tmp.resolve("resumed.log"), 120, resume);
        assertEquals(0, resumed.code(), resumed.output());
        assertTrue(resumed.output().matches("(?s).*chunk 0: continuing from its checkpoint at step [1-9][0-9]*.*"),
                resumed.output());
        assertFalse(Files.exists(work));
        assertFalse(Files.exists(out.resolve("checkpoints")), "checkpoints are deleted with the chunk files");

        Path reference = tmp.resolve("reference");
        CliProcess.Result ref = CliProcess.run(List.of(), tmp.resolve("reference.log"), 120, run(spec, reference, backend));
        assertEquals(0, ref.code(), ref.output());
        StudyDirs.assertSameResults(reference, out);
    }

    private static long checkpointCount(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".state")).count();
        }
    }

    private static String[] run(Path spec, Path out, String backend, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("run", spec.toString(), "--out", out.toString(),
                "--backend", backend, "--chunk-size", "24", "--quiet", "--no-report"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }
}
