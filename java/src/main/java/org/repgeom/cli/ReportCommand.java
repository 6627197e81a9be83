package org.repgeom.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.repgeom.report.Report;
import org.repgeom.report.StudyAnalysis;
import org.repgeom.study.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code repgeom report RUN_DIR}: one self-contained HTML report of a finished study. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write RUN_DIR/report.html: one self-contained HTML file (inline SVG plots, no network).")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a finished study directory")
    Path dir;

    @Option(names = "--analyze", description = "run `repgeom analyze` (all metrics) first, so the report includes its figures")
    boolean analyze;

    @Override
    public Integer call() throws Exception {
        RunDirectory run = RunDirectory.open(dir);
        if (analyze) StudyAnalysis.all(run).run();
        Report.Outcome o = Report.write(run);
        System.out.printf(Locale.ROOT, "report in %.1f s: %s (%d figures)%n", o.seconds(), o.file(), o.figures().size());
        return 0;
    }
}
