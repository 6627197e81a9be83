package org.repgeom.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.repgeom.analysis.LandscapeReport;
import org.repgeom.analysis.LandscapeStatistics;
import org.repgeom.analysis.LandscapeStatistics.Landscape;
import org.repgeom.analysis.LandscapeStatistics.MemberInput;
import org.repgeom.analysis.LandscapeStatistics.Options;
import org.repgeom.analysis.KernelClusters;
import org.repgeom.analysis.ModeConnectivity;
import org.repgeom.analysis.NeuronTuning;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Json;
import org.repgeom.io.NpyArray;
import org.repgeom.optimum.OptimumCatalog;
import org.repgeom.optimum.OptimumSolver;
import org.repgeom.study.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code repgeom landscape RUN_DIR}: the landscape statistics of a finished study
 * ({@link LandscapeStatistics}), printed as a table and written to {@code landscape.json} and
 * {@code landscape.csv} in the run directory (each written atomically); {@code --format csv|json} prints
 * the file's content instead of the tables.
 */
@Command(name = "landscape", mixinStandardHelpOptions = true,
        description = "Per-configuration landscape statistics of a finished study (loss gaps, distinct kernels, ranks, "
                + "neuron tuning groups, mode connectivity) and the smallest width that reaches the optimal kernel.")
final class LandscapeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a finished study directory (the --out of repgeom run)")
    Path dir;

    @Option(names = "--tol", defaultValue = "" + KernelClusters.DEFAULT_REL_TOL,
            description = "relative kernel distance for 'reaches the reference kernel' and for distinct kernels (default: ${DEFAULT-VALUE})")
    double tol;

    @Option(names = "--pairs", defaultValue = "3", description = "mode-connectivity pairs per configuration (default: ${DEFAULT-VALUE})")
    int pairs;

    /** The most points a path may have (landscape.json keeps each; 50 times the default resolution). */
    static final int MAX_PATH_POINTS = 1001;

    @Option(names = "--path-points", defaultValue = "" + ModeConnectivity.DEFAULT_POINTS,
            description = "points on each mode-connectivity path, 2 to " + MAX_PATH_POINTS + " (default: ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--cosine-tol", defaultValue = "" + NeuronTuning.DEFAULT_COSINE_TOL,
            description = "neurons with preactivation cosine >= 1 - this form one tuning group (default: ${DEFAULT-VALUE})")
    double cosineTol;

    @Option(names = "--used-fraction", defaultValue = "" + NeuronTuning.DEFAULT_USED_FRACTION,
            description = "a neuron is used when its mass is >= this fraction of the largest (default: ${DEFAULT-VALUE})")
    double usedFraction;

    @Option(names = "--converged-only", description = "analyse only CONVERGED members (default: CONVERGED and MAX_STEPS)")
    boolean convergedOnly;

    @Option(names = "--quiet", description = "do not print the table (or the csv/json)")
    boolean quiet;

    @Option(names = "--format", paramLabel = "table|csv|json", defaultValue = "table", description = OutputFormat.DESCRIPTION)
    OutputFormat format;

    @Option(names = "--no-optimum", description = "do not solve for the global optimum of the two-layer relu/leaky_relu/linear configurations")
    boolean noOptimum;

    @Override
    public Integer call() throws IOException {
        if (!(tol > 0)) throw new IllegalArgumentException("--tol must be positive, got " + tol);
        if (pairs < 0) throw new IllegalArgumentException("--pairs must be >= 0, got " + pairs);
        if (points < 2 || points > MAX_PATH_POINTS) {
            // every point of every path is kept for landscape.json: an absurd count would only exhaust the heap
            throw new IllegalArgumentException("--path-points must be in 2.." + MAX_PATH_POINTS + ", got " + points);
        }
        if (!(cosineTol >= 0 && cosineTol < 1)) throw new IllegalArgumentException("--cosine-tol must be in [0, 1), got " + cosineTol);
        if (!(usedFraction >= 0 && usedFraction <= 1)) {
            throw new IllegalArgumentException("--used-fraction must be in [0, 1], got " + usedFraction);
        }
        RunDirectory run = RunDirectory.open(dir);
        Options opts = new Options(tol, cosineTol, usedFraction, pairs, points, convergedOnly);
        Landscape l = noOptimum ? LandscapeStatistics.of(run.task(), members(run), opts) : compute(run, opts);
        String json = Json.write(LandscapeReport.json(l)), csv = LandscapeReport.csv(l);
        AtomicFiles.writeString(run.path().resolve("landscape.json"), json);
        AtomicFiles.writeString(run.path().resolve("landscape.csv"), csv);
        if (!quiet) {
            System.out.print(switch (format) {
                case table -> LandscapeReport.table(l);
                case csv -> csv;
                case json -> json.endsWith("\n") ? json : json + "\n";
            });
        }
        (format == OutputFormat.table ? System.out : System.err)
                .println("wrote " + run.path().resolve("landscape.json") + " and landscape.csv");
        int below = belowCertifiedOptimum(l);
        if (below > 0) {
            System.err.println("error: " + below + " trained member(s) below a certified global optimum: the loss, the"
                    + " stored parameters or the solver is wrong (see global_optimum in landscape.json)");
            return 1;
        }
        return 0;
    }

    /** The landscape of a finished study, with the global optimum of every two-layer 1-homogeneous configuration. */
    static Landscape compute(RunDirectory run, Options o) throws IOException {
        return LandscapeStatistics.of(run.task(), members(run), o,
                new OptimumCatalog(run.task(), OptimumSolver.Options.defaults()));
    }

    /** Members whose loss lies below a certified lower bound (must be 0). */
    static int belowCertifiedOptimum(Landscape l) {
        return l.configurations().stream().filter(c -> c.global() != null).mapToInt(c -> c.global().belowBound()).sum();
    }

    /** Every member of the study with its row of members.csv, stored kernel and parameters. */
    static List<MemberInput> members(RunDirectory run) throws IOException {
        List<RunDirectory.MemberRow> rows = run.members();
        NpyArray kernels = run.kernels();
        int p = run.task().samples();
        if (kernels.ndim() != 3 || kernels.dim(0) != rows.size() || kernels.dim(1) != p || kernels.dim(2) != p) {
            throw new IllegalArgumentException(run.path() + "/kernels.npy does not hold " + rows.size() + " x " + p + " x " + p
                    + " kernels");
        }
        double[] all = kernels.data();
        MemberInput[] out = new MemberInput[rows.size()];
        for (RunDirectory.Group g : run.groups()) {
            double[] params = run.params(g);
            for (int local = 0; local < g.size(); local++) {
                int id = g.memberIds()[local];
                RunDirectory.MemberRow r = rows.get(id);
                if (r.id() != id) throw new IllegalArgumentException(run.path() + "/members.csv is not in member-id order");
                double[] k = new double[p * p];
                System.arraycopy(all, id * p * p, k, 0, p * p);
                double[] lambdas = java.util.Arrays.stream(r.string("lambdas").split("/")).mapToDouble(Double::parseDouble)
                        .toArray();
                out[id] = new MemberInput(id, r.config(), g.architecture(), lambdas, r.number("lr"), r.string("status"),
                        r.number("final_loss"), r.number("theory_loss"), r.number("kernel_distance"),
                        r.string("certificate"), r.integer("w1_rank"), k, g.layout(), params,
                        local * g.layout().stride());
            }
        }
        List<MemberInput> list = new ArrayList<>();
        for (MemberInput m : out) {
            if (m == null) throw new IllegalArgumentException(run.path() + ": groups.json does not cover every member");
            list.add(m);
        }
        return list;
    }
}
