package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code repgeom run … 2> log} started from a terminal (util-linux {@code script} gives the command a
 * pseudo-terminal) writes progress lines to the log, not carriage-return redraws; with stderr on the
 * terminal it redraws the bar.
 */
class ProgressOnTerminalTest {

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs {@code repgeom run} inside {@code script}, with {@code redirect} appended to the command line. */
    private static String runUnderTerminal(Path tmp, String name, String redirect) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, RunCommandTest.SPEC.replace("max_steps: 40000", "max_steps: 3000"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = String.join(" ", List.of(shellQuote(java), "-cp", shellQuote(System.getProperty("java.class.path")),
                Main.class.getName(), "run", shellQuote(spec.toString()), "--out", shellQuote(tmp.resolve(name).toString()),
                "--backend", "java", "--chunk-size", "2", "--no-report")) + redirect;
        Path typescript = tmp.resolve(name + ".typescript");
        ProcessBuilder pb = new ProcessBuilder("script", "-qec", cmd, typescript.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".out").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("TERM", "xterm");
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_"));
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "repgeom run under script finished");
        assertEquals(0, p.exitValue(), Files.readString(typescript, StandardCharsets.UTF_8));
        return Files.readString(typescript, StandardCharsets.UTF_8);
    }

    private static boolean scriptWorks() {
        try {
            Process p = new ProcessBuilder("script", "-qec", "true", "/dev/null").redirectErrorStream(true).start();
            p.getOutputStream().close();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void stderrToAFileGetsLinesAndOnTheTerminalABar(@TempDir Path tmp) throws Exception {
        assumeTrue(scriptWorks(), "no util-linux script here");
        Path log = tmp.resolve("log");
        runUnderTerminal(tmp, "logged", " 2> " + shellQuote(log.toString()));
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), "no redraws in the log:\n" + text);
        long lines = text.lines().filter(l -> l.contains("members") && l.startsWith("[")).count();
        assertTrue(lines >= 2, "progress lines in the log:\n" + text);
        assertTrue(text.contains("12/12 members"), text);

        String terminal = runUnderTerminal(tmp, "shown", "");
        assertTrue(terminal.contains("\r["), "the bar is redrawn on the terminal:\n" + terminal);
    }
}
