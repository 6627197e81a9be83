package org.repgeom.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repgeom.analysis.ClassPartition;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.PrototypeProjection;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;
import org.repgeom.theory.ConfigurationTheory;

/**
 * What one network learned, for a few representative configurations: its kernel next to theory,
 * its class prototypes on their principal components, and the label tuning of its neurons. Each
 * configuration is shown through its median member ({@link StudyView#representative}).
 */
final class KernelFigures {
    private KernelFigures() {
    }

    /**
     * The configurations shown: per activation the widest among those with the most CONVERGED members
     * (first in study order among equals), and for an activation with a closed-form optimum also its
     * narrowest configuration when that cannot attain it.
     */
    static List<StudyView.Config> showcase(StudyView v) {
        List<StudyView.Config> out = new ArrayList<>();
        int minWidth = 2 * v.task.outputDim();
        for (String act : v.activations()) {
            List<StudyView.Config> cs = v.configs.stream().filter(c -> c.activation().equals(act)).toList();
            long most = cs.stream().mapToLong(v::converged).max().orElse(0);
            StudyView.Config widest = cs.stream().filter(c -> v.converged(c) == most)
                    .max(Comparator.comparingInt(StudyView.Config::lastWidth).thenComparing(c -> -c.index())).orElseThrow();
            out.add(widest);
            StudyView.Config narrowest = cs.stream().min(Comparator.comparingInt(StudyView.Config::lastWidth)
                    .thenComparing(StudyView.Config::index)).orElseThrow();
            boolean theory = cs.stream().anyMatch(c -> Arrays.stream(v.column(c, "kernel_distance")).anyMatch(Double::isFinite));
            if (theory && narrowest.lastWidth() < minWidth && narrowest != widest) out.add(narrowest);
        }
        return out.size() > 4 ? out.subList(0, 4) : out;
    }

    /** One distinct configuration per activation (the widest). */
    static List<StudyView.Config> perActivation(StudyView v) {
        List<StudyView.Config> out = new ArrayList<>();
        for (StudyView.Config c : showcase(v)) {
            if (out.stream().noneMatch(o -> o.activation().equals(c.activation()))) out.add(c);
        }
        return out;
    }

    /** Sample order for kernel heatmaps (by class, classes by their ±1 code) and a label per sample. */
    record SampleOrder(int[] order, String[] labels) {
        static SampleOrder of(Task task) {
            int p = task.samples(), dY = task.outputDim();
            ClassPartition classes = ClassPartition.ofColumns(task.yData(), dY, p);
            String[] classLabel = new String[classes.classCount()];
            long[] code = new long[classes.classCount()];
            for (int c = 0; c < classLabel.length; c++) {
                classLabel[c] = classCode(classes.labels()[c]);
                for (int k = 0; k < Math.min(dY, 62); k++) code[c] |= (classes.labels()[c][k] > 0 ? 1L : 0L) << k;
            }
            Integer[] idx = new Integer[p];
            for (int s = 0; s < p; s++) idx[s] = s;
            Arrays.sort(idx, Comparator.comparingLong((Integer s) -> code[classes.classOf()[s]]).thenComparingInt(s -> s));
            int[] order = Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
            String[] labels = new String[p];
            for (int i = 0; i < p; i++) labels[i] = classLabel[classes.classOf()[order[i]]];
            return new SampleOrder(order, p <= 32 ? labels : null);
        }
    }

    /** "+−+" for ±1 labels (label 1 first), else the values. */
    static String classCode(double[] label) {
        StringBuilder sb = new StringBuilder();
        for (double v : label) {
            if (v == 1.0) sb.append('+');
            else if (v == -1.0) sb.append('−');
            else sb.append(sb.length() == 0 ? "" : ",").append(HeatmapSvg.number(v));
        }
        return sb.toString();
    }

