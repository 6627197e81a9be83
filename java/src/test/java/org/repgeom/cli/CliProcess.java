package org.repgeom.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code repgeom} in a separate JVM (this JVM's java and class path), for tests that need a
 * real process: to kill it, to cap its heap, or to run shards side by side.
 */
final class CliProcess {
    private CliProcess() {
    }

    /** What a finished process printed. */
    record Result(int code, String output) {
    }

    /** Starts {@code java [jvmOptions] org.repgeom.cli.Main args}; stdout and stderr go to {@code log}. */
    static Process start(List<String> jvmOptions, Path log, String... args) throws IOException {
        return start(jvmOptions, Map.of(), log, args);
    }

    /** As {@link #start(List, Path, String...)} with extra environment variables. */
    static Process start(List<String> jvmOptions, Map<String, String> env, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_")); // a test run inside a Slurm job stays unsharded
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs to completion (at most {@code timeoutSeconds}) and returns exit code and output. */
    static Result run(List<String> jvmOptions, Path log, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        Process p = start(jvmOptions, log, args);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("repgeom " + String.join(" ", args) + " did not finish in " + timeoutSeconds
                    + " s; output:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
