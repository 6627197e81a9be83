package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.GlobalComparison;
import org.repgeom.analysis.LandscapeStatistics;
import org.repgeom.analysis.LandscapeStatistics.Configuration;
import org.repgeom.analysis.LandscapeStatistics.Landscape;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.io.Npy;
import org.repgeom.study.MemberRecord;
import org.repgeom.study.RunDirectory;
import org.repgeom.study.StudyOptimum;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code repgeom run} measures every two-layer relu / leaky_relu / linear member against the global
 * optimum over all widths: members.csv's {@code global_gap} and {@code optimum_kernel_distance},
 * summary.json's {@code global_optimum} per configuration and {@code global_optimum_check}, the
 * report's figure — on {@code .npy} tasks with non-whitened Gaussian input (dX &lt; P with hypercube
 * labels, dX ≥ P with real-valued targets), 16 seeds each. The numbers must agree with what
 * {@code landscape} computes independently from the stored parameters, shards merged must give the
 * same files as one run, and a member below a certified bound must fail the command.
 */
class RunOptimumTest {
    private static final String SPEC = """
            name: run-optimum
            task: {kind: npy, x: X.npy, y: Y.npy}
            model:
              activation: [relu, linear, tanh]
              widths: [2, 16]
            grid:
              seeds: 16
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-4}
            train: {max_steps: 30000, tol: 1.0e-10, window: 1000, trace_every: 1000}
            """;

    /** Gaussian input (dX × P, not whitened) and hypercube labels (P = 2^dY) or Gaussian targets. */
    private static void writeTask(Path dir, int dX, int dY, boolean hypercube, long seed) throws Exception {
        Random r = new Random(seed);
        int p = hypercube ? 1 << dY : 8;
        double[] x = new double[dX * p];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        double[] y = new double[dY * p];
        for (int k = 0; k < dY; k++) {
            for (int q = 0; q < p; q++) y[k * p + q] = hypercube ? (((q >>> k) & 1) == 1 ? 1 : -1) : r.nextGaussian();
        }
        Npy.writeFloat64(dir.resolve("X.npy"), new int[] {dX, p}, x);
        Npy.writeFloat64(dir.resolve("Y.npy"), new int[] {dY, p}, y);
    }

    private static String[] run(Path spec, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("run", spec.toString(), "--out", out.toString(), "--backend", "java",
                "--chunk-size", "16", "--quiet"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** members.csv as id → row (column name → cell). */
    private static Map<Integer, Map<String, String>> rows(Path dir) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("members.csv"));
        String[] head = lines.get(0).split(",", -1);
        Map<Integer, Map<String, String>> out = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertEquals(head.length, cells.length, line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < head.length; i++) row.put(head[i], cells[i]);
            out.put(Integer.parseInt(row.get("id")), row);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(Path dir) throws Exception {
        return new Yaml().load(Files.readString(dir.resolve("summary.json")));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> optima(Map<String, Object> summary) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Object o : (List<Object>) summary.get("configurations")) {
            Map<String, Object> c = (Map<String, Object>) o;
            out.put((String) c.get("key"), (Map<String, Object>) c.get("global_optimum"));
        }
        return out;
    }

