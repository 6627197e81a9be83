package org.repgeom.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.repgeom.analysis.Recording;
import org.repgeom.report.Report;
import org.repgeom.report.StudyComparison;
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

    @Option(names = "--data", paramLabel = "R.npy", description = "also compare the study with recorded data, neurons x "
            + "conditions (as `repgeom compare`), in a figure of its own")
    Path data;

    @Option(names = "--conditions", paramLabel = "C.npy", description = "with --data: the study sample of each column of R")
    Path conditions;

    @Override
    public Integer call() throws Exception {
        if (conditions != null && data == null) throw new org.repgeom.study.spec.SpecException("--conditions", "needs --data");
        RunDirectory run = RunDirectory.open(dir);
        if (analyze) StudyAnalysis.all(run).run();
        Report.Outcome o = data == null ? Report.write(run) : compared(run);
        System.out.printf(Locale.ROOT, "report in %.1f s: %s (%d figures)%n", o.seconds(), o.file(), o.figures().size());
        return 0;
    }

    /** The report with the comparison figure: the data checked and compared before the report is written. */
    private Report.Outcome compared(RunDirectory run) throws java.io.IOException {
        Recording rec = RecordingFiles.load(data, conditions, run.task().samples());
        StudyComparison.Result r = new StudyComparison(run, rec, null, false, StudyComparison.SortKey.cka).run();
        String source = String.format(Locale.ROOT, "%s (%d neurons × %d conditions%s)", data.getFileName(), rec.neurons(),
                rec.conditions(), conditions == null ? ", columns in study sample order"
                        : ", columns mapped by " + conditions.getFileName() + (java.util.Arrays.stream(rec.repeats()).sum() > rec.conditions()
                        ? ", repeats averaged" : ""));
        return Report.write(run, r, source);
    }
}
