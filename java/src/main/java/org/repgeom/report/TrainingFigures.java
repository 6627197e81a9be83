package org.repgeom.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repgeom.analysis.Quantiles;
import org.repgeom.io.NpyRows;

/** How training went: status counts and loss curves per configuration. */
final class TrainingFigures {
    /** Members per configuration whose curves enter the median and band. */
    static final int CURVES_PER_CONFIG = 64;
    /** Points per plotted curve. */
    static final int CURVE_POINTS = 160;

    private TrainingFigures() {
    }

    static Figure status(StudyView v) {
        List<String> labels = v.configs.stream().map(v::label).toList();
        int width = Math.max(560, 48 * labels.size() + 260);
        CategoryChart c = Charts.bars(width, 380, null, "members");
        c.getStyler().setStacked(true);
        c.getStyler().setXAxisLabelRotation(labels.size() > 6 ? 90 : 0);
        if (labels.size() > 1) c.getStyler().setXAxisMaxLabelCount(labels.size()); // XChart skips labels otherwise
        c.getStyler().setXAxisTitleVisible(false);
        String[] statuses = {"CONVERGED", "MAX_STEPS", "DIVERGED"};
        Color[] colours = {new Color(0x59A14F), new Color(0xF28E2B), new Color(0xE15759)};
        for (int s = 0; s < statuses.length; s++) {
            List<Number> counts = new ArrayList<>();
            for (StudyView.Config cfg : v.configs) counts.add(v.count(cfg, statuses[s]));
            CategorySeries series = c.addSeries(statuses[s], labels, counts);
            series.setFillColor(colours[s]);
        }
        long total = v.rows.size(), converged = v.rows.values().stream().filter(r -> "CONVERGED".equals(r.string("status"))).count();
        String caption = String.format(java.util.Locale.ROOT, "Members of each configuration by final status: "
                + "CONVERGED (stationary to the precision of its arithmetic, after a short double-precision polish: "
                + "the min-norm subgradient leaves a relative loss decrease below float32 resolution, or for deep "
                + "networks with kinks the loss no longer changes in double, or the training loop's loss-window rule "
                + "fired; members.csv stop_criterion names which), MAX_STEPS (not stationary when the budget ran out), "
                + "DIVERGED (loss became NaN/Inf or left the float32 range, |loss| > 3.4e38). %d of %d members converged. An orange bar means members were still "
                + "moving: give that configuration more steps (or a different learning rate) before reading its "
                + "geometry; the theory check judges CONVERGED members only.", converged, total);
        return new Figure("fig-status", "Status counts", caption, Charts.svg(c, "status-"));
    }

