package org.repgeom.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.repgeom.analysis.Ccgp;
import org.repgeom.analysis.ClassPartition;
import org.repgeom.analysis.Cka;
import org.repgeom.analysis.Dimensionality;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.LayerCka;
import org.repgeom.analysis.MemberAlignment;
import org.repgeom.analysis.MutualKnn;
import org.repgeom.analysis.NeuralCollapse;
import org.repgeom.analysis.ParallelismScore;
import org.repgeom.analysis.Quantiles;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Csv;
import org.repgeom.io.KeyParts;
import org.repgeom.io.NumberText;
import org.repgeom.io.TextTable;
import org.repgeom.io.Json;
import org.repgeom.model.Architecture;
import org.repgeom.model.Representations;
import org.repgeom.model.ParamLayout;
import org.repgeom.report.Metric.Column;
import org.repgeom.study.RunDirectory;
import org.repgeom.task.Task;

/**
 * {@code repgeom analyze}: the geometry metrics of every member of a finished study, computed from
 * the stored parameters (the representations are recomputed with the double-precision reference
 * forward pass, {@link org.repgeom.model.Mlp}, {@link org.repgeom.model.Rnn}), so they run on any study directory after the fact.
 *
 * <p><b>Streaming.</b> Groups are read one at a time ({@link RunDirectory#params}); within a group,
 * blocks of {@value #BLOCK} members are measured in parallel and written before the next block, so
 * memory holds one group's parameters, one block of results and bounded per-configuration state:
 * a {@link Reservoir} of at most {@value #RESERVOIR} values per configuration, layer and column
 * (exact quantiles up to that many members per configuration) and the sampled kernels of
 * {@link MemberAlignment}.
 *
 * <p><b>Outputs</b> (in {@code RUN_DIR/analysis/}, each written to a temporary file and renamed):
 * {@code metrics.csv}, one row per member per hidden layer (groups in order, members in group order;
 * empty cell = not defined), and {@code summary.json}: per configuration and layer the quantiles of
 * every column over its non-diverged members, the median layer × layer CKA matrix
 * (input, hidden layers, output), and the member × member alignment.
 *
 * <p><b>Conventions.</b> Classes are the distinct columns of Y. PS and CCGP need ±1 hypercube labels
 * (all 2^dY classes, dY ≥ 2); {@code ps_max} is the mean over labels of the max-over-pairings PS
 * of each label's dichotomy (at most {@value ParallelismScore#MAX_PAIRING_SIDE} classes per side).
 * {@code cka_y} compares the layer's kernel with {@code K_Y = YᵀY}; on the whitened hypercube task
 * the ReLU optimum {@code c(K_Y + dY 11ᵀ)} has {@code cka_y = 1} (centring removes 11ᵀ).
 * {@code knn_x}, {@code knn_y}: mutual k-NN alignment with X and with Y, with
 * {@code k = min(10, ⌊(P−1)/2⌋)}: Huh et al.'s k = 10, capped on small tasks because k = P−1 makes
 * every neighbourhood the whole set and the score trivially 1. NC1/NC2 on every layer; NC3/NC4 need
 * one output per class, so only on one-hot tasks and on the last hidden layer (readout W_L, b_L).
 */
public final class StudyAnalysis {
    static final int BLOCK = 1024;
    static final int RESERVOIR = 1024;

    private final RunDirectory run;
    private final Set<Metric> metrics;
    private final int alignPerConfig;
    private final long alignBudget;

    /** What was computed and where it went. */
    public record Outcome(Path metricsCsv, Path summaryJson, Map<String, Object> summary, double seconds) {
    }

    public StudyAnalysis(RunDirectory run, Set<Metric> metrics, int alignPerConfig, long alignBudget) {
        this.run = run;
        this.metrics = metrics.isEmpty() ? EnumSet.noneOf(Metric.class) : EnumSet.copyOf(metrics);
        this.alignPerConfig = alignPerConfig;
        this.alignBudget = alignBudget;
    }

    /** All metrics, default sampling. */
    public static StudyAnalysis all(RunDirectory run) {
        return new StudyAnalysis(run, EnumSet.allOf(Metric.class), MemberAlignment.DEFAULT_PER_CONFIG,
                MemberAlignment.DEFAULT_BUDGET_BYTES);
    }

