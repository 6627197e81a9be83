package org.repgeom.report;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shrinks the SVG that VectorGraphics2D writes for an XChart chart so that many charts fit in one
 * HTML page: drops the XML prolog and DOCTYPE (not allowed inline), keeps one decimal of every
 * coordinate (a tenth of a CSS pixel), merges runs of {@code <line>} elements that share a style and
 * continue each other into one {@code <polyline>} (XChart strokes a series as one line element per
 * segment) and prefixes every {@code id} so that clip paths of different charts cannot collide in
 * one document. The drawing is unchanged.
 */
final class SvgCompactor {
    private static final Pattern DECIMALS = Pattern.compile("(\\d\\.\\d)\\d+");
    private static final Pattern LINE = Pattern.compile(
            "\\s*<line style=\"([^\"]*)\" x1=\"([-0-9.]+)\" x2=\"([-0-9.]+)\" y1=\"([-0-9.]+)\" y2=\"([-0-9.]+)\"/>\\s*");
    private static final Pattern ID = Pattern.compile("id=\"([^\"]+)\"");
    private static final Pattern URL = Pattern.compile("url\\(#([^)]+)\\)");

    private SvgCompactor() {
    }

    static String compact(String svg, String idPrefix) {
        String s = svg.replaceFirst("(?s)^\\s*<\\?xml[^>]*\\?>\\s*", "").replaceFirst("(?s)^\\s*<!DOCTYPE[^>]*>\\s*", "");
        s = DECIMALS.matcher(s).replaceAll("$1");
        s = ID.matcher(s).replaceAll(m -> Matcher.quoteReplacement("id=\"" + idPrefix + m.group(1) + "\""));
        s = URL.matcher(s).replaceAll(m -> Matcher.quoteReplacement("url(#" + idPrefix + m.group(1) + ")"));
        return mergeLines(s);
    }

    /** Joins consecutive one-segment lines with equal style whose ends meet into polylines. */
    static String mergeLines(String svg) {
        StringBuilder out = new StringBuilder(svg.length() / 2);
        String style = null;
        StringBuilder points = new StringBuilder();
        String lastX = null, lastY = null;
        int segments = 0;
        for (String line : svg.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                String st = m.group(1), x1 = m.group(2), x2 = m.group(3), y1 = m.group(4), y2 = m.group(5);
                if (style != null && st.equals(style) && x1.equals(lastX) && y1.equals(lastY)) {
                    points.append(' ').append(x2).append(',').append(y2);
                    segments++;
                } else {
                    flush(out, style, points, segments);
                    style = st;
                    points.setLength(0);
                    points.append(x1).append(',').append(y1).append(' ').append(x2).append(',').append(y2);
                    segments = 1;
                }
                lastX = x2;
                lastY = y2;
            } else {
                flush(out, style, points, segments);
                style = null;
                segments = 0;
                out.append(line).append('\n');
            }
        }
        flush(out, style, points, segments);
        return out.toString();
    }

    private static void flush(StringBuilder out, String style, StringBuilder points, int segments) {
        if (style == null || segments == 0) return;
        out.append("<polyline style=\"").append(style).append("\" points=\"").append(points).append("\"/>\n");
    }
}
