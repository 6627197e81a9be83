package org.repgeom.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-configuration theory check of {@code summary.json} as an HTML table under the headline:
 * the closed form that applies (or why none does), the verdict, and the numbers it rests on, with a
 * legend for every column.
 */
final class TheoryTable {
    private TheoryTable() {
    }

    static final String[][] COLUMNS = {
        {"configuration", "the varying parts of the configuration key"},
        {"class", "theory class of the activation: threshold (relu-like), odd (linear, tanh) or none (gelu)"},
        {"closed form", "the form of the catalogue that applies, or why none does"},
        {"verdict", "holds / fails (median over CONVERGED members), applies (no converged member: no verdict), "
                + "does not apply"},
        {"converged", "CONVERGED members of all members"},
        {"kernel distance", "median ‖K − K*‖/‖K*‖ over CONVERGED members (absolute ‖K‖ where K* = 0)"},
        {"PS", "median parallelism score over CONVERGED members"},
        {"span residual", "median residual outside span{K_Y, 11ᵀ} over all members"},
        {"certified", "members certified global minima by the KKT certificate (method in members.csv)"}};

    @SuppressWarnings("unchecked")
    static String html(StudyView v) {
        if (!(v.summary.get("configurations") instanceof List<?> configs)) return "";
        StringBuilder sb = new StringBuilder("<table class=\"metrics theory\">\n<tr>");
        for (String[] c : COLUMNS) sb.append("<th>").append(Html.escape(c[0])).append("</th>");
        sb.append("</tr>\n");
        for (Object o : configs) {
            Map<String, Object> c = (Map<String, Object>) o;
            String key = (String) c.get("key");
            String label = v.configs.stream().filter(x -> x.key().equals(key)).findFirst().map(v::label).orElse(key);
            Map<String, Object> th = (Map<String, Object>) c.getOrDefault("theory", Map.of());
            Map<String, Object> check = (Map<String, Object>) c.getOrDefault("theory_check", Map.of());
            Map<String, Object> status = (Map<String, Object>) c.getOrDefault("status", Map.of());
            String form = Boolean.TRUE.equals(th.get("applies")) ? th.get("form") + ": " + th.get("formula")
                    : "none: " + th.get("why");
            // the reason is in the form column when no form applies; otherwise it belongs to the verdict
            boolean formApplies = Boolean.TRUE.equals(th.get("applies"));
            String verdict = String.valueOf(check.get("verdict"))
                    + (check.get("why") != null && formApplies ? " (" + check.get("why") + ")" : "");
            Object dist = check.get("kernel_distance") instanceof Map<?, ?> m ? m.get("median") : null;
            Object span = c.get("span_residual") instanceof Map<?, ?> m ? m.get("median") : null;
            Map<?, ?> certs = check.get("certificate") instanceof Map<?, ?> m ? m : Map.of();
            Object cert = certs.get("CERTIFIED");
            if (cert instanceof Number n && n.longValue() == 0 && certs.get("NOT_CERTIFIED") instanceof Number nc
                    && nc.longValue() == 0) {
                cert = null; // not checked: the certificate does not apply to this activation or depth
            }
            sb.append("<tr><td>").append(Html.escape(label)).append("</td><td>")
                    .append(Html.escape(String.valueOf(c.get("theory_class")))).append("</td><td>")
                    .append(Html.escape(form)).append("</td><td>").append(Html.escape(verdict)).append("</td><td>")
                    .append(status.get("CONVERGED")).append(" / ").append(c.get("members")).append("</td><td>")
                    .append(fmt(dist)).append("</td><td>").append(fmt(check.get("parallelism_score_median")))
                    .append("</td><td>").append(fmt(span)).append("</td><td>")
                    .append(cert == null ? "–" : cert + " / " + check.get("members")).append("</td></tr>\n");
        }
        sb.append("</table>\n<dl class=\"legend\">");
        for (String[] c : COLUMNS) sb.append("<dt>").append(Html.escape(c[0])).append("</dt><dd>").append(Html.escape(c[1])).append("</dd>");
        return sb.append("</dl>\n").toString();
    }

    private static String fmt(Object o) {
        return o instanceof Number n && Double.isFinite(n.doubleValue())
                ? String.format(Locale.ROOT, "%.3g", n.doubleValue()) : "–";
    }
}