    /**
     * Every applicable row is filled and none is below the certified optimum; summary's counts,
     * fractions and thresholds are those of the rows; landscape (which re-solves and re-evaluates each
     * member's loss from its parameters) agrees member by member.
     */
    @SuppressWarnings("unchecked")
    private static void checkAgainstLandscape(Path dir, int seeds) throws Exception {
        Map<Integer, Map<String, String>> rows = rows(dir);
        Map<String, Object> summary = summary(dir);
        Map<String, Object> check = (Map<String, Object>) summary.get("global_optimum_check");
        assertEquals("passed", check.get("status"), check.toString());
        assertEquals(List.of(), check.get("below_certified_bound"));
        Map<String, Map<String, Object>> optima = optima(summary);
        Landscape l = LandscapeCommand.compute(RunDirectory.open(dir), LandscapeStatistics.Options.defaults());
        int checked = 0;
        for (Configuration c : l.configurations()) {
            Map<String, Object> g = optima.get(c.key());
            if (c.activation().equals("tanh")) {
                assertNull(g, c.key());
                assertNull(c.global());
                for (Map<String, String> row : rows.values()) {
                    if (row.get("config").equals(c.key())) assertEquals("", row.get("global_gap") + row.get("optimum_kernel_distance"));
                }
                continue;
            }
            assertNotNull(g, c.key());
            GlobalComparison lg = c.global();
            assertEquals(Boolean.TRUE, g.get("certified"), c.key());
            assertEquals(lg.optimum().loss(), ((Number) g.get("loss")).doubleValue(), 1e-12 * lg.optimum().loss(), c.key());
            int at = 0;
            for (int i = 0; i < lg.ids().length; i++) {
                Map<String, String> row = rows.get(lg.ids()[i]);
                double gap = Double.parseDouble(row.get("global_gap")), dist = Double.parseDouble(row.get("optimum_kernel_distance"));
                assertTrue(gap >= -GlobalComparison.BELOW_TOL, "member " + row.get("id") + " below the certified optimum: " + gap);
                assertEquals(lg.gaps()[i], gap, 1e-10, "global gap of member " + row.get("id"));
                assertEquals(lg.kernelDistances()[i], dist, 1e-9 * Math.max(1, dist), "kernel distance of member " + row.get("id"));
                if (gap <= LandscapeStatistics.GLOBAL_GAP_TOL) at++;
                checked++;
            }
            assertEquals(seeds, ((Number) g.get("minima")).intValue(), c.key());
            assertEquals(at, ((Number) g.get("at_optimum")).intValue(), c.key());
            assertEquals(lg.atOptimum(), at, c.key());
            assertEquals((double) at / seeds, ((Number) g.get("fraction_at_optimum")).doubleValue(), 1e-15, c.key());
            LandscapeStatistics.Threshold t = l.thresholds().stream().filter(x -> x.family().equals(c.family())).findFirst()
                    .orElseThrow();
            assertEquals(t.globalAllWidth(), g.get("width_threshold") == null ? null : g.get("width_threshold").toString(), c.key());
            assertEquals(t.globalHalfWidth(), g.get("width_threshold_half") == null ? null
                    : g.get("width_threshold_half").toString(), c.key());
        }
        assertEquals(2 * 2 * seeds, checked, "relu and linear, two widths");
    }

    @Test
    @SuppressWarnings("unchecked")
    void hypercubeLabelsOnNarrowGaussianInputShardedAndWhole(@TempDir Path tmp) throws Exception {
        writeTask(tmp, 3, 3, true, 31); // dX = 3 < P = 8
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path whole = tmp.resolve("whole");
        RunCommandTest.Result r = RunCommandTest.cli(run(spec, whole));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("global optimum: 2 of 2 global optima certified; no member below a certified bound"),
                r.out());
        String header = Files.readAllLines(whole.resolve("members.csv")).get(0);
        assertTrue(header.endsWith(",width1,global_gap,optimum_kernel_distance"), header);
        checkAgainstLandscape(whole, 16);

        // what the wide networks reach, and the narrow ones cannot
        Map<String, Map<String, Object>> optima = optima(summary(whole));
        Map<String, Object> relu16 = optima.get("relu|w=16|lambda=0.01|lr=0.01"), relu2 = optima.get("relu|w=2|lambda=0.01|lr=0.01");
        assertTrue(((Number) relu16.get("at_optimum")).intValue() >= 1, relu16.toString());
        assertEquals(0, ((Number) relu2.get("at_optimum")).intValue(), relu2.toString());
        assertTrue(((Number) ((Map<String, Object>) relu16.get("global_gap")).get("median")).doubleValue()
                < ((Number) ((Map<String, Object>) relu2.get("global_gap")).get("min")).doubleValue(), "wider is closer");
        assertTrue(((Number) relu2.get("width")).intValue() > 2, "the optimum needs more than two neurons: " + relu2);
        assertEquals(1.0, ((Number) optima.get("linear|w=16|lambda=0.01|lr=0.01").get("fraction_at_optimum")).doubleValue());

