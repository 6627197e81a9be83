package org.repgeom.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repgeom.backend.Backend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.study.Shard;
import org.repgeom.study.StudyOptimum;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code repgeom run SPEC.yaml}: train a study (or one shard of it) and write its output directory. */
@Command(name = "run", mixinStandardHelpOptions = true, description = {
        "Train every member of a study and measure its geometry.",
        "Results are written chunk by chunk to DIR.incomplete/ and DIR appears when complete; after a crash, "
                + "the same command with --resume continues where it stopped.",
        "Inside a Slurm array job, each task runs shard SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT into "
                + "DIR.shard-i-of-N/; join the shards with 'repgeom merge'."})
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC.yaml", description = "study spec (YAML)")
    Path specFile;

    @Option(names = "--backend", defaultValue = "auto", converter = BackendOption.class,
            description = "auto, java, native or cuda (default: ${DEFAULT-VALUE})")
    Backend backend;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: the spec's output.dir)")
    Path out;

    @Option(names = {"--force", "--overwrite"}, description = "replace DIR if it is a repgeom study or an empty folder, "
            + "and discard an unfinished DIR.incomplete; never a folder of other files, the working directory or "
            + "one holding the spec")
    boolean force;

    @Option(names = "--resume", description = "continue the unfinished run in DIR.incomplete (skip its finished chunks); "
            + "starts one if there is none, does nothing if DIR is finished")
    boolean resume;

    @Option(names = "--shard", paramLabel = "i/N", converter = ShardOption.class, description = "train only shard i of N (0-based) into DIR.shard-i-of-N "
            + "(default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set, else the whole study; "
            + "0/1 is the whole study, also inside an array job)")
    Shard shard;

    @Option(names = "--chunk-size", paramLabel = "N", description = "members per chunk, the unit of writing and resuming "
            + "(default: up to 4096, fewer for large members)")
    Integer chunkSize;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0", description = "save each chunk's "
            + "training state every N steps, so --resume continues a long chunk from its last checkpoint instead of "
            + "from its start (0 = off; native and java backends)")
    int checkpointEvery;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", converter = ProgressMode.Option.class,
            description = "auto, bar, lines or none: "
            + "auto redraws a bar when stderr is a terminal and prints a line every 10 %% otherwise, e.g. with 2> log "
            + "(default: ${DEFAULT-VALUE})")
    ProgressMode progress;

    @Option(names = "--allow-backend-change", description = "with --resume: continue chunks another backend trained on "
            + "this one (the study then mixes their precisions; the manifest records each chunk's backend)")
    boolean allowBackendChange;

    @Option(names = "--quiet", description = "no progress output (--progress none)")
    boolean quiet;

    @Option(names = "--no-report", description = "skip the analysis and report.html written after the run")
    boolean noReport;

    @Mixin
    OptimumOptions optimum;

    @Override
    public Integer call() throws Exception {
        StudyOptimum.Settings optimumSettings = optimum.settings(); // a bad cap is refused before anything is printed
        StudySpec spec = StudySpec.load(specFile);
        Shard part = shard != null ? shard : Shard.fromSlurm(System.getenv());
        if (part == null) part = Shard.WHOLE;
        StudyRunner.Options options = new StudyRunner.Options(force, resume, part, chunkSize, checkpointEvery,
                allowBackendChange);
        Path dir = out != null ? out : spec.outputDir();
        System.err.println("repgeom: study '" + spec.name() + "'" + (part.isPart() ? " shard " + part : "")
                + " on backend " + backend.name() + " -> " + dir);
        StudyRunner runner = new StudyRunner(spec, backend).withOptimum(optimumSettings);
        Boolean interactive = quiet ? null : progress.interactive(System.getenv());
        StudyRunner.Outcome outcome = runner.run(dir, specFile, options,
                n -> interactive == null || n == 0 ? ProgressListener.NONE : new ProgressBar(System.err, n, interactive));
        print(outcome);
        System.err.println("repgeom: " + HeapPeak.line());
        // a shard directory is not a study yet: its report comes after `repgeom merge`
        if (!noReport && !part.isPart()) StudyReport.afterRun(outcome.directory(), outcome.memberCount());
        return OptimumOptions.exitCode(outcome.summary());
    }

    @SuppressWarnings("unchecked")
    private static void print(StudyRunner.Outcome outcome) {
        Shard part = outcome.shard();
        int chunks = outcome.plan().chunks(part).size();
        if (outcome.resumed() > 0) {
            System.out.println("resumed: " + outcome.resumed() + " of " + chunks + " chunks were already done"
                    + (outcome.trained() == 0 ? ", nothing left to train" : "; trained " + outcome.trained()
                    + " more members"));
        }
        if (part.isPart()) {
            System.out.printf("shard %s: %d members trained now, %.1f s of compute in all chunks%n", part,
                    outcome.trained(), outcome.seconds());
            String dir = outcome.directory().toString();
            String pattern = dir.substring(0, dir.lastIndexOf(".shard-")) + ".shard-*-of-" + part.count();
            System.out.println("shard results in " + dir + "; when all " + part.count() + " shards are done: repgeom merge "
                    + pattern);
            return;
        }
        Map<String, Object> s = outcome.summary();
        double train = s.get("train_seconds") instanceof Number n ? n.doubleValue() : Double.NaN;
        double cpu = s.get("train_cpu_seconds") instanceof Number n ? n.doubleValue() : Double.NaN;
        String cpuText = Double.isNaN(cpu) ? "" : String.format(" on %.1f CPU-s", cpu);
        System.out.printf("%d members in %.1f s%s, status %s%n", outcome.memberCount(), ((Number) s.get("seconds")).doubleValue(),
                Double.isNaN(train) ? "" : String.format(" (training %.1f s%s, analysis of the members the rest)", train, cpuText),
                s.get("status"));
        Map<String, Object> check = (Map<String, Object>) s.get("theory_check");
        System.out.println("theory: " + check.get("statement"));
        if (s.get("global_optimum_check") instanceof Map<?, ?> g && Boolean.TRUE.equals(g.get("applies"))) {
            System.out.println("global optimum: " + g.get("statement"));
        }
        System.out.println("results in " + outcome.directory());
    }
}
