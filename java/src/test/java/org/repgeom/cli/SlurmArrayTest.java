package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example Slurm scripts on a real single-node Slurm: {@code examples/slurm/local-cluster.sh}
 * starts munged, slurmctld and slurmd (Debian's packages) in a temporary directory,
 * {@code submit.sh} queues the study as a 3-task array plus a dependent merge job, and the merged
 * directory equals an unsharded run byte for byte.
 *
 * <p>Runs only when {@code REPGEOM_SLURM_TEST=1} (it starts daemons as root, and on a machine
 * that is part of a real cluster it must not submit there) and the Slurm and munge programs are
 * installed: {@code apt-get install slurmctld slurmd slurm-client munge}. About 15 s.
 */
class SlurmArrayTest {
    static final Path SCRIPTS = Path.of("..", "examples", "slurm").toAbsolutePath().normalize();

    @Test
    void arrayJobAndMergeEqualTheUnshardedRun(@TempDir Path tmp) throws Exception {
        assumeTrue("1".equals(System.getenv("REPGEOM_SLURM_TEST")), "set REPGEOM_SLURM_TEST=1 to run against a local Slurm");
        for (String program : List.of("sbatch", "squeue", "slurmctld", "slurmd", "munged")) {
            assumeTrue(onPath(program), program + " is not installed");
        }
        Path slurm = tmp.resolve("slurm");
        Map<String, String> env = Map.of("SLURM_CONF", slurm.resolve("slurm.conf").toString(),
                "REPGEOM", String.join(" ", java(), "-cp", System.getProperty("java.class.path"), Main.class.getName()),
                "REPGEOM_RUN_OPTIONS", "--backend java --chunk-size 12");
        try {
            assertEquals(0, shell(tmp, env, 120, SCRIPTS.resolve("local-cluster.sh").toString(), "start", slurm.toString()));
            Path spec = tmp.resolve("sharded.yaml");
            Files.writeString(spec, ShardMergeTest.SPEC);
            Path out = tmp.resolve("study");
            assertEquals(0, shell(tmp, env, 60, SCRIPTS.resolve("submit.sh").toString(), spec.toString(), out.toString(),
                    "3", "--chdir=" + tmp, "--cpus-per-task=1", "--mem=500M"));
            long deadline = System.nanoTime() + 240_000_000_000L;
            while (!Files.exists(out) && System.nanoTime() < deadline) Thread.sleep(200);
            assertTrue(Files.exists(out), "the merge job did not finish; logs: " + logs(tmp));

            Path whole = tmp.resolve("whole");
            RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", whole.toString(), "--backend",
                    "java", "--chunk-size", "12", "--quiet");
            assertEquals(0, r.code(), r.err());
            StudyDirs.assertSameResults(whole, out);
            assertTrue(Files.isDirectory(tmp.resolve("study.shard-2-of-3")), "the array ran 3 shards");
        } finally {
            shell(tmp, env, 60, SCRIPTS.resolve("local-cluster.sh").toString(), "stop", slurm.toString());
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean onPath(String program) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + program + " || test -x /usr/sbin/" + program)
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static int shell(Path dir, Map<String, String> env, long timeoutSeconds, String... cmd) throws Exception {
        List<String> command = new ArrayList<>(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("shell.log").toFile()));
        pb.environment().putAll(env);
        pb.environment().put("PATH", pb.environment().getOrDefault("PATH", "") + ":/usr/sbin:/sbin");
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String logs(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                sb.append("\n== ").append(p.getFileName()).append('\n').append(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }
}