    /** The neighbour count used for mutual k-NN on P samples (class comment). */
    public static int knnK(int p) {
        return Math.max(1, Math.min(MutualKnn.DEFAULT_K, (p - 1) / 2));
    }

    /**
     * The task-level inputs every member shares. For one-hot labels, {@code oneHotClass} numbers the classes that
     * have samples 0…C'−1 and {@code oneHotRows} gives each one's output row: a class held out of training has no
     * samples, and neural collapse is measured over the classes present (with their readout rows).
     */
    private record Context(Task task, ClassPartition classes, boolean hypercube, boolean oneHot, int[] oneHotClass,
                           int[] oneHotRows, double[] kY, double[] kX, int knnK, List<Column> columns) {
        List<String> columnNames() {
            return columns.stream().map(Column::id).toList();
        }
    }

    /** One member's values: {@code values[l][c]} for hidden layer l and column c. */
    private record MemberResult(int id, double[][] values, double[][] layerCka, double[] lastKernel) {
    }

    /** Runs the analysis and writes {@code analysis/metrics.csv} and {@code analysis/summary.json}. */
    public Outcome run() throws IOException {
        long t0 = System.nanoTime();
        Context ctx = context();
        Map<Integer, RunDirectory.MemberRow> rows = new LinkedHashMap<>();
        // configurations in member-id order of first appearance; their statistics are created on first use
        Map<String, ConfigStats> stats = new LinkedHashMap<>();
        for (RunDirectory.MemberRow r : run.members()) {
            rows.put(r.id(), r);
            stats.putIfAbsent(r.config(), null);
        }
        MemberAlignment align = metrics.contains(Metric.MEMBER_ALIGN)
                ? new MemberAlignment(ctx.task().samples(), alignPerConfig, alignBudget) : null;

        run.summary(); // read before anything is written: a damaged summary.json must not leave a new metrics.csv

        Path dir = run.path().resolve("analysis");
        boolean created = !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
        Files.createDirectories(dir);
        try {
            Path csv = dir.resolve("metrics.csv");
            Sink sink = new Sink(rows, stats, align, ctx.columns().size());
            writeMetricsCsv(csv, ctx, sink);

            Map<String, Object> summary = summary(ctx, rows.size(), stats, align);
            double seconds = (System.nanoTime() - t0) / 1e9;
            summary.put("seconds", seconds);
            Path json = dir.resolve("summary.json");
            AtomicFiles.writeString(json, Json.write(summary));
            TrajectoryAnalysis.write(run); // analysis/trajectory*.csv when the study recorded kernels during training
            return new Outcome(csv, json, summary, seconds);
        } catch (IOException | RuntimeException e) {
            if (created) removeIfEmpty(dir); // a refused analysis (e.g. a damaged params file) leaves no empty folder
            throw e;
        }
    }

