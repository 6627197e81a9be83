package org.repgeom.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.repgeom.analysis.NeuralComparison.Geometry;
import org.repgeom.report.StudyComparison.ConfigRow;
import org.repgeom.report.StudyComparison.Measure;

/**
 * The report's "models vs data" figure ({@code report --data R.npy}): the ranking table of
 * {@link StudyComparison} with the data's own geometry as its first row, and the data's kernel next
 * to the mean kernel of the most similar configuration, both scaled to unit Frobenius norm.
 */
final class ComparisonFigures {
    private ComparisonFigures() {
    }

    /**
     * @param source what was recorded, in words (file names, neuron and condition counts)
     */
    static Figure figure(StudyComparison.Result r, String source) {
        StringBuilder body = new StringBuilder("<div>\n<table class=\"metrics\" style=\"white-space: nowrap\">\n<tr><th>configuration</th><th>members</th>"
                + "<th>CKA</th><th>RSA</th><th>kernel distance</th><th>PS</th><th>CCGP</th><th>participation ratio</th></tr>\n");
        Geometry d = r.data();
        body.append("<tr><td><b>recorded data</b></td><td></td><td></td><td>")
                .append(r.splitHalf() == null ? "" : "ceiling ≈ " + fmt(r.splitHalf().rsaCeiling()) + " (split-half "
                        + fmt(r.splitHalf().rsa()) + ")").append("</td><td></td><td>")
                .append(fmt(d.ps())).append("</td><td>").append(fmt(d.ccgp())).append("</td><td>")
                .append(fmt(d.participationRatio())).append("</td></tr>\n");
        for (ConfigRow c : r.configs()) {
            body.append("<tr><td>").append(Html.escape(c.config())).append("</td><td>").append(c.size()).append("</td>");
            for (Measure m : Measure.values()) {
                body.append("<td>").append(fmt(c.median(m))).append(" [").append(fmt(c.quantile(m, 0.25))).append("–")
                        .append(fmt(c.quantile(m, 0.75))).append("]</td>");
            }
            body.append("<td>").append(fmt(c.geometryMedian(Geometry::ps))).append("</td><td>")
                    .append(fmt(c.geometryMedian(Geometry::ccgp))).append("</td><td>")
                    .append(fmt(c.geometryMedian(Geometry::participationRatio))).append("</td></tr>\n");
        }
        body.append("</table>\n</div>\n");
        ConfigRow best = r.configs().isEmpty() ? null : r.configs().get(0);
        if (best != null && best.meanShape() != null) {
            int s = r.labels().length / r.outputDim();
            double[][] data = grid(unit(r.dataKernel()), s);
            double[][] model = grid(best.meanShape(), s);
            String[] labels = labels(r, s);
            List<HeatmapSvg.Panel> panels = new ArrayList<>();
            panels.add(new HeatmapSvg.Panel("recorded data", data, labels, labels));
            panels.add(new HeatmapSvg.Panel("best: " + best.config(), model, labels, labels));
            double max = 0;
            for (double[][] g : List.of(data, model)) {
                for (double[] row : g) for (double v : row) max = Math.max(max, Math.abs(v));
            }
            body.append(DistributionFigures.panel("kernels K/‖K‖ (" + r.layer() + (r.centred() ? ", centred" : "") + ")",
                    HeatmapSvg.render(panels, -max, max, HeatmapSvg.DIVERGING, "K/‖K‖", 26, 300)));
        }
        String caption = String.format(Locale.ROOT, "Which configuration's geometry matches the recorded data? %s was compared "
                + "with the %s of every member%s: linear CKA and RSA (Spearman correlation of the Euclidean "
                + "dissimilarity matrices, ties at mid-ranks; 1 = same geometry) and the scale-free kernel distance "
                + "min<sub>c</sub>‖K<sub>data</sub> − c·K<sub>model</sub>‖/‖K<sub>data</sub>‖ (0 = same kernel up to scale), "
                + "each as the median [quartiles] over the configuration's members. Rows are sorted by %s. The first row is "
                + "the data's own geometry (PS and CCGP on the study's labels%s). The heatmaps show the data's kernel and "
                + "the mean member kernel of the top configuration, samples in study order (labels ±).",
                Html.escape(source), Html.escape(r.layer()), r.centred() ? ", each unit and neuron centred over the conditions"
                        : "", Html.escape(r.sortKey().describe()), r.splitHalf() == null ? ""
                        : "; its RSA cell holds the noise ceiling √r, r = 2ρ/(1+ρ) the Spearman–Brown reliability from the "
                        + "split-half RSA ρ of the repeats: roughly the best RSA a noise-free model can reach");
        return new Figure("fig-compare", "Models vs recorded data", caption, body.toString());
    }

    /** K / ‖K‖_F (zero stays zero). */
    private static double[] unit(double[] k) {
        double n = 0;
        for (double v : k) n += v * v;
        double norm = Math.sqrt(n);
        double[] out = k.clone();
        if (norm > 0) for (int i = 0; i < out.length; i++) out[i] /= norm;
        return out;
    }

    private static double[][] grid(double[] k, int s) {
        double[][] g = new double[s][s];
        for (int i = 0; i < s; i++) System.arraycopy(k, i * s, g[i], 0, s);
        return g;
    }

    /** Each compared sample's labels as a ± string (e.g. "+−+"). */
    private static String[] labels(StudyComparison.Result r, int s) {
        String[] out = new String[s];
        for (int j = 0; j < s; j++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < r.outputDim(); k++) {
                double y = r.labels()[k * s + j];
                sb.append(y > 0 ? '+' : y < 0 ? '−' : '0');
            }
            out[j] = sb.toString();
        }
        return out;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }
}
