package org.repgeom.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repgeom.study.spec.SpecException;
import org.repgeom.study.StudyMerge;
import org.repgeom.study.StudyOptimum;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code repgeom merge SHARD_DIR…}: join finished shards into one study directory. */
@Command(name = "merge", mixinStandardHelpOptions = true, description = {
        "Join the finished shards of a study (DIR.shard-i-of-N, written by 'repgeom run --shard i/N') into one "
                + "study directory, the same as an unsharded run writes.",
        "Refuses shards of different specs, overlapping shards and incomplete sets."})
final class MergeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SHARD_DIR", description = "finished shard directories")
    List<Path> shards;

    @Option(names = "--out", paramLabel = "DIR", description = "the study directory to write (default: DIR of DIR.shard-i-of-N)")
    Path out;

    @Option(names = {"--force", "--overwrite"}, description = "replace DIR if it exists")
    boolean force;

    @Option(names = "--no-report", description = "skip the analysis and report.html written after the merge")
    boolean noReport;

    @Mixin
    OptimumOptions optimum;

    @Override
    public Integer call() throws Exception {
        StudyOptimum.Settings optimumSettings = optimum.settings();
        // before --out is derived from their names: a mistyped shard is named as such, not as a naming problem of --out
        for (Path s : shards) StudyMerge.requireShardDirectory(s);
        Path dir = out != null ? out : StudyMerge.defaultOutput(shards);
        if (dir == null) {
            throw new SpecException("--out", "the shard directories are not all named DIR.shard-i-of-N of one DIR; "
                    + "give the study directory with --out");
        }
        StudyMerge.Result r = StudyMerge.merge(shards, dir, force, optimumSettings);
        Map<String, Object> s = r.summary();
        System.out.printf("%d members from %d shards, %.1f s of compute, status %s%n", r.members(), r.shards(),
                r.seconds(), s.get("status"));
        System.out.println("results in " + r.directory());
        System.err.println("repgeom: " + HeapPeak.line());
        if (!noReport) StudyReport.afterRun(r.directory(), r.members());
        return OptimumOptions.exitCode(s);
    }
}
