package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.repgeom.analysis.LandscapeStatistics.Configuration;
import org.repgeom.analysis.LandscapeStatistics.Landscape;
import org.repgeom.analysis.LandscapeStatistics.MemberInput;
import org.repgeom.analysis.LandscapeStatistics.Options;
import org.repgeom.analysis.LandscapeStatistics.Threshold;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/** Bookkeeping of the landscape on members with prescribed losses, kernels and distances (no training). */
class LandscapeStatisticsTest {
    private final Task task = Tasks.hypercube(2, 1, InputSpec.of("whitened", 1));
    private final List<MemberInput> members = new ArrayList<>();

    private void add(Activation act, int width, String status, double loss, double theoryLoss, double kd,
                     String certificate, double[] kernel) {
        add(act, width, "0.01", status, loss, theoryLoss, kd, certificate, kernel);
    }

    /** A member whose λ (both layers) is {@code lambda} as the user wrote it in the key. */
    private void add(Activation act, int width, String lambda, String status, double loss, double theoryLoss, double kd,
                     String certificate, double[] kernel) {
        Architecture a = Architecture.twoLayer(task.inputDim(), width, 2, act);
        ParamLayout layout = new ParamLayout(a);
        String config = act.id() + "|w=" + width + "|lambda=" + lambda + "|lr=0.01";
        double l = Double.parseDouble(lambda);
        members.add(new MemberInput(members.size(), config, a, new double[] {l, l}, 0.01, status, loss, theoryLoss,
                kd, certificate, 3, kernel, layout, new double[layout.stride()], 0));
    }

    @Test
    void lambdaIsWrittenTheSameWayInEveryOutput() {
        for (String lambda : new String[] {"1e-4", "0.01"}) {
            add(Activation.RELU, 4, lambda, "CONVERGED", 0.1, 0.1, 1e-5, "CERTIFIED", kernel(1));
            add(Activation.RELU, 8, lambda, "CONVERGED", 0.1, 0.1, 1e-5, "CERTIFIED", kernel(1));
        }
        Landscape l = LandscapeStatistics.of(task, members, Options.defaults());
        String table = LandscapeReport.table(l), csv = LandscapeReport.csv(l);
        String json = org.repgeom.io.Json.write(LandscapeReport.json(l));
        // in every label (configuration key, family) of every output: the key's own form
        for (String out : new String[] {table, csv, json}) {
            assertTrue(out.contains("lambda=1e-4"), out);
            assertTrue(!out.contains("lambda=1.0E-4") && !out.contains("lambda=0.0001"), out);
        }
        assertTrue(table.contains("Width threshold of family relu|depth=1|lambda=1e-4|lr=0.01"), table);
        assertTrue(table.contains("\nrelu|w=4|lambda=1e-4  "), table);
        assertTrue(!table.contains("E-4") && !table.contains("0.0001"), table);
        // as a number in the machine outputs: the round-trip form, as in members.csv
        List<String> header = List.of(csv.split("\n")[0].split(","));
        List<String> row = List.of(csv.split("\n")[1].split(",", -1));
        assertEquals("1.0E-4/1.0E-4", row.get(header.indexOf("lambdas")));
        assertEquals("1.0E-4", row.get(header.indexOf("lambda1")));
        assertEquals("1.0E-4", row.get(header.indexOf("lambda2")));
        assertTrue(json.replaceAll("\\s", "").contains("\"lambdas\":[1.0E-4,1.0E-4]"), json);
    }

    private static double[] kernel(double c) {
        double[] k = new double[16];
        for (int i = 0; i < 4; i++) k[i * 4 + i] = c;
        return k;
    }

