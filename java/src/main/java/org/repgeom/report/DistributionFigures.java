package org.repgeom.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repgeom.analysis.Quantiles;

/** Distributions over seeds: histograms of PS and kernel distance, and kernel distance against width. */
final class DistributionFigures {
    static final int BINS = 30;
    /** 1 − PS below this is drawn in the first bin (double rounding of a perfect score). */
    static final double FLOOR = 1e-16;

    private DistributionFigures() {
    }

    /** Histogram of 1 − PS per configuration (log bins), a panel per activation; null when PS is undefined. */
    static Figure parallelismScore(StudyView v) {
        String body = histograms(v, "ps", x -> Math.max(FLOOR, 1 - x), "1 − PS", "ps-");
        if (body == null) return null;
        String caption = "How far each member's parallelism score (paper definition: mean cosine between the coding "
                + "vectors of a label across the settings of the other labels) is from 1, as a histogram of 1 − PS on a "
                + "log axis, one step line per configuration, one panel per activation (1 − PS below 1e-16 is drawn at "
                + "1e-16). An abstract (parallel) code sits at the far left. Note that PS alone is forgiving: networks "
                + "too narrow to reach the theoretical kernel can still read PS ≈ 0.98–0.9996 (compare the kernel "
                + "distance below).";
        return new Figure("fig-ps", "Parallelism score", caption, body);
    }

    /** Histogram of the kernel distance to theory per configuration; null where theory never applies. */
    static Figure kernelDistance(StudyView v) {
        String body = histograms(v, "kernel_distance", x -> Math.max(FLOOR, x), "‖K − K*‖ / ‖K*‖", "kd-");
        if (body == null) return null;
        String caption = "Distance of each member's kernels to the closed-form optimum of its configuration (the "
                + "theory_form column: hypercube, one-hot, linear, deep linear, tanh, deep ReLU; the largest over hidden "
                + "layers, relative ‖K − K*‖_F / ‖K*‖_F, absolute ‖K‖_F where K* = 0), log bins, one step line per "
                + "configuration. Configurations at the global optimum pile up at the far left (1e-4 and below); "
                + "networks too narrow to attain K* sit near 1. Configurations without a closed form have no "
                + "histogram here (summary.json says why); see the shape distance and the span residual.";
        return new Figure("fig-kernel-distance", "Kernel distance to theory", caption, body);
    }

