package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.study.StudyManifest;

/**
 * Three shards run as three separate processes at the same time — one told by {@code --shard},
 * two by Slurm's array variables as an array job sets them — merged with {@code repgeom merge},
 * equal the unsharded run byte for byte; and merge refuses what must not be merged.
 */
class ShardMergeTest {
    /** 120 members in 10 chunks of 12. */
    static final String SPEC = """
            name: sharded
            task:
              kind: hypercube
              labels: 2
              per_class: 2
              input: {geometry: gaussian, seed: 5}
            model:
              activation: [relu, tanh]
              widths: [6, 12]
            grid:
              seeds: 15
              lambda: [1.0e-2, [1.0e-2, 1.0e-3]]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 1500, tol: 1.0e-9, window: 500, trace_every: 100}
            """;

    @Test
    void mergedShardsEqualTheUnshardedRun(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("sharded.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("study");
        // --array=1-3 numbers tasks from 1: shards 0/3 and 1/3 for task ids 1 and 2, --shard for the third
        List<Process> shards = new ArrayList<>();
        shards.add(CliProcess.start(List.of(), slurm(1, 1, 3), tmp.resolve("s0.log"), run(spec, out)));
        shards.add(CliProcess.start(List.of(), slurm(2, 1, 3), tmp.resolve("s1.log"), run(spec, out)));
        shards.add(CliProcess.start(List.of(), Map.of(), tmp.resolve("s2.log"), run(spec, out, "--shard", "2/3")));
        for (int i = 0; i < 3; i++) {
            assertTrue(shards.get(i).waitFor(120, TimeUnit.SECONDS), "shard " + i + " hangs");
            assertEquals(0, shards.get(i).exitValue(), Files.readString(tmp.resolve("s" + i + ".log")));
        }
        List<Path> dirs = List.of(tmp.resolve("study.shard-0-of-3"), tmp.resolve("study.shard-1-of-3"),
                tmp.resolve("study.shard-2-of-3"));
        for (int i = 0; i < 3; i++) {
            StudyManifest m = StudyManifest.read(dirs.get(i));
            assertEquals(StudyManifest.State.TRAINED, m.state());
            assertTrue(m.chunks().keySet().stream().allMatch(c -> c % 3 == m.shard().index()), m.chunks().toString());
        }
        assertFalse(Files.exists(out));

        // a merge without one shard, or with one twice, is refused
        RunCommandTest.Result missing = RunCommandTest.cli("merge", dirs.get(0).toString(), dirs.get(2).toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("are in no shard given"), missing.err());
        RunCommandTest.Result twice = RunCommandTest.cli("merge", dirs.get(0).toString(), dirs.get(1).toString(),
                dirs.get(2).toString(), dirs.get(1).toString());
        assertEquals(2, twice.code());
        assertTrue(twice.err().contains("overlapping member ids"), twice.err());
        assertFalse(Files.exists(out));

        RunCommandTest.Result merged = RunCommandTest.cli("merge", dirs.get(0).toString(), dirs.get(1).toString(),
                dirs.get(2).toString());
        assertEquals(0, merged.code(), merged.err());
        assertTrue(merged.out().contains("120 members from 3 shards"), merged.out());

        Path whole = tmp.resolve("whole");
        RunCommandTest.Result unsharded = RunCommandTest.cli(run(spec, whole));
        assertEquals(0, unsharded.code(), unsharded.err());
        StudyDirs.assertSameResults(whole, out);
        assertEquals(3, StudyManifest.read(out).sources().size());

        // a shard of another spec cannot join
        Path other = tmp.resolve("other.yaml");
        Files.writeString(other, SPEC.replace("seed: 5", "seed: 6"));
        RunCommandTest.Result foreignRun = RunCommandTest.cli(run(other, tmp.resolve("x"), "--shard", "1/3"));
        assertEquals(0, foreignRun.code(), foreignRun.err());
        RunCommandTest.Result foreign = RunCommandTest.cli("merge", dirs.get(0).toString(),
                tmp.resolve("x.shard-1-of-3").toString(), dirs.get(2).toString(), "--out", tmp.resolve("y").toString());
        assertEquals(2, foreign.code());
        assertTrue(foreign.err().contains("are shards of different specs"), foreign.err());
    }

    private static Map<String, String> slurm(int taskId, int min, int count) {
        return Map.of("SLURM_ARRAY_TASK_ID", Integer.toString(taskId), "SLURM_ARRAY_TASK_MIN", Integer.toString(min),
                "SLURM_ARRAY_TASK_COUNT", Integer.toString(count));
    }

    private static String[] run(Path spec, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("run", spec.toString(), "--out", out.toString(), "--backend", "java",
                "--chunk-size", "12", "--quiet"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }
}
