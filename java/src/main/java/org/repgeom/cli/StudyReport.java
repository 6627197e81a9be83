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

    /**
     * Above this many members `run` and `merge` leave the analysis and report to an explicit
     * {@code repgeom report --analyze DIR}: they are a second pass over every member (minutes at a
     * million members) that a cluster job should not pay unasked.
     */
    static final long AUTO_REPORT_MAX_MEMBERS = 200_000;

    static void afterRun(Path dir, long members) {
        if (members > AUTO_REPORT_MAX_MEMBERS) {
            System.out.println("report not written automatically for " + members + " members (more than "
                    + AUTO_REPORT_MAX_MEMBERS + "): run `repgeom report --analyze " + dir + "`");
            return;
        }
        afterRun(dir);
    }

    /** Analysis and report of a finished run; a failure here is reported but does not fail the run. */
    static void afterRun(Path dir) {
        try {
            RunDirectory run = RunDirectory.openJustAssembled(dir);
            StudyAnalysis.Outcome a = StudyAnalysis.all(run).run();
            Report.Outcome r = Report.write(run);
            System.out.printf(Locale.ROOT, "analysis %.1f s, report %.1f s: %s%n", a.seconds(), r.seconds(), r.file());
        } catch (Exception | LinkageError e) {
            System.err.println("repgeom: the study is complete, but its analysis/report failed: " + e
                    + " (retry with `repgeom report --analyze " + dir + "`)");
        }
    }
}
