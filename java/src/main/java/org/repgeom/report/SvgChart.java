package org.repgeom.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.lang.reflect.Field;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.AxesChartSeries;
import org.knowm.xchart.internal.series.MarkerSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.markers.Circle;
import org.knowm.xchart.style.markers.None;

/**
 * Draws the report's XChart charts directly as SVG, with every label a real {@code <text>} element
 * (searchable, selectable, and a few bytes instead of a glyph outline: XChart fills the outline of
 * every piece of text, which VectorGraphics2D can only write as {@code <path>}). It reads the chart's
 * model (series data, colours, strokes, markers, the styler's axes and legend settings) and lays it
 * out in the report's style: plot frame and grid, linear or logarithmic axes with XChart's tick
 * formatting functions, line, step, scatter and filled-area series, stacked or overlapped category
 * series, the legend to the right, text annotations.
 *
 * <p>{@link #supports} says whether a chart uses only these features; {@link Charts#svg} falls back to
 * XChart's own drawing for any other chart, so a figure that needs more still renders.
 */
final class SvgChart {
    private static final Font TICK = Charts.BASE.deriveFont(11f);
    private static final Font TITLE = Charts.BASE;
    private static final int PAD = 6;
    private static final int TICK_LEN = 3;
    private static final FontMetrics TICK_METRICS, TITLE_METRICS;

    static {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        TICK_METRICS = g.getFontMetrics(TICK);
        TITLE_METRICS = g.getFontMetrics(TITLE);
        g.dispose();
    }

    private final StringBuilder out = new StringBuilder();
    private final String id;

    private SvgChart(String idPrefix) {
        this.id = idPrefix + "plot";
    }

    /** Whether {@link #svg} can draw {@code chart} as XChart would (else: {@link Charts#svg} lets XChart draw it). */
    static boolean supports(Chart<?, ?> chart) {
        if (!(chart instanceof XYChart) && !(chart instanceof CategoryChart)) return false;
        if (annotations(chart) == null) return false;
        for (Object s : chart.getSeriesCollection()) {
            if (!(s instanceof MarkerSeries m) || m.getYAxisGroup() != 0) return false;
            boolean plainMarker = m.getMarker() == null || m.getMarker() instanceof None || m.getMarker() instanceof Circle;
            if (s instanceof CategorySeries c && style(c, (CategoryChart) chart) == CategorySeries.CategorySeriesRenderStyle.Bar) {
                plainMarker = true; // bars draw no markers
            }
            if (!plainMarker) return false;
            if (s instanceof XYSeries x) {
                XYSeries.XYSeriesRenderStyle st = style(x, (XYChart) chart);
                if (x.isSmooth() || x.getExtraValues() != null) return false;
                if (st != XYSeries.XYSeriesRenderStyle.Line && st != XYSeries.XYSeriesRenderStyle.Step
                        && st != XYSeries.XYSeriesRenderStyle.Scatter && st != XYSeries.XYSeriesRenderStyle.PolygonArea) return false;
            } else if (s instanceof CategorySeries c) {
                CategorySeries.CategorySeriesRenderStyle st = style(c, (CategoryChart) chart);
                if (c.isSmooth() || c.getExtraValues() != null) return false;
                if (st != CategorySeries.CategorySeriesRenderStyle.Bar && st != CategorySeries.CategorySeriesRenderStyle.Line) return false;
                if (st == CategorySeries.CategorySeriesRenderStyle.Bar && ((CategoryChart) chart).getStyler().isOverlapped()) return false;
            } else {
                return false;
            }
        }
        return !chart.getSeriesCollection().isEmpty();
    }

    private static XYSeries.XYSeriesRenderStyle style(XYSeries s, XYChart c) {
        return s.getXYSeriesRenderStyle().orElse(c.getStyler().getDefaultSeriesRenderStyle());
    }

    private static CategorySeries.CategorySeriesRenderStyle style(CategorySeries s, CategoryChart c) {
        return s.getChartCategorySeriesRenderStyle().orElse(c.getStyler().getDefaultSeriesRenderStyle());
    }

