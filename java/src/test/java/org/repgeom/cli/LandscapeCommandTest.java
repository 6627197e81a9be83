package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.LandscapeStatistics.Configuration;
import org.repgeom.analysis.LandscapeStatistics.Landscape;
import org.repgeom.analysis.LandscapeStatistics.Options;
import org.repgeom.analysis.LandscapeStatistics.Pair;
import org.repgeom.analysis.LandscapeStatistics.Threshold;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.study.RunDirectory;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;

/**
 * {@code repgeom landscape} on a trained study: dY = 2 labels on whitened input, widths 3, 4 and 8,
 * ReLU, tanh and linear, λ = 1e-2, 12 seeds, Adam 1e-2 → 1e-6 over 60k steps on the Java reference
 * (about 2 s on two cores). What the landscape must show (docs/science.md §4.7, §5.1, §8): ReLU minima of
 * width ≥ 2·dY have 2·dY modular tuning groups and W̃1 of rank dY + 1; K* is first reached at
 * width 2·dY = 4 and never at 3; the measure-space path between two ReLU minima never rises above
 * them. And what it finds for the odd activations: linear minima are mixed-selective (the
 * rotation symmetry of the hidden layer is exact), tanh minima are <em>not</em> — trained tanh
 * neurons are tuned to single labels, centred (no 11ᵀ offset), and the measure path between two
 * tanh minima does rise above them.
 */
class LandscapeCommandTest {
    static final String SPEC = """
            name: landscape
            task:
              kind: hypercube
              labels: 2
              per_class: 1
              input: {geometry: whitened, dim: 4, seed: 1}
            model:
              activation: [relu, tanh, linear]
              widths: [3, 4, 8]
            grid:
              seeds: 12
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-4}
            train: {max_steps: 60000, tol: 1.0e-9, window: 1000, trace_every: 1000}
            """;

    @TempDir
    static Path tmp;
    static Path run;
    static Landscape landscape;

    @BeforeAll
    static void trainAndAnalyse() throws Exception {
        run = tmp.resolve("run");
        new StudyRunner(StudySpec.parse(SPEC, tmp, "landscape"), new JavaBackend()).run(run, null, false, ProgressListener.NONE);
        landscape = LandscapeCommand.compute(RunDirectory.open(run), Options.defaults());
    }

    private static Configuration config(String key) {
        return landscape.configurations().stream().filter(c -> c.key().equals(key)).findFirst().orElseThrow();
    }

    private static Threshold family(String activation) {
        return landscape.thresholds().stream().filter(t -> t.family().startsWith(activation + "|")).findFirst().orElseThrow();
    }

    @Test
    void reluMinimaHaveTwoDyModularGroupsAndRankDyPlusOne() {
        Configuration c = config("relu|w=8|lambda=0.01|lr=0.01");
        int n = c.minima();
        assertEquals(12, n);
        assertEquals(n, c.reached(), "every width-8 minimum is at K*");
        assertEquals(1.0, c.certifiedFraction());
        assertEquals(1, c.kernels().clusters(), "one kernel");
        assertEquals(Map.of(4, n), c.tuning().groupCounts(), "2·dY = 4 groups in every minimum");
        assertEquals(Map.of(4, n), c.tuning().modularRays(), "one group per label and sign");
        assertTrue(c.tuning().minSelectivity() > 0.999, "every used neuron modular: " + c.tuning().minSelectivity());
        assertEquals(0.5, c.tuning().meanOffsetShare(), 1e-3, "rays t(1 ± y_k)");
        assertEquals(Map.of(3, n), c.w1Ranks(), "rank of [W1, b] = dY + 1");
        assertEquals(Map.of(2, n), c.readoutRanks(), "readout rank dY");
        assertTrue(c.gapMax() < 1e-5, "loss gap " + c.gapMax());
    }

    @Test
    void theWidthThresholdIsTwoDy() {
        Threshold t = family("relu");
        assertEquals("theory", t.referenceKind());
        assertEquals(List.of("3", "4", "8"), t.widths());
        assertEquals(0, t.reached().get(0), "width 3 < 2·dY never reaches K*");
        assertEquals("4", t.halfWidth(), "2·dY");
        // at exactly 2·dY one seed of 12 ends in a non-global minimum (docs/science.md §3.4), which the certificate flags
        assertEquals(11, t.reached().get(1));
        assertEquals(11.0 / 12, config("relu|w=4|lambda=0.01|lr=0.01").certifiedFraction(), 1e-12);
        assertEquals("8", t.allWidth());
        assertEquals(0.0, config("relu|w=3|lambda=0.01|lr=0.01").certifiedFraction());
    }

