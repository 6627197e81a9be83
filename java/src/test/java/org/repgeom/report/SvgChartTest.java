package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts drawn directly as SVG: every label is a {@code <text>}; unsupported charts fall back to XChart. */
class SvgChartTest {
    private static final Pattern TEXT = Pattern.compile("<text[^>]*>([^<]*)</text>");

    private static List<String> texts(String svg) {
        Matcher m = TEXT.matcher(svg);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) out.add(m.group(1));
        return out;
    }

    @Test
    void aLogLineChartHasItsTitlesTicksAndLegendAsText() {
        XYChart c = Charts.xy(560, 340, "step / 1000", "loss");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisTickLabelsFormattingFunction(Charts::logTick);
        XYSeries s = c.addSeries("w=4 λ<0.01 & more", new double[] {0, 10, 20, 30}, new double[] {3, 0.2, 1e-3, 2e-3});
        s.setMarker(SeriesMarkers.NONE);
        XYSeries band = c.addSeries("band", new double[] {0, 30, 30, 0}, new double[] {1, 1, 1e-2, 1e-2});
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
        assertTrue(SvgChart.supports(c));
        String svg = Charts.svg(c, "t-");
        List<String> t = texts(svg);
        assertTrue(t.contains("step / 1000") && t.contains("loss"), t.toString());
        assertTrue(t.contains("w=4 λ&lt;0.01 &amp; more"), "legend entry, escaped: " + t);
        assertFalse(t.contains("band"), "left out of the legend");
        assertTrue(t.contains("10⁻³") && t.contains("1") && t.contains("10"), "decade ticks by the formatting function: " + t);
        assertTrue(t.containsAll(List.of("0", "10", "20", "30")), "linear x ticks: " + t);
        assertTrue(svg.contains("id=\"t-plot\"") && svg.contains("url(#t-plot)"), "ids carry the prefix");
    }

    @Test
    void stackedBarsWithRotatedCategoryLabelsAndAScatterWithAnnotations() {
        CategoryChart bars = Charts.bars(600, 380, null, "members");
        bars.getStyler().setStacked(true);
        bars.getStyler().setXAxisLabelRotation(90);
        bars.getStyler().setXAxisTitleVisible(false);
        bars.addSeries("CONVERGED", List.of("relu w=4", "tanh w=8"), List.of(3, 5));
        bars.addSeries("DIVERGED", List.of("relu w=4", "tanh w=8"), List.of(2, 0));
        assertTrue(SvgChart.supports(bars));
        List<String> t = texts(Charts.svg(bars, "b-"));
        assertTrue(t.containsAll(List.of("members", "relu w=4", "tanh w=8", "CONVERGED", "DIVERGED")), t.toString());
        assertTrue(t.contains("5"), "the y axis reaches the stacked sum: " + t);

        XYChart scatter = Charts.xy(300, 300, "PC1 (33 %)", "PC2 (30 %)");
        scatter.getStyler().setLegendVisible(false);
        scatter.getStyler().setXAxisMin(-1.0).setXAxisMax(1.0).setYAxisMin(-1.0).setYAxisMax(1.0);
        scatter.addAnnotation(new AnnotationText("+−+", 0.5, 0.5, false));
        XYSeries pts = scatter.addSeries("classes", new double[] {0.4, -0.4}, new double[] {0.4, -0.2});
        pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        pts.setMarker(SeriesMarkers.CIRCLE);
        assertTrue(SvgChart.supports(scatter));
        String svg = Charts.svg(scatter, "s-");
        assertTrue(texts(svg).containsAll(List.of("PC1 (33 %)", "PC2 (30 %)", "+−+")), texts(svg).toString());
        assertEquals(2, svg.split("<circle", -1).length - 1, "one marker per point");
    }

    @Test
    void aChartWithFeaturesItDoesNotDrawIsLeftToXChart() {
        XYChart c = Charts.xy(400, 300, "x", "y");
        XYSeries s = c.addSeries("s", new double[] {1, 2, 3}, new double[] {1, 4, 9});
        s.setMarker(SeriesMarkers.DIAMOND);
        assertFalse(SvgChart.supports(c));
        String svg = Charts.svg(c, "f-");
        assertTrue(svg.contains("<svg") && texts(svg).isEmpty(), "XChart's drawing (text as outlines)");
    }

    @Test
    void tickValuesArePlain() {
        assertEquals("0.5", SvgChart.plain(0.5));
        assertEquals("20", SvgChart.plain(20.0));
        assertEquals("-0.25", SvgChart.plain(-0.25));
        assertEquals("0", SvgChart.plain(0));
        assertEquals("1.5e-05", SvgChart.plain(1.5e-5));
    }
}
