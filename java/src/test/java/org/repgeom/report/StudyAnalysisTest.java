package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.Ccgp;
import org.repgeom.analysis.Cka;
import org.repgeom.analysis.Dimensionality;
import org.repgeom.analysis.MemberAlignment;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.study.RunDirectory;

/** {@code repgeom analyze} on small trained studies: rows, values against direct computation, summary. */
class StudyAnalysisTest {

    @Test
    @SuppressWarnings("unchecked")
    void everyMemberAndLayerGetsARowThatAgreesWithTheMetricsComputedDirectly(@TempDir Path tmp) throws Exception {
        RunDirectory run = SmallStudies.copy(SmallStudies.hypercube(), tmp);
        StudyAnalysis.Outcome o = StudyAnalysis.all(run).run();
        List<String> lines = Files.readAllLines(o.metricsCsv());
        List<String> header = org.repgeom.study.RunDirectory.splitCsv(lines.get(0));
        assertEquals(List.of("id", "config", "group", "layer", "width", "status", "ps", "ps_max", "ccgp", "cka_y",
                "cka_y_debiased", "knn_x", "knn_y", "nc1", "nc2", "nc3", "nc4", "pr", "cka_input", "cka_prev", "cka_output"), header);
        int expectedRows = 0;
        for (RunDirectory.Group g : run.groups()) expectedRows += g.size() * g.architecture().depth();
        assertEquals(expectedRows + 1, lines.size());

        Map<String, Map<String, String>> byMemberLayer = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = org.repgeom.study.RunDirectory.splitCsv(line);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.size(); i++) row.put(header.get(i), cells.get(i));
            byMemberLayer.put(row.get("id") + "/" + row.get("layer"), row);
        }
        int p = run.task().samples(), dY = run.task().outputDim();
        double[] kY = RepresentationKernel.of(run.task().yData(), dY, p);
        for (RunDirectory.Group g : run.groups()) {
            double[] params = run.params(g);
            for (int local = 0; local < g.size(); local++) {
                int id = g.memberIds()[local];
                List<double[]> reps = run.representations(g, params, local);
                for (int l = 0; l < reps.size(); l++) {
                    Map<String, String> row = byMemberLayer.get(id + "/" + (l + 1));
                    int m = g.architecture().width(l);
                    double[] k = RepresentationKernel.of(reps.get(l), m, p);
                    assertEquals(Cka.linearFromKernels(k, kY, p), Double.parseDouble(row.get("cka_y")), 1e-12);
                    assertEquals(Dimensionality.participationRatio(k, p), Double.parseDouble(row.get("pr")), 1e-12);
                    assertEquals(Ccgp.of(reps.get(l), m, run.task().yData(), dY, p).mean(), Double.parseDouble(row.get("ccgp")), 1e-12);
                    assertEquals("", row.get("nc3"), "not a one-hot task");
                    double ps = Double.parseDouble(row.get("ps")), psMax = Double.parseDouble(row.get("ps_max"));
                    assertTrue(psMax >= ps - 1e-12, "max over pairings ≥ the paper pairing");
                }
                // the last layer's PS is what the run measured
                String psRun = run.members().get(id).string("ps");
                Map<String, String> last = byMemberLayer.get(id + "/" + reps.size());
                if (!psRun.isEmpty()) assertEquals(Double.parseDouble(psRun), Double.parseDouble(last.get("ps")), 1e-9);
            }
        }

        Map<String, Object> s = o.summary();
        List<Object> configs = (List<Object>) s.get("configurations");
        assertEquals(8, configs.size());
        for (Object c : configs) {
            Map<String, Object> cfg = (Map<String, Object>) c;
            List<Object> layers = (List<Object>) cfg.get("layers");
            int depth = ((int[]) cfg.get("widths")).length;
            assertEquals(depth, layers.size());
            Map<String, Object> q = (Map<String, Object>) ((Map<String, Object>) layers.get(0)).get("pr");
            assertTrue((double) q.get("min") <= (double) q.get("median") && (double) q.get("median") <= (double) q.get("max"));
            Map<String, Object> lc = (Map<String, Object>) cfg.get("layer_cka");
            assertEquals(depth + 2, ((List<Object>) lc.get("labels")).size());
        }
        Map<String, Object> align = (Map<String, Object>) s.get("member_alignment");
        assertEquals(24, align.get("members"), "3 seeds x 8 configurations, under the default cap");
        assertTrue(Files.isRegularFile(o.summaryJson()));
        assertTrue(Files.readString(o.summaryJson()).contains("\"member_alignment\""));
    }

    @Test
    void aSelectionOfMetricsWritesOnlyTheirColumnsAndSamplingIsCapped(@TempDir Path tmp) throws Exception {
        RunDirectory run = SmallStudies.copy(SmallStudies.hypercube(), tmp);
        StudyAnalysis.Outcome o = new StudyAnalysis(run, EnumSet.of(Metric.PR, Metric.MEMBER_ALIGN), 2,
                MemberAlignment.DEFAULT_BUDGET_BYTES).run();
        assertEquals("id,config,group,layer,width,status,pr", Files.readAllLines(o.metricsCsv()).get(0));
        @SuppressWarnings("unchecked")
        Map<String, Object> align = (Map<String, Object>) o.summary().get("member_alignment");
        assertEquals(16, align.get("members"), "2 per configuration");
        StudyAnalysis.Outcome none = new StudyAnalysis(run, EnumSet.of(Metric.PS), 2, MemberAlignment.DEFAULT_BUDGET_BYTES).run();
        assertFalse(none.summary().containsKey("member_alignment"));
    }

    /** On a one-hot task NC3/NC4 use the readout on the last hidden layer, and PS/CCGP are undefined. */
    @Test
    void oneHotTaskHasReadoutCollapseAndNoParallelismScore(@TempDir Path tmp) throws Exception {
        RunDirectory run = SmallStudies.copy(SmallStudies.onehot(), tmp);
        StudyAnalysis.Outcome o = StudyAnalysis.all(run).run();
        List<String> lines = Files.readAllLines(o.metricsCsv());
        List<String> header = org.repgeom.study.RunDirectory.splitCsv(lines.get(0));
        List<String> nc4 = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = org.repgeom.study.RunDirectory.splitCsv(line);
            assertEquals("", cells.get(header.indexOf("ps")));
            assertEquals("", cells.get(header.indexOf("ccgp")));
            assertFalse(cells.get(header.indexOf("nc3")).isEmpty());
            nc4.add(cells.get(header.indexOf("nc4")));
        }
        // a trained readout agrees with the nearest class mean on these well-separated classes
        assertTrue(nc4.stream().allMatch(v -> Double.parseDouble(v) == 0.0), nc4.toString());
        assertTrue(o.summary().get("notes").toString().contains("not defined"));
    }
}
