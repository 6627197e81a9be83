package org.repgeom.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.repgeom.io.AtomicFiles;
import org.repgeom.study.RunDirectory;

/**
 * {@code repgeom report RUN_DIR}: one self-contained HTML file, {@code RUN_DIR/report.html} — plots
 * are inline SVG (XChart through VectorGraphics2D, heatmaps written directly), CSS is inline, and
 * there is no script and no external URL, so it opens offline in any browser and can be mailed as
 * one file.
 *
 * <p>Figures (each a {@code <figure id="fig-…">} with a caption saying what to look for): status
 * counts, loss curves, the representation over training and the labels learned one by one (when
 * the study recorded kernels and {@code analyze} wrote {@code analysis/trajectory.csv}), histograms of PS and of the kernel distance, kernel distance against width,
 * learned against theoretical kernels, class prototypes on their principal components, neuron
 * tuning, the members against the global optimum over all widths, and — when {@code repgeom analyze} has written {@code analysis/summary.json} — member ×
 * member alignment, layer × layer CKA for deep networks and a table of metric medians. A figure
 * whose quantity is undefined for the study (e.g. PS on a task without ±1 labels) is left out and
 * listed as such.
 */
public final class Report {
    private Report() {
    }

    /** What was written. */
    public record Outcome(Path file, List<String> figures, List<String> omitted, double seconds) {
    }

    /** Writes {@code report.html} into the run directory. */
    public static Outcome write(RunDirectory run) throws IOException {
        return write(run, null, null);
    }

    /**
     * Writes {@code report.html}, with the "models vs recorded data" figure of {@code comparison}
     * ({@link ComparisonFigures}) when it is not null; {@code source} says what was recorded.
     */
    public static Outcome write(RunDirectory run, StudyComparison.Result comparison, String source) throws IOException {
        long t0 = System.nanoTime();
        StudyView v = new StudyView(run);
        List<Figure> figures = new ArrayList<>();
        List<String> omitted = new ArrayList<>();
        figures.add(TrainingFigures.status(v));
        figures.add(TrainingFigures.lossCurves(v));
        List<Figure> trajectory = TrajectoryFigures.all(v);
        figures.addAll(trajectory);
        if (trajectory.isEmpty() && java.nio.file.Files.isRegularFile(run.path().resolve(KernelTrace.KERNELS))) {
            omitted.add("the representation over training (run `repgeom analyze " + run.path() + "` on the kernel trace)");
        }
        add(figures, omitted, "histogram of PS (labels are not a full ±1 hypercube)", DistributionFigures.parallelismScore(v));
        add(figures, omitted, "histogram of kernel distance (no closed-form kernel applies to any member)",
                DistributionFigures.kernelDistance(v));
        add(figures, omitted, "kernel distance against width (fewer than two two-layer widths with a prediction)",
                DistributionFigures.versusWidth(v));
        add(figures, omitted, "global optimum (no two-layer relu, leaky_relu or linear configuration, or the study was run "
                + "with --no-optimum)", GlobalOptimumFigure.of(v));
        figures.addAll(AxisFigures.all(v));
        Figure overTime = RecurrentFigures.overTime(v); // only for studies of recurrent networks
        if (overTime != null) figures.add(overTime);
        figures.add(KernelFigures.kernels(v));
        add(figures, omitted, "class prototypes (labels are not a ±1 hypercube)", KernelFigures.prototypes(v));
        add(figures, omitted, "neuron tuning", KernelFigures.tuning(v));
        Map<String, Object> analysis = AnalysisFigures.load(run.path());
        String table = "";
        if (analysis != null) {
            add(figures, omitted, "member × member alignment (fewer than two configurations sampled)",
                    AnalysisFigures.memberAlignment(v, analysis));
            add(figures, omitted, "layer × layer CKA (no configuration has two or more hidden layers)",
                    AnalysisFigures.layerCka(v, analysis));
            table = AnalysisFigures.table(v, analysis);
        } else {
            omitted.add("member alignment, layer CKA and the metric table (run `repgeom analyze " + run.path() + "`)");
        }
        if (comparison != null) figures.add(ComparisonFigures.figure(comparison, source));
        String html = page(v, figures, omitted, table);
        Path file = run.path().resolve("report.html");
        AtomicFiles.writeString(file, html);
        return new Outcome(file, figures.stream().map(Figure::id).toList(), omitted, (System.nanoTime() - t0) / 1e9);
    }

    private static void add(List<Figure> figures, List<String> omitted, String why, Figure f) {
        if (f == null) omitted.add(why);
        else figures.add(f);
    }

