package org.repgeom.study;

import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.model.Mlp;
import org.repgeom.task.Task;

/**
 * A study with held-out conditions end to end: training sees only the training samples, members.csv's
 * test loss is the model's loss on the held-out points, and an abstract configuration (ReLU, width ≥ 2·dY)
 * generalises across conditions better than a non-abstract one.
 */
class HoldoutStudyTest {
    @TempDir
    Path tmp;

    private static final String GRID = """
            model:
              activation: relu
              widths: [2, 16]
            grid:
              seeds: 3
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-4}
            train: {max_steps: 5000, tol: 1.0e-9, window: 1000, trace_every: 1000}
            """;

    /** dY = 3 hypercube, target-aligned inputs, conditions (−,−,−) and (+,+,+) held out. */
    private static final String HELD_OUT = """
            name: held
            task:
              kind: hypercube
              labels: 3
              input: {geometry: target_aligned, seed: 1}
              holdout: {classes: [0, 7]}
            """ + GRID;

    private StudyRunner.Outcome run(String name, String yaml) throws Exception {
        Path spec = tmp.resolve(name + ".yaml");
        Files.writeString(spec, yaml);
        return new StudyRunner(StudySpec.load(spec), new JavaBackend(1)).run(tmp.resolve(name), spec, false,
                ProgressListener.NONE);
    }

