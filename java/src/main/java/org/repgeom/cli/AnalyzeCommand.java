package org.repgeom.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.repgeom.analysis.MemberAlignment;
import org.repgeom.report.Metric;
import org.repgeom.report.StudyAnalysis;
import org.repgeom.study.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code repgeom analyze RUN_DIR}: geometry metrics of every member of a finished study. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Compute geometry metrics of a finished study from its stored parameters; writes "
                + "RUN_DIR/analysis/metrics.csv (per member per layer) and analysis/summary.json (per configuration).")
final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a finished study directory")
    Path dir;

    @Option(names = "--metrics", paramLabel = "LIST", defaultValue = "all",
            description = "comma-separated: ps,ccgp,cka,knn,nc,pr,layer_cka,member_align, or all (default: ${DEFAULT-VALUE})")
    String metrics;

    @Option(names = "--align-per-config", paramLabel = "N", defaultValue = "" + MemberAlignment.DEFAULT_PER_CONFIG,
            description = "members per configuration sampled for member x member alignment (default: ${DEFAULT-VALUE})")
    int alignPerConfig;

    @Option(names = "--quiet", description = "no table (or csv/json)")
    boolean quiet;

    @Option(names = "--format", paramLabel = "table|csv|json", defaultValue = "table", description = OutputFormat.DESCRIPTION
            + "; csv prints analysis/metrics.csv, json analysis/summary.json")
    OutputFormat format;

    @Override
    public Integer call() throws Exception {
        if (alignPerConfig < 1) throw new IllegalArgumentException("--align-per-config must be >= 1, got " + alignPerConfig);
        RunDirectory run = RunDirectory.open(dir);
        StudyAnalysis.Outcome o = new StudyAnalysis(run, Metric.parse(metrics), alignPerConfig,
                MemberAlignment.DEFAULT_BUDGET_BYTES).run();
        if (!quiet) {
            switch (format) {
                case table -> StudyAnalysis.printTable(o.summary(), System.out);
                case csv -> copy(o.metricsCsv());
                case json -> copy(o.summaryJson());
            }
        }
        (format == OutputFormat.table ? System.out : System.err).printf(Locale.ROOT, "analysis in %.1f s: %s, %s%n",
                o.seconds(), o.metricsCsv(), o.summaryJson());
        return 0;
    }

    /** A written file to stdout, byte for byte. */
    private static void copy(Path file) throws java.io.IOException {
        System.out.flush();
        Files.copy(file, System.out);
        System.out.flush();
    }
}
