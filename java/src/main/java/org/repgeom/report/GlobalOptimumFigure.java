package org.repgeom.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repgeom.analysis.LandscapeStatistics;

/**
 * The members against the global optimum over all widths ({@code global_optimum} of each
 * configuration in {@code summary.json}, written when the study is assembled): per family
 * (activation, λ, lr) the global gap against the hidden width (median, 10–90 % band) and the
 * fraction of seeds at the optimum, then a table per configuration with the optimum, whether it
 * is certified, the width threshold and the closed-form check. Studies without the optimum (run
 * with {@code --no-optimum}, older studies, no two-layer relu / leaky_relu / linear configuration)
 * get no figure.
 */
final class GlobalOptimumFigure {
    /** Gaps at or below this are drawn on it (a member at the optimum has a gap of rounding size, or ≤ 0). */
    static final double FLOOR = 1e-10;

    private GlobalOptimumFigure() {
    }

    /** One configuration's entry. */
    private record Entry(StudyView.Config config, Map<String, Object> optimum) {
        String family() {
            return config.activation() + " " + (config.parts().length > 2 ? config.parts()[2].replace("lambda=", "λ=") : "")
                    + (config.parts().length > 3 ? " " + config.parts()[3] : "");
        }
    }

    @SuppressWarnings("unchecked")
    static Figure of(StudyView v) {
        if (!(v.summary.get("configurations") instanceof List<?> configs)) return null;
        List<Entry> entries = new ArrayList<>();
        for (Object o : configs) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (!(c.get("global_optimum") instanceof Map<?, ?> g)) continue;
            v.configs.stream().filter(x -> x.key().equals(c.get("key"))).findFirst()
                    .ifPresent(x -> entries.add(new Entry(x, (Map<String, Object>) g)));
        }
        if (entries.isEmpty()) return null;
        Map<String, List<Entry>> families = new LinkedHashMap<>();
        TreeSet<Integer> widths = new TreeSet<>();
        for (Entry e : entries) {
            families.computeIfAbsent(e.family(), k -> new ArrayList<>()).add(e);
            widths.add(e.config().lastWidth());
        }
        List<String> categories = widths.stream().map(String::valueOf).toList();
        String body = DistributionFigures.panel("global gap (L − L*)/L* (median, 10–90 % dashed)", gapChart(families, widths, categories))
                + DistributionFigures.panel("fraction of seeds at the global optimum", fractionChart(families, widths, categories));
        Map<String, Object> check = v.summary.get("global_optimum_check") instanceof Map<?, ?> m
                ? (Map<String, Object>) m : Map.of();
        long certified = entries.stream().filter(e -> Boolean.TRUE.equals(e.optimum().get("certified"))).count();
        String tol = sci(entries.get(0).optimum().get("gap_tolerance"));
        String verdict = "failed".equals(check.get("status"))
                ? "<b style=\"color:#b00020\">Check FAILED: " + Html.escape(String.valueOf(check.get("statement"))) + ".</b> "
                : "";
        String caption = verdict + String.format(Locale.ROOT, "Every two-layer relu / leaky_relu / linear member against the "
                + "global minimum of its training loss over <i>all</i> widths (column generation on the convex mean-field "
                + "formulation, solved once per activation, bias and λ). <b>What was checked:</b> %d of %d configurations "
                + "have a <b>certified</b> optimum (exact single-neuron search: a proven lower bound within 1e-8 of the "
                + "loss)%s; no member may lie below a certified bound (%s). First panel: the global gap of the members against the "
                + "hidden width (log y; gaps ≤ %s drawn at %s; grey: the tolerance for \"at the optimum\"). Second panel: the "
                + "fraction of non-diverged seeds within a gap of %s "
                + "of the optimum. The width threshold (table) is the smallest width whose seeds all reach it.",
                certified, entries.size(), certified < entries.size() ? "; the others are the best networks found, not "
                + "proven optimal (local search, or the solve hit its time cap), so a member may even lie below them" : "",
                "failed".equals(check.get("status")) ? "violated, see above" : "none does", sci(FLOOR), sci(FLOOR), tol);
        return new Figure("fig-global-optimum", "Global optimum over all widths", caption, body + table(v, entries));
    }

    private static String gapChart(Map<String, List<Entry>> families, TreeSet<Integer> widths, List<String> categories) {
        CategoryChart chart = Charts.bars(Math.max(480, 70 * categories.size() + 300), 340, "hidden width", "global gap");
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
        chart.getStyler().setYAxisTickLabelsFormattingFunction(Charts::logTick);
        int li = 0;
        for (Map.Entry<String, List<Entry>> f : families.entrySet()) {
            Color colour = Charts.colour(li++);
            String[] q = {"q10", "median", "q90"};
            for (int k = 0; k < 3; k++) {
                List<Double> ys = new ArrayList<>();
                for (int w : widths) {
                    Double y = null;
                    for (Entry e : f.getValue()) {
                        if (e.config().lastWidth() == w && e.optimum().get("global_gap") instanceof Map<?, ?> g
                                && g.get(q[k]) instanceof Number n && Double.isFinite(n.doubleValue())) {
                            y = Math.max(FLOOR, n.doubleValue());
                        }
                    }
                    ys.add(y);
                }
                style(chart.addSeries(k == 1 ? f.getKey() : f.getKey() + " " + q[k], categories, ys), colour, k == 1);
            }
        }
        // the tolerance for "at the optimum", as a grey reference line
        List<Double> tol = new ArrayList<>();
        for (int i = 0; i < categories.size(); i++) tol.add(LandscapeStatistics.GLOBAL_GAP_TOL);
        CategorySeries t = chart.addSeries("gap tolerance", categories, tol);
        style(t, Color.GRAY, false);
        t.setShowInLegend(true);
        return Charts.svg(chart, "gog-");
    }

    private static String fractionChart(Map<String, List<Entry>> families, TreeSet<Integer> widths, List<String> categories) {
        CategoryChart chart = Charts.bars(Math.max(480, 70 * categories.size() + 300), 340, "hidden width",
                "fraction at the optimum");
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        int li = 0;
        for (Map.Entry<String, List<Entry>> f : families.entrySet()) {
            List<Double> ys = new ArrayList<>();
            for (int w : widths) {
                Double y = null;
                for (Entry e : f.getValue()) {
                    if (e.config().lastWidth() == w && e.optimum().get("fraction_at_optimum") instanceof Number n
                            && Double.isFinite(n.doubleValue())) {
                        y = n.doubleValue();
                    }
                }
                ys.add(y);
            }
            style(chart.addSeries(f.getKey(), categories, ys), Charts.colour(li++), true);
        }
        return Charts.svg(chart, "gof-");
    }

    private static void style(CategorySeries s, Color colour, boolean main) {
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        s.setFillColor(colour);
        if (main) {
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(new BasicStroke(1.8f));
        } else {
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
            s.setShowInLegend(false);
        }
    }

    static final String[][] COLUMNS = {
        {"configuration", "the varying parts of the configuration key"},
        {"optimum loss", "L*, the loss of the best network over all widths the solver found"},
        {"certified", "yes: exact single-neuron search and a proven lower bound within 1e-8 (method in brackets); "
                + "no: the best network found, not proven (local search, or the time cap)"},
        {"optimum width", "neurons of the narrowest optimal network found (an upper bound on the width the task needs)"},
        {"median gap", "median global gap over the non-diverged seeds, with the 10 % and 90 % quantiles"},
        {"at optimum", "seeds within the gap tolerance of L*, of the non-diverged seeds"},
        {"threshold", "the family's width threshold: the smallest width at which all (at least half) of the non-diverged seeds are at L*"},
        {"closed form", "the catalogue's closed form where one applies: relative loss difference of the optimum from it"}};

    @SuppressWarnings("unchecked")
    private static String table(StudyView v, List<Entry> entries) {
        StringBuilder sb = new StringBuilder("<div style=\"flex-basis: 100%\">\n<table class=\"metrics theory\">\n<tr>");
        for (String[] c : COLUMNS) sb.append("<th>").append(Html.escape(c[0])).append("</th>");
        sb.append("</tr>\n");
        for (Entry e : entries) {
            Map<String, Object> g = e.optimum();
            Map<String, Object> gap = g.get("global_gap") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
            String cf = g.get("closed_form") instanceof Map<?, ?> c
                    ? c.get("form") + ": " + fmt(c.get("relative_loss_difference")) + (Boolean.TRUE.equals(c.get("agrees"))
                    ? " (agrees)" : " (DISAGREES)") : "–";
            String certified = (Boolean.TRUE.equals(g.get("certified")) ? "yes" : "no") + " (" + g.get("method")
                    + (Boolean.TRUE.equals(g.get("time_cap_hit")) ? ", time cap" : "") + ")";
            sb.append("<tr><td>").append(Html.escape(v.label(e.config()))).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.10g", ((Number) g.get("loss")).doubleValue())).append("</td><td>")
                    .append(Html.escape(certified)).append("</td><td>").append(g.get("width")).append("</td><td>")
                    .append(fmt(gap.get("median"))).append(" [").append(fmt(gap.get("q10"))).append(", ")
                    .append(fmt(gap.get("q90"))).append("]</td><td>").append(g.get("at_optimum")).append(" / ")
                    .append(g.get("minima")).append("</td><td>all: ").append(orNone(g.get("width_threshold"))).append(", half: ")
                    .append(orNone(g.get("width_threshold_half"))).append("</td><td>").append(Html.escape(cf))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n<dl class=\"legend\">");
        for (String[] c : COLUMNS) sb.append("<dt>").append(Html.escape(c[0])).append("</dt><dd>").append(Html.escape(c[1])).append("</dd>");
        return sb.append("</dl>\n</div>\n").toString();
    }

    private static String sci(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.0e", n.doubleValue()) : "?";
    }

    private static String orNone(Object o) {
        return o == null ? "none" : String.valueOf(o);
    }

    private static String fmt(Object o) {
        return o instanceof Number n && Double.isFinite(n.doubleValue())
                ? String.format(Locale.ROOT, "%.2e", n.doubleValue()) : "–";
    }
}