    private static double median(List<MemberRecord> rs, java.util.function.ToDoubleFunction<MemberRecord> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    @Test
    void heldOutConditionsAreTestedNotTrained() throws Exception {
        StudyRunner.Outcome held = run("held", HELD_OUT);
        Path dir = held.directory();
        NpyArray x = Npy.read(dir.resolve("X.npy")), xt = Npy.read(dir.resolve("X_test.npy"));
        NpyArray y = Npy.read(dir.resolve("Y.npy")), yt = Npy.read(dir.resolve("Y_test.npy"));
        assertArrayEquals(new int[] {11, 6}, x.shape(), "X.npy holds the 6 training conditions");
        assertArrayEquals(new int[] {11, 2}, xt.shape());
        assertArrayEquals(new double[] {-1, 1, -1, 1, -1, 1}, Arrays.copyOfRange(yt.data(), 0, 2 * 3), 0.0);
        assertArrayEquals(new int[] {6, 6, 6}, Npy.read(dir.resolve("kernels.npy")).shape(),
                "kernels are over the training samples");

        // test_loss is the model's own squared error on the held-out points
        Task test = new Task("test", 11, 3, 2, xt.data(), yt.data());
        RunDirectory run = RunDirectory.open(dir);
        List<MemberRecord> members = held.members();
        for (RunDirectory.Group g : run.groups()) {
            double[] params = run.params(g);
            Mlp mlp = new Mlp(g.layout(), test);
            double[] noDecay = new double[g.architecture().layerCount()];
            for (int e = 0; e < g.size(); e++) {
                double expected = mlp.loss(params, e * g.layout().stride(), noDecay, 0);
                MemberRecord r = members.get(g.memberIds()[e]);
                assertEquals(expected, r.holdout().metrics().testLoss(), 1e-12 * Math.max(1, expected));
                assertEquals(3, r.holdout().metrics().labelCcgp().length);
            }
        }

        // training saw only the training samples: the same grid on X.npy/Y.npy as an npy task trains the same members
        StudyRunner.Outcome alone = run("alone", "name: alone\ntask:\n  kind: npy\n  x: " + dir.resolve("X.npy")
                + "\n  y: " + dir.resolve("Y.npy") + "\n" + GRID);
        RunDirectory other = RunDirectory.open(alone.directory());
        for (int g = 0; g < 2; g++) {
            assertArrayEquals(run.params(run.groups().get(g)), other.params(other.groups().get(g)), 0.0,
                    "group " + g + " trained differently with held-out points in the study");
        }

        // abstract (width 16 ≥ 2·dY) vs non-abstract (width 2) on the held-out conditions
        List<MemberRecord> wide = members.stream().filter(r -> r.spec().architecture().width(0) == 16).toList();
        List<MemberRecord> narrow = members.stream().filter(r -> r.spec().architecture().width(0) == 2).toList();
        double ccgpWide = median(wide, r -> r.holdout().metrics().ccgp());
        double ccgpNarrow = median(narrow, r -> r.holdout().metrics().ccgp());
        assertTrue(ccgpWide >= 0.9, "abstract members' CCGP " + ccgpWide);
        assertTrue(ccgpWide >= ccgpNarrow + 0.2, "abstract " + ccgpWide + " vs non-abstract " + ccgpNarrow);

        // the certified optimum (two-layer relu) on the held-out points, the same for every member of a configuration
        MemberRecord first = wide.get(0);
        assertTrue(Double.isFinite(first.holdout().optimumTestLoss()), "optimum test loss missing");
        assertEquals(1.0, first.holdout().optimumCcgp(), "the optimum's representation is abstract");
        for (MemberRecord r : members) assertEquals(first.holdout().optimumTestLoss(), r.holdout().optimumTestLoss());
        assertTrue(median(wide, r -> r.holdout().optimumDistance()) < median(narrow, r -> r.holdout().optimumDistance()),
                "abstract members predict closer to the optimum");

        @SuppressWarnings("unchecked")
        Map<String, Object> c0 = (Map<String, Object>) ((List<Object>) held.summary().get("configurations")).get(0);
        assertTrue(c0.get("holdout") instanceof Map<?, ?>, "summary.json has the per-configuration hold-out block");
        assertTrue(Files.readString(dir.resolve("members.csv")).lines().findFirst().orElseThrow()
                .contains(MemberCsv.HOLDOUT_HEADER));
        String html = Files.readString(org.repgeom.report.Report.write(run).file());
        assertTrue(html.contains("<h2 id=\"holdout\">Held-out samples</h2>"), "the report has the hold-out table");
        assertEquals(2, html.split("<table class=\"metrics holdout\">")[1].split("</table>")[0].split("<tr><td>").length - 1,
                "one row per configuration");
    }

    @Test
    void chunksOfAnOlderHeaderAreReadWithEmptyHoldoutCells() {
        String old = MemberCsv.HEADER.substring(0, MemberCsv.HEADER.length() - MemberCsv.HOLDOUT_HEADER.length() - 1);
        assertEquals(MemberCsv.HOLDOUT_HEADER.split(",").length, MemberCsv.missingColumns(old));
        assertEquals(0, MemberCsv.missingColumns(MemberCsv.HEADER));
        assertEquals(-1, MemberCsv.missingColumns("id,group,nonsense"));
    }

    /**
     * A one-hot task with a class held out: its output row has no training sample, so neural collapse is measured
     * over the classes present, with their readout rows (the analysis failed on the empty class before). Checked
     * against NeuralCollapse on the member's own representation and readout restricted to those classes.
     */
    @Test
    void aHeldOutOneHotClassLeavesNeuralCollapseToTheClassesPresent() throws Exception {
        StudyRunner.Outcome o = run("onehot-held", """
                name: onehot-held
                task: {kind: onehot, classes: 4, per_class: 2, input: {geometry: whitened, seed: 2}, holdout: {classes: [2]}}
                model: {activation: relu, widths: [8]}
                grid: {seeds: 2, lambda: [1.0e-2]}
                optimizer: {kind: adam, lr: 1.0e-2}
                train: {max_steps: 2000, tol: 1.0e-9, window: 200, trace_every: 200}
                """);
        RunDirectory run = RunDirectory.open(o.directory());
        org.repgeom.report.StudyAnalysis.Outcome a = org.repgeom.report.StudyAnalysis.all(run).run();
        List<String> lines = Files.readAllLines(a.metricsCsv());
        List<String> head = RunDirectory.splitCsv(lines.get(0));
        RunDirectory.Group g = run.groups().get(0);
        double[] params = run.params(g);
        Task task = run.task();
        int[] present = {0, 1, 2}; // classes 0, 1, 3 renumbered; output rows 0, 1, 3
        int[] rows = {0, 1, 3};
        int[] classOf = new int[task.samples()];
        for (int q = 0; q < task.samples(); q++) {
            for (int k = 0; k < 3; k++) if (task.yData()[rows[k] * task.samples() + q] == 1.0) classOf[q] = present[k];
        }
        for (int e = 0; e < g.size(); e++) {
            double[] r = run.representations(g, params, e).get(0);
            int off = e * g.layout().stride(), readout = off + g.layout().weight(1), bias = off + g.layout().bias(1);
            double[] w = new double[3 * 8], b = new double[3];
            for (int k = 0; k < 3; k++) {
                System.arraycopy(params, readout + rows[k] * 8, w, k * 8, 8);
                b[k] = g.layout().bias(1) < 0 ? 0 : params[bias + rows[k]];
            }
            org.repgeom.analysis.NeuralCollapse nc = org.repgeom.analysis.NeuralCollapse.of(r, 8, classOf, 3, w,
                    g.layout().bias(1) < 0 ? null : b);
            List<String> row = RunDirectory.splitCsv(lines.get(1 + e));
            assertEquals(nc.nc1(), Double.parseDouble(row.get(head.indexOf("nc1"))), 1e-12 * Math.max(1, Math.abs(nc.nc1())));
            assertEquals(nc.nc3(), Double.parseDouble(row.get(head.indexOf("nc3"))), 1e-12 * Math.max(1, Math.abs(nc.nc3())));
        }
    }
}
