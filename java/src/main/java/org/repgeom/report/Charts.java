package org.repgeom.report;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * XChart charts in the report's style, exported as inline SVG (through VectorGraphics2D, no window:
 * {@code java.awt.headless} is set before the first chart). Titles live in the HTML caption, not in
 * the chart.
 */
final class Charts {
    /** Tableau 10: distinguishable, colour-blind aware. */
    static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)};
    static final Font BASE = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    static Color colour(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    static Color transparent(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    static XYChart xy(int width, int height, String xTitle, String yTitle) {
        XYChart c = new XYChartBuilder().width(width).height(height).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(c.getStyler());
        return c;
    }

    static CategoryChart bars(int width, int height, String xTitle, String yTitle) {
        CategoryChart c = new CategoryChartBuilder().width(width).height(height).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(c.getStyler());
        return c;
    }

    private static void style(AxesChartStyler s) {
        s.setChartTitleVisible(false);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0x999999));
        s.setPlotGridLinesColor(new Color(0xE4E4E4));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendFont(BASE.deriveFont(11f));
        s.setAxisTickLabelsFont(BASE.deriveFont(11f));
        s.setAxisTitleFont(BASE);
        s.setAxisTickMarkLength(3);
        s.setChartPadding(6);
        s.setMarkerSize(6);
        s.setSeriesColors(PALETTE);
        s.setAntiAlias(true);
    }

    private static final String SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    /** "10⁻⁵" for an integer exponent k. */
    static String powerOfTen(long k) {
        StringBuilder sb = new StringBuilder("10");
        if (k < 0) sb.append('⁻');
        for (char ch : Long.toString(Math.abs(k)).toCharArray()) sb.append(SUPERSCRIPTS.charAt(ch - '0'));
        return sb.toString();
    }

    /**
     * Tick labels of a log axis: a power of ten as "10⁻⁵" (1, 10 and 100 plainly), other values (the
     * 2…9 ticks inside a decade) blank, so only decades are labelled.
     */
    static String logTick(double v) {
        if (!(v > 0)) return "";
        double e = Math.log10(v);
        long k = Math.round(e);
        if (Math.abs(e - k) > 1e-6) return "";
        return k >= 0 && k <= 2 ? Long.toString((long) Math.pow(10, k)) : powerOfTen(k);
    }

    /** Tick label of a decade-only log axis: every power of ten labelled ({@link #logTick}). */
    static String decadeTick(double v) {
        return logTick(v);
    }

    /** {@link #logTick} for every {@code every}-th decade only (k divisible by it), so long axes stay legible. */
    static java.util.function.Function<Double, String> logTickEvery(int every) {
        return v -> {
            String s = logTick(v);
            return s.isEmpty() || Math.floorMod(Math.round(Math.log10(v)), every) == 0 ? s : "";
        };
    }

    /**
     * Removes the points a logarithmic axis cannot place (x ≤ 0 on a log x axis, y ≤ 0 on a log y axis: e.g. a
     * configuration trained with λ = 0 on a λ axis), and series left without a point, instead of failing the
     * whole report; the figure's caption says what is not drawn where that matters.
     */
    static void dropWhatLogAxesCannotShow(org.knowm.xchart.XYChart chart) {
        boolean logX = chart.getStyler().isXAxisLogarithmic(), logY = chart.getStyler().isYAxisLogarithmic();
        if (!logX && !logY) return;
        java.util.List<String> empty = new java.util.ArrayList<>();
        for (org.knowm.xchart.XYSeries s : chart.getSeriesCollection()) {
            double[] x = s.getXData(), y = s.getYData(), extra = s.getExtraValues();
            int n = 0;
            for (int i = 0; i < x.length; i++) if (!(logX && x[i] <= 0) && !(logY && y[i] <= 0)) n++;
            if (n == x.length) continue;
            if (n == 0) {
                empty.add(s.getName());
                continue;
            }
            double[] nx = new double[n], ny = new double[n], ne = extra == null ? null : new double[n];
            for (int i = 0, j = 0; i < x.length; i++) {
                if ((logX && x[i] <= 0) || (logY && y[i] <= 0)) continue;
                nx[j] = x[i];
                ny[j] = y[i];
                if (ne != null) ne[j] = extra[i];
                j++;
            }
            s.replaceData(nx, ny, ne);
        }
        for (String name : empty) chart.removeSeries(name);
    }

    /**
     * The chart as a compact inline {@code <svg>} whose ids start with {@code idPrefix}: drawn by
     * {@link SvgChart} with its text as {@code <text>} when it supports the chart, else by XChart
     * (text as glyph outlines).
     */
    static String svg(Chart<?, ?> chart, String idPrefix) {
        if (chart instanceof org.knowm.xchart.XYChart xy) dropWhatLogAxesCannotShow(xy);
        VectorGraphics2D g = new VectorGraphics2D();
        chart.paint(g, chart.getWidth(), chart.getHeight()); // also gives unstyled series their default colours
        if (SvgChart.supports(chart)) return SvgChart.svg(chart, idPrefix);
        Document doc = new SVGProcessor().getDocument(g.getCommands(),
                new PageSize(0, 0, chart.getWidth(), chart.getHeight()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            doc.writeTo(bytes);
        } catch (IOException e) {
            throw new IllegalStateException("SVG export failed", e);
        }
        return SvgCompactor.compact(bytes.toString(StandardCharsets.UTF_8), idPrefix);
    }
}
