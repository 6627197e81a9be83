package org.repgeom.cli;

import java.util.List;
import java.util.Map;
import org.repgeom.study.StudyOptimum;
import picocli.CommandLine.Option;

/**
 * The options of {@code run} and {@code merge} for the global optimum every two-layer relu /
 * leaky_relu / linear member is measured against ({@link StudyOptimum}), and the check of its result:
 * a member below a certified optimum fails the command.
 */
final class OptimumOptions {
    @Option(names = "--no-optimum", description = "do not solve for the global optimum of the two-layer relu/leaky_relu/"
            + "linear configurations (members.csv's global_gap and optimum_kernel_distance stay empty)")
    boolean skip;

    @Option(names = "--optimum-seconds", paramLabel = "S", defaultValue = "" + StudyOptimum.Settings.DEFAULT_SECONDS,
            description = "time cap of one global-optimum solve; a solve stopped by it is labelled not certified "
                    + "(default: ${DEFAULT-VALUE})")
    double seconds;

    /** The settings, or null with --no-optimum. */
    StudyOptimum.Settings settings() {
        return skip ? null : new StudyOptimum.Settings(seconds);
    }

    /**
     * 1 with one line on stderr naming the first member below a certified optimum when the summary's
     * {@code global_optimum_check} failed; else 0.
     */
    @SuppressWarnings("unchecked")
    static int exitCode(Map<String, Object> summary) {
        if (summary == null || !(summary.get("global_optimum_check") instanceof Map<?, ?> check)) return 0;
        if (!"failed".equals(check.get("status"))) return 0;
        List<Object> below = (List<Object>) check.get("below_certified_bound");
        System.err.println("error: global optimum check failed: " + check.get("statement")
                + (below.size() > 1 ? " (and " + (below.size() - 1) + " more)" : "")
                + "; see global_optimum_check in summary.json");
        return 1;
    }
}
