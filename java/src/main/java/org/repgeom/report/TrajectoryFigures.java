package org.repgeom.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repgeom.study.RunDirectory;

/**
 * The representation over training, drawn from {@code analysis/trajectory.csv} and
 * {@code analysis/trajectory_events.csv} ({@link TrajectoryAnalysis}): one panel per metric with a
 * line per configuration, and one panel per configuration with the alignment of each label, the
 * detected transitions marked.
 */
final class TrajectoryFigures {
    /** Configurations drawn with their own label panel; the rest are in the CSV files. */
    static final int LABEL_PANELS = 12;
    /** Configurations whose quartile band is drawn in the metric panels (beyond it: lines only, to stay readable). */
    static final int BANDS = 6;
    private static final Color[] LABEL_COLOURS = {new Color(0x4E79A7), new Color(0xE15759), new Color(0x59A14F),
        new Color(0xB07AA1), new Color(0xF28E2B), new Color(0x76B7B2), new Color(0xEDC948), new Color(0x9C755F)};

    private TrajectoryFigures() {
    }

    /** One curve: steps and median, q25, q75. */
    private record Curve(List<Long> steps, List<double[]> values) {
    }

    /** config → layer → metric → curve, in file order. */
    private record Table(Map<String, Map<String, Map<String, Curve>>> curves, List<String[]> events) {
    }

    /** The two figures, or an empty list when the study has no trajectory (no kernel trace, or analyze not run). */
    static List<Figure> all(StudyView v) throws IOException {
        Table t = read(v.run.path().resolve("analysis"));
        if (t == null || t.curves().isEmpty()) return List.of();
        List<Figure> out = new ArrayList<>();
        Figure metrics = metrics(v, t);
        if (metrics != null) out.add(metrics);
        Figure labels = labels(v, t);
        if (labels != null) out.add(labels);
        return out;
    }

