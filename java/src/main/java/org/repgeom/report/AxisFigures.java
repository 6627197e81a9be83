package org.repgeom.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.Quantiles;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.model.Architecture;
import org.repgeom.theory.ConfigurationTheory;
import org.repgeom.theory.TheoryLookup;

/**
 * One figure per grid axis that varies in the study (λ, learning rate, width, depth, activation):
 * the median over CONVERGED members (all non-diverged ones where none converged) of the kernel
 * distance to the closed form and of the residual outside span{K_Y, 11ᵀ}, against that axis. The
 * other axes make the lines: colour for the first of them (the activation when it varies), line
 * style for the second. Along λ the figure also shows the kernel coefficient c — the best
 * {@code c} in {@code K ≈ c·T}, T the activation class's shape — of each configuration's median
 * member (dots) against the closed form's c(λ) (lines), wherever a form applies.
 */
final class AxisFigures {
    /** Line styles for the second axis: solid, dashed, dotted, dash-dot. */
    static final float[][] DASHES = {null, {7f, 4f}, {2f, 3f}, {8f, 3f, 2f, 3f}};
    /** Points of a theory curve. */
    static final int CURVE_POINTS = 80;

    private AxisFigures() {
    }

    /** A grid axis: its name, how to read it off a configuration, and whether it is numeric (log-scaled). */
    record Axis(String id, String title, Function<StudyView.Config, String> value, boolean numeric) {
    }

    static List<Axis> axes(StudyView v) {
        List<Axis> all = List.of(
                new Axis("lambda", "λ (first layer)", c -> num(c.lambda()), true),
                new Axis("lr", "learning rate", c -> c.parts().length > 3 ? c.parts()[3].replace("lr=", "") : "", true),
                new Axis("width", "hidden width (last layer)", c -> String.valueOf(c.lastWidth()), true),
                new Axis("depth", "hidden layers", c -> String.valueOf(c.depth()), true),
                new Axis("activation", "activation", StudyView.Config::activation, false));
        return all.stream().filter(a -> v.configs.stream().map(a.value()).distinct().count() > 1).toList();
    }

    /** Every figure, one per varying axis; empty when a single configuration was trained. */
    static List<Figure> all(StudyView v) throws IOException {
        List<Axis> varying = axes(v);
        List<Figure> out = new ArrayList<>();
        for (Axis axis : varying) {
            List<Axis> others = varying.stream().filter(a -> a != axis).toList();
            // colour: the activation when it varies, else the first other axis; line style: the next one
            List<Axis> ordered = new ArrayList<>(others);
            ordered.sort((a, b) -> Boolean.compare(!a.id().equals("activation"), !b.id().equals("activation")));
            Axis colourAxis = ordered.isEmpty() ? null : ordered.get(0);
            Axis styleAxis = ordered.size() > 1 ? ordered.get(1) : null;
            StringBuilder body = new StringBuilder();
            String kd = metricChart(v, axis, ordered, colourAxis, styleAxis, "kernel_distance", "‖K − K*‖ / ‖K*‖",
                    "ax-" + axis.id() + "-kd-");
            if (kd != null) body.append(DistributionFigures.panel("kernel distance to the closed form", kd));
            String span = metricChart(v, axis, ordered, colourAxis, styleAxis, "span_residual",
                    "residual outside span{K_Y, 11ᵀ}", "ax-" + axis.id() + "-sr-");
            if (span != null) body.append(DistributionFigures.panel("symmetry: residual outside span{K_Y, 11ᵀ}", span));
            String coefficient = axis.id().equals("lambda")
                    ? coefficientChart(v, ordered, colourAxis, styleAxis, "ax-lambda-c-") : null;
            if (coefficient != null) body.insert(0, DistributionFigures.panel("kernel coefficient c against λ", coefficient));
            if (body.length() == 0) continue;
            String legend = (colourAxis == null ? "" : "Colour: " + colourAxis.title() + ".")
                    + (styleAxis == null ? "" : " Line style: " + styleAxis.title() + " (solid, dashed, dotted, dash-dot).")
                    + (ordered.size() > 2 ? " Further axes (" + String.join(", ", ordered.subList(2, ordered.size())
                            .stream().map(Axis::title).toList()) + ") are separate lines in the same colour and style." : "");
            String caption = "Medians over each configuration's CONVERGED members (all non-diverged members where none "
                    + "converged) against " + axis.title() + ". " + legend + (coefficient != null
                    ? " Left: the coefficient c of the median member's kernel on the shape its activation class predicts "
                    + "(T = K_Y + dY·11ᵀ for threshold-class and unclassified activations, T = K_Y for odd ones), dots, "
                    + "next to the closed form's c(λ), lines, where one applies; c = 0 beyond the λ at which the "
                    + "trivial network wins." : "")
                    + " Kernel distance: relative ‖K − K*‖_F/‖K*‖_F where a closed form applies (absolute ‖K‖_F where K* = 0). "
                    + "Span residual: how much of the kernel lies outside span{K_Y, 11ᵀ}, where every kernel with the "
                    + "task's symmetry lies; a symmetry-broken minimum shows here even when its parallelism score is 1.";
            List<String> offAxis = v.configs.stream().map(axis.value()).distinct()
                    .filter(x -> axis.numeric() && !(Double.parseDouble(x) > 0)).toList();
            if (!offAxis.isEmpty()) {
                caption += " Not drawn: the configurations with " + axis.title() + " = " + String.join(", ", offAxis)
                        + ", which a logarithmic axis cannot place (their numbers are in the tables and members.csv).";
            }
            out.add(new Figure("fig-axis-" + axis.id(), "Along " + axis.title(), caption, body.toString()));
        }
        return out;
    }

