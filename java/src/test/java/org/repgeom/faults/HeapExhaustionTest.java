package org.repgeom.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.cli.Main;

/**
 * A study too large for the Java heap is one error line and exit 2 (the environment: give java more
 * memory), not the JVM's "Exception in thread main" with a trace and exit 1.
 */
class HeapExhaustionTest {

    @Test
    void aStudyTooLargeForTheHeapIsOneLine(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("wide.yaml");
        // one 4000 -> 4000 -> 2 network: 16 M parameters, 128 MB as doubles, in a 64 MiB heap
        Files.writeString(spec, Fixture.SPEC.replace("dim: 4", "dim: 4000").replace("widths: [3, 8]", "widths: [4000]")
                .replace("seeds: 2", "seeds: 1"));
        Path log = tmp.resolve("log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "run", spec.toString(), "--out",
                tmp.resolve("out").toString(), "--backend", "java", "--quiet", "--no-report", "--no-optimum")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "repgeom hangs");
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), text);
        List<String> errors = text.lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), text);
        assertTrue(errors.get(0).startsWith("error: out of memory: the Java heap (at most"), text);
        assertTrue(text.lines().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Exception in thread")), text);
    }
}
