package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed options (--backend, --shard, --progress) are checked while parsing; the version is the build's. */
class CliOptionsTest {

    private static void assertUsageError(Path tmp, String option, String value, String expected) throws Exception {
        Path spec = tmp.resolve("ok.yaml");
        Files.writeString(spec, RunCommandTest.SPEC);
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", tmp.resolve("o").toString(), option, value);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(option) && r.err().contains(expected), r.err());
        assertFalse(r.err().contains("Exception"), "no Java class names in the line: " + r.err());
        assertFalse(Files.exists(tmp.resolve("o")));
        assertFalse(Files.exists(tmp.resolve("o.incomplete")));
    }

    @Test
    void badBackendShardAndProgressValuesAreUsageErrors(@TempDir Path tmp) throws Exception {
        assertUsageError(tmp, "--backend", "tpu", "unknown backend 'tpu'");
        assertUsageError(tmp, "--shard", "3/2", "shard index must be in [0, 2)");
        assertUsageError(tmp, "--shard", "half", "expected i/N");
        assertUsageError(tmp, "--progress", "sometimes", "sometimes");
        assertUsageError(tmp, "--optimum-seconds", "0", "must be positive");
    }

    @Test
    void landscapeRefusesMorePathPointsThanItCanKeep(@TempDir Path tmp) {
        // checked before the study is opened: the old code took 10^8 points and died of a full heap
        RunCommandTest.Result r = RunCommandTest.cli("landscape", tmp.resolve("study").toString(), "--path-points", "100000000");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("error: --path-points must be in 2..1001"), r.err());
    }

    @Test
    void theVersionIsTheProjectVersion() throws Exception {
        Matcher m = Pattern.compile("<artifactId>repgeom-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("..", "pom.xml")));
        assertTrue(m.find(), "the parent POM's version");
        RunCommandTest.Result r = RunCommandTest.cli("--version");
        assertEquals(0, r.code());
        assertEquals("repgeom " + m.group(1), r.out().strip());
    }

    @Test
    void progressModes() {
        assertNull(ProgressMode.NONE.interactive(Map.of()));
        assertTrue(ProgressMode.BAR.interactive(Map.of()));
        assertFalse(ProgressMode.LINES.interactive(Map.of()));
        assertFalse(ProgressMode.AUTO.interactive(Map.of("TERM", "dumb")));
        assertTrue(ProgressMode.isTerminalDevice("/dev/pts/3"));
        assertTrue(ProgressMode.isTerminalDevice("/dev/tty1"));
        assertFalse(ProgressMode.isTerminalDevice("/dev/null"));
        assertFalse(ProgressMode.isTerminalDevice("/tmp/run.log"));
        assertFalse(ProgressMode.isTerminalDevice("pipe:[12345]"));
    }
}
