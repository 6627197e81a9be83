package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.GlobalComparison;
import org.repgeom.analysis.LandscapeStatistics.Configuration;
import org.repgeom.analysis.LandscapeStatistics.Landscape;
import org.repgeom.analysis.LandscapeStatistics.Options;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.study.RunDirectory;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code repgeom optimum} and the landscape against it on user data no closed form covers:
 * non-whitened Gaussian input with dX &lt; P (hypercube labels, dY = 3, P = 8) and dX ≥ P
 * (real-valued Gaussian targets). Each optimum must be certified, and no member of a 16-seed
 * ensemble trained with Adam (60k steps, 1e-2 → 1e-6) may lie below it.
 */
class OptimumCommandTest {
    @TempDir
    Path tmp;

    private static final String SPEC = """
            name: optimum-npy
            task: {kind: npy, x: X.npy, y: Y.npy}
            model:
              activation: [relu, linear]
              widths: [4, 32]
            grid:
              seeds: 16
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-4}
            train: {max_steps: 60000, tol: 1.0e-10, window: 1000, trace_every: 1000}
            """;

    private void writeTask(int dX, boolean hypercubeLabels, long seed) throws Exception {
        Random r = new Random(seed);
        int dY = hypercubeLabels ? 3 : 2, p = 8;
        double[] x = new double[dX * p];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        double[] y = new double[dY * p];
        for (int k = 0; k < dY; k++) {
            for (int q = 0; q < p; q++) y[k * p + q] = hypercubeLabels ? (((q >>> k) & 1) == 1 ? 1 : -1) : r.nextGaussian();
        }
        Npy.writeFloat64(tmp.resolve("X.npy"), new int[] {dX, p}, x);
        Npy.writeFloat64(tmp.resolve("Y.npy"), new int[] {dY, p}, y);
    }

    @SuppressWarnings("unchecked")
    private void certifiedAndNoMemberBelow(int dX, boolean hypercube) throws Exception {
        writeTask(dX, hypercube, 11 + dX);
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("opt");
        assertEquals(0, Main.execute("optimum", spec.toString(), "--out", out.toString()));
        Map<String, Object> json = new Yaml().load(Files.readString(out.resolve("optimum.json")));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) json.get("configurations");
        assertEquals(4, rows.size(), "two activations × two widths");
        for (Map<String, Object> row : rows) {
            assertEquals(Boolean.TRUE, row.get("certified"), row.toString());
            double loss = ((Number) row.get("loss")).doubleValue(), bound = ((Number) row.get("lower_bound")).doubleValue();
            assertTrue(bound <= loss && loss - bound <= 1e-8 * loss, row.toString());
            NpyArray k = Npy.read(out.resolve((String) row.get("kernel")));
            assertEquals(8, k.dim(0));
            assertNotNull(row.get("kernel_set_diameter"));
            assertTrue(((Number) row.get("width")).intValue() >= 1);
        }
        // train the ensemble and measure it against the optimum
        Path run = tmp.resolve("run");
        new StudyRunner(StudySpec.load(spec), new JavaBackend()).run(run, null, false, ProgressListener.NONE);
        Landscape l = LandscapeCommand.compute(RunDirectory.open(run), Options.defaults());
        assertEquals(0, LandscapeCommand.belowCertifiedOptimum(l));
        for (Configuration c : l.configurations()) {
            GlobalComparison g = c.global();
            assertNotNull(g, c.key());
            assertEquals(16, g.ids().length);
            assertTrue(g.gapMin() >= -GlobalComparison.BELOW_TOL, c.key() + " member below the optimum: " + g.gapMin());
            System.out.printf(Locale.ROOT, "dX=%d %-28s optimum %.9g (width %d, diameter %.1e, %.2fs) best member gap %.1e, "
                    + "at optimum %d/16, median kernel distance %.1e%n", dX, c.key(), g.optimum().loss(), g.optimum().width(),
                    g.optimum().kernelSetDiameter(), g.optimum().seconds(), g.gapMin(), g.atOptimum(), g.kernelDistanceMedian());
            if (c.key().startsWith("relu|w=32") || c.key().startsWith("linear")) {
                assertTrue(g.atOptimum() >= 1, c.key() + ": a wide network reaches the optimum");
            }
        }
        assertEquals(0, Main.execute("landscape", run.toString(), "--quiet", "--pairs", "0"));
    }

    @Test
    void gaussianInputNarrowerThanSamplesHypercubeLabels() throws Exception {
        certifiedAndNoMemberBelow(4, true);
    }

    @Test
    void gaussianInputWiderThanSamplesRealTargets() throws Exception {
        certifiedAndNoMemberBelow(10, false);
    }

    @Test
    void replacesOnlyItsOwnEarlierOutputs() throws Exception {
        Files.writeString(tmp.resolve("spec.yaml"), RunCommandTest.SPEC);
        Path out = Files.createDirectories(tmp.resolve("results"));
        Files.writeString(out.resolve("optimum.json"), "{\"my\": \"notes\"}\n");
        Files.writeString(out.resolve("thesis.tex"), "mine");
        String[] args = {"optimum", tmp.resolve("spec.yaml").toString(), "--out", out.toString()};
        RunCommandTest.Result mine = RunCommandTest.cli(args);
        assertEquals(Main.BAD_INPUT, mine.code(), mine.err());
        assertTrue(mine.err().startsWith("error: " + out.resolve("optimum.json") + ": exists and is not an earlier repgeom "
                + "optimum output"), mine.err());
        assertEquals(List.of("optimum.json", "thesis.tex"), names(out), "nothing written");
        assertEquals("{\"my\": \"notes\"}\n", Files.readString(out.resolve("optimum.json")));

        Files.delete(out.resolve("optimum.json"));
        assertEquals(0, RunCommandTest.cli(args).code());
        RunCommandTest.Result again = RunCommandTest.cli(args); // its own files are replaced
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.readString(out.resolve("optimum.json")).contains("\"format\": \"repgeom-optimum/1\""));
        assertEquals("mine", Files.readString(out.resolve("thesis.tex")));

        Path link = Files.createSymbolicLink(tmp.resolve("link"), out);
        RunCommandTest.Result linked = RunCommandTest.cli("optimum", tmp.resolve("spec.yaml").toString(), "--out", link.toString());
        assertEquals(Main.BAD_INPUT, linked.code(), linked.err());
        assertTrue(linked.err().contains("symbolic link"), linked.err());
    }

    private static List<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void badInputExitsTwo() throws Exception {
        assertEquals(2, Main.execute("optimum", tmp.resolve("missing.yaml").toString(), "--out", tmp.resolve("o").toString()));
        Files.writeString(tmp.resolve("bad.yaml"), "task: {kind: nope}\n");
        assertEquals(2, Main.execute("optimum", tmp.resolve("bad.yaml").toString(), "--out", tmp.resolve("o").toString()));
    }
}