    private static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty (a file was written before the failure) or not removable: it stays, as it is
        }
    }

    /** The task-level inputs shared by every member, and the selected columns in order. */
    private Context context() throws IOException {
        Task task = run.task();
        int p = task.samples();
        ClassPartition classes = ClassPartition.ofColumns(task.yData(), task.outputDim(), p);
        boolean hypercube = isHypercube(classes, task.outputDim());
        int[] oneHotClass = oneHotClasses(task);
        int[] oneHotRows = null;
        if (oneHotClass != null) { // renumber the classes present 0…C'−1, in output-row order
            oneHotRows = java.util.Arrays.stream(oneHotClass).distinct().sorted().toArray();
            int[] present = oneHotRows;
            oneHotClass = java.util.Arrays.stream(oneHotClass).map(k -> java.util.Arrays.binarySearch(present, k)).toArray();
        }
        List<Column> columns = new ArrayList<>();
        for (Metric m : metrics) columns.addAll(m.fills());
        return new Context(task, classes, hypercube, oneHotClass != null, oneHotClass, oneHotRows,
                Kernels.outputKernel(task), Kernels.linear(task.xData(), task.inputDim(), p), knnK(p), columns);
    }

    /** Where measured members go besides the CSV: their study rows, per-configuration statistics, alignment. */
    private record Sink(Map<Integer, RunDirectory.MemberRow> rows, Map<String, ConfigStats> stats,
                        MemberAlignment align, int columnCount) {
    }

    /** Measures every group block by block into a temporary file, renamed to {@code csv} when complete ({@link AtomicFiles#write}). */
    private void writeMetricsCsv(Path csv, Context ctx, Sink sink) throws IOException {
        AtomicFiles.write(csv, ch -> {
            // not closed here: AtomicFiles forces the channel to disk once the table is written
            BufferedWriter w = new BufferedWriter(java.nio.channels.Channels.newWriter(ch, StandardCharsets.UTF_8));
            w.write("id,config,group,layer,width,status");
            for (String c : ctx.columnNames()) w.write("," + c);
            w.newLine();
            for (RunDirectory.Group g : run.groups()) writeGroup(w, ctx, g, sink);
            w.flush();
        });
    }

    private void writeGroup(BufferedWriter w, Context ctx, RunDirectory.Group g, Sink sink) throws IOException {
        for (int from = 0; from < g.size(); from += BLOCK) {
            int to = Math.min(g.size(), from + BLOCK);
            for (MemberResult res : measureBlock(ctx, g, from, to)) record(w, g, res, sink);
        }
    }

    /** Members {@code from … to−1} of group g, measured in parallel from one block of parameters. */
    private MemberResult[] measureBlock(Context ctx, RunDirectory.Group g, int from, int to) throws IOException {
        MemberResult[] block = new MemberResult[to - from];
        // one block of parameters at a time: memory does not grow with the group
        double[] params = run.params(g, from, to - from);
        IntStream.range(from, to).parallel().forEach(local ->
                block[local - from] = measure(ctx, g, params, local, from));
        return block;
    }

    /** Writes one member's rows and, unless it diverged, adds it to its configuration's statistics. */
    private static void record(BufferedWriter w, RunDirectory.Group g, MemberResult res, Sink sink) throws IOException {
        Architecture arch = g.architecture();
        RunDirectory.MemberRow row = sink.rows().get(res.id());
        String status = row == null ? "" : row.string("status");
        String config = row == null ? "group" + g.index() : row.config();
        for (int l = 0; l < Representations.stages(arch); l++) {
            w.write(res.id() + "," + Csv.text(config) + "," + g.index() + "," + (l + 1) + ","
                    + Representations.width(arch, l) + "," + status);
            for (double v : res.values()[l]) w.write("," + Csv.num(v));
            w.newLine();
        }
        if ("DIVERGED".equals(status)) return;
        ConfigStats cs = sink.stats().get(config);
        if (cs == null) {
            cs = new ConfigStats(config, arch, sink.columnCount());
            sink.stats().put(config, cs);
        }
        cs.add(res);
        if (sink.align() != null) sink.align().offer(config, res.id(), res.lastKernel());
    }

    /** The content of {@code summary.json}, without its {@code seconds}. */
    private Map<String, Object> summary(Context ctx, int members, Map<String, ConfigStats> stats,
            MemberAlignment align) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("study", String.valueOf(run.summary().get("study")));
        summary.put("members", members);
        summary.put("metrics", metrics.stream().map(Metric::option).toList());
        summary.put("columns", ctx.columnNames());
        summary.put("notes", notes(ctx));
        List<Object> configs = new ArrayList<>();
        for (ConfigStats cs : stats.values()) {
            if (cs != null) configs.add(cs.toJson(ctx.columnNames(), ctx.task().samples()));
        }
        summary.put("configurations", configs);
        if (align != null) summary.put("member_alignment", align.summaryJson());
        return summary;
    }

    private Map<String, Object> notes(Context ctx) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("rows", "one per member per hidden layer; summary quantiles over non-diverged members");
        if ((metrics.contains(Metric.PS) || metrics.contains(Metric.CCGP)) && !ctx.hypercube()) {
            n.put("ps_ccgp", "not defined: the labels are not a full +-1 hypercube (all 2^dY classes, dY >= 2)");
        }
        if (metrics.contains(Metric.KNN)) n.put("knn_k", ctx.knnK());
        if (metrics.contains(Metric.NC)) {
            n.put("nc", ctx.oneHot() ? "NC3/NC4 on the last hidden layer with the readout W_L, b_L"
                    : "NC3/NC4 not defined: the task is not one-hot (one output per class)");
        }
        if (metrics.contains(Metric.LAYER_CKA)) n.put("layer_cka", "linear CKA between input X, hidden layers and output f(X)");
        return n;
    }

    /**
     * Every metric of member {@code local} of group {@code g}, whose parameters sit in {@code params}
     * from block start {@code first} (thread-safe: its own forward pass).
     */
    private MemberResult measure(Context ctx, RunDirectory.Group g, double[] params, int local, int first) {
        Task task = ctx.task();
        ParamLayout layout = g.layout();
        Architecture arch = g.architecture();
        int p = task.samples(), dY = task.outputDim(), depth = Representations.stages(arch);
        int off = (local - first) * layout.stride();
        // hidden layers, or the time steps of a recurrent member
        Representations reps = Representations.of(layout, task, params, off);
        List<double[]> kernels = new ArrayList<>();
        kernels.add(ctx.kX());
        for (int l = 0; l < depth; l++) kernels.add(RepresentationKernel.of(reps.hidden()[l], reps.widths()[l], p));
        kernels.add(RepresentationKernel.of(reps.output(), dY, p));
        double[][] layerCka = metrics.contains(Metric.LAYER_CKA) ? LayerCka.matrix(kernels, p) : null;

        double[][] values = new double[depth][];
        for (int l = 0; l < depth; l++) {
            double[] r = reps.hidden()[l];
            int m = reps.widths()[l];
            double[] k = kernels.get(l + 1);
            Map<Column, Double> v = new EnumMap<>(Column.class);
            if (metrics.contains(Metric.PS)) {
                v.put(Column.PS, ctx.hypercube() ? ParallelismScore.of(r, m, task.yData(), dY, p).mean() : Double.NaN);
                v.put(Column.PS_MAX, ctx.hypercube() ? psMax(r, m, ctx.classes(), dY) : Double.NaN);
            }
            if (metrics.contains(Metric.CCGP)) {
                v.put(Column.CCGP, ctx.hypercube() ? Ccgp.of(r, m, task.yData(), dY, p).mean() : Double.NaN);
            }
            if (metrics.contains(Metric.CKA)) {
                v.put(Column.CKA_Y, Cka.linearFromKernels(k, ctx.kY(), p));
                v.put(Column.CKA_Y_DEBIASED, p >= 4 ? Cka.debiasedFromKernels(k, ctx.kY(), p) : Double.NaN);
            }
            if (metrics.contains(Metric.KNN)) {
                boolean ok = p >= 3;
                v.put(Column.KNN_X, ok ? MutualKnn.of(r, m, task.xData(), task.inputDim(), p, ctx.knnK()) : Double.NaN);
                v.put(Column.KNN_Y, ok ? MutualKnn.of(r, m, task.yData(), dY, p, ctx.knnK()) : Double.NaN);
            }
            if (metrics.contains(Metric.NC)) {
                boolean ok = ctx.classes().classCount() >= 2;
                boolean readout = ctx.oneHot() && l == depth - 1;
                int[] classOf = ctx.oneHot() ? ctx.oneHotClass() : ctx.classes().classOf();
                int cc = ctx.oneHot() ? ctx.oneHotRows().length : ctx.classes().classCount();
                NeuralCollapse nc = ok ? NeuralCollapse.of(r, m, classOf, cc,
                        readout ? rows(readout(layout, params, off), m, ctx.oneHotRows()) : null,
                        readout ? rows(readoutBias(layout, params, off), 1, ctx.oneHotRows()) : null) : null;
                v.put(Column.NC1, nc == null ? Double.NaN : nc.nc1());
                v.put(Column.NC2, nc == null ? Double.NaN : nc.nc2());
                v.put(Column.NC3, nc == null ? Double.NaN : nc.nc3());
                v.put(Column.NC4, nc == null ? Double.NaN : nc.nc4());
            }
            if (metrics.contains(Metric.PR)) v.put(Column.PR, Dimensionality.participationRatio(k, p));
            if (metrics.contains(Metric.LAYER_CKA)) {
                v.put(Column.CKA_INPUT, layerCka[0][l + 1]);
                v.put(Column.CKA_PREV, layerCka[l][l + 1]);
                v.put(Column.CKA_OUTPUT, layerCka[l + 1][depth + 1]);
            }
            double[] row = new double[ctx.columns().size()];
            for (int c = 0; c < row.length; c++) row[c] = v.getOrDefault(ctx.columns().get(c), Double.NaN);
            values[l] = row;
        }
        return new MemberResult(g.memberIds()[local], values, layerCka, kernels.get(depth));
    }

    /** Mean over labels of the max-over-pairings PS of each label's dichotomy; NaN when too many classes. */
    private static double psMax(double[] r, int m, ClassPartition classes, int dY) {
        int c = classes.classCount();
        if (c / 2 > ParallelismScore.MAX_PAIRING_SIDE) return Double.NaN;
        double sum = 0;
        for (int k = 0; k < dY; k++) {
            sum += ParallelismScore.maxOverPairings(r, m, classes.classOf(), c, classes.labelDichotomy(k));
        }
        return sum / dY;
    }

    /** W_L (dY × width), the readout. */
    private static double[] readout(ParamLayout layout, double[] params, int off) {
        Architecture a = layout.architecture();
        int l = a.layerCount() - 1;
        int n = a.fanOut(l) * a.fanIn(l);
        double[] w = new double[n];
        System.arraycopy(params, off + layout.weight(l), w, 0, n);
        return w;
    }

    /** Rows {@code keep} of a row-major matrix with {@code width} columns (null stays null). */
    private static double[] rows(double[] matrix, int width, int[] keep) {
        if (matrix == null) return null;
        double[] out = new double[keep.length * width];
        for (int i = 0; i < keep.length; i++) System.arraycopy(matrix, keep[i] * width, out, i * width, width);
        return out;
    }

    private static double[] readoutBias(ParamLayout layout, double[] params, int off) {
        Architecture a = layout.architecture();
        int l = a.layerCount() - 1;
        if (layout.bias(l) < 0) return null;
        double[] b = new double[a.fanOut(l)];
        System.arraycopy(params, off + layout.bias(l), b, 0, b.length);
        return b;
    }

    /** All 2^dY classes of ±1 labels, dY ≥ 2: PS and CCGP are defined. */
    static boolean isHypercube(ClassPartition classes, int dY) {
        if (dY < 2 || dY >= 31 || classes.classCount() != (1 << dY)) return false;
        for (double[] label : classes.labels()) {
            for (double v : label) {
                if (v != 1.0 && v != -1.0) return false;
            }
        }
        return true;
    }

    /** The class of each sample when Y is one-hot (every column one 1, the rest 0), else null. */
    static int[] oneHotClasses(Task task) {
        int dY = task.outputDim(), p = task.samples();
        if (dY < 2) return null;
        double[] y = task.yData();
        for (int s = 0; s < p; s++) {
            int ones = 0;
            for (int k = 0; k < dY; k++) {
                double v = y[k * p + s];
                if (v == 1.0) ones++;
                else if (v != 0.0) return null;
            }
            if (ones != 1) return null;
        }
        return NeuralCollapse.classesFromOneHot(y, dY, p);
    }

    /** Per-configuration reservoirs of every column per layer and of the layer × layer CKA entries. */
    private static final class ConfigStats {
        private final String key;
        private final Architecture arch;
        private final Reservoir[][] columns;
        private final Reservoir[] layerCka;
        private int members;

        ConfigStats(String key, Architecture arch, int columnCount) {
            this.key = key;
            this.arch = arch;
            long seed = key.hashCode();
            columns = new Reservoir[Representations.stages(arch)][columnCount];
            for (int l = 0; l < columns.length; l++) {
                for (int c = 0; c < columnCount; c++) columns[l][c] = new Reservoir(RESERVOIR, seed + 31L * (l * 64 + c));
            }
            int n = Representations.stages(arch) + 2;
            layerCka = new Reservoir[n * n];
            for (int i = 0; i < layerCka.length; i++) layerCka[i] = new Reservoir(RESERVOIR, seed - 17L * (i + 1));
        }

        void add(MemberResult r) {
            members++;
            for (int l = 0; l < columns.length; l++) {
                for (int c = 0; c < columns[l].length; c++) columns[l][c].add(r.values()[l][c]);
            }
            if (r.layerCka() != null) {
                int n = Representations.stages(arch) + 2;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) layerCka[i * n + j].add(r.layerCka()[i][j]);
                }
            }
        }

        Map<String, Object> toJson(List<String> columnNames, int p) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", key);
            m.put("activation", arch.activation().id());
            m.put("widths", arch.hiddenWidths());
            m.put("members", members);
            List<Object> layers = new ArrayList<>();
            for (int l = 0; l < columns.length; l++) {
                Map<String, Object> layer = new LinkedHashMap<>();
                layer.put("layer", l + 1);
                layer.put("width", Representations.width(arch, l));
                for (int c = 0; c < columnNames.size(); c++) {
                    layer.put(columnNames.get(c), Quantiles.summary(columns[l][c].sample()));
                }
                layers.add(layer);
            }
            m.put("layers", layers);
            int n = Representations.stages(arch) + 2;
            if (layerCka[0].seen() > 0) {
                List<String> labels = new ArrayList<>();
                labels.add("input");
                for (int l = 1; l <= Representations.stages(arch); l++) labels.add("h" + l);
                labels.add("output");
                List<Object> median = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    double[] row = new double[n];
                    for (int j = 0; j < n; j++) row[j] = Quantiles.median(layerCka[i * n + j].sample());
                    median.add(row);
                }
                Map<String, Object> lc = new LinkedHashMap<>();
                lc.put("labels", labels);
                lc.put("median", median);
                m.put("layer_cka", lc);
            }
            return m;
        }
    }

    /**
     * Prints a short table: per configuration the median of a few headline columns on the last
     * hidden layer, each column in one {@link NumberText#column} format.
     */
    @SuppressWarnings("unchecked")
    public static void printTable(Map<String, Object> summary, PrintStream out) {
        List<String> columns = (List<String>) summary.get("columns");
        List<String> shown = new ArrayList<>();
        for (Column c : List.of(Column.PS, Column.CCGP, Column.CKA_Y, Column.KNN_Y, Column.NC1, Column.PR, Column.CKA_PREV)) {
            if (columns.contains(c.id())) shown.add(c.id());
        }
        List<Map<String, Object>> configs = (List<Map<String, Object>>) (List<?>) summary.get("configurations");
        String[][] cells = new String[shown.size()][];
        for (int j = 0; j < shown.size(); j++) {
            double[] med = new double[configs.size()];
            for (int i = 0; i < configs.size(); i++) {
                List<Object> layers = (List<Object>) configs.get(i).get("layers");
                Map<String, Object> last = (Map<String, Object>) layers.get(layers.size() - 1);
                med[i] = ((Number) ((Map<String, Object>) last.get(shown.get(j))).get("median")).doubleValue();
            }
            cells[j] = NumberText.column(med);
        }
        List<String> keys = configs.stream().map(c -> (String) c.get("key")).toList();
        String[] labels = KeyParts.shortKeys(keys);
        String common = KeyParts.commonParts(keys);
        if (!common.isEmpty()) out.print(TextTable.wrap("every configuration: " + common));
        List<String> head = new ArrayList<>(List.of("configuration", "members"));
        head.addAll(shown);
        TextTable t = new TextTable("Medians on the last hidden layer", head.toArray(String[]::new));
        for (int i = 0; i < configs.size(); i++) {
            List<String> row = new ArrayList<>(List.of(labels[i],
                    Integer.toString(((Number) configs.get(i).get("members")).intValue())));
            for (String[] col : cells) row.add(col[i]);
            t.row(row.toArray(String[]::new));
        }
        t.legend("Column names as in analysis/metrics.csv; every quantile and layer is in analysis/summary.json.");
        out.print(t.render());
        if (summary.get("member_alignment") instanceof Map<?, ?> ma) {
            String[] cka = NumberText.column(((Number) ma.get("cka_within")).doubleValue(),
                    ((Number) ma.get("cka_across")).doubleValue());
            out.print(TextTable.wrap("member alignment (CKA of last-layer kernels, " + ma.get("members")
                    + " members): within a configuration " + cka[0] + ", across configurations " + cka[1]));
        }
    }
}
