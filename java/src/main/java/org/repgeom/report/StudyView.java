package org.repgeom.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repgeom.io.NpyRows;
import org.repgeom.model.Representations;
import org.repgeom.study.RunDirectory;
import org.repgeom.study.spec.TrainSpec;
import org.repgeom.task.Task;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What the report reads from a study directory, organised by configuration: the member table
 * grouped by configuration key (in member-id order of first appearance), short labels that keep only
 * the parts of the key that vary, and on-demand access to single members (their parameters are read
 * row by row with {@link NpyRows}, so no group block is loaded whole).
 */
final class StudyView {
    final RunDirectory run;
    final Task task;
    final Map<String, Object> summary;
    final List<Config> configs = new ArrayList<>();
    final Map<Integer, RunDirectory.MemberRow> rows = new LinkedHashMap<>();
    final int traceEvery;
    private final Map<Integer, int[]> location = new LinkedHashMap<>();
    private final boolean[] varies = new boolean[5]; // activation, w, lambda, lr, and T of recurrent members
    private final org.repgeom.theory.TheoryLookup theories;

    /**
     * One configuration (members that differ only in seed).
     *
     * @param parts  the key's parts: activation, "w=…", "lambda=…", "lr=…" (and "T=…" when recurrent)
     * @param widths hidden widths
     * @param ids    member ids, ascending
     * @param index  position in {@link #configs} (its colour)
     */
    record Config(String key, String[] parts, String activation, int[] widths, List<Integer> ids, int index) {
        /** Hidden layers; for a recurrent configuration (key part "T=…") its time steps, the stages it has representations for. */
        int depth() {
            for (String part : parts) {
                if (part.startsWith("T=")) return Integer.parseInt(part.substring(2).split(",")[0]);
            }
            return widths.length;
        }

        int lastWidth() {
            return widths[widths.length - 1];
        }

        double lambda() {
            String l = parts.length > 2 ? parts[2].replace("lambda=", "") : "";
            try {
                return Double.parseDouble(l.split("/")[0]);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
    }

    StudyView(RunDirectory run) throws IOException {
        this.run = run;
        this.task = run.task();
        this.summary = run.summary();
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        Map<String, RunDirectory.MemberRow> first = new LinkedHashMap<>();
        for (RunDirectory.MemberRow r : run.members()) {
            rows.put(r.id(), r);
            byKey.computeIfAbsent(r.config(), k -> new ArrayList<>()).add(r.id());
            first.putIfAbsent(r.config(), r);
        }
        for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
            RunDirectory.MemberRow r = first.get(e.getKey());
            int[] widths = Arrays.stream(r.string("widths").split("x")).mapToInt(Integer::parseInt).toArray();
            configs.add(new Config(e.getKey(), e.getKey().split("\\|"), r.string("activation"), widths,
                    List.copyOf(e.getValue()), configs.size()));
        }
        for (int i = 0; i < varies.length; i++) {
            final int part = i;
            varies[i] = configs.stream().map(c -> part < c.parts().length ? c.parts()[part] : "").distinct().count() > 1;
        }
        for (RunDirectory.Group g : run.groups()) {
            for (int local = 0; local < g.size(); local++) location.put(g.memberIds()[local], new int[] {g.index(), local});
        }
        this.traceEvery = readTraceEvery(run.path().resolve("spec.yaml"));
        this.theories = new org.repgeom.theory.TheoryLookup(task);
    }

    /** {@code train.trace_every} of the copied spec, or the default when absent or unreadable. */
    @SuppressWarnings("unchecked")
    private static int readTraceEvery(Path spec) {
        int fallback = TrainSpec.defaults().traceEvery();
        if (!Files.isRegularFile(spec)) return fallback;
        try {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(spec, StandardCharsets.UTF_8));
            if (doc instanceof Map<?, ?> m && m.get("train") instanceof Map<?, ?> t && t.get("trace_every") instanceof Number n) {
                return Math.max(1, n.intValue());
            }
        } catch (IOException | RuntimeException e) {
            // a spec that does not parse only costs the x-axis its step scale
        }
        return fallback;
    }