    /** The chart's text annotations (XChart keeps them private), or null when they cannot be read. */
    private static List<double[]> annotationPositions(List<Object> parts, List<String> texts) {
        List<double[]> pos = new ArrayList<>();
        try {
            for (Object p : parts) {
                if (!(p instanceof AnnotationText a)) return null;
                Field text = AnnotationText.class.getDeclaredField("text");
                Field screen = org.knowm.xchart.internal.chartpart.Annotation.class.getDeclaredField("isValueInScreenSpace");
                text.setAccessible(true);
                screen.setAccessible(true);
                if (screen.getBoolean(a)) return null;
                Field x = AnnotationText.class.getDeclaredField("x"), y = AnnotationText.class.getDeclaredField("y");
                x.setAccessible(true);
                y.setAccessible(true);
                texts.add((String) text.get(a));
                pos.add(new double[] {x.getDouble(a), y.getDouble(a)});
            }
            return pos;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> annotations(Chart<?, ?> chart) {
        try {
            Field f = org.knowm.xchart.internal.chartpart.AxesChart.class.getDeclaredField("annotations");
            f.setAccessible(true);
            List<Object> parts = new ArrayList<>((Collection<Object>) f.get(chart));
            return annotationPositions(parts, new ArrayList<>()) == null ? null : parts;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The chart as an inline {@code <svg>} whose ids start with {@code idPrefix}; {@link #supports} must hold. */
    static String svg(Chart<?, ?> chart, String idPrefix) {
        return new SvgChart(idPrefix).draw(chart);
    }

    // ---------------------------------------------------------------------------------------------
    // axes

    /** One axis: data range to pixels, linear or log10, with its tick values and labels. */
    private record Axis(double lo, double hi, boolean log, double from, double to, List<Double> ticks, List<String> labels) {
        double px(double v) {
            double t = log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
            return from + t * (to - from);
        }
    }

    private static double[] range(double min, double max, boolean log, Double fixedMin, Double fixedMax) {
        if (!(min <= max)) {
            min = log ? 1 : 0;
            max = log ? 10 : 1;
        }
        if (fixedMin != null) min = fixedMin;
        if (fixedMax != null) max = fixedMax;
        if (log) {
            min = Math.pow(10, Math.floor(Math.log10(min)));
            max = Math.pow(10, Math.ceil(Math.log10(max)));
            if (min == max) max = min * 10;
        } else if (min == max) {
            min -= 1;
            max += 1;
        }
        return new double[] {min, max};
    }

    /** Tick values: decades (and 2…9 inside them unless decade-only) on a log axis, 1/2/5·10^k steps on a linear one. */
    private static List<Double> ticks(double lo, double hi, boolean log, boolean decadesOnly, double pixels, boolean padToTicks,
                                      double[] rangeOut) {
        List<Double> t = new ArrayList<>();
        if (log) {
            for (long k = Math.round(Math.log10(lo)); k <= Math.round(Math.log10(hi)); k++) {
                double d = Math.pow(10, k);
                t.add(d);
                if (!decadesOnly && k < Math.round(Math.log10(hi))) for (int m = 2; m <= 9; m++) t.add(m * d);
            }
            rangeOut[0] = lo;
            rangeOut[1] = hi;
            return t;
        }
        int wanted = Math.max(2, (int) (pixels / 55));
        double raw = (hi - lo) / wanted, mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        double first = Math.ceil(lo / step - 1e-9) * step, last = Math.floor(hi / step + 1e-9) * step;
        if (padToTicks) {
            first = Math.floor(lo / step + 1e-9) * step;
            last = Math.ceil(hi / step - 1e-9) * step;
            rangeOut[0] = first;
            rangeOut[1] = last;
        } else {
            rangeOut[0] = lo;
            rangeOut[1] = hi;
        }
        for (double v = first; v <= last + step * 1e-6; v += step) t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        return t;
    }

    private static List<String> labels(List<Double> ticks, boolean log, Function<Double, String> format, String pattern) {
        List<String> out = new ArrayList<>();
        DecimalFormat df = pattern == null ? null : new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
        for (double v : ticks) {
            if (format != null) out.add(format.apply(v));
            else if (df != null) out.add(df.format(v));
            else if (log) out.add(Charts.logTick(v));
            else out.add(plain(v));
        }
        return out;
    }

    /** A tick value without trailing zeros: 0.5, 10, 1.25E-5 as 1.25e-5. */
    static String plain(double v) {
        if (v == 0) return "0";
        if (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e7) {
            return new java.math.BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.3g", v).replaceAll("\\.?0+e", "e");
    }

    // ---------------------------------------------------------------------------------------------
    // drawing

    private String draw(Chart<?, ?> chart) {
        int w = chart.getWidth(), h = chart.getHeight();
        AxesChartStyler st = (AxesChartStyler) chart.getStyler();
        boolean categories = chart instanceof CategoryChart;
        List<MarkerSeries> series = new ArrayList<>();
        for (Object s : chart.getSeriesCollection()) series.add((MarkerSeries) s);
        List<String> categoryNames = new ArrayList<>();
        if (categories) for (Object x : ((CategorySeries) series.get(0)).getXData()) categoryNames.add(String.valueOf(x));

        // y range (stacked bars: sums per category)
        boolean stacked = categories && ((CategoryChart) chart).getStyler().isStacked();
        boolean bars = categories && series.stream().anyMatch(s -> style((CategorySeries) s, (CategoryChart) chart)
                == CategorySeries.CategorySeriesRenderStyle.Bar);
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double[] sums = new double[categoryNames.size()];
        for (MarkerSeries s : series) {
            double[] ys = yData(s);
            for (int i = 0; i < ys.length; i++) {
                double y = ys[i];
                if (!Double.isFinite(y) || st.isYAxisLogarithmic() && y <= 0) continue;
                if (stacked) sums[i] += y;
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
            if (s instanceof XYSeries x) {
                for (double v : x.getXData()) {
                    if (Double.isFinite(v) && !(st.isXAxisLogarithmic() && v <= 0)) {
                        xMin = Math.min(xMin, v);
                        xMax = Math.max(xMax, v);
                    }
                }
            }
        }
        if (stacked) for (double s : sums) yMax = Math.max(yMax, s);
        if (bars) yMin = Math.min(yMin, 0);

        // legend and margins
        List<MarkerSeries> legend = st.isLegendVisible() ? series.stream().filter(s -> s.isShowInLegend()).toList() : List.of();
        int legendWidth = legend.isEmpty() ? 0 : legend.stream().mapToInt(s -> TICK_METRICS.stringWidth(s.getName())).max().orElse(0) + 34;
        String xTitle = st.isXAxisTitleVisible() ? ((org.knowm.xchart.internal.chartpart.AxesChart<?, ?>) chart).getXAxisTitle() : null;
        String yTitle = st.isYAxisTitleVisible() ? ((org.knowm.xchart.internal.chartpart.AxesChart<?, ?>) chart).getYAxisTitle() : null;
        if (xTitle != null && xTitle.isEmpty()) xTitle = null;
        if (yTitle != null && yTitle.isEmpty()) yTitle = null;
        int rotation = st.getXAxisLabelRotation();
        int tickH = TICK_METRICS.getAscent();

        double[] yr = range(yMin, yMax, st.isYAxisLogarithmic(), st.getYAxisMin(), st.getYAxisMax());
        double top = PAD + tickH / 2.0 + 2;
        double bottomGuess = h - PAD - (xTitle != null ? TITLE_METRICS.getHeight() + 4 : 0) - tickH - TICK_LEN - 6;
        double[] yRange = new double[2];
        boolean yPad = !st.isYAxisLogarithmic() && st.getYAxisMin() == null && st.getYAxisMax() == null;
        List<Double> yTicks = ticks(yr[0], yr[1], st.isYAxisLogarithmic(), st.isYAxisLogarithmicDecadeOnly(), bottomGuess - top, yPad, yRange);
        List<String> yLabels = labels(yTicks, st.isYAxisLogarithmic(), st.getYAxisTickLabelsFormattingFunction(), st.getYAxisDecimalPattern());
        int yLabelWidth = yLabels.stream().mapToInt(TICK_METRICS::stringWidth).max().orElse(0);
        double left = PAD + (yTitle != null ? TITLE_METRICS.getHeight() + 4 : 0) + yLabelWidth + TICK_LEN + 4;
        double right = w - PAD - legendWidth - (legendWidth > 0 ? 8 : 2);

        List<Double> xTicks;
        List<String> xLabels;
        double xLo = -0.5, xHi = categoryNames.size() - 0.5;
        if (categories) {
            xTicks = new ArrayList<>();
            for (int i = 0; i < categoryNames.size(); i++) xTicks.add((double) i);
            xLabels = categoryNames;
        } else {
            double[] xr = range(xMin, xMax, st.isXAxisLogarithmic(), st.getXAxisMin(), st.getXAxisMax());
            double[] xRange = new double[2];
            xTicks = ticks(xr[0], xr[1], st.isXAxisLogarithmic(), st.isXAxisLogarithmicDecadeOnly(), right - left, false, xRange);
            xLabels = labels(xTicks, st.isXAxisLogarithmic(), st.getXAxisTickLabelsFormattingFunction(), st.getXAxisDecimalPattern());
            xLo = xRange[0];
            xHi = xRange[1];
        }
        int xLabelDepth = rotation == 0 ? tickH : xLabels.stream().mapToInt(TICK_METRICS::stringWidth).max().orElse(0);
        double bottom = h - PAD - (xTitle != null ? TITLE_METRICS.getHeight() + 4 : 0) - xLabelDepth - TICK_LEN - 6;
        Axis x = new Axis(xLo, xHi, !categories && st.isXAxisLogarithmic(), left, right, xTicks, xLabels);
        Axis y = new Axis(yRange[0], yRange[1], st.isYAxisLogarithmic(), bottom, top, yTicks, yLabels);

        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">\n", w, h, w, h));
        out.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", w, h));
        out.append(String.format(Locale.ROOT, "<clipPath id=\"%s\"><rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\"/></clipPath>\n",
                id, n(left), n(top), n(right - left), n(bottom - top)));

        // grid, ticks and labels
        StringBuilder grid = new StringBuilder();
        for (int i = 0; i < y.ticks().size(); i++) {
            double py = y.px(y.ticks().get(i));
            if (py < top - 0.5 || py > bottom + 0.5) continue;
            boolean labelled = !y.labels().get(i).isEmpty();
            if (labelled || !y.log()) grid.append("M").append(n(left)).append(' ').append(n(py)).append("H").append(n(right));
            if (labelled) {
                text(left - TICK_LEN - 3, py + tickH / 2.0 - 1, "end", 0, y.labels().get(i), 11);
            }
        }
        if (st.isPlotGridVerticalLinesVisible() && !categories) {
            for (int i = 0; i < x.ticks().size(); i++) {
                double px = x.px(x.ticks().get(i));
                if (px < left - 0.5 || px > right + 0.5 || x.labels().get(i).isEmpty() && x.log()) continue;
                grid.append("M").append(n(px)).append(' ').append(n(top)).append("V").append(n(bottom));
            }
        }
        if (grid.length() > 0) out.append("<path d=\"").append(grid).append("\" stroke=\"#e4e4e4\" fill=\"none\"/>\n");
        int every = categories ? Math.max(1, (int) Math.ceil((double) xLabels.size() / Math.max(1, st.getXAxisMaxLabelCount() > 0
                ? st.getXAxisMaxLabelCount() : xLabels.size()))) : 1;
        StringBuilder marks = new StringBuilder();
        for (int i = 0; i < x.ticks().size(); i += every) {
            double px = x.px(x.ticks().get(i));
            if (px < left - 0.5 || px > right + 0.5) continue;
            String label = x.labels().get(i);
            if (label.isEmpty()) continue;
            marks.append("M").append(n(px)).append(' ').append(n(bottom)).append("v").append(TICK_LEN);
            if (rotation == 0) text(px, bottom + TICK_LEN + 2 + tickH, "middle", 0, label, 11);
            else text(px + tickH / 2.0 - 1, bottom + TICK_LEN + 3, "end", -rotation, label, 11);
        }
        for (int i = 0; i < y.ticks().size(); i++) {
            double py = y.px(y.ticks().get(i));
            if (py < top - 0.5 || py > bottom + 0.5 || y.labels().get(i).isEmpty()) continue;
            marks.append("M").append(n(left - TICK_LEN)).append(' ').append(n(py)).append("h").append(TICK_LEN);
        }
        if (marks.length() > 0) out.append("<path d=\"").append(marks).append("\" stroke=\"#999\" fill=\"none\"/>\n");

        // series
        out.append("<g clip-path=\"url(#").append(id).append(")\">\n");
        if (categories) drawCategories((CategoryChart) chart, series, x, y, stacked);
        else for (MarkerSeries s : series) drawXY((XYChart) chart, (XYSeries) s, x, y);
        List<String> annTexts = new ArrayList<>();
        List<double[]> ann = annotationPositions(annotations(chart), annTexts);
        out.append("</g>\n");
        for (int i = 0; ann != null && i < ann.size(); i++) {
            text(x.px(ann.get(i)[0]), y.px(ann.get(i)[1]), "middle", 0, annTexts.get(i), 10);
        }
        out.append(String.format(Locale.ROOT, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"none\" stroke=\"#999\"/>\n",
                n(left), n(top), n(right - left), n(bottom - top)));

        // axis titles
        if (xTitle != null) text((left + right) / 2, h - PAD - TITLE_METRICS.getDescent(), "middle", 0, xTitle, 12);
        if (yTitle != null) text(PAD + TITLE_METRICS.getAscent(), (top + bottom) / 2, "middle", -90, yTitle, 12);

        // legend
        double ly = top + 4;
        double lx = right + 10;
        for (MarkerSeries s : legend) {
            double cy = ly + 7;
            boolean box = s instanceof CategorySeries c && style(c, (CategoryChart) chart) == CategorySeries.CategorySeriesRenderStyle.Bar
                    || s instanceof XYSeries xs && style(xs, (XYChart) chart) == XYSeries.XYSeriesRenderStyle.PolygonArea;
            if (box) {
                out.append(String.format(Locale.ROOT, "<rect x=\"%s\" y=\"%s\" width=\"18\" height=\"10\"%s/>\n", n(lx), n(cy - 5),
                        paint("fill", s.getFillColor())));
            } else {
                if (!(s instanceof XYSeries xs && style(xs, (XYChart) chart) == XYSeries.XYSeriesRenderStyle.Scatter)) {
                    out.append(String.format(Locale.ROOT, "<path d=\"M%s %sh18\" fill=\"none\"%s/>\n", n(lx), n(cy), stroke(s)));
                }
                if (s.getMarker() instanceof Circle) marker(lx + 9, cy, s);
            }
            text(lx + 24, cy + tickH / 2.0 - 1, "start", 0, s.getName(), 11);
            ly += 16;
        }
        out.append("</svg>\n");
        return out.toString();
    }

    private static double[] yData(MarkerSeries s) {
        if (s instanceof XYSeries x) return x.getYData();
        return ((CategorySeries) s).getYData();
    }

    private void drawXY(XYChart chart, XYSeries s, Axis x, Axis y) {
        XYSeries.XYSeriesRenderStyle st = style(s, chart);
        double[] xs = s.getXData(), ys = s.getYData();
        if (st == XYSeries.XYSeriesRenderStyle.PolygonArea) {
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < xs.length; i++) {
                if (!ok(xs[i], x) || !ok(ys[i], y)) continue;
                d.append(d.length() == 0 ? "M" : "L").append(n(x.px(xs[i]))).append(' ').append(n(y.px(ys[i])));
            }
            if (d.length() > 0) out.append("<path d=\"").append(d).append("Z\"").append(paint("fill", s.getFillColor())).append("/>\n");
            return;
        }
        if (st != XYSeries.XYSeriesRenderStyle.Scatter) {
            StringBuilder d = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < xs.length; i++) {
                if (!ok(xs[i], x) || !ok(ys[i], y)) {
                    pen = false;
                    continue;
                }
                double px = x.px(xs[i]), py = y.px(ys[i]);
                if (!pen) d.append("M").append(n(px)).append(' ').append(n(py));
                else if (st == XYSeries.XYSeriesRenderStyle.Step) d.append("H").append(n(px)).append("V").append(n(py));
                else d.append("L").append(n(px)).append(' ').append(n(py));
                pen = true;
            }
            if (d.length() > 0) out.append("<path d=\"").append(d).append("\" fill=\"none\"").append(stroke(s)).append("/>\n");
        }
        if (s.getMarker() instanceof Circle) {
            for (int i = 0; i < xs.length; i++) if (ok(xs[i], x) && ok(ys[i], y)) marker(x.px(xs[i]), y.px(ys[i]), s);
        }
    }

    private void drawCategories(CategoryChart chart, List<MarkerSeries> series, Axis x, Axis y, boolean stacked) {
        int n = ((CategorySeries) series.get(0)).getXData().size();
        double band = (x.to() - x.from()) / Math.max(1, n);
        List<CategorySeries> barSeries = series.stream().map(s -> (CategorySeries) s)
                .filter(s -> style(s, chart) == CategorySeries.CategorySeriesRenderStyle.Bar).toList();
        double[] base = new double[n];
        for (int k = 0; k < barSeries.size(); k++) {
            CategorySeries s = barSeries.get(k);
            double[] ys = s.getYData();
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < n && i < ys.length; i++) {
                if (!Double.isFinite(ys[i])) continue;
                double width = stacked ? band * 0.8 : band * 0.8 / barSeries.size();
                double x0 = x.px(i) - band * 0.4 + (stacked ? 0 : k * width);
                double y0 = y.px(stacked ? base[i] : Math.max(0, y.lo())), y1 = y.px((stacked ? base[i] : 0) + ys[i]);
                if (stacked) base[i] += ys[i];
                d.append("M").append(n(x0)).append(' ').append(n(Math.min(y0, y1))).append("h").append(n(width))
                        .append("v").append(n(Math.abs(y0 - y1))).append("h").append(n(-width)).append("Z");
            }
            if (d.length() > 0) out.append("<path d=\"").append(d).append("\"").append(paint("fill", s.getFillColor())).append("/>\n");
        }
        for (MarkerSeries m : series) {
            CategorySeries s = (CategorySeries) m;
            if (style(s, chart) != CategorySeries.CategorySeriesRenderStyle.Line) continue;
            double[] ys = s.getYData();
            StringBuilder d = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < n && i < ys.length; i++) {
                if (!ok(ys[i], y)) {
                    pen = false;
                    continue;
                }
                d.append(pen ? "L" : "M").append(n(x.px(i))).append(' ').append(n(y.px(ys[i])));
                pen = true;
            }
            if (d.length() > 0) out.append("<path d=\"").append(d).append("\" fill=\"none\"").append(stroke(s)).append("/>\n");
            if (s.getMarker() instanceof Circle) for (int i = 0; i < n && i < ys.length; i++) if (ok(ys[i], y)) marker(x.px(i), y.px(ys[i]), s);
        }
    }

    private static boolean ok(double v, Axis a) {
        return Double.isFinite(v) && !(a.log() && v <= 0);
    }

    private void marker(double cx, double cy, MarkerSeries s) {
        out.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3\"%s/>\n", n(cx), n(cy),
                paint("fill", s.getMarkerColor() != null ? s.getMarkerColor() : s.getLineColor())));
    }

    private static String stroke(AxesChartSeries s) {
        BasicStroke b = s.getLineStyle();
        StringBuilder a = new StringBuilder(paint("stroke", s.getLineColor()));
        float width = b != null ? b.getLineWidth() : 2f;
        a.append(" stroke-width=\"").append(n(width)).append("\" stroke-linejoin=\"round\"");
        if (b != null && b.getDashArray() != null) {
            StringBuilder dash = new StringBuilder();
            for (float f : b.getDashArray()) dash.append(dash.length() == 0 ? "" : " ").append(n(f));
            a.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        return " " + a.toString().trim();
    }

    private static String paint(String attr, Color c) {
        if (c == null) c = Color.GRAY;
        String s = String.format(" %s=\"#%02x%02x%02x\"", attr, c.getRed(), c.getGreen(), c.getBlue());
        if (c.getAlpha() < 255) s += String.format(Locale.ROOT, " %s-opacity=\"%.3f\"", attr, c.getAlpha() / 255.0);
        return s;
    }

    private void text(double x, double y, String anchor, int rotate, String text, int size) {
        out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append('"');
        if (!anchor.equals("start")) out.append(" text-anchor=\"").append(anchor).append('"');
        if (size != 11) out.append(" font-size=\"").append(size).append('"');
        if (rotate != 0) out.append(" transform=\"rotate(").append(rotate).append(' ').append(n(x)).append(' ').append(n(y)).append(")\"");
        out.append('>').append(Html.escape(text)).append("</text>\n");
    }

    /** One decimal at most: a tenth of a CSS pixel. */
    private static String n(double v) {
        double r = Math.round(v * 10) / 10.0;
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }
}