    static Figure kernels(StudyView v) throws IOException {
        Task task = v.task;
        int p = task.samples(), dY = task.outputDim();
        SampleOrder order = SampleOrder.of(task);
        StringBuilder body = new StringBuilder();
        List<String> notes = new ArrayList<>();
        for (StudyView.Config c : showcase(v)) {
            int id = v.representative(c);
            List<double[]> layers = v.layers(id);
            double[] k = RepresentationKernel.of(layers.get(c.depth() - 1), c.lastWidth(), p);
            List<HeatmapSvg.Panel> panels = new ArrayList<>();
            panels.add(new HeatmapSvg.Panel("learned K, member " + id, reorder(k, order.order(), p), order.labels(), order.labels()));
            double kd = v.rows.get(id).number("kernel_distance"), sd = v.rows.get(id).number("shape_distance");
            String theoryNote;
            ConfigurationTheory th = v.theory(c);
            if (Double.isFinite(kd) && th.applies()) {
                double[] kStar = th.lastKernel();
                panels.add(new HeatmapSvg.Panel("theory K* (" + th.form() + ")", reorder(kStar, order.order(), p),
                        order.labels(), order.labels()));
                theoryNote = String.format(Locale.ROOT, "%s (%s, member %d): %s, ‖K − K*‖/‖K*‖ = %.2e",
                        Html.escape(v.label(c)), v.rows.get(id).string("status"), id, Html.escape(th.formula()), kd);
            } else if (Double.isFinite(sd)) {
                boolean odd = c.activation().equals(Activation.TANH.id()) || c.activation().equals(Activation.LINEAR.id());
                double[] t = Kernels.outputKernel(task);
                if (!odd) for (int i = 0; i < t.length; i++) t[i] += dY;
                double scale = KernelDistance.bestScale(k, t);
                for (int i = 0; i < t.length; i++) t[i] *= scale;
                panels.add(new HeatmapSvg.Panel(odd ? "predicted shape c·K_Y (c fitted)" : "predicted shape c(K_Y + dY·11ᵀ) (c fitted)",
                        reorder(t, order.order(), p), order.labels(), order.labels()));
                theoryNote = String.format(Locale.ROOT, "%s: no closed-form coefficient for %s, so the right panel is the shape "
                        + "theory predicts for its class with the best-fitting c = %.4g; shape distance %.2e",
                        Html.escape(v.label(c)), Html.escape(c.activation()), scale, sd);
            } else {
                theoryNote = Html.escape(v.label(c)) + ": no closed form (" + Html.escape(th.applies() ? th.tooNarrow()
                        : th.why()) + ")";
            }
            notes.add(theoryNote);
            double max = 0;
            for (HeatmapSvg.Panel panel : panels) {
                for (double[] row : panel.values()) for (double x : row) if (Double.isFinite(x)) max = Math.max(max, Math.abs(x));
            }
            if (max == 0) max = 1;
            String svg = HeatmapSvg.render(panels, -max, max, HeatmapSvg.DIVERGING, "K", 26, 300);
            body.append(DistributionFigures.panel(v.label(c), svg));
        }
        String caption = "Learned representation kernel K = RᵀR of the last hidden layer (left, the configuration's median "
                + "member) next to theory (right), on one colour scale; samples sorted by class, labelled by their ±1 code "
                + "(label 1 first). Look for the same block pattern on both sides: ReLU's optimum is K* = c(K_Y + dY·11ᵀ) "
                + "(all entries ≥ 0, largest within a class, falling with the number of labels two classes differ in); odd "
                + "activations such as tanh learn c·K_Y, which goes negative for opposite classes. "
                + String.join("; ", notes) + ".";
        return new Figure("fig-kernels", "Learned and theoretical kernels", caption, body.toString());
    }