    @Test
    void membersAreMeasuredAgainstTheCertifiedGlobalOptimum() {
        for (String w : new String[] {"3", "4", "8"}) {
            Configuration c = config("relu|w=" + w + "|lambda=0.01|lr=0.01");
            assertTrue(c.global().optimum().certified());
            assertEquals(c.referenceLoss(), c.global().optimum().loss(), 1e-10 * c.referenceLoss(), "optimum = closed form");
            assertEquals(0, c.global().belowBound());
        }
        assertEquals(0, config("relu|w=3|lambda=0.01|lr=0.01").global().atOptimum(), "width 3 < 2·dY cannot reach it");
        assertEquals(12, config("relu|w=8|lambda=0.01|lr=0.01").global().atOptimum());
        Threshold t = family("relu");
        assertEquals("4", t.globalHalfWidth());
        assertEquals(null, config("tanh|w=8|lambda=0.01|lr=0.01").global(), "tanh is not 1-homogeneous");
        assertEquals(0, LandscapeCommand.belowCertifiedOptimum(landscape));
    }

    @Test
    void reluMinimaAreConnectedAlongTheMeasurePath() {
        Configuration c = config("relu|w=8|lambda=0.01|lr=0.01");
        assertEquals(3, c.pairs().size());
        for (Pair p : c.pairs()) {
            assertTrue(p.path().relativeBarrier() <= 1e-12, "barrier " + p.path().relativeBarrier());
            assertTrue(p.path().identityResidual() < 1e-12, "chord identity " + p.path().identityResidual());
            // both are global minima, so they compute the same function (up to training precision)
            assertTrue(p.path().functionGap2() < 1e-6 * p.path().lossA(), "‖f_A − f_B‖² " + p.path().functionGap2());
        }
        // also between non-global minima of width 3: never above the larger endpoint
        for (Pair p : config("relu|w=3|lambda=0.01|lr=0.01").pairs()) {
            assertTrue(p.path().relativeBarrier() <= 1e-12, "width 3 barrier " + p.path().relativeBarrier());
        }
    }

    @Test
    void linearMinimaAreMixedTanhMinimaAreModularAndCentred() {
        Configuration lin = config("linear|w=8|lambda=0.01|lr=0.01");
        assertTrue(lin.tuning().meanSelectivity() < 0.9, "linear mean selectivity " + lin.tuning().meanSelectivity());
        assertTrue(lin.tuning().minSelectivity() < 0.7, "linear min selectivity " + lin.tuning().minSelectivity());
        assertEquals(Map.of(2, lin.minima()), lin.w1Ranks(), "odd: rank dY, no constant direction");
        assertEquals(1, lin.kernels().clusters(), "mixed neurons, one kernel");

        Configuration tanh = config("tanh|w=8|lambda=0.01|lr=0.01");
        assertTrue(tanh.tuning().minSelectivity() > 0.999, "tanh neurons single-label: " + tanh.tuning().minSelectivity());
        assertEquals(Map.of(2, tanh.minima()), tanh.tuning().groupCounts(), "dY groups up to sign");
        assertTrue(tanh.tuning().meanOffsetShare() < 1e-6, "centred: " + tanh.tuning().meanOffsetShare());
        assertEquals(Map.of(2, tanh.minima()), tanh.w1Ranks());
        assertEquals("theory", tanh.referenceKind(), "tanh with dY | width has the odd-class closed form");
        // φ is not homogeneous: the measure path between two tanh minima rises above both
        assertTrue(config("tanh|w=4|lambda=0.01|lr=0.01").maxRelativeBarrier() > 1e-3);
    }