    @Test
    void thresholdsGapsAndReferences() {
        double lStar = 0.1;
        // relu with theory: width 2 never reaches K*, width 4 in 2 of 3 minima, width 8 always
        for (int s = 0; s < 3; s++) add(Activation.RELU, 2, "CONVERGED", 0.2, lStar, 0.5, "NOT_CERTIFIED", kernel(5));
        add(Activation.RELU, 4, "CONVERGED", lStar, lStar, 1e-5, "CERTIFIED", kernel(1));
        add(Activation.RELU, 4, "MAX_STEPS", 0.15, lStar, 0.3, "NOT_CERTIFIED", kernel(2));
        add(Activation.RELU, 4, "CONVERGED", lStar, lStar, 2e-5, "CERTIFIED", kernel(1));
        add(Activation.RELU, 4, "DIVERGED", Double.NaN, lStar, Double.NaN, "NOT_CERTIFIED", kernel(0));
        for (int s = 0; s < 2; s++) add(Activation.RELU, 8, "MAX_STEPS", lStar, lStar, 1e-5, "CERTIFIED", kernel(1));
        // tanh without theory: the best-found minimum (width 6) is the reference
        for (int s = 0; s < 2; s++) add(Activation.TANH, 3, "CONVERGED", 0.4, Double.NaN, Double.NaN, "NOT_CHECKED", kernel(3));
        add(Activation.TANH, 6, "CONVERGED", 0.2, Double.NaN, Double.NaN, "NOT_CHECKED", kernel(4));
        add(Activation.TANH, 6, "CONVERGED", 0.2 + 1e-9, Double.NaN, Double.NaN, "NOT_CHECKED", kernel(4.001));

        Landscape l = LandscapeStatistics.of(task, members, Options.defaults());
        assertEquals(5, l.configurations().size());
        Configuration w4 = l.configurations().get(1);
        assertEquals("relu|w=4|lambda=0.01|lr=0.01", w4.key());
        assertEquals(4, w4.members());
        assertEquals(3, w4.minima(), "the diverged member is no minimum");
        assertEquals(2, w4.reached());
        assertEquals("theory", w4.referenceKind());
        assertEquals(0.0, w4.gapMedian(), 1e-15);
        assertEquals(0.5, w4.gapMax(), 1e-12);
        assertEquals(2.0 / 3, w4.certifiedFraction(), 1e-15);
        assertEquals(2, w4.kernels().clusters(), "K* twice and 2·I once");
        assertEquals(2, w4.kernels().clusterSizes()[0], "the lowest-loss kernel leads");

        Threshold relu = l.thresholds().get(0);
        assertEquals(List.of("2", "4", "8"), relu.widths());
        assertEquals("4", relu.halfWidth());
        assertEquals("8", relu.allWidth());

        Configuration t3 = l.configurations().get(3);
        assertEquals("best-found", t3.referenceKind());
        assertEquals(0.2, t3.referenceLoss());
        assertEquals(1.0, t3.gapMedian(), 1e-12, "(0.4 − 0.2)/0.2");
        assertTrue(Double.isNaN(t3.certifiedFraction()), "nothing checked: n/a");
        Threshold tanh = l.thresholds().get(1);
        assertEquals("best-found", tanh.referenceKind());
        assertEquals(List.of(0, 2), tanh.reached(), "3·I is 25 % from 4·I, 4.001·I within 1e-2 of it");
        assertEquals("6", tanh.halfWidth());
        assertEquals("6", tanh.allWidth());

        // restricting to CONVERGED members drops the MAX_STEPS ones: width 8 has no minima left
        Landscape conv = LandscapeStatistics.of(task, members,
                new Options(1e-2, 1e-2, 1e-3, 1, 5, true));
        Threshold reluConv = conv.thresholds().get(0);
        assertEquals(List.of(3, 2, 0), reluConv.minima());
        assertEquals("4", reluConv.halfWidth());
        assertEquals("4", reluConv.allWidth());
    }

    @Test
    void reportsRenderEveryConfigurationAndNa() {
        add(Activation.RELU, 4, "DIVERGED", Double.NaN, 0.1, Double.NaN, "NOT_CERTIFIED", kernel(0));
        add(Activation.TANH, 4, "CONVERGED", 0.3, Double.NaN, Double.NaN, "NOT_CHECKED", kernel(1));
        Landscape l = LandscapeStatistics.of(task, members, Options.defaults());
        Configuration dead = l.configurations().get(0);
        assertEquals(0, dead.minima());
        assertNull(dead.kernels());
        assertNull(l.thresholds().get(0).halfWidth());
        String table = LandscapeReport.table(l);
        assertTrue(table.contains("every configuration: w=4, lambda=0.01, lr=0.01"), table);
        assertTrue(table.contains("\nrelu  "), table);
        assertTrue(table.contains("n/a"), table);
        assertTrue(table.contains("half of them none, all none"), table);
        String csv = LandscapeReport.csv(l);
        assertEquals(3, csv.split("\n").length);
        // the quoted keys hold no commas here, so a plain split counts the cells
        assertEquals(LandscapeReport.csvHeader(l).split(",").length, csv.split("\n")[1].split(",", -1).length);
        assertEquals(csv.split("\n")[0], LandscapeReport.csvHeader(l));
        String json = org.repgeom.io.Json.write(LandscapeReport.json(l));
        assertTrue(json.contains("\"width_half_reach\": null"), json);
    }
}