        // two shards merged: the same members.csv (optimum columns included) and summary
        for (String s : List.of("0/2", "1/2")) assertEquals(0, RunCommandTest.cli(run(spec, tmp.resolve("study"), "--shard", s)).code());
        RunCommandTest.Result merged = RunCommandTest.cli("merge", tmp.resolve("study.shard-0-of-2").toString(),
                tmp.resolve("study.shard-1-of-2").toString(), "--no-report");
        assertEquals(0, merged.code(), merged.err());
        StudyDirs.assertSameResults(whole, tmp.resolve("study"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void realTargetsOnWideGaussianInputAndTheReport(@TempDir Path tmp) throws Exception {
        writeTask(tmp, 10, 2, false, 37); // dX = 10 ≥ P = 8
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC.replace("[relu, linear, tanh]", "[relu, linear]").replace("[2, 16]", "[1, 16]"));
        Path dir = tmp.resolve("run");
        RunCommandTest.Result r = RunCommandTest.cli(run(spec, dir));
        assertEquals(0, r.code(), r.err());
        checkAgainstLandscape(dir, 16);
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("<figure id=\"fig-global-optimum\">"), "the report has the global-optimum figure");
        assertTrue(html.contains("4 of 4 configurations have a <b>certified</b> optimum"), "its caption says what was checked");
        assertTrue(html.contains("<p class=\"claim ok\"><b>Global optimum check</b>"), "the headline says it passed");

        // --no-optimum: the same columns, empty; the check says it was skipped
        Path skipped = tmp.resolve("skipped");
        RunCommandTest.Result s = RunCommandTest.cli(run(spec, skipped, "--no-optimum", "--no-report"));
        assertEquals(0, s.code(), s.err());
        for (Map<String, String> row : rows(skipped).values()) {
            assertEquals("", row.get("global_gap"));
            assertEquals("", row.get("optimum_kernel_distance"));
        }
        Map<String, Object> check = (Map<String, Object>) summary(skipped).get("global_optimum_check");
        assertEquals("skipped", check.get("status"));
        assertFalse(Files.exists(skipped.resolve("report.html")));
    }

