package org.repgeom.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.repgeom.cli.Main;
import org.repgeom.cli.RunCommandTest;
import org.repgeom.study.FileHashes;

/** What the fault tests share: a tiny study, the CLI in and out of process, tree hashes, byte flips. */
final class Fixture {
    /** Four members in chunks of one (with --chunk-size 1), a few seconds on the reference backend. */
    static final String SPEC = """
            name: faults
            task:
              kind: hypercube
              labels: 2
              per_class: 1
              input: {geometry: whitened, dim: 4, seed: 1}
            model:
              activation: [relu]
              widths: [3, 8]
            grid:
              seeds: 2
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-3}
            train: {max_steps: 1500, tol: 1.0e-9, window: 500, trace_every: 100}
            """;
    /** The final files whose bytes must equal an uninterrupted run's (summary.json and the manifest hold timings). */
    static final List<String> RESULT_FILES = List.of("members.csv", "kernels.npy", "loss_curves.npy", "params_group0.npy",
            "params_group1.npy", "groups.json", "X.npy", "Y.npy", "spec.yaml");

    private Fixture() {
    }

    record Result(int code, String out, String err) {
        String errorLine() {
            return err.lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
        }

        /** Exit 2 with exactly one error line, no stack trace, that mentions every {@code words}. */
        void assertRefused(String... words) {
            assertEquals(2, code, err);
            assertEquals(1, err.lines().filter(l -> l.startsWith("error:")).count(), err);
            assertTrue(err.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + err);
            for (String w : words) assertTrue(errorLine().contains(w), "'" + w + "' not in: " + err);
        }
    }

    /** Runs the CLI in this JVM (through {@link RunCommandTest#cli}; one at a time: it swaps System.out/err). */
    static synchronized Result cli(String... args) {
        RunCommandTest.Result r = RunCommandTest.cli(args);
        return new Result(r.code(), r.out(), r.err());
    }

    /** {@code run SPEC --out OUT --backend java --quiet --no-report --chunk-size 1} plus {@code more}. */
    static Result run(Path spec, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("run", spec.toString(), "--out", out.toString(), "--backend", "java",
                "--quiet", "--no-report"));
        a.addAll(List.of(more));
        return cli(a.toArray(String[]::new));
    }

    /** Starts repgeom in its own JVM, in {@code cwd}, output to {@code log}. */
    static Process start(Path cwd, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_"));
        return pb.start();
    }

    static Result runProcess(Path cwd, Path log, String... args) throws IOException, InterruptedException {
        Process p = start(cwd, log, args);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("repgeom did not finish: " + Files.readString(log));
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return new Result(p.exitValue(), text, text);
    }

    /**
     * SHA-256 of every file under {@code root} (links as their target text) except under the
     * excluded top-level names: the tree outside the output directory, before and after a fault.
     */
    static Map<String, String> tree(Path root, String... excluded) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<String> skip = List.of(excluded);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                Path rel = root.relativize(p);
                if (rel.toString().isEmpty() || skip.contains(rel.getName(0).toString())) continue;
                if (Files.isSymbolicLink(p)) out.put(rel.toString(), "link:" + Files.readSymbolicLink(p));
                else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) out.put(rel.toString(), FileHashes.sha256(p));
                else out.put(rel.toString(), "dir");
            }
        }
        return out;
    }

    /** Flips one bit of the byte at {@code offset} (negative: from the end). */
    static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = offset >= 0 ? offset : f.length() + offset;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
    }

    /** The result files of {@code dir} equal those of the uninterrupted {@code reference}, byte for byte. */
    static void assertSameResults(Path reference, Path dir) throws IOException {
        for (String f : RESULT_FILES) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(dir.resolve(f)), f);
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<String> tmp = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp") || n.equals(".lock")).toList();
            assertEquals(List.of(), tmp, "no temporary file in a finished directory");
        }
    }
}