    private static String metricChart(StudyView v, Axis axis, List<Axis> others, Axis colourAxis, Axis styleAxis,
                                      String column, String yTitle, String prefix) {
        Map<String, List<StudyView.Config>> lines = lines(v, others);
        List<String> categories = axis.numeric() ? null
                : v.configs.stream().map(axis.value()).distinct().toList();
        XYChart chart = Charts.xy(620, 360, axis.title(), yTitle);
        styleAxes(chart, axis.numeric(), true);
        if (!axis.numeric()) xCategories(chart, categories);
        int added = 0;
        for (Map.Entry<String, List<StudyView.Config>> line : lines.entrySet()) {
            List<double[]> points = new ArrayList<>();
            for (StudyView.Config c : line.getValue()) {
                double[] sorted = Quantiles.finiteSorted(minima(v, c, column));
                if (sorted.length == 0) continue;
                double x = axis.numeric() ? Double.parseDouble(axis.value().apply(c)) : categories.indexOf(axis.value().apply(c));
                if (axis.numeric() && !(x > 0)) continue; // off the log-scaled axis (λ = 0); the caption says so
                points.add(new double[] {x, Math.max(DistributionFigures.FLOOR, Quantiles.ofSorted(sorted, 0.5))});
            }
            if (points.isEmpty()) continue;
            points.sort((a, b) -> Double.compare(a[0], b[0]));
            StudyView.Config first = line.getValue().get(0);
            XYSeries s = chart.addSeries(line.getKey().isEmpty() ? "median" : line.getKey(),
                    points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
            style(s, v, colourAxis, styleAxis, first);
            s.setMarker(SeriesMarkers.CIRCLE);
            added++;
        }
        return added == 0 ? null : Charts.svg(chart, prefix);
    }

    /** c(λ): dots for the median members, lines for the closed forms. */
    private static String coefficientChart(StudyView v, List<Axis> others, Axis colourAxis, Axis styleAxis, String prefix)
            throws IOException {
        Map<String, List<StudyView.Config>> lines = lines(v, others);
        // λ = 0 has no place on the log axis (and no closed form): the positive λ only
        double lo = v.configs.stream().mapToDouble(StudyView.Config::lambda).filter(l -> l > 0).min().orElse(Double.NaN);
        double hi = v.configs.stream().mapToDouble(StudyView.Config::lambda).filter(l -> l > 0).max().orElse(Double.NaN);
        if (!(lo > 0 && hi > lo)) return null;
        XYChart chart = Charts.xy(620, 380, "λ (first layer)", "c");
        styleAxes(chart, true, false);
        int added = 0;
        for (Map.Entry<String, List<StudyView.Config>> line : lines.entrySet()) {
            List<StudyView.Config> drawn = line.getValue().stream().filter(c -> c.lambda() > 0).toList();
            if (drawn.isEmpty()) continue;
            StudyView.Config first = drawn.get(0);
            List<double[]> measured = new ArrayList<>();
            for (StudyView.Config c : drawn) {
                int id = v.representative(c);
                double[] k = RepresentationKernel.of(v.layers(id).get(c.depth() - 1), c.lastWidth(), v.task.samples());
                measured.add(new double[] {c.lambda(), KernelDistance.bestScale(k, shape(v, c))});
            }
            measured.sort((a, b) -> Double.compare(a[0], b[0]));
            String name = line.getKey().isEmpty() ? "trained" : line.getKey();
            XYSeries dots = chart.addSeries(name + " (trained)", measured.stream().mapToDouble(p -> p[0]).toArray(),
                    measured.stream().mapToDouble(p -> p[1]).toArray());
            style(dots, v, colourAxis, styleAxis, first);
            dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            dots.setMarker(SeriesMarkers.CIRCLE);
            added++;
            double[][] curve = theoryCurve(v, first, lo / Math.sqrt(10), hi * Math.sqrt(10));
            if (curve != null) {
                XYSeries t = chart.addSeries(name + " (theory)", curve[0], curve[1]);
                style(t, v, colourAxis, styleAxis, first);
                t.setMarker(SeriesMarkers.NONE);
            }
        }
        return added == 0 ? null : Charts.svg(chart, prefix);
    }

    /** The closed form's c over λ on a log grid (every layer's λ scaled together), null where no form applies. */
    static double[][] theoryCurve(StudyView v, StudyView.Config c, double lo, double hi) {
        Architecture arch = v.architecture(c);
        double[] base = v.lambdas(c);
        TheoryLookup lookup = v.theories();
        double[] shape = shape(v, c);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < CURVE_POINTS; i++) {
            double lambda = lo * Math.pow(hi / lo, i / (CURVE_POINTS - 1.0));
            double[] l = base.clone();
            for (int j = 0; j < l.length; j++) l[j] = base[j] / base[0] * lambda;
            ConfigurationTheory t = lookup.lookup(arch, l);
            if (!t.attainable()) continue;
            pts.add(new double[] {lambda, KernelDistance.bestScale(t.lastKernel(), shape)});
        }
        if (pts.size() < 2) return null;
        return new double[][] {pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()};
    }

