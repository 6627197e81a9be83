package org.repgeom.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.repgeom.io.Json;
import org.repgeom.report.Metric.Column;

/** Figures and the metric table from {@code analysis/summary.json} ({@code repgeom analyze}), when present. */
final class AnalysisFigures {
    /** Columns of the metric table, where computed. */
    static final List<String> TABLE = Stream.of(Column.PS, Column.PS_MAX, Column.CCGP, Column.CKA_Y,
            Column.CKA_Y_DEBIASED, Column.KNN_X, Column.KNN_Y, Column.NC1, Column.NC2, Column.PR, Column.CKA_INPUT,
            Column.CKA_OUTPUT).map(Column::id).toList();

    /** What each column of the metric table means (shown under it). */
    static final Map<String, String> LEGEND = legend();

    private static Map<String, String> legend() {
        Map<String, String> m = new HashMap<>();
        m.put("n", "members in the configuration");
        for (Column c : Column.values()) m.put(c.id(), c.description());
        return Map.copyOf(m);
    }

    private AnalysisFigures() {
    }

    /** The parsed analysis summary, or null when the study was not analysed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path runDir) throws IOException {
        Path f = runDir.resolve("analysis").resolve("summary.json");
        if (!Files.isRegularFile(f)) return null;
        return Json.readObject(f);
    }

    @SuppressWarnings("unchecked")
    static Figure memberAlignment(StudyView v, Map<String, Object> analysis) {
        if (!(analysis.get("member_alignment") instanceof Map<?, ?> raw)) return null;
        Map<String, Object> ma = (Map<String, Object>) raw;
        List<String> keys = (List<String>) ma.get("configurations");
        if (keys == null || keys.size() < 2) return null;
        String[] labels = keys.stream().map(k -> v.configs.stream().filter(c -> c.key().equals(k)).findFirst()
                .map(v::label).orElse(k)).toArray(String[]::new);
        double[][] cka = matrix((List<Object>) ma.get("cka"));
        double[][] dist = matrix((List<Object>) ma.get("kernel_distance"));
        String svg = HeatmapSvg.render(List.of(new HeatmapSvg.Panel("mean CKA", cka, labels, labels),
                new HeatmapSvg.Panel("mean kernel distance", dist, labels, labels)), 0, 1, HeatmapSvg.SEQUENTIAL, null, 22, 420);
        String caption = String.format(Locale.ROOT, "Do different widths, activations and seeds reach the same kernel? "
                + "Mean linear CKA (left; 1 = same kernel up to scale and a constant) and mean scale-free kernel distance "
                + "√(1 − alignment²) (right; 0 = same kernel up to scale, sees the constant 11ᵀ part that separates ReLU from "
                + "tanh) between the last-layer kernels of members of each pair of configurations; the diagonal compares "
                + "seeds of one configuration. Sampling: %s. Within a configuration: CKA %.4f, distance %.3g; across configurations: "
                + "CKA %.4f, distance %.3g. Look for bright blocks: the configurations that share one kernel.",
                Html.escape(String.valueOf(ma.get("sampling"))), num(ma.get("cka_within")), num(ma.get("kernel_distance_within")),
                num(ma.get("cka_across")), num(ma.get("kernel_distance_across")));
        return new Figure("fig-alignment", "Member × member alignment", caption, svg);
    }

    @SuppressWarnings("unchecked")
    static Figure layerCka(StudyView v, Map<String, Object> analysis) {
        List<HeatmapSvg.Panel> panels = new ArrayList<>();
        for (Object o : (List<Object>) analysis.get("configurations")) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (!(c.get("layer_cka") instanceof Map<?, ?> lc) || ((List<Object>) c.get("layers")).size() < 2) continue;
            String[] labels = ((List<String>) lc.get("labels")).toArray(String[]::new);
            String key = (String) c.get("key");
            String title = v.configs.stream().filter(x -> x.key().equals(key)).findFirst().map(v::label).orElse(key);
            panels.add(new HeatmapSvg.Panel(title, matrix((List<Object>) lc.get("median")), labels, labels));
            if (panels.size() == 4) break;
        }
        if (panels.isEmpty()) return null;
        String svg = HeatmapSvg.render(panels, 0, 1, HeatmapSvg.SEQUENTIAL, "CKA", 30, 240);
        String caption = "Layer × layer linear CKA (median over the members of a configuration) between the input X, every "
                + "hidden layer and the output f(X), for the deep configurations (at most four shown). A bright block over the "
                + "last layers is a \"tunnel\": the representation stops changing; on the hypercube task the theory "
                + "predicts every hidden layer abstract (CKA with K_Y near 1).";
        return new Figure("fig-layer-cka", "Layer × layer CKA", caption, svg);
    }

    /** An HTML table of last-layer medians per configuration. */
    @SuppressWarnings("unchecked")
    static String table(StudyView v, Map<String, Object> analysis) {
        List<String> columns = ((List<String>) analysis.get("columns")).stream().filter(TABLE::contains).toList();
        if (columns.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("<table class=\"metrics\">\n<tr><th>configuration</th><th>n</th>");
        for (String c : columns) sb.append("<th>").append(c).append("</th>");
        sb.append("</tr>\n");
        for (Object o : (List<Object>) analysis.get("configurations")) {
            Map<String, Object> c = (Map<String, Object>) o;
            String key = (String) c.get("key");
            String label = v.configs.stream().filter(x -> x.key().equals(key)).findFirst().map(v::label).orElse(key);
            List<Object> layers = (List<Object>) c.get("layers");
            Map<String, Object> last = (Map<String, Object>) layers.get(layers.size() - 1);
            sb.append("<tr><td>").append(Html.escape(label)).append("</td><td>").append(c.get("members")).append("</td>");
            for (String col : columns) {
                Object q = last.get(col) instanceof Map<?, ?> m ? m.get("median") : null;
                double d = num(q);
                sb.append("<td>").append(Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%.4g", d)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n<dl class=\"legend\">");
        for (String col : java.util.stream.Stream.concat(java.util.stream.Stream.of("n"), columns.stream()).toList()) {
            sb.append("<dt>").append(col).append("</dt><dd>").append(Html.escape(LEGEND.getOrDefault(col, ""))).append("</dd>");
        }
        return sb.append("</dl>\n").toString();
    }

    static double[][] matrix(List<Object> rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            List<Object> r = (List<Object>) (List<?>) rows.get(i);
            out[i] = new double[r.size()];
            for (int j = 0; j < r.size(); j++) out[i][j] = num(r.get(j));
        }
        return out;
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