    /** Class prototypes on PC1–PC2 and PC2–PC3 with hypercube edges; null unless the labels are ±1 with ≥ 3 classes. */
    static Figure prototypes(StudyView v) throws IOException {
        Task task = v.task;
        int p = task.samples(), dY = task.outputDim();
        ClassPartition classes = ClassPartition.ofColumns(task.yData(), dY, p);
        if (classes.classCount() < 3 || !StudyAnalysis.isHypercube(classes, dY)) return null;
        StringBuilder body = new StringBuilder();
        List<String> explained = new ArrayList<>();
        for (StudyView.Config c : showcase(v)) {
            int id = v.representative(c);
            double[] r = v.layers(id).get(c.depth() - 1);
            double[][] proto = ClassPartition.prototypes(r, c.lastWidth(), classes.classOf(), classes.classCount());
            PrototypeProjection pp = PrototypeProjection.of(proto, 3);
            explained.add(String.format(Locale.ROOT, "%s %.0f/%.0f/%.0f %%", Html.escape(v.label(c)), 100 * pp.explained()[0],
                    100 * pp.explained()[1], 100 * pp.explained()[2]));
            StringBuilder pair = new StringBuilder();
            for (int[] axes : new int[][] {{0, 1}, {1, 2}}) {
                pair.append(projectionChart(pp, classes, axes[0], axes[1], "proto-" + c.index() + "-" + axes[0] + "-"));
            }
            body.append(DistributionFigures.panel(v.label(c) + " (member " + id + ")", "<div class=\"pair\">" + pair + "</div>"));
        }
        String caption = "Class prototypes (mean last-layer activity of each class) projected on their top principal "
                + "components, PC1–PC2 and PC2–PC3, for each configuration's median member; grey edges join classes that "
                + "differ in exactly one label, points are labelled by their ±1 code. An abstract representation makes "
                + "these edges parallel and equal per label: the hypercube (for dY = 3 a cube seen along a principal "
                + "axis). Variance explained by PC1/PC2/PC3: " + String.join("; ", explained) + ".";
        return new Figure("fig-prototypes", "Class prototypes on their principal components", caption, body.toString());
    }

    private static String projectionChart(PrototypeProjection pp, ClassPartition classes, int a, int b, String prefix) {
        double[][] xy = pp.coordinates();
        int cc = xy.length;
        double range = 0;
        for (double[] pt : xy) range = Math.max(range, Math.max(Math.abs(pt[a]), Math.abs(pt[b])));
        range = range == 0 ? 1 : range * 1.25;
        XYChart chart = Charts.xy(300, 300, String.format(Locale.ROOT, "PC%d (%.0f %%)", a + 1, 100 * pp.explained()[a]),
                String.format(Locale.ROOT, "PC%d (%.0f %%)", b + 1, 100 * pp.explained()[b]));
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisMin(-range).setXAxisMax(range).setYAxisMin(-range).setYAxisMax(range);
        String pattern = decimalPattern(range);
        chart.getStyler().setXAxisDecimalPattern(pattern).setYAxisDecimalPattern(pattern);
        chart.getStyler().setAnnotationTextFont(Charts.BASE.deriveFont(10f));
        int edge = 0;
        for (int i = 0; i < cc; i++) {
            for (int j = i + 1; j < cc; j++) {
                if (differingLabels(classes.labels()[i], classes.labels()[j]) != 1) continue;
                XYSeries e = chart.addSeries("e" + edge++, new double[] {xy[i][a], xy[j][a]}, new double[] {xy[i][b], xy[j][b]});
                e.setMarker(SeriesMarkers.NONE);
                e.setLineColor(new Color(0x9a9a9a));
                e.setLineStyle(new BasicStroke(1.2f));
            }
        }
        double[] px = new double[cc], py = new double[cc];
        for (int i = 0; i < cc; i++) {
            px[i] = xy[i][a];
            py[i] = xy[i][b];
            chart.addAnnotation(new AnnotationText(classCode(classes.labels()[i]), xy[i][a] + range * 0.09, xy[i][b] + range * 0.06, false));
        }
        XYSeries pts = chart.addSeries("classes", px, py);
        pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        pts.setMarker(SeriesMarkers.CIRCLE);
        pts.setMarkerColor(Charts.PALETTE[0]);
        return Charts.svg(chart, prefix);
    }