    /**
     * A solve the time cap stops is reported as not certified, never as passed: the status and statement say so,
     * each configuration is marked {@code time_cap_hit}, and the progress line says how to give it longer.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aSolveStoppedByTheTimeCapIsNotCertified(@TempDir Path tmp) throws Exception {
        writeTask(tmp, 10, 2, false, 37);
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC.replace("[relu, linear, tanh]", "[relu]").replace("[2, 16]", "[16]")
                .replace("seeds: 16", "seeds: 2").replace("max_steps: 30000", "max_steps: 300"));
        Path dir = tmp.resolve("capped");
        List<String> args = new ArrayList<>(List.of(run(spec, dir, "--no-report", "--optimum-seconds", "1e-6")));
        args.remove("--quiet"); // the progress lines are the point
        RunCommandTest.Result r = RunCommandTest.cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("not certified") && r.err().contains("the time cap stopped it: --optimum-seconds gives it longer"),
                r.err());
        Map<String, Object> check = (Map<String, Object>) summary(dir).get("global_optimum_check");
        assertEquals("not certified", check.get("status"), check.toString());
        assertEquals(0L, ((Number) check.get("certified")).longValue());
        assertTrue(((String) check.get("statement")).startsWith("0 of 1 global optima certified"), check.toString());
        for (Map<String, Object> o : optima(summary(dir)).values()) {
            assertEquals(Boolean.TRUE, o.get("time_cap_hit"), o.toString());
            assertEquals(Boolean.FALSE, o.get("certified"), o.toString());
        }
    }

    /**
     * Unregularised configurations (λ = 0) are outside the global-optimum check (no minimiser to certify) and
     * off the report's logarithmic λ axes; a study with them beside regularised ones runs to the end (it used to
     * fail after training, in the solver and then in the report).
     */
    @Test
    @SuppressWarnings("unchecked")
    void unregularisedConfigurationsAreOutsideTheCheckAndOffTheLogAxes(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, RunCommandTest.SPEC.replace("activation: [relu, tanh]", "activation: [relu]")
                .replace("widths: [3, 8]", "widths: [8]").replace("seeds: 3", "seeds: 1")
                .replace("lambda: [1.0e-2]", "lambda: [0.0, 1.0e-3, 1.0e-2]").replace("max_steps: 40000", "max_steps: 500"));
        Path dir = tmp.resolve("run");
        RunCommandTest.Result r = RunCommandTest.cli(run(spec, dir));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> check = (Map<String, Object>) summary(dir).get("global_optimum_check");
        assertEquals(2L, ((Number) check.get("configurations")).longValue(), check.toString());
        Map<String, Map<String, Object>> optima = optima(summary(dir));
        assertEquals(3, optima.size(), optima.keySet().toString());
        for (Map.Entry<String, Map<String, Object>> o : optima.entrySet()) {
            assertEquals(o.getKey().contains("|lambda=0|"), o.getValue() == null, "an optimum exactly where λ > 0: " + o);
        }
        for (Map.Entry<Integer, Map<String, String>> row : rows(dir).entrySet()) {
            boolean unregularised = row.getValue().get("lambda1").equals("0.0");
            assertEquals(unregularised, row.getValue().get("global_gap").isEmpty(), "member " + row.getKey());
        }
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("Not drawn: the configurations with λ (first layer) = 0"), "the caption says what is missing");
    }

    /** A member below a certified lower bound fails the check: status in summary.json, exit 1, one line naming it. */
    @Test
    @SuppressWarnings("unchecked")
    void aMemberBelowTheCertifiedBoundFailsTheStudy(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("tiny.yaml"), RunCommandTest.SPEC);
        StudySpec spec = StudySpec.load(tmp.resolve("tiny.yaml"));
        StudyRunner.Outcome o = new StudyRunner(spec, new JavaBackend()).run(tmp.resolve("run"), null, false,
                ProgressListener.NONE);
        RunDirectory dir = RunDirectory.open(o.directory());
        StudyOptimum optima = new StudyOptimum(o.plan(), dir.task(), StudyOptimum.Settings.defaults(), System.err);
        List<MemberRecord> members = o.members();
        MemberRecord first = members.get(0);
        assertEquals("relu", first.spec().architecture().activation().id());
        double bound = optima.of(first.spec()).lowerBound();
        assertTrue(optima.of(first.spec()).certified());
        MemberRecord forged = new MemberRecord(first.spec(), first.group(), first.status(), first.steps(), 0.5 * bound,
                first.gradNorm(), first.geometry(), first.stopCriterion(), first.theoryForm());
        String cells = optima.cells(forged, first.geometry().kernel());
        assertTrue(Double.parseDouble(cells.split(",")[1]) < -0.49, cells);
        for (MemberRecord m : members.subList(1, members.size())) optima.cells(m, m.geometry().kernel());
        assertEquals(1, optima.violations().size());
        Map<String, Object> summary = new LinkedHashMap<>(o.summary());
        summary.put("configurations", new ArrayList<>((List<Object>) summary.get("configurations")));
        optima.annotate(summary);
        Map<String, Object> check = (Map<String, Object>) summary.get("global_optimum_check");
        assertEquals("failed", check.get("status"));
        assertEquals(0, ((Map<String, Object>) ((List<Object>) check.get("below_certified_bound")).get(0)).get("member"));

        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = OptimumOptions.exitCode(summary);
        } finally {
            System.setErr(old);
        }
        assertEquals(1, code);
        String line = err.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        assertFalse(line.contains("\n"), "one line: " + line);
        assertTrue(line.contains("member 0 (" + first.spec().configurationKey() + ")"), line);

        // the closed form of this task (whitened hypercube, relu) agrees with the solved optimum
        Map<String, Object> relu = (Map<String, Object>) ((Map<String, Object>) ((List<Object>) summary.get("configurations"))
                .get(0)).get("global_optimum");
        Map<String, Object> cf = (Map<String, Object>) relu.get("closed_form");
        assertEquals("hypercube-ray", cf.get("form"));
        assertTrue(Math.abs(((Number) cf.get("relative_loss_difference")).doubleValue()) < 1e-8, cf.toString());
        assertTrue(((Number) cf.get("kernel_distance")).doubleValue() < 1e-5, cf.toString());
        assertEquals(Boolean.TRUE, cf.get("agrees"));
    }
}
