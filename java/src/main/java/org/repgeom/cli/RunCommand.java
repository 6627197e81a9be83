package org.repgeom.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repgeom.backend.Backend;
import org.repgeom.backend.Backends;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.StudySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code repgeom run SPEC.yaml}: train a study and write its output directory. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Train every member of a study and measure its geometry.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC.yaml", description = "study spec (YAML)")
    Path specFile;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, java, native or cuda (default: ${DEFAULT-VALUE})")
    String backendName;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: the spec's output.dir)")
    Path out;

    @Option(names = "--overwrite", description = "replace the output directory if it exists")
    boolean overwrite;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Option(names = "--no-report", description = "skip the analysis and report.html written after the run")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        StudySpec spec = StudySpec.load(specFile);
        Backend backend = Backends.byName(backendName);
        Path dir = out != null ? out : spec.outputDir();
        System.err.println("repgeom: study '" + spec.name() + "' on backend " + backend.name() + " -> " + dir);
        StudyRunner runner = new StudyRunner(spec, backend);
        int total = runner.memberCount();
        StudyRunner.Outcome outcome = runner.run(dir, specFile, overwrite,
                quiet ? org.repgeom.backend.ProgressListener.NONE : ProgressBar.onStderr(total));
        printSummary(outcome);
        if (!noReport) StudyReport.afterRun(outcome.directory());
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void printSummary(StudyRunner.Outcome outcome) {
        Map<String, Object> s = outcome.summary();
        System.out.printf("%d members in %.1f s, status %s%n", outcome.members().size(), (Double) s.get("seconds"),
                s.get("status"));
        Map<String, Object> check = (Map<String, Object>) s.get("theory_check");
        if (Boolean.TRUE.equals(check.get("applies"))) {
            System.out.println("theory (DESIGN.md §6.1): " + check.get("statement"));
        }
        System.out.println("results in " + outcome.directory());
    }
}