    /** T: K_Y for odd activations, K_Y + dY·11ᵀ otherwise. */
    static double[] shape(StudyView v, StudyView.Config c) {
        double[] t = Kernels.outputKernel(v.task);
        if (!TheoryLookup.theoryClass(v.architecture(c).activation()).equals("odd")) {
            for (int i = 0; i < t.length; i++) t[i] += v.task.outputDim();
        }
        return t;
    }

    /** Configurations grouped by the values of the other axes (one line each), in study order. */
    private static Map<String, List<StudyView.Config>> lines(StudyView v, List<Axis> others) {
        Map<String, List<StudyView.Config>> out = new LinkedHashMap<>();
        for (StudyView.Config c : v.configs) {
            List<String> parts = new ArrayList<>();
            for (Axis a : others) parts.add(a.id().equals("activation") ? a.value().apply(c) : shortName(a) + "=" + a.value().apply(c));
            out.computeIfAbsent(String.join(" ", parts), k -> new ArrayList<>()).add(c);
        }
        return out;
    }

    /** Converged members' values of a column (all non-diverged members when none converged). */
    static double[] minima(StudyView v, StudyView.Config c, String column) {
        boolean anyConverged = v.converged(c) > 0;
        double[] all = v.column(c, column);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            String status = v.rows.get(c.ids().get(i)).string("status");
            if (anyConverged ? status.equals("CONVERGED") : !status.equals("DIVERGED")) out.add(all[i]);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void style(XYSeries s, StudyView v, Axis colourAxis, Axis styleAxis, StudyView.Config c) {
        Color colour = Charts.colour(colourAxis == null ? 0 : index(v, colourAxis, c));
        s.setLineColor(colour);
        s.setMarkerColor(colour);
        float[] dash = DASHES[styleAxis == null ? 0 : Math.floorMod(index(v, styleAxis, c), DASHES.length)];
        s.setLineStyle(dash == null ? new BasicStroke(1.8f)
                : new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
    }

    /** Position of the configuration's value among the axis's values (sorted numerically where numeric). */
    private static int index(StudyView v, Axis a, StudyView.Config c) {
        List<String> values = v.configs.stream().map(a.value()).distinct().toList();
        if (a.numeric()) {
            values = new ArrayList<>(new TreeSet<>(values.stream().map(Double::parseDouble).toList())
                    .stream().map(AxisFigures::num).toList());
        }
        return values.indexOf(a.numeric() ? num(Double.parseDouble(a.value().apply(c))) : a.value().apply(c));
    }

    private static void styleAxes(XYChart chart, boolean logX, boolean logY) {
        if (logX) {
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setXAxisLogarithmicDecadeOnly(true);
            chart.getStyler().setXAxisTickLabelsFormattingFunction(Charts::decadeTick);
        }
        if (logY) {
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisLogarithmicDecadeOnly(true);
            chart.getStyler().setYAxisTickLabelsFormattingFunction(Charts::decadeTick);
        }
    }

    private static void xCategories(XYChart chart, List<String> categories) {
        chart.getStyler().setXAxisMin(-0.5).setXAxisMax(categories.size() - 0.5);
        chart.getStyler().setXAxisTickLabelsFormattingFunction(x -> {
            long i = Math.round(x);
            return Math.abs(x - i) < 1e-9 && i >= 0 && i < categories.size() ? categories.get((int) i) : "";
        });
    }

    private static String shortName(Axis a) {
        return switch (a.id()) {
            case "lambda" -> "λ";
            case "width" -> "w";
            case "depth" -> "L";
            default -> a.id();
        };
    }

    static String num(double x) {
        return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.6g", x).replaceAll("\\.?0+(e|$)", "$1");
    }
}
