package org.repgeom.report;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.repgeom.analysis.Quantiles;
import org.repgeom.io.Csv;

/** Recurrent members over their time steps, from {@code rnn_steps.csv}: when the final geometry appears. */
final class RecurrentFigures {
    /** The plotted columns of rnn_steps.csv and their axis titles. */
    private static final String[][] PANELS = {
        {"parallelism_score", "parallelism score of h_t"},
        {"label_alignment", "alignment of K_t with K_Y"},
        {"cka_to_last", "CKA of K_t with K_T"},
    };

    private RecurrentFigures() {
    }

    /** Median PS, label alignment and CKA to the last step against t per configuration; null without recurrent members. */
    static Figure overTime(StudyView v) throws IOException {
        Path file = v.run.path().resolve("rnn_steps.csv");
        if (!Files.isRegularFile(file)) return null;
        // configuration -> column -> t -> values over members (diverged members left out)
        Map<String, List<Map<Integer, List<Double>>>> data = new LinkedHashMap<>();
        try (Csv.Reader r = new Csv.Reader(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            List<String> header = r.next();
            int id = header.indexOf("id"), t = header.indexOf("t"), config = header.indexOf("configuration");
            int[] cols = new int[PANELS.length];
            for (int k = 0; k < cols.length; k++) cols[k] = header.indexOf(PANELS[k][0]);
            for (List<String> row = r.next(); row != null; row = r.next()) {
                var member = v.rows.get(Integer.parseInt(row.get(id)));
                if (member != null && "DIVERGED".equals(member.string("status"))) continue;
                List<Map<Integer, List<Double>>> perColumn = data.computeIfAbsent(row.get(config), k -> {
                    List<Map<Integer, List<Double>>> l = new ArrayList<>();
                    for (int c = 0; c < PANELS.length; c++) l.add(new TreeMap<>());
                    return l;
                });
                int step = Integer.parseInt(row.get(t));
                for (int k = 0; k < cols.length; k++) {
                    String cell = row.get(cols[k]); // empty where a measure is undefined (PS without binary labels)
                    perColumn.get(k).computeIfAbsent(step, s -> new ArrayList<>()).add(cell.isEmpty() ? Double.NaN : Double.parseDouble(cell));
                }
            }
        }
        if (data.isEmpty()) return null;
        StringBuilder body = new StringBuilder();
        for (int k = 0; k < PANELS.length; k++) {
            XYChart chart = Charts.xy(480, 320, "time step t", PANELS[k][1]);
            for (StudyView.Config c : v.configs) {
                List<Map<Integer, List<Double>>> perColumn = data.get(c.key());
                if (perColumn == null) continue;
                Map<Integer, List<Double>> byStep = perColumn.get(k);
                double[] x = new double[byStep.size()], med = new double[byStep.size()];
                int i = 0;
                for (Map.Entry<Integer, List<Double>> e : byStep.entrySet()) {
                    x[i] = e.getKey();
                    double[] finite = e.getValue().stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
                    med[i++] = finite.length == 0 ? Double.NaN : Quantiles.median(finite);
                }
                double[][] line = TrainingFigures.finite(x, med);
                if (line == null) continue;
                XYSeries s = chart.addSeries(v.label(c), line[0], line[1]);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(Charts.colour(v.colour(c)));
                s.setLineColor(Charts.colour(v.colour(c)));
                s.setLineStyle(new BasicStroke(1.6f));
            }
            if (chart.getSeriesCollection().isEmpty()) continue;
            body.append("<div class=\"panel\">").append(Charts.svg(chart, "rnn-" + PANELS[k][0] + "-")).append("</div>\n");
        }
        String caption = "Recurrent members at every time step t = 1…T (rnn_steps.csv), median over the non-diverged members "
                + "of each configuration: the parallelism score of the hidden state h_t, the cosine alignment "
                + "⟨K_t, K_Y⟩/(‖K_t‖‖K_Y‖) of its kernel K_t = h_tᵀh_t with the output kernel, and the linear CKA of K_t "
                + "with the last step's kernel K_T (1 at t = T). The readout sees only h_T; look for the step at which "
                + "the abstract geometry (PS near 1) appears, and whether earlier steps already share it.";
        return new Figure("fig-rnn-steps", "Geometry over time steps", caption, body.toString());
    }
}