    /** The varying parts of the key, e.g. "relu w=16 λ=0.01" (the activation alone when nothing varies). */
    String label(Config c) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c.parts().length; i++) {
            if (i < varies.length && varies[i]) out.add(pretty(c.parts()[i]));
        }
        return out.isEmpty() ? c.activation() : String.join(" ", out);
    }

    /** The label without the activation (for a line inside an activation's panel). */
    String labelWithinActivation(Config c) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < c.parts().length; i++) {
            if (i < varies.length && varies[i]) out.add(pretty(c.parts()[i]));
        }
        return out.isEmpty() ? c.activation() : String.join(" ", out);
    }

    private static String pretty(String part) {
        return part.replace("lambda=", "λ=");
    }

    /**
     * Colour index of a configuration inside an activation's panel: configurations that differ only in
     * activation share a colour, so panels can be compared line by line.
     */
    int colour(Config c) {
        return configs.stream().map(this::labelWithinActivation).distinct().toList().indexOf(labelWithinActivation(c));
    }

    /** Activations in order of first appearance. */
    List<String> activations() {
        return configs.stream().map(Config::activation).distinct().toList();
    }

    /** Column {@code column} of members.csv for the configuration's members (NaN where empty). */
    double[] column(Config c, String column) {
        double[] v = new double[c.ids().size()];
        for (int i = 0; i < v.length; i++) v[i] = rows.get(c.ids().get(i)).number(column);
        return v;
    }

    long count(Config c, String status) {
        return c.ids().stream().filter(id -> status.equals(rows.get(id).string("status"))).count();
    }

    /**
     * The configuration's "median member": among its converged members (all non-diverged ones when
     * none converged), the one at the median of the kernel distance to theory, else of the shape
     * distance, else of the final loss.
     */
    int representative(Config c) {
        List<Integer> pool = c.ids().stream().filter(id -> "CONVERGED".equals(rows.get(id).string("status"))).toList();
        if (pool.isEmpty()) pool = c.ids().stream().filter(id -> !"DIVERGED".equals(rows.get(id).string("status"))).toList();
        if (pool.isEmpty()) pool = c.ids();
        String by = "final_loss";
        for (String col : List.of("kernel_distance", "shape_distance")) {
            if (pool.stream().allMatch(id -> Double.isFinite(rows.get(id).number(col)))) {
                by = col;
                break;
            }
        }
        final String key = by;
        List<Integer> sorted = new ArrayList<>(pool);
        sorted.sort(Comparator.comparingDouble((Integer id) -> {
            double v = rows.get(id).number(key);
            return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
        }).thenComparing(id -> id));
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The architecture the configuration's members were trained with. */
    org.repgeom.model.Architecture architecture(Config c) {
        int[] loc = location.get(c.ids().get(0));
        try {
            return run.groups().stream().filter(x -> x.index() == loc[0]).findFirst().orElseThrow().architecture();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** λ per weight layer of the configuration (members.csv {@code lambdas}, one value repeated when given once). */
    double[] lambdas(Config c) {
        String[] cells = rows.get(c.ids().get(0)).string("lambdas").split("/");
        int layers = architecture(c).layerCount();
        double[] l = new double[layers];
        for (int i = 0; i < layers; i++) l[i] = Double.parseDouble(cells[Math.min(i, cells.length - 1)]);
        return l;
    }

    /** The closed form of the configuration (the same lookup {@code run} used). */
    org.repgeom.theory.ConfigurationTheory theory(Config c) {
        return theories.lookup(architecture(c), lambdas(c));
    }

    /** The theory lookup of the study's task. */
    org.repgeom.theory.TheoryLookup theories() {
        return theories;
    }

    /** Members of the configuration with status CONVERGED. */
    long converged(Config c) {
        return count(c, "CONVERGED");
    }

    /** A member's hidden layers or time steps (each width×P) and output (dY×P), by the reference forward pass. */
    List<double[]> layers(int memberId) throws IOException {
        int[] loc = location.get(memberId);
        if (loc == null) throw new IllegalArgumentException("member " + memberId + " is in no group");
        RunDirectory.Group g = run.groups().stream().filter(x -> x.index() == loc[0]).findFirst().orElseThrow();
        double[] params;
        try (NpyRows rowsOfGroup = NpyRows.open(g.paramsFile())) {
            params = rowsOfGroup.row(loc[1]);
        }
        Representations reps = Representations.of(g.layout(), task, params, 0); // time steps of a recurrent member
        List<double[]> out = new ArrayList<>(List.of(reps.hidden()));
        out.add(reps.output());
        return out;
    }
}
