package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code repgeom analyze} and {@code repgeom report} from the command line, and {@code run --no-report}. */
class AnalyzeReportCommandTest {
    static final String SPEC = """
            name: cli-report
            task:
              kind: hypercube
              labels: 2
              per_class: 1
              input: {geometry: whitened, dim: 4, seed: 1}
            model:
              activation: [relu]
              widths: [6]
            grid:
              seeds: 2
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 600, tol: 1.0e-9, window: 100, trace_every: 50}
            """;

    @Test
    void runWritesTheReportUnlessToldNotToAndTheCommandsRedoIt(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, SPEC);
        Path quiet = tmp.resolve("no-report");
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", quiet.toString(), "--backend", "java",
                "--quiet", "--no-report");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(quiet.resolve("report.html")));
        assertFalse(Files.exists(quiet.resolve("analysis")));

        Path full = tmp.resolve("with-report");
        r = RunCommandTest.cli("run", spec.toString(), "--out", full.toString(), "--backend", "java", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(full.resolve("report.html")), r.out() + r.err());
        assertTrue(Files.isRegularFile(full.resolve("analysis/metrics.csv")));
        assertTrue(r.out().contains("report.html"), r.out());

        r = RunCommandTest.cli("analyze", quiet.toString(), "--metrics", "ps,pr");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("configuration") && r.out().contains("relu|w=6"), r.out());
        assertEquals("id,config,group,layer,width,status,ps,ps_max,pr",
                Files.readAllLines(quiet.resolve("analysis/metrics.csv")).get(0));
        // --format csv / json print exactly the files written, the status line on stderr
        r = RunCommandTest.cli("analyze", quiet.toString(), "--metrics", "ps,pr", "--format", "csv");
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(quiet.resolve("analysis/metrics.csv")), r.out());
        assertTrue(r.err().contains("analysis in"), r.err());
        r = RunCommandTest.cli("analyze", quiet.toString(), "--metrics", "ps,pr", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(quiet.resolve("analysis/summary.json")), r.out());
        r = RunCommandTest.cli("analyze", quiet.toString(), "--format", "TABLE");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        r = RunCommandTest.cli("report", quiet.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(quiet.resolve("report.html")));
        assertTrue(r.out().contains("figures"), r.out());
    }

    @Test
    void badInputExitsWithTwo(@TempDir Path tmp) throws Exception {
        RunCommandTest.Result r = RunCommandTest.cli("analyze", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a finished study directory"), r.err());
        r = RunCommandTest.cli("report", tmp.resolve("missing").toString());
        assertEquals(2, r.code());
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("out");
        assertEquals(0, RunCommandTest.cli("run", spec.toString(), "--out", out.toString(), "--backend", "java", "--quiet",
                "--no-report").code());
        r = RunCommandTest.cli("analyze", out.toString(), "--metrics", "ps,bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown metric 'bogus'"), r.err());
    }
}