    private static Table read(Path dir) throws IOException {
        Path csv = dir.resolve(TrajectoryAnalysis.CSV), ev = dir.resolve(TrajectoryAnalysis.EVENTS);
        if (!Files.isRegularFile(csv)) return null;
        Map<String, Map<String, Map<String, Curve>>> curves = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv);
        for (String line : lines.subList(1, lines.size())) {
            List<String> c = RunDirectory.splitCsv(line);
            Curve curve = curves.computeIfAbsent(c.get(0), k -> new LinkedHashMap<>()).computeIfAbsent(c.get(1), k -> new LinkedHashMap<>())
                    .computeIfAbsent(c.get(3), k -> new Curve(new ArrayList<>(), new ArrayList<>()));
            curve.steps().add(Long.parseLong(c.get(2)));
            curve.values().add(new double[] {num(c.get(4)), num(c.get(5)), num(c.get(6))});
        }
        List<String[]> events = new ArrayList<>();
        if (Files.isRegularFile(ev)) {
            List<String> el = Files.readAllLines(ev);
            for (String line : el.subList(1, el.size())) events.add(RunDirectory.splitCsv(line).toArray(String[]::new));
        }
        return new Table(curves, events);
    }

    private static double num(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    /** The last hidden layer's curves of a configuration ("" for the loss). */
    private static Map<String, Curve> lastLayer(Map<String, Map<String, Curve>> byLayer) {
        Map<String, Curve> out = new LinkedHashMap<>();
        int deepest = byLayer.keySet().stream().filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).max().orElse(0);
        if (byLayer.containsKey("")) out.putAll(byLayer.get(""));
        if (deepest > 0) out.putAll(byLayer.get(Integer.toString(deepest)));
        return out;
    }

    private static final String[][] METRIC_PANELS = {
        {"loss", "training loss (log)"},
        {"cka_y", "CKA with K_Y"},
        {"ps", "parallelism score"},
        {"kernel_distance", "distance to the closed form"},
        {"final_distance", "distance to the final kernel"},
        {"pr", "participation ratio"},
    };

    private static Figure metrics(StudyView v, Table t) {
        StringBuilder body = new StringBuilder();
        long maxStep = 0;
        for (var byLayer : t.curves().values()) {
            for (Curve c : lastLayer(byLayer).values()) maxStep = Math.max(maxStep, c.steps().get(c.steps().size() - 1));
        }
        double unit = maxStep >= 10_000 ? 1000 : 1;
        String xTitle = unit == 1 ? "step" : "step / 1000";
        List<String> drawn = new ArrayList<>();
        for (String[] panel : METRIC_PANELS) {
            XYChart chart = Charts.xy(420, 300, xTitle, panel[1]);
            chart.getStyler().setXAxisMin(0.0);
            chart.getStyler().setXAxisMax(maxStep / unit);
            if (panel[0].equals("loss")) {
                chart.getStyler().setYAxisLogarithmic(true);
                chart.getStyler().setYAxisTickLabelsFormattingFunction(Charts::logTick);
            }
            int n = 0;
            for (StudyView.Config cfg : v.configs) {
                Map<String, Map<String, Curve>> byLayer = t.curves().get(cfg.key());
                if (byLayer == null) continue;
                Curve c = lastLayer(byLayer).get(panel[0]);
                if (c == null) continue;
                Color colour = Charts.colour(v.colour(cfg));
                if (addCurve(chart, c, unit, colour, v.label(cfg) + " ", t.curves().size() <= BANDS, panel[0].equals("loss"))) n++;
            }
            if (n == 0) continue;
            drawn.add(panel[1]);
            body.append("<div class=\"panel\"><div class=\"panel-title\">").append(Html.escape(panel[1])).append("</div>\n")
                    .append(Charts.svg(chart, "traj-" + panel[0] + "-")).append("</div>\n");
        }
        if (drawn.isEmpty()) return null;
        String caption = "The last hidden layer's kernel K = RᵀR recorded during training (train.kernel_every), per "
                + "configuration: the line is the median over its traced members, the band the quartiles (drawn for up to "
                + BANDS + " configurations; every value is in analysis/trajectory.csv). Shown: " + String.join(", ", drawn)
                + ". CKA with K_Y and the parallelism score (computed from K; labels read by their sign) rise as the labels' "
                + "structure is learned; the distance to the closed form (where one applies) and to the member's own final "
                + "kernel fall to their end values; the participation ratio counts the directions the representation uses. "
                + "Checked: each member's last recorded kernel is its final kernel, so the distance to the final kernel ends at 0. "
                + "Plateaus followed by sudden changes are stage-like learning (next figure).";
        return new Figure("fig-trajectory", "Representation over training", caption, body.toString());
    }

    /** Adds the median line (and quartile band) of a curve; false when it has no finite point. */
    private static boolean addCurve(XYChart chart, Curve c, double unit, Color colour, String name, boolean band, boolean log) {
        int n = c.steps().size();
        double[] x = new double[n], med = new double[n], lo = new double[n], hi = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = c.steps().get(i) / unit;
            med[i] = c.values().get(i)[0];
            lo[i] = c.values().get(i)[1];
            hi[i] = c.values().get(i)[2];
            if (log && !(med[i] > 0)) med[i] = Double.NaN;
        }
        double[][] line = finite(x, med);
        if (line == null) return false;
        if (band) {
            if (log) {
                for (int i = 0; i < n; i++) {
                    if (!(lo[i] > 0)) lo[i] = Double.NaN;
                }
            }
            double[][] b = TrainingFigures.band(x, lo, hi);
            if (b != null) {
                XYSeries s = chart.addSeries("band " + name, b[0], b[1]);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                s.setFillColor(Charts.transparent(colour, 50));
                s.setLineColor(Charts.transparent(colour, 0));
                s.setMarker(SeriesMarkers.NONE);
                s.setShowInLegend(false);
            }
        }
        XYSeries s = chart.addSeries(name.strip(), line[0], line[1]);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour);
        s.setLineStyle(new BasicStroke(1.6f));
        return true;
    }

    /** The points where y is finite. */
    private static double[][] finite(double[] x, double[] y) {
        int n = 0;
        for (double v : y) {
            if (Double.isFinite(v)) n++;
        }
        if (n == 0) return null;
        double[] fx = new double[n], fy = new double[n];
        for (int i = 0, j = 0; i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                fx[j] = x[i];
                fy[j++] = y[i];
            }
        }
        return new double[][] {fx, fy};
    }

    private static Figure labels(StudyView v, Table t) {
        StringBuilder body = new StringBuilder();
        StringBuilder found = new StringBuilder();
        int panels = 0;
        for (StudyView.Config cfg : v.configs) {
            Map<String, Map<String, Curve>> byLayer = t.curves().get(cfg.key());
            if (byLayer == null) continue;
            Map<String, Curve> last = lastLayer(byLayer);
            List<String> labelMetrics = last.keySet().stream().filter(m -> m.startsWith("cka_label")).toList();
            if (labelMetrics.isEmpty()) continue;
            String layer = byLayer.keySet().stream().filter(s -> !s.isEmpty()).max(java.util.Comparator.comparingInt(Integer::parseInt))
                    .orElse("");
            List<String[]> events = t.events().stream().filter(e -> e[0].equals(cfg.key())).toList();
            found.append(eventSentence(v.label(cfg), events, layer));
            if (panels == LABEL_PANELS) continue;
            panels++;
            long maxStep = last.get(labelMetrics.get(0)).steps().get(last.get(labelMetrics.get(0)).steps().size() - 1);
            double unit = maxStep >= 10_000 ? 1000 : 1;
            XYChart chart = Charts.xy(500, 300, unit == 1 ? "step" : "step / 1000", "CKA with y_k y_kᵀ");
            chart.getStyler().setXAxisMin(0.0);
            chart.getStyler().setXAxisMax(maxStep / unit);
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setYAxisMax(1.0);
            Curve loss = last.get("loss");
            if (loss != null) {
                // the loss on the same axis as its progress on a log scale, log(L0/L)/log(L0/L_end): 0 at the start, 1
                // at the end, a step at each drop, so the drops line up with the rises
                double l0 = loss.values().get(0)[0], lEnd = loss.values().get(loss.values().size() - 1)[0];
                double span = Math.log(l0 / lEnd);
                if (span > 0) {
                    List<double[]> progress = new ArrayList<>();
                    for (double[] q : loss.values()) progress.add(new double[] {Math.log(l0 / q[0]) / span, Double.NaN, Double.NaN});
                    addCurve(chart, new Curve(loss.steps(), progress), unit, new Color(0x888888), "loss (log progress)", false, false);
                }
            }
            for (String m : labelMetrics) {
                int k = Integer.parseInt(m.substring("cka_label".length()));
                Color colour = LABEL_COLOURS[(k - 1) % LABEL_COLOURS.length];
                addCurve(chart, last.get(m), unit, colour, "label " + k, true, false);
                List<double[]> marks = new ArrayList<>();
                for (String[] e : events) {
                    if (e[2].equals(m) && e[1].equals(layer) && e[4].equals("rise")) marks.add(new double[] {Long.parseLong(e[5]) / unit, valueAt(last.get(m), Long.parseLong(e[5]))});
                }
                if (!marks.isEmpty()) {
                    XYSeries s = chart.addSeries("label " + k + " transitions", marks.stream().mapToDouble(d -> d[0]).toArray(),
                            marks.stream().mapToDouble(d -> d[1]).toArray());
                    // a line series with an invisible line and circles (the markers SvgChart draws as text-searchable SVG)
                    s.setLineColor(Charts.transparent(colour, 0));
                    s.setMarker(SeriesMarkers.CIRCLE);
                    s.setMarkerColor(colour);
                    s.setShowInLegend(false);
                }
            }
            body.append("<div class=\"panel\"><div class=\"panel-title\">").append(Html.escape(v.label(cfg))).append("</div>\n")
                    .append(Charts.svg(chart, "traj-labels-" + cfg.index() + "-")).append("</div>\n");
        }
        if (panels == 0) return null;
        String caption = "Label by label: linear CKA of the last hidden layer's kernel with each label's own kernel y_k y_kᵀ, "
                + "median and quartiles over the traced members of each configuration, with the median training loss as its "
                + "progress on a log scale, log(L₀/L)/log(L₀/L_end), from 0 at the start to 1 at the end (grey)" + (v.configs.size() > LABEL_PANELS
                ? " (the first " + LABEL_PANELS + " configurations; all are in analysis/trajectory.csv)" : "")
                + ". Dots mark the rises the detector found on the median curves (every transition, drops included, is in "
                + "analysis/trajectory_events.csv): a change of at least "
                + "θ = max(0.05, a quarter of the curve's range) within a window of 1/50 of the recorded points (then twice, "
                + "four times … that, up to 1/8, for slower stages), after a plateau of one shortest window within θ/2 (or "
                + "from the start of training); loss drops need a factor of 2 (or a tenth of the loss range in decades) and "
                + "are attributed to the last label whose alignment rose at or before the drop's end. "
                + "A label learned after another rises later. Found: " + found.toString().strip();
        return new Figure("fig-trajectory-labels", "Labels learned over training", caption, body.toString());
    }

    private static double valueAt(Curve c, long step) {
        for (int i = 0; i < c.steps().size(); i++) {
            if (c.steps().get(i) >= step) return c.values().get(i)[0];
        }
        return c.values().get(c.values().size() - 1)[0];
    }

    /** "relu w=16: loss drops at steps 200 (label 1), …; label 1 rises at 40, …. " */
    private static String eventSentence(String label, List<String[]> events, String layer) {
        List<String> drops = new ArrayList<>(), rises = new ArrayList<>();
        for (String[] e : events) {
            if (e[2].equals("loss") && e[4].equals("drop")) drops.add(e[5] + (e[3].isEmpty() ? "" : " (label " + e[3] + ")"));
            if (e[2].startsWith("cka_label") && e[1].equals(layer) && e[4].equals("rise")) rises.add("label " + e[3] + " at " + e[5]);
        }
        if (drops.isEmpty() && rises.isEmpty()) return Html.escape(label) + ": no transition. ";
        return String.format(Locale.ROOT, "%s: %s%s%s. ", Html.escape(label),
                drops.isEmpty() ? "" : "loss drops at step " + String.join(", ", drops),
                drops.isEmpty() || rises.isEmpty() ? "" : "; ",
                rises.isEmpty() ? "" : "alignment rises: " + String.join(", ", rises));
    }
}