    /** Enough decimals for ticks over [−range, range]: {@code 0.##} for range 1, scientific below 1e-3. */
    static String decimalPattern(double range) {
        if (range < 1e-3 || range >= 1e5) return "0.#E0";
        int digits = Math.max(0, (int) Math.ceil(-Math.log10(range)) + 1);
        return digits == 0 ? "0" : "0." + "#".repeat(digits);
    }

    static int differingLabels(double[] a, double[] b) {
        int n = 0;
        for (int k = 0; k < a.length; k++) if (a[k] != b[k]) n++;
        return n;
    }

    /** |correlation| of each neuron with each label, for one member per activation. */
    static Figure tuning(StudyView v) throws IOException {
        Task task = v.task;
        int p = task.samples(), dY = task.outputDim();
        String[] labelNames = new String[dY];
        for (int k = 0; k < dY; k++) labelNames[k] = "y" + (k + 1);
        List<HeatmapSvg.Panel> panels = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (StudyView.Config c : perActivation(v)) {
            int id = v.representative(c);
            int m = c.lastWidth();
            NeuronLabelCorrelation nlc = NeuronLabelCorrelation.of(v.layers(id).get(c.depth() - 1), m, task.yData(), dY, p);
            double[][] values = new double[m][];
            for (int i = 0; i < m; i++) values[i] = nlc.correlation()[nlc.order()[i]];
            double modular = nlc.modularFraction(0.5);
            long dead = Arrays.stream(nlc.correlation()).filter(row -> Double.isNaN(row[0])).count();
            panels.add(new HeatmapSvg.Panel(c.activation() + " w=" + m, values, null, labelNames));
            notes.add(String.format(Locale.ROOT, "%s (member %d): %.0f %% of %d live units single-label, %d dead",
                    Html.escape(v.label(c)), id, 100 * modular, m - dead, dead));
        }
        if (panels.isEmpty()) return null;
        int maxUnits = panels.stream().mapToInt(pn -> pn.values().length).max().orElse(1);
        // one panel per activation, same scale; panels of different widths are rendered separately
        StringBuilder body = new StringBuilder();
        for (HeatmapSvg.Panel pn : panels) {
            int cell = Math.max(3, Math.min(12, 420 / Math.max(maxUnits, 1)));
            body.append(HeatmapSvg.render(List.of(pn), 0, 1, HeatmapSvg.SEQUENTIAL, "|ρ|", cell, 480,
                    Math.max(2.0, 22.0 / cell)));
        }
        String caption = "Single-neuron tuning: |Pearson correlation| of each hidden unit's activity (rows, sorted by the "
                + "label it follows best) with each label (columns), for the median member of the widest configuration "
                + "of each activation; dead units are grey. A modular code has one bright cell per row — each ReLU unit "
                + "of the hypercube optimum fires on one sign of one label — while mixed selectivity spreads a row over "
                + "several labels. Single-label: the largest |ρ| exceeds the second by at least 0.5. "
                + String.join("; ", notes) + ".";
        return new Figure("fig-tuning", "Neuron tuning", caption, body.toString());
    }

    /** λ1, λ2 from the members.csv cell "0.01" or "0.01/0.001" (a single value applies to every layer). */
    static double[] lambdas(String cell) {
        String[] parts = cell.split("/");
        double l1 = Double.parseDouble(parts[0]);
        double l2 = parts.length > 1 ? Double.parseDouble(parts[parts.length - 1]) : l1;
        return new double[] {l1, l2};
    }

    static double[][] reorder(double[] k, int[] order, int p) {
        double[][] out = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) out[i][j] = k[order[i] * p + order[j]];
        }
        return out;
    }
}
