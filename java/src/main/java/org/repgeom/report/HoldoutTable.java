package org.repgeom.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-configuration {@code holdout} blocks of {@code summary.json} as an HTML table: how the members
 * and the certified optimum do on the held-out samples. Empty when the study holds nothing out.
 */
final class HoldoutTable {
    private HoldoutTable() {
    }

    static final String[][] COLUMNS = {
        {"configuration", "the varying parts of the configuration key"},
        {"test loss", "median over members of ‖Y − F(X)‖² on the held-out samples"},
        {"accuracy", "median sign accuracy on the held-out samples (mean over labels)"},
        {"CCGP", "median over members of the accuracy on held-out conditions of a linear decoder trained on the "
                + "training conditions' hidden layer (mean over labels)"},
        {"optimum test loss", "test loss of the certified global optimum (two-layer relu, leaky_relu, linear)"},
        {"optimum CCGP", "the optimum's CCGP on the held-out conditions"},
        {"distance to optimum", "median ‖F − F*‖/‖Y‖ between the members' and the optimum's held-out predictions"}};

    @SuppressWarnings("unchecked")
    static String html(StudyView v) {
        if (!(v.summary.get("configurations") instanceof List<?> configs)) return "";
        StringBuilder rows = new StringBuilder();
        for (Object o : configs) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (!(c.get("holdout") instanceof Map<?, ?> h)) continue;
            String key = (String) c.get("key");
            String label = v.configs.stream().filter(x -> x.key().equals(key)).findFirst().map(v::label).orElse(key);
            rows.append("<tr><td>").append(Html.escape(label)).append("</td><td>").append(median(h.get("test_loss")))
                    .append("</td><td>").append(median(h.get("test_accuracy"))).append("</td><td>")
                    .append(median(h.get("test_ccgp"))).append("</td><td>").append(fmt(h.get("optimum_test_loss")))
                    .append("</td><td>").append(fmt(h.get("optimum_test_ccgp"))).append("</td><td>")
                    .append(median(h.get("optimum_test_distance"))).append("</td></tr>\n");
        }
        if (rows.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("<h2 id=\"holdout\">Held-out samples</h2>\n<table class=\"metrics holdout\">\n<tr>");
        for (String[] c : COLUMNS) sb.append("<th>").append(Html.escape(c[0])).append("</th>");
        sb.append("</tr>\n").append(rows).append("</table>\n<dl class=\"legend\">");
        for (String[] c : COLUMNS) sb.append("<dt>").append(Html.escape(c[0])).append("</dt><dd>").append(Html.escape(c[1])).append("</dd>");
        return sb.append("</dl>\n").toString();
    }

    private static String median(Object quantiles) {
        return quantiles instanceof Map<?, ?> m ? fmt(m.get("median")) : "–";
    }

    private static String fmt(Object o) {
        return o instanceof Number n && Double.isFinite(n.doubleValue())
                ? String.format(Locale.ROOT, "%.3g", n.doubleValue()) : "–";
    }
}