    private static String histograms(StudyView v, String column, DoubleUnaryOperator transform, String xTitle, String prefix) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (StudyView.Config c : v.configs) {
            for (double x : v.column(c, column)) {
                if (!Double.isFinite(x)) continue;
                double t = transform.applyAsDouble(x);
                lo = Math.min(lo, t);
                hi = Math.max(hi, t);
            }
        }
        if (!(lo <= hi)) return null;
        double logLo = Math.log10(lo), logHi = Math.max(Math.log10(hi), logLo + 1);
        logLo = Math.floor(logLo * 2) / 2;
        logHi = Math.ceil(logHi * 2) / 2;
        double[] edges = new double[BINS + 1];
        for (int i = 0; i <= BINS; i++) edges[i] = Math.pow(10, logLo + (logHi - logLo) * i / BINS);
        int every = 1; // every decade labelled
        StringBuilder body = new StringBuilder();
        int decades = (int) Math.round(logHi - logLo);
        for (String act : v.activations()) {
            // every decade labelled: about 44 px per decade label
            XYChart chart = Charts.xy(Math.max(520, 44 * decades + 260), 320, xTitle, "members");
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setXAxisLogarithmicDecadeOnly(true);
            chart.getStyler().setPlotGridVerticalLinesVisible(false);
            chart.getStyler().setXAxisTickLabelsFormattingFunction(Charts.logTickEvery(every));
            for (StudyView.Config c : v.configs) {
                if (!c.activation().equals(act)) continue;
                double[] values = v.column(c, column);
                if (Arrays.stream(values).noneMatch(Double::isFinite)) continue;
                double[] counts = new double[BINS + 1];
                for (double x : values) {
                    if (!Double.isFinite(x)) continue;
                    double t = Math.log10(transform.applyAsDouble(x));
                    int b = (int) Math.floor((t - logLo) / (logHi - logLo) * BINS);
                    counts[Math.max(0, Math.min(BINS - 1, b))]++;
                }
                counts[BINS] = counts[BINS - 1]; // the step line's last level reaches the right edge
                XYSeries s = chart.addSeries(v.labelWithinActivation(c), edges, counts);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(Charts.colour(v.colour(c)));
                s.setLineStyle(new BasicStroke(1.6f));
            }
            if (chart.getSeriesCollection().isEmpty()) continue;
            body.append(panel(act, Charts.svg(chart, prefix + act + "-")));
        }
        return body.length() == 0 ? null : body.toString();
    }

    /**
     * Kernel distance to theory (where it applies) and scale-free shape distance against width:
     * medians with 10 % and 90 % quantiles; null when neither is defined anywhere.
     */
    static Figure versusWidth(StudyView v) {
        StringBuilder body = new StringBuilder();
        int minWidth = 2 * v.task.outputDim();
        String kd = widthChart(v, "kernel_distance", "‖K − K*‖ / ‖K*‖", minWidth, "kdw-");
        String sd = widthChart(v, "shape_distance", "min_c ‖K − c·T‖ / ‖K‖", minWidth, "sdw-");
        if (kd == null && sd == null) return null;
        if (kd != null) body.append(panel("kernel distance to K* (closed form)", kd));
        if (sd != null) body.append(panel("shape distance to the predicted shape T", sd));
        String caption = String.format(Locale.ROOT, "Median over seeds (solid, dots) and 10 %%/90 %% quantiles (dashed) "
                + "against the hidden width (log y), one line per activation and λ (two-layer networks). Left: distance "
                + "to the closed-form kernel K* of the configuration (theory_form). Right: scale-free distance to the shape theory "
                + "predicts for the activation's class, T = K_Y + dY·11ᵀ for ReLU-like and T = K_Y for odd activations "
                + "(tanh, linear), with the best coefficient c. Widths below 2·dY = %d (marked) cannot reach the optimum: "
                + "look for the drop to ~1e-4 and below from 2·dY on.", minWidth);
        return new Figure("fig-width", "Kernel distance against width", caption, body.toString());
    }

    private static String widthChart(StudyView v, String column, String yTitle, int minWidth, String prefix) {
        List<String> lines = new ArrayList<>();
        java.util.TreeSet<Integer> widths = new java.util.TreeSet<>();
        for (StudyView.Config c : v.configs) {
            String line = c.activation() + " λ=" + lambdaLabel(c);
            if (c.depth() == 1 && Arrays.stream(v.column(c, column)).anyMatch(Double::isFinite)) {
                if (!lines.contains(line)) lines.add(line);
                widths.add(c.lastWidth());
            }
        }
        if (lines.isEmpty() || widths.size() < 2) return null; // one width: the axis figures say it all
        // widths as categories: evenly spaced whatever the grid, labelled exactly
        List<String> categories = widths.stream().map(w -> w >= minWidth ? String.valueOf(w) : w + " (<2dY)").toList();
        CategoryChart chart = Charts.bars(Math.max(480, 70 * categories.size() + 300), 340, "hidden width", yTitle);
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
        chart.getStyler().setYAxisTickLabelsFormattingFunction(Charts::logTick);
        for (int li = 0; li < lines.size(); li++) {
            String line = lines.get(li);
            List<List<Double>> q = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int w : widths) {
                StudyView.Config c = v.configs.stream().filter(x -> x.depth() == 1 && x.lastWidth() == w
                        && line.equals(x.activation() + " λ=" + lambdaLabel(x))).findFirst().orElse(null);
                double[] sorted = c == null ? new double[0] : Quantiles.finiteSorted(v.column(c, column));
                for (int k = 0; k < 3; k++) {
                    q.get(k).add(sorted.length == 0 ? null : Math.max(FLOOR, Quantiles.ofSorted(sorted, new double[] {0.1, 0.5, 0.9}[k])));
                }
            }
            Color colour = Charts.colour(li);
            for (int k = 0; k < 3; k++) {
                CategorySeries s = chart.addSeries(k == 1 ? line : line + (k == 0 ? " q10" : " q90"), categories, q.get(k));
                s.setLineColor(colour);
                s.setMarkerColor(colour);
                s.setFillColor(colour);
                if (k == 1) {
                    s.setMarker(SeriesMarkers.CIRCLE);
                    s.setLineStyle(new BasicStroke(1.8f));
                } else {
                    s.setMarker(SeriesMarkers.NONE);
                    s.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
                    s.setShowInLegend(false);
                }
            }
        }
        return Charts.svg(chart, prefix);
    }

    private static String lambdaLabel(StudyView.Config c) {
        return c.parts().length > 2 ? c.parts()[2].replace("lambda=", "") : "?";
    }

    static String panel(String title, String svg) {
        return "<div class=\"panel\"><div class=\"panel-title\">" + Html.escape(title) + "</div>\n" + svg + "</div>\n";
    }
}
