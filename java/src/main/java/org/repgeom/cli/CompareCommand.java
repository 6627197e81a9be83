package org.repgeom.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repgeom.analysis.Recording;
import org.repgeom.report.StudyComparison;
import org.repgeom.study.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code repgeom compare RUN_DIR --data R.npy [--conditions C.npy] --out FILE.csv}: which
 * configuration's geometry matches a recorded population response ({@link StudyComparison}).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare every configuration of a finished study with recorded neural data (neurons x conditions): "
                + "linear CKA, RSA and scale-free kernel distance per member, summarised per configuration and sorted "
                + "from most to least similar; and the data's own geometry (kernel, PS, CCGP, participation ratio).",
                "Writes FILE.csv (one row per configuration), FILE.members.csv (one row per member) and FILE.json "
                        + "(the data's geometry, split-half reliability, settings)."})
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a finished study directory")
    Path dir;

    @Option(names = "--data", required = true, paramLabel = "R.npy",
            description = "recorded responses, neurons x conditions (float32/float64 .npy)")
    Path data;

    @Option(names = "--conditions", paramLabel = "C.npy", description = "integer array, one entry per column of R: "
            + "the study sample index it responds to (repeats are averaged; default: columns are the study's samples in order)")
    Path conditions;

    @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "the ranking; FILE.members.csv and FILE.json go beside it")
    Path out;

    @Option(names = "--sort-by", paramLabel = "cka|rsa|kernel_distance", defaultValue = "cka",
            description = "median that ranks the configurations (default: ${DEFAULT-VALUE})")
    StudyComparison.SortKey sortBy;

    @Option(names = "--layer", paramLabel = "L", description = "hidden layer to compare, 1-based (the time step of a recurrent network; default: each member's last)")
    Integer layer;

    @Option(names = "--center", description = "remove each neuron's and unit's mean over the conditions first "
            + "(changes the kernel distance and participation ratio; CKA, RSA, PS and CCGP do not depend on it)")
    boolean center;

    @Option(names = "--force", description = "replace FILE.csv, FILE.members.csv and FILE.json if an earlier compare wrote them")
    boolean force;

    @Option(names = "--quiet", description = "no table")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        CompareOutputs outputs = CompareOutputs.check(out, force);
        RunDirectory run = RunDirectory.open(dir);
        Recording rec = RecordingFiles.load(data, conditions, run.task().samples());
        StudyComparison.Result r = new StudyComparison(run, rec, layer, center, sortBy).run();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("study", run.path().toString());
        settings.put("data_file", data.toAbsolutePath().normalize().toString());
        settings.put("conditions_file", conditions == null ? null : conditions.toAbsolutePath().normalize().toString());
        outputs.write(r, rec, settings);
        if (!quiet) {
            System.out.print(StudyComparison.table(r));
            System.out.printf(Locale.ROOT, "data: %d neurons x %d conditions%s; PS %s, CCGP %s, participation ratio %.3f%n",
                    rec.neurons(), rec.conditions(), rec.hasRepeats() ? String.format(Locale.ROOT,
                            " (split-half RSA %.3f, RSA noise ceiling about %.3f)", r.splitHalf().rsa(),
                            r.splitHalf().rsaCeiling()) : "", fmt(r.data().ps()), fmt(r.data().ccgp()),
                    r.data().participationRatio());
        }
        System.out.printf(Locale.ROOT, "compare in %.1f s, sorted by %s: %s%n", r.seconds(), r.sortKey().describe(), out);
        return 0;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
