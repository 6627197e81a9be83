package org.repgeom.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.study.ChunkFiles;
import org.repgeom.study.Shard;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;

/**
 * Byte flips in every kind of file a study writes: resume retrains a damaged chunk (saying so) and
 * ends identical to an uninterrupted run; a damaged final file, shard or task is refused naming
 * it; nothing outside the output directory changes.
 */
class CorruptionTest {
    @TempDir
    static Path shared;
    static Path reference;

    @BeforeAll
    static void uninterrupted() throws Exception {
        Path spec = shared.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        reference = shared.resolve("reference");
        Fixture.Result r = Fixture.run(spec, reference, "--chunk-size", "1");
        assertEquals(0, r.code(), r.err());
    }

    /** A run stopped (as by a crash) after {@code chunks} chunks were written: DIR.incomplete with those chunks. */
    static Path crashedAfter(Path tmp, int chunks) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Path out = tmp.resolve("out");
        AtomicInteger done = new AtomicInteger();
        StudyRunner runner = new StudyRunner(StudySpec.load(spec), new JavaBackend());
        ProgressListener crash = n -> {
            if (done.addAndGet(n) > chunks) throw new IllegalStateException("simulated crash");
        };
        assertThrows(IllegalStateException.class, () -> runner.run(out, spec,
                new StudyRunner.Options(false, false, Shard.WHOLE, 1), n -> crash));
        assertTrue(Files.isDirectory(tmp.resolve("out.incomplete")));
        return out;
    }

    /**
     * A finished study damaged since it was written is refused by every command that reads it (exit 2, one line
     * naming the file), before anything is computed or written: an analysis of a cut-short copy would be wrong
     * without a sign of it. The undamaged study is analysed as before.
     */
    @ParameterizedTest
    @ValueSource(strings = {"members.csv", "kernels.npy", "params_group0.npy", "Y.npy", "summary.json"})
    void aDamagedFinishedStudyIsRefusedByEveryCommandThatReadsIt(String file, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        copyTree(reference, out);
        Fixture.flip(out.resolve(file), -2);
        Map<String, String> before = Fixture.tree(tmp);
        String[][] commands = {{"analyze", out.toString(), "--quiet"}, {"report", out.toString()},
                {"landscape", out.toString(), "--quiet", "--no-optimum"}};
        for (String[] command : commands) {
            Fixture.cli(command).assertRefused(out.resolve(file).toString(), "does not match its SHA-256");
            assertEquals(before, Fixture.tree(tmp), command[0] + ": a refusal changes nothing");
        }
        Fixture.flip(out.resolve(file), -2); // undone: the same bytes as written
        for (String[] command : commands) assertEquals(0, Fixture.cli(command).code(), command[0]);
        assertTrue(Files.isRegularFile(out.resolve("analysis/metrics.csv")) && Files.isRegularFile(out.resolve("landscape.csv")));
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(from.relativize(p).toString()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {ChunkFiles.MEMBERS, ChunkFiles.PARAMS, ChunkFiles.KERNELS, ChunkFiles.CURVES})
    void aFlippedByteInAChunkFileIsRetrainedOnResume(String file, @TempDir Path tmp) throws Exception {
        Path out = crashedAfter(tmp, 2);
        Path work = tmp.resolve("out.incomplete");
        Fixture.flip(ChunkFiles.dir(work, 1).resolve(file), -3);
        Map<String, String> outside = Fixture.tree(tmp, "out", "out.incomplete");
        Fixture.Result r = Fixture.run(tmp.resolve("spec.yaml"), out, "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("chunk 1: ") && r.err().contains(file) && r.err().contains("training it again"), r.err());
        Fixture.assertSameResults(reference, out);
        assertEquals(outside, Fixture.tree(tmp, "out", "out.incomplete"), "nothing outside the study changed");
    }

    @Test
    void aFlippedByteInACheckpointTrainsTheChunkFromItsStart(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Path out = tmp.resolve("out");
        StudyRunner runner = new StudyRunner(StudySpec.load(spec), new JavaBackend());
        ProgressListener crash = n -> {
            throw new IllegalStateException("simulated crash in the last segment");
        };
        assertThrows(IllegalStateException.class, () -> runner.run(out, spec,
                new StudyRunner.Options(false, false, Shard.WHOLE, 2, 300), n -> crash));
        Path checkpoint = tmp.resolve("out.incomplete").resolve("checkpoints").resolve("c0000000.state");
        assertTrue(Files.exists(checkpoint));
        Fixture.flip(checkpoint, -9);
        Fixture.Result r = Fixture.run(spec, out, "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("does not match its SHA-256") && r.err().contains("from its start"), r.err());
        Fixture.assertSameResults(reference, out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"X.npy", "Y.npy"})
    void aDamagedTaskFileIsWrittenAgainFromTheSpec(String file, @TempDir Path tmp) throws Exception {
        Path out = crashedAfter(tmp, 1);
        Fixture.flip(tmp.resolve("out.incomplete").resolve(file), -2);
        Fixture.Result r = Fixture.run(tmp.resolve("spec.yaml"), out, "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("do not match the task hash"), r.err());
        Fixture.assertSameResults(reference, out);
    }

    @Test
    void aManifestEditedToAssembledIsAssembledProperly(@TempDir Path tmp) throws Exception {
        Path out = crashedAfter(tmp, 2);
        Path manifest = tmp.resolve("out.incomplete").resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replaceAll("\"state\"\\s*:\\s*\"training\"",
                "\"state\": \"assembled\""));
        Fixture.Result r = Fixture.run(tmp.resolve("spec.yaml"), out, "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("says it is assembled"), r.err());
        Fixture.assertSameResults(reference, out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"members.csv", "kernels.npy", "loss_curves.npy", "params_group1.npy", "groups.json",
            "summary.json", "X.npy", "spec.yaml"})
    void aFlippedByteInAFinishedStudyIsRefusedByResume(String file, @TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Path out = tmp.resolve("out");
        assertEquals(0, Fixture.run(spec, out, "--chunk-size", "1").code());
        Fixture.flip(out.resolve(file), -2);
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.run(spec, out, "--resume").assertRefused(out.resolve(file).toString(), "damaged");
        assertEquals(before, Fixture.tree(tmp), "a refusal changes nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {ChunkFiles.MEMBERS, ChunkFiles.PARAMS, ChunkFiles.KERNELS, ChunkFiles.CURVES})
    void mergeRefusesAShardWithAFlippedByte(String file, @TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Path out = tmp.resolve("out");
        for (String s : new String[] {"0/2", "1/2"}) {
            assertEquals(0, Fixture.run(spec, out, "--chunk-size", "1", "--shard", s).code());
        }
        Path shard = tmp.resolve("out.shard-1-of-2");
        Fixture.flip(ChunkFiles.dir(shard, 1).resolve(file), 70);
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.cli("merge", tmp.resolve("out.shard-0-of-2").toString(), shard.toString(), "--no-report")
                .assertRefused(file, "does not match its SHA-256");
        assertEquals(before, Fixture.tree(tmp), "a refused merge writes nothing");
        assertFalse(Files.exists(out));
    }

    @Test
    void mergedShardsEqualTheUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Path out = tmp.resolve("out");
        for (String s : new String[] {"0/2", "1/2"}) {
            assertEquals(0, Fixture.run(spec, out, "--chunk-size", "1", "--shard", s).code());
        }
        Fixture.Result r = Fixture.cli("merge", tmp.resolve("out.shard-0-of-2").toString(),
                tmp.resolve("out.shard-1-of-2").toString(), "--no-report");
        assertEquals(0, r.code(), r.err());
        Fixture.assertSameResults(reference, out);
        assertTrue(Files.readString(out.resolve("manifest.json"), StandardCharsets.UTF_8).contains("\"sha256\""));
    }

    @Test
    void resumingOnAnotherBackendIsRefusedUnlessAsked(@TempDir Path tmp) throws Exception {
        Path out = crashedAfter(tmp, 1);
        Path manifest = tmp.resolve("out.incomplete").resolve("manifest.json");
        // as if native had trained the finished chunk
        Files.writeString(manifest, Files.readString(manifest).replaceAll("\"backend\"\\s*:\\s*\"java\"",
                "\"backend\": \"native\""));
        assertTrue(Files.readString(manifest).contains("\"native\""), Files.readString(manifest));
        Fixture.run(tmp.resolve("spec.yaml"), out, "--resume").assertRefused("native", "--allow-backend-change");
        Fixture.Result r = Fixture.run(tmp.resolve("spec.yaml"), out, "--resume", "--allow-backend-change");
        assertEquals(0, r.code(), r.err());
    }
}
