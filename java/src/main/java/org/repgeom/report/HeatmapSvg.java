package org.repgeom.report;

import java.util.List;
import java.util.Locale;

/**
 * Heatmaps as hand-written SVG (XChart's heat map draws one legend entry per colour and no shared
 * scale across panels): one or more panels side by side on one colour scale, with a colour bar.
 * NaN cells are drawn light grey.
 */
final class HeatmapSvg {
    /** Diverging blue–white–red, for kernels (signed entries, 0 is white). */
    static final int[] DIVERGING = {0x2166AC, 0x67A9CF, 0xF7F7F7, 0xEF8A62, 0xB2182B};
    /** Sequential (viridis anchors), for CKA, correlations and distances in [0, 1]. */
    static final int[] SEQUENTIAL = {0x440154, 0x3B528B, 0x21918C, 0x5EC962, 0xFDE725};

    /**
     * One panel: {@code values[row][col]}, labels for rows and columns (null or too many to draw: none).
     */
    record Panel(String title, double[][] values, String[] rowLabels, String[] colLabels) {
    }

    private HeatmapSvg() {
    }

    /**
     * Panels side by side on the scale [lo, hi]; {@code cell} pixels per cell (the whole panel is at
     * most {@code maxPanel} pixels wide/high, cells shrink to fit).
     */
    static String render(List<Panel> panels, double lo, double hi, int[] colours, String scaleLabel, int cell,
                         int maxPanel) {
        return render(panels, lo, hi, colours, scaleLabel, cell, maxPanel, 1.0);
    }

    /** As {@link #render(List, double, double, int[], String, int, int)} with cells {@code widthFactor} times wider than high. */
    static String render(List<Panel> panels, double lo, double hi, int[] colours, String scaleLabel, int cell,
                         int maxPanel, double widthFactor) {
        int rows = panels.get(0).values().length, cols = panels.get(0).values()[0].length;
        double size = Math.min(cell, Math.min((double) maxPanel / (cols * widthFactor), (double) maxPanel / rows));
        double cw = size * widthFactor;
        boolean rowText = panels.get(0).rowLabels() != null && size >= 9;
        boolean colText = panels.get(0).colLabels() != null && cw >= 9;
        int labelSpace = rowText ? 8 + 7 * maxLength(panels.get(0).rowLabels()) : 6;
        int colSpace = colText ? 8 + 7 * maxLength(panels.get(0).colLabels()) : 6;
        double panelW = cols * cw, panelH = rows * size;
        int gap = 24, top = 22, bar = 70;
        double[] slot = new double[panels.size()];
        double width = bar;
        for (int i = 0; i < slot.length; i++) {
            slot[i] = Math.max(labelSpace + panelW + gap, labelSpace + 7.2 * panels.get(i).title().length() + 12);
            width += slot[i];
        }
        double height = top + panelH + colSpace + 4;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                        + "font-family=\"sans-serif\" font-size=\"11\">\n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n", width, height));
        double x0 = 0;
        for (int pi = 0; pi < panels.size(); pi++) {
            Panel p = panels.get(pi);
            double left = x0 + labelSpace;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"14\" font-size=\"12\" font-weight=\"bold\">%s</text>\n",
                    left, Html.escape(p.title())));
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    double v = p.values()[r][c];
                    sb.append(String.format(Locale.ROOT,
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>",
                            left + c * cw, top + r * size, cw + 0.3, size + 0.3, colour(v, lo, hi, colours)));
                }
                sb.append('\n');
            }
            sb.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
                    left, top, panelW, panelH));
            if (rowText) {
                for (int r = 0; r < rows; r++) {
                    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\">%s</text>\n",
                            left - 4, top + (r + 0.5) * size, Html.escape(p.rowLabels()[r])));
                }
            }
            if (colText) {
                for (int c = 0; c < cols; c++) {
                    double cx = left + (c + 0.5) * cw, cy = top + panelH + 5;
                    sb.append(String.format(Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
                            cx, cy, cx, cy, Html.escape(p.colLabels()[c])));
                }
            }
            x0 += slot[pi];
        }
        colourBar(sb, x0, top, Math.max(60, panelH), lo, hi, colours, scaleLabel);
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void colourBar(StringBuilder sb, double x, double top, double h, double lo, double hi, int[] colours,
                                  String label) {
        int steps = 32;
        for (int i = 0; i < steps; i++) {
            double v = hi - (hi - lo) * (i + 0.5) / steps;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.2f\" width=\"12\" height=\"%.2f\" fill=\"%s\"/>",
                    x, top + h * i / steps, h / steps + 0.3, colour(v, lo, hi, colours)));
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"hanging\">%s</text>\n",
                x + 15, top, number(hi)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 15, top + h, number(lo)));
        if (label != null) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"middle\">%s</text>\n",
                    x + 15, top + h / 2, Html.escape(label)));
        }
    }

    static String number(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 1e-3 && a < 1e4 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.1e", v);
    }

    /** The colour of v on [lo, hi] through the anchors (linear in RGB); NaN is light grey. */
    static String colour(double v, double lo, double hi, int[] anchors) {
        if (!Double.isFinite(v)) return "#ddd";
        double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        t = Math.max(0, Math.min(1, t)) * (anchors.length - 1);
        int i = Math.min(anchors.length - 2, (int) Math.floor(t));
        double f = t - i;
        int a = anchors[i], b = anchors[i + 1];
        int r = (int) Math.round(((a >> 16) & 255) * (1 - f) + ((b >> 16) & 255) * f);
        int g = (int) Math.round(((a >> 8) & 255) * (1 - f) + ((b >> 8) & 255) * f);
        int bl = (int) Math.round((a & 255) * (1 - f) + (b & 255) * f);
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, bl);
    }

    private static int maxLength(String[] labels) {
        int m = 0;
        for (String s : labels) m = Math.max(m, s.length());
        return m;
    }
}