    @Test
    void theCommandWritesJsonAndCsvAndPrintsTheTable() throws Exception {
        RunCommandTest.Result r = RunCommandTest.cli("landscape", run.toString(), "--pairs", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("every configuration: lambda=0.01, lr=0.01"), r.out());
        assertTrue(r.out().contains("Width threshold of family relu|depth=1|lambda=0.01|lr=0.01 (reference kernel: theory)"),
                r.out());
        assertTrue(r.out().contains("reach the reference kernel: half of them 4, all 8."), r.out());
        // one row per configuration in each of the four per-configuration tables
        assertTrue(r.out().matches("(?s).*\nrelu\\|w=8 .*\nrelu\\|w=8 .*\nrelu\\|w=8 .*\nrelu\\|w=8 .*"), r.out());
        for (String line : r.out().split("\n")) {
            assertTrue(line.length() <= 100, "line of " + line.length() + " characters: " + line);
        }
        String json = Files.readString(run.resolve("landscape.json"));
        assertTrue(json.contains("\"width_half_reach\": \"4\""), json);
        List<String> csv = Files.readAllLines(run.resolve("landscape.csv"));
        assertEquals(1 + 9, csv.size());
        assertTrue(csv.get(0).endsWith(",lambda1,lambda2"), csv.get(0));
        assertTrue(csv.get(1).endsWith(",0.01,0.01"), csv.get(1));
        assertFalse(Files.list(run).anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp files left");

        // --format csv / json print exactly the files, with the status line on stderr
        RunCommandTest.Result c = RunCommandTest.cli("landscape", run.toString(), "--pairs", "1", "--format", "csv");
        assertEquals(0, c.code(), c.err());
        assertEquals(Files.readString(run.resolve("landscape.csv")), c.out());
        assertTrue(c.err().contains("wrote"), c.err());
        RunCommandTest.Result j = RunCommandTest.cli("landscape", run.toString(), "--pairs", "1", "--format", "json");
        assertEquals(0, j.code(), j.err());
        assertEquals(Files.readString(run.resolve("landscape.json")).strip(), j.out().strip());
        assertTrue(j.out().startsWith("{"), j.out());
        RunCommandTest.Result f = RunCommandTest.cli("landscape", run.toString(), "--format", "xml");
        assertEquals(Main.BAD_INPUT, f.code());
        assertEquals(1, f.err().strip().lines().count(), f.err());
        assertTrue(f.err().contains("--format") && f.err().contains("xml"), f.err());

        RunCommandTest.Result bad = RunCommandTest.cli("landscape", tmp.resolve("nope").toString());
        assertEquals(Main.BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("no such study directory"), bad.err());
        assertEquals(Main.BAD_INPUT, RunCommandTest.cli("landscape", run.toString(), "--tol", "0").code());
    }

    @Test
    void deepNetworksAndOtherTasksGetNa(@TempDir Path dir) throws Exception {
        String spec = """
                name: other
                task:
                  kind: onehot
                  classes: 3
                  per_class: 2
                  input: {geometry: gaussian, dim: 5, seed: 2}
                model:
                  activation: [relu]
                  widths: [4]
                  depth: [1, 2]
                grid:
                  seeds: 2
                  lambda: [1.0e-2]
                optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
                train: {max_steps: 500, tol: 1.0e-7, window: 100, trace_every: 100}
                """;
        Path out = dir.resolve("run");
        new StudyRunner(StudySpec.parse(spec, dir, "other"), new JavaBackend()).run(out, null, false, ProgressListener.NONE);
        RunCommandTest.Result r = RunCommandTest.cli("landscape", out.toString());
        assertEquals(0, r.code(), r.err());
        Landscape l = LandscapeCommand.compute(RunDirectory.open(out), Options.defaults());
        assertEquals(2, l.configurations().size());
        for (Configuration c : l.configurations()) {
            assertEquals("best-found", c.referenceKind(), "no closed form for one-hot labels on gaussian input");
            assertTrue(Double.isNaN(c.certifiedFraction()));
            assertEquals(c.depth() == 1 ? 1 : 0, c.pairs().size(), "mode connectivity only for two-layer networks");
            assertFalse(c.tuning().groupCounts().isEmpty());
        }
        assertTrue(Files.readString(out.resolve("landscape.json")).contains("\"mode_connectivity\": null"));
        assertTrue(r.out().contains("n/a"), r.out());
    }

    /** Recurrent members (one hidden state, three weight decays) have statistics but no two-layer mode-connectivity path. */
    @Test
    void recurrentNetworksGetStatisticsWithoutPaths(@TempDir Path dir) throws Exception {
        String spec = """
                name: recurrent
                task:
                  kind: hypercube
                  labels: 2
                  per_class: 2
                  input: {geometry: gaussian, dim: 3, seed: 1}
                model: {kind: rnn, activation: [tanh, relu], widths: [4], time_steps: [3], input: every}
                grid:
                  seeds: 2
                  lambda: [1.0e-2]
                optimizer: {kind: adam, lr: 1.0e-2}
                train: {max_steps: 300, tol: 1.0e-9, window: 100, trace_every: 100}
                """;
        Path out = dir.resolve("run");
        new StudyRunner(StudySpec.parse(spec, dir, "recurrent"), new JavaBackend()).run(out, null, false, ProgressListener.NONE);
        RunCommandTest.Result r = RunCommandTest.cli("landscape", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        Landscape l = LandscapeCommand.compute(RunDirectory.open(out), Options.defaults());
        assertEquals(2, l.configurations().size());
        for (Configuration c : l.configurations()) {
            assertEquals(2, c.members());
            assertEquals(0, c.pairs().size(), "no two-layer path between recurrent members");
        }
    }
}
