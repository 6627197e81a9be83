package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.study.RunDirectory;

/** The HTML report: every figure present and drawn as inline SVG, nothing fetched from anywhere. */
class ReportTest {
    static final List<String> HYPERCUBE_FIGURES = List.of("fig-status", "fig-loss", "fig-ps", "fig-kernel-distance",
            "fig-width", "fig-global-optimum", "fig-axis-width", "fig-axis-depth", "fig-axis-activation", "fig-kernels", "fig-prototypes",
            "fig-tuning", "fig-alignment", "fig-layer-cka");

    @Test
    void hypercubeStudyReportHasEveryFigureInlineAndSelfContained(@TempDir Path tmp) throws Exception {
        RunDirectory run = SmallStudies.copy(SmallStudies.hypercube(), tmp);
        StudyAnalysis.all(run).run();
        Report.Outcome o = Report.write(run);
        assertEquals(HYPERCUBE_FIGURES, o.figures());
        String html = Files.readString(o.file());
        assertEquals(run.path().resolve("report.html"), o.file());
        for (String id : HYPERCUBE_FIGURES) {
            String figure = figure(html, id);
            assertTrue(figure.contains("<svg"), id + " has a plot");
            assertTrue(figure.contains("<figcaption>"), id + " has a caption");
        }
        assertSelfContained(html);
        // theory panel of the kernel figure and the theory check sentence
        assertTrue(html.contains("theory K* (hypercube-ray)"));
        assertTrue(html.contains("Theory check"));
        assertFalse(html.replace("NaN/Inf", "").contains("NaN"), "no NaN printed");
    }

    /** One-hot task: PS, prototypes and the kernel distance are undefined, the figures say so instead of drawing nonsense. */
    @Test
    void undefinedFiguresAreOmittedAndListed(@TempDir Path tmp) throws Exception {
        RunDirectory run = SmallStudies.copy(SmallStudies.onehot(), tmp);
        Report.Outcome o = Report.write(run);
        assertFalse(o.figures().contains("fig-ps"));
        assertFalse(o.figures().contains("fig-prototypes"));
        assertTrue(o.figures().containsAll(List.of("fig-status", "fig-loss", "fig-kernels", "fig-tuning")), o.figures().toString());
        String html = Files.readString(o.file());
        assertTrue(html.contains("Not shown:") && html.contains("repgeom analyze"), "lists what is missing and how to get it");
        assertSelfContained(html);
    }

    /** No scripts, no external stylesheets, images or fonts: the only URLs are SVG namespace names. */
    static void assertSelfContained(String html) {
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("<link"), "no external stylesheet");
        assertFalse(html.contains("<img"), "no external image");
        assertFalse(html.contains("@import") || html.contains("url(http"), "no external CSS");
        Matcher m = Pattern.compile("(https?:)?//[a-zA-Z0-9.-]+[^\"'\\s<>)]*").matcher(html);
        while (m.find()) {
            String url = m.group();
            assertTrue(url.equals("http://www.w3.org/2000/svg") || url.equals("http://www.w3.org/1999/xlink"),
                    "external reference " + url);
        }
    }

    static String figure(String html, String id) {
        int start = html.indexOf("<figure id=\"" + id + "\">");
        assertTrue(start >= 0, "figure " + id);
        return html.substring(start, html.indexOf("</figure>", start));
    }
}