    static Figure lossCurves(StudyView v) throws IOException {
        StringBuilder body = new StringBuilder();
        try (NpyRows curves = NpyRows.open(v.run.path().resolve("loss_curves.npy"))) {
            int t = curves.rowLength();
            int stride = Math.max(1, (int) Math.ceil(t / (double) CURVE_POINTS));
            int points = (t + stride - 1) / stride;
            double[] x = new double[points];
            double unit = t * (double) v.traceEvery >= 10_000 ? 1000 : 1;
            for (int i = 0; i < points; i++) x[i] = Math.min(t - 1, i * stride) * v.traceEvery / unit;
            String xTitle = unit == 1 ? "step" : "step / 1000";
            for (String act : v.activations()) {
                XYChart chart = Charts.xy(560, 340, xTitle, "loss");
                chart.getStyler().setYAxisLogarithmic(true);
                chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
                chart.getStyler().setYAxisTickLabelsFormattingFunction(Charts::logTick);
                for (StudyView.Config c : v.configs) {
                    if (!c.activation().equals(act)) continue;
                    List<double[]> sample = new ArrayList<>();
                    for (int id : c.ids()) {
                        if (sample.size() == CURVES_PER_CONFIG) break;
                        if ("DIVERGED".equals(v.rows.get(id).string("status"))) continue;
                        sample.add(carryForward(curves.row(id)));
                    }
                    if (sample.isEmpty()) continue;
                    double[] lo = new double[points], med = new double[points], hi = new double[points];
                    for (int i = 0; i < points; i++) {
                        int j = Math.min(t - 1, i * stride);
                        double[] at = new double[sample.size()];
                        for (int s = 0; s < at.length; s++) at[s] = sample.get(s)[j] > 0 ? sample.get(s)[j] : Double.NaN;
                        double[] sorted = Quantiles.finiteSorted(at);
                        lo[i] = Quantiles.ofSorted(sorted, 0.1);
                        med[i] = Quantiles.ofSorted(sorted, 0.5);
                        hi[i] = Quantiles.ofSorted(sorted, 0.9);
                    }
                    Color colour = Charts.colour(v.colour(c));
                    double[][] band = band(x, lo, hi);
                    if (band != null) {
                        XYSeries b = chart.addSeries("band " + c.key(), band[0], band[1]);
                        b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
                        b.setFillColor(Charts.transparent(colour, 50));
                        b.setLineColor(Charts.transparent(colour, 0));
                        b.setMarker(SeriesMarkers.NONE);
                        b.setShowInLegend(false);
                    }
                    double[][] line = finite(x, med);
                    if (line == null) continue;
                    XYSeries s = chart.addSeries(v.labelWithinActivation(c), line[0], line[1]);
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineColor(colour);
                    s.setLineStyle(new BasicStroke(1.6f));
                }
                if (chart.getSeriesCollection().isEmpty()) continue;
                body.append("<div class=\"panel\"><div class=\"panel-title\">").append(Html.escape(act)).append("</div>\n")
                        .append(Charts.svg(chart, "loss-" + act + "-")).append("</div>\n");
            }
        }
        String caption = "Training loss ‖Y − f(X)‖² + Σ λ‖W̃‖² against optimizer step, one panel per activation: the line "
                + "is the median over the members of a configuration (up to " + CURVES_PER_CONFIG + " of them, diverged "
                + "members left out; a member that stopped keeps its final loss), the shaded band the 10–90 % quantiles "
                + "(log scale). Look for curves that flatten (converged) and for wide bands: seeds that end in different minima.";
        return new Figure("fig-loss", "Loss curves", caption, body.toString());
    }

    /** NaN after a member stopped becomes its last finite loss. */
    static double[] carryForward(double[] curve) {
        double last = Double.NaN;
        for (int i = 0; i < curve.length; i++) {
            if (Double.isFinite(curve[i])) last = curve[i];
            else curve[i] = last;
        }
        return curve;
    }

    /** The closed polygon (x, hi) forward then (x, lo) backward over points where both are finite; null if none. */
    static double[][] band(double[] x, double[] lo, double[] hi) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(lo[i]) && Double.isFinite(hi[i])) pts.add(new double[] {x[i], lo[i], hi[i]});
        }
        if (pts.size() < 2) return null;
        int n = pts.size();
        double[] bx = new double[2 * n], by = new double[2 * n];
        for (int i = 0; i < n; i++) {
            bx[i] = pts.get(i)[0];
            by[i] = pts.get(i)[2];
            bx[2 * n - 1 - i] = pts.get(i)[0];
            by[2 * n - 1 - i] = pts.get(i)[1];
        }
        return new double[][] {bx, by};
    }

    /** The points where y is finite (and positive, for log axes); null if none. */
    static double[][] finite(double[] x, double[] y) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i]) && y[i] > 0) pts.add(new double[] {x[i], y[i]});
        }
        if (pts.isEmpty()) return null;
        double[] fx = new double[pts.size()], fy = new double[pts.size()];
        for (int i = 0; i < fx.length; i++) {
            fx[i] = pts.get(i)[0];
            fy[i] = pts.get(i)[1];
        }
        return new double[][] {fx, fy};
    }
}
