package org.repgeom.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.repgeom.report.Report;
import org.repgeom.report.StudyAnalysis;
import org.repgeom.study.RunDirectory;

/** What {@code repgeom run} does after training unless {@code --no-report}: analyse, then write report.html. */
final class StudyReport {
    private StudyReport() {
    }

    /** Analysis and report of a finished run; a failure here is reported but does not fail the run. */
    static void afterRun(Path dir) {
        try {
            RunDirectory run = RunDirectory.open(dir);
            StudyAnalysis.Outcome a = StudyAnalysis.all(run).run();
            Report.Outcome r = Report.write(run);
            System.out.printf(Locale.ROOT, "analysis %.1f s, report %.1f s: %s%n", a.seconds(), r.seconds(), r.file());
        } catch (Exception | LinkageError e) {
            System.err.println("repgeom: the study is complete, but its analysis/report failed: " + e
                    + " (retry with `repgeom report --analyze " + dir + "`)");
        }
    }
}
