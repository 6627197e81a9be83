package org.repgeom.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Json;
import org.repgeom.io.Npy;
import org.repgeom.optimum.Optimum;
import org.repgeom.optimum.OptimumCatalog;
import org.repgeom.optimum.OptimumSolver;
import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import org.repgeom.study.spec.TaskFactory;
import org.repgeom.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code repgeom optimum SPEC.yaml --out DIR}: the certified global minimum over all widths for
 * every two-layer configuration of a study spec with φ ∈ {relu, leaky_relu, linear}. Writes
 * {@code DIR/optimum.json} and, per distinct (φ, λ), the optimal kernel ({@code <stem>.kernel.npy},
 * P×P), the network ({@code <stem>.w1.npy}: width × (dX+1), bias last; {@code <stem>.w2.npy}: dY ×
 * width) and the neurons' unit preactivation directions ({@code <stem>.directions.npy}).
 */
@Command(name = "optimum", mixinStandardHelpOptions = true,
        description = "Certified global minimum over all widths of each two-layer relu / leaky_relu / linear configuration "
                + "of a study spec: loss, lower bound, narrowest optimal network, optimal kernel and the diameter of the "
                + "set of optimal kernels.")
final class OptimumCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC.yaml", description = "a study spec (the task and the grid of repgeom run)")
    Path specFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for optimum.json and the .npy files")
    Path out;

    @Option(names = "--time-limit", defaultValue = "600", description = "seconds per configuration before the solve stops uncertified (default: ${DEFAULT-VALUE})")
    double timeLimit;

    @Override
    public Integer call() throws IOException {
        if (!(timeLimit > 0)) throw new IllegalArgumentException("--time-limit must be positive, got " + timeLimit);
        if (!Files.isRegularFile(specFile)) throw new SpecException(specFile.toString(), "no such spec file");
        StudySpec spec = StudySpec.load(specFile);
        Task task = TaskFactory.build(spec.task());
        Map<String, MemberSpec> configs = new LinkedHashMap<>();
        for (MemberSpec m : spec.members(task.inputDim(), task.outputDim())) configs.putIfAbsent(m.configurationKey(), m);
        OptimumOutputs.check(out, configs.values().stream().filter(m -> OptimumCatalog.applies(m.architecture(), m.lambdas()))
                .map(m -> OptimumCatalog.key(m.architecture(), m.lambdas()).stem()).toList());
        Files.createDirectories(out);
        OptimumSolver.Options d = OptimumSolver.Options.defaults();
        OptimumCatalog catalog = new OptimumCatalog(task, new OptimumSolver.Options(d.tol(), d.certifyTol(), d.maxRounds(),
                timeLimit, d.faceBudget(), d.randomStarts()));
        List<Object> rows = new ArrayList<>();
        Map<OptimumCatalog.Key, Boolean> written = new LinkedHashMap<>();
        int skipped = 0;
        java.util.Set<String> why = new java.util.LinkedHashSet<>();
        for (Map.Entry<String, MemberSpec> e : configs.entrySet()) {
            MemberSpec m = e.getValue();
            if (!OptimumCatalog.applies(m.architecture(), m.lambdas())) {
                skipped++;
                why.add(OptimumCatalog.whyNot(m.architecture(), m.lambdas()));
                continue;
            }
            OptimumCatalog.Key key = OptimumCatalog.key(m.architecture(), m.lambdas());
            Optimum o = catalog.of(key);
            if (written.putIfAbsent(key, true) == null) write(out, key.stem(), o, task);
            rows.add(row(e.getKey(), key, o, task));
            System.out.printf(Locale.ROOT, "%-40s loss %.10g  bound %s  %s  width %d  diameter %.2e  %.2fs%n", e.getKey(), o.loss(),
                    Double.isNaN(o.lowerBound()) ? "n/a" : String.format(Locale.ROOT, "%.10g", o.lowerBound()),
                    o.certified() ? "certified" : "NOT certified", o.width(), o.kernelSetDiameter(), o.seconds());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", OptimumOutputs.FORMAT);
        json.put("task", task.name());
        json.put("configurations", rows);
        AtomicFiles.writeString(out.resolve(OptimumOutputs.JSON), Json.write(json));
        if (skipped > 0) System.out.println(skipped + " configuration(s) skipped: " + String.join("; ", why));
        System.out.println("wrote " + out.resolve("optimum.json"));
        return 0;
    }

    static Map<String, Object> row(String config, OptimumCatalog.Key key, Optimum o, Task task) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", config);
        r.put("loss", o.loss());
        r.put("lower_bound", o.lowerBound());
        r.put("relative_gap", o.relativeGap());
        r.put("certified", o.certified());
        r.put("method", o.method());
        r.put("min_energy", o.minEnergy());
        r.put("width", o.width());
        r.put("kernel", key.stem() + ".kernel.npy");
        r.put("kernel_set_diameter", o.kernelSetDiameter());
        r.put("kernel_set_resolution", o.kernelSetResolution());
        r.put("network", Map.of("w1", key.stem() + ".w1.npy", "w2", key.stem() + ".w2.npy"));
        r.put("directions", key.stem() + ".directions.npy");
        r.put("lambda1", key.lambda1());
        r.put("lambda2", key.lambda2());
        r.put("seconds", o.seconds());
        return r;
    }

    private static void write(Path dir, String stem, Optimum o, Task task) throws IOException {
        int p = task.samples(), rows = task.inputDim() + 1;
        Npy.writeFloat64(dir.resolve(stem + ".kernel.npy"), new int[] {p, p}, o.kernel());
        Npy.writeFloat64(dir.resolve(stem + ".w1.npy"), new int[] {o.width(), o.w1().length / Math.max(o.width(), 1)}, o.w1());
        Npy.writeFloat64(dir.resolve(stem + ".w2.npy"), new int[] {task.outputDim(), o.width()}, o.w2());
        Npy.writeFloat64(dir.resolve(stem + ".directions.npy"), new int[] {o.width(), p}, o.directions(p));
    }
}