    @SuppressWarnings("unchecked")
    private static String page(StudyView v, List<Figure> figures, List<String> omitted, String table) {
        Map<String, Object> s = v.summary;
        String name = String.valueOf(s.get("study"));
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>repgeom report: ")
                .append(Html.escape(name)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        sb.append("<h1>").append(Html.escape(name)).append("</h1>\n<p class=\"meta\">");
        if (s.get("task") instanceof Map<?, ?> t) {
            sb.append(String.format(Locale.ROOT, "Task: dX = %s, dY = %s, P = %s%s. ", t.get("dX"), t.get("dY"), t.get("P"),
                    Boolean.TRUE.equals(t.get("whitened_hypercube")) ? ", whitened hypercube" : ""));
        }
        sb.append(String.format(Locale.ROOT, "%s members in %d configurations, trained on %s in %.1f s. Status: %s.",
                s.get("members"), v.configs.size(), Html.escape(String.valueOf(s.get("backend"))),
                AnalysisFigures.num(s.get("seconds")), Html.escape(String.valueOf(s.get("status")))));
        sb.append("</p>\n");
        if (s.get("theory_check") instanceof Map<?, ?> tc) {
            boolean applies = Boolean.TRUE.equals(tc.get("applies"));
            Object holds = tc.get("holds");
            String css = !applies || holds == null ? "na" : Boolean.TRUE.equals(holds) ? "ok" : "bad";
            sb.append("<p class=\"claim ").append(css).append("\"><b>Theory check</b> (per configuration, CONVERGED "
                    + "members against the closed form that applies): ").append(Html.escape(String.valueOf(tc.get("statement"))))
                    .append(".</p>\n");
            sb.append(TheoryTable.html(v));
        }
        sb.append(HoldoutTable.html(v));
        if (s.get("global_optimum_check") instanceof Map<?, ?> g && Boolean.TRUE.equals(g.get("applies"))) {
            String status = String.valueOf(g.get("status"));
            String css = status.equals("failed") ? "bad" : status.equals("passed") ? "ok" : "na";
            sb.append("<p class=\"claim ").append(css).append("\"><b>Global optimum check</b> (every two-layer relu, "
                    + "leaky_relu and linear member against the optimum over all widths"
                    + (status.equals("skipped") ? "" : "; <a href=\"#fig-global-optimum\">figure</a>") + "): ").append(Html.escape(status)).append(": ")
                    .append(Html.escape(String.valueOf(g.get("statement")))).append(".</p>\n");
        }
        sb.append("<nav>");
        for (Figure f : figures) {
            sb.append("<a href=\"#").append(f.id()).append("\">").append(Html.escape(f.title())).append("</a> ");
        }
        sb.append("</nav>\n");
        for (Figure f : figures) sb.append(f.html());
        if (!table.isEmpty()) {
            sb.append("<h2>Metric medians (last hidden layer, from analysis/summary.json)</h2>\n").append(table);
        }
        if (!omitted.isEmpty()) {
            sb.append("<p class=\"meta\">Not shown: ").append(Html.escape(String.join("; ", omitted))).append(".</p>\n");
        }
        sb.append("<p class=\"meta\">Written by repgeom report on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(".</p>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static final String CSS = """
            body { font-family: sans-serif; margin: 24px auto; max-width: 1280px; color: #222; line-height: 1.4; }
            h1 { font-size: 1.6em; margin-bottom: 4px; }
            h2 { font-size: 1.2em; }
            .meta { color: #555; font-size: 0.92em; }
            .claim { padding: 8px 12px; border-radius: 4px; }
            .claim.ok { background: #e6f4e6; } .claim.bad { background: #fbe9e7; } .claim.na { background: #f1f1f1; }
            nav a { margin-right: 12px; font-size: 0.92em; }
            figure { margin: 28px 0; padding: 12px; border: 1px solid #e2e2e2; border-radius: 4px; }
            figcaption { font-size: 0.92em; color: #333; margin-top: 8px; max-width: 1100px; }
            .plots { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
            .panel-title { font-size: 0.9em; font-weight: bold; margin: 2px 0 2px 6px; }
            .pair { display: flex; gap: 4px; }
            svg { max-width: 100%; height: auto; }
            table.metrics { border-collapse: collapse; font-size: 0.88em; }
            table.metrics td, table.metrics th { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
            table.metrics td:first-child { text-align: left; }
            table.theory td:nth-child(-n+4) { text-align: left; }
            dl.legend { font-size: 0.85em; color: #444; display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
            dl.legend dt { font-weight: bold; } dl.legend dd { margin: 0; }
            """;
}
