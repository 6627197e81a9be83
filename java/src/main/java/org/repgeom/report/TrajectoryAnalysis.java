package org.repgeom.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.repgeom.analysis.Cka;
import org.repgeom.analysis.Dimensionality;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.KernelParallelism;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.Quantiles;
import org.repgeom.analysis.TransitionDetector;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Csv;
import org.repgeom.io.NpyRows;
import org.repgeom.study.RunDirectory;
import org.repgeom.task.Task;
import org.repgeom.theory.ConfigurationTheory;

/**
 * The representation over training, per configuration, from the kernels a study recorded
 * ({@link KernelTrace}): at every recorded step the median and quartiles over the configuration's
 * traced members (diverged ones left out) of
 * <ul>
 * <li>{@code ps}: parallelism score from the kernel ({@link KernelParallelism}; labels read by sign);</li>
 * <li>{@code kernel_distance}: {@code ‖K − K*‖_F/‖K*‖_F} to the closed form of the configuration, where one applies;</li>
 * <li>{@code final_distance}: {@code ‖K − K_final‖_F/‖K_final‖_F} to the member's last recorded kernel;</li>
 * <li>{@code pr}: participation ratio {@code (tr K)²/‖K‖_F²} ({@link Dimensionality});</li>
 * <li>{@code cka_y}: linear CKA with {@code K_Y = YᵀY};</li>
 * <li>{@code cka_label<k>}: linear CKA with label k's own kernel {@code y_k y_kᵀ}, so the order in which labels are learned shows;</li>
 * <li>{@code loss}: the training loss of the same members, at the steps of {@code loss_curves.npy}.</li>
 * </ul>
 * A member that stopped before the end keeps its last values. Then {@link TransitionDetector} runs
 * on the median curves of {@code log10 loss}, {@code cka_y}, {@code ps} and every {@code cka_label<k>}.
 * A loss drop is attributed to the label whose alignment rise came last at or before the drop's end.
 *
 * <p>Writes {@code analysis/trajectory.csv} (columns {@link #COLUMNS}, long format) and
 * {@code analysis/trajectory_events.csv} (columns {@link #EVENT_COLUMNS}).
 */
public final class TrajectoryAnalysis {
    public static final String CSV = "trajectory.csv";
    public static final String EVENTS = "trajectory_events.csv";
    static final List<String> COLUMNS = List.of("config", "layer", "step", "metric", "median", "q25", "q75", "n");
    static final List<String> EVENT_COLUMNS = List.of("config", "layer", "metric", "label", "direction", "step",
            "from_step", "to_step", "before", "after");
    /** Alignment curves (CKA, PS, in [−1, 1]): a transition moves by at least 0.05, or a quarter of the curve's range. */
    static final double ALIGNMENT_FLOOR = 0.05, ALIGNMENT_FRACTION = 0.25;
    /** Loss on a log10 scale: a transition changes it by at least a factor 2, or a tenth of the curve's range in decades. */
    static final double LOSS_FLOOR = Math.log10(2), LOSS_FRACTION = 0.1;

    private TrajectoryAnalysis() {
    }

    /** What was written: the two files, and per configuration key the detected transitions. */
    public record Outcome(Path csv, Path events, int configurations, List<Event> transitions) {
    }

    /** One detected transition (a row of trajectory_events.csv); label 0 = none. */
    public record Event(String config, int layer, String metric, int label, TransitionDetector.Transition t) {
    }

    /** One configuration's curves on one layer (0 for the loss): metric → quantiles per time point. */
    private record Curves(String config, int layer, long[] steps, Map<String, double[][]> byMetric) {
    }

    /** Writes both files when the study recorded a kernel trace; returns null (writing nothing) when it did not. */
    public static Outcome write(RunDirectory run) throws IOException {
        Task task = run.task();
        KernelTrace trace = KernelTrace.open(run.path(), task.samples());
        if (trace == null) return null;
        StudyView v = new StudyView(run);
        Map<Integer, Integer> rowOf = trace.rowOfMember();
        List<Curves> all = new ArrayList<>();
        int configs = 0;
        for (StudyView.Config c : v.configs) {
            List<Integer> ids = c.ids().stream().filter(rowOf::containsKey)
                    .filter(id -> !"DIVERGED".equals(v.rows.get(id).string("status"))).toList();
            if (ids.isEmpty()) continue;
            configs++;
            all.add(lossCurves(v, c, ids));
            ConfigurationTheory theory = v.theory(c);
            for (int layer = 1; layer <= c.depth(); layer++) {
                Path file = trace.file(layer, c.depth());
                if (!Files.isRegularFile(file)) continue;
                trace.checkShape(file);
                double[][] kStar = theory.applies() ? theory.layerKernels() : null;
                double[] target = kStar != null && layer - 1 < kStar.length ? kStar[layer - 1] : null;
                all.add(kernelCurves(task, trace, file, rowOf, c.key(), layer, ids, target));
            }
        }
        List<Event> events = new ArrayList<>();
        for (Curves cv : all) {
            if (cv.layer() > 0) events.addAll(detect(cv));
        }
        events = attributeLossDrops(all, events);
        Path dir = run.path().resolve("analysis");
        Files.createDirectories(dir);
        Path csv = dir.resolve(CSV), ev = dir.resolve(EVENTS);
        AtomicFiles.writeString(csv, curvesCsv(all));
        AtomicFiles.writeString(ev, eventsCsv(events));
        return new Outcome(csv, ev, configs, events);
    }

    /** The kernel metrics' names, in the order of {@link #metrics}. */
    static List<String> metricNames(int dY) {
        List<String> names = new ArrayList<>(List.of("ps", "kernel_distance", "final_distance", "pr", "cka_y"));
        for (int label = 1; label <= dY; label++) names.add("cka_label" + label);
        return names;
    }

    /** The metrics of one kernel (row-major P×P), named as {@link #metricNames}; NaN where undefined. */
    static Map<String, Double> metrics(double[] k, double[] kFinal, double[] kStar, double[] kY, double[][] labelKernels,
                                       double[] y, int dY, int p) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("ps", KernelParallelism.of(k, y, dY, p).mean());
        m.put("kernel_distance", kStar == null ? Double.NaN : KernelDistance.relative(k, kStar));
        m.put("final_distance", KernelDistance.relative(k, kFinal));
        m.put("pr", Dimensionality.participationRatio(k, p));
        m.put("cka_y", Cka.linearFromKernels(k, kY, p));
        for (int label = 0; label < dY; label++) m.put("cka_label" + (label + 1), Cka.linearFromKernels(k, labelKernels[label], p));
        return m;
    }

    private static Curves kernelCurves(Task task, KernelTrace trace, Path file, Map<Integer, Integer> rowOf, String config,
                                       int layer, List<Integer> ids, double[] kStar) throws IOException {
        int p = task.samples(), dY = task.outputDim(), times = trace.times(), pp = p * p;
        double[] y = task.yData(), kY = Kernels.outputKernel(task);
        double[][] labelKernels = new double[dY][];
        for (int label = 0; label < dY; label++) {
            labelKernels[label] = Kernels.linear(java.util.Arrays.copyOfRange(y, label * p, (label + 1) * p), 1, p);
        }
        List<String> names = metricNames(dY);
        // values[member][metric][time]
        double[][][] values = new double[ids.size()][names.size()][times];
        try (NpyRows rows = NpyRows.open(file)) {
            // one member's T kernels in memory per thread: memory does not grow with the members traced
            IntStream.range(0, ids.size()).parallel().forEach(i -> {
                double[] all;
                try {
                    all = rows.row(rowOf.get(ids.get(i)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                int last = times - 1;
                while (last > 0 && !finite(all, last * pp, pp)) last--;
                double[] kFinal = java.util.Arrays.copyOfRange(all, last * pp, (last + 1) * pp);
                for (int t = 0; t < times; t++) {
                    int from = Math.min(t, last) * pp; // a stopped member keeps its kernel
                    double[] k = java.util.Arrays.copyOfRange(all, from, from + pp);
                    Map<String, Double> m = finite(k, 0, pp) ? metrics(k, kFinal, kStar, kY, labelKernels, y, dY, p) : Map.of();
                    for (int j = 0; j < names.size(); j++) values[i][j][t] = m.getOrDefault(names.get(j), Double.NaN);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, double[][]> byMetric = new LinkedHashMap<>();
        for (int j = 0; j < names.size(); j++) {
            double[][] q = quantiles(values, j, times);
            if (anyFinite(q[0])) byMetric.put(names.get(j), q);
        }
        return new Curves(config, layer, trace.steps(), byMetric);
    }

    private static Curves lossCurves(StudyView v, StudyView.Config c, List<Integer> ids) throws IOException {
        try (NpyRows curves = NpyRows.open(v.run.path().resolve("loss_curves.npy"))) {
            int times = curves.rowLength();
            double[][][] values = new double[ids.size()][1][];
            for (int i = 0; i < ids.size(); i++) values[i][0] = TrainingFigures.carryForward(curves.row(ids.get(i)));
            long[] steps = new long[times];
            for (int t = 0; t < times; t++) steps[t] = (long) t * v.traceEvery;
            return new Curves(c.key(), 0, steps, Map.of("loss", quantiles(values, 0, times)));
        }
    }

    /** {median, q25, q75, n} per time point of metric j over members. */
    private static double[][] quantiles(double[][][] values, int j, int times) {
        double[][] q = new double[4][times];
        double[] at = new double[values.length];
        for (int t = 0; t < times; t++) {
            for (int i = 0; i < values.length; i++) at[i] = values[i][j][t];
            double[] sorted = Quantiles.finiteSorted(at);
            q[0][t] = Quantiles.ofSorted(sorted, 0.5);
            q[1][t] = Quantiles.ofSorted(sorted, 0.25);
            q[2][t] = Quantiles.ofSorted(sorted, 0.75);
            q[3][t] = sorted.length;
        }
        return q;
    }

    /** Transitions of the curves the detector watches (class comment), loss included via its configuration's layer-0 curves. */
    private static List<Event> detect(Curves cv) {
        List<Event> out = new ArrayList<>();
        for (Map.Entry<String, double[][]> e : cv.byMetric().entrySet()) {
            String metric = e.getKey();
            if (!metric.equals("cka_y") && !metric.equals("ps") && !metric.startsWith("cka_label")) continue;
            double[] median = e.getValue()[0];
            TransitionDetector d = TransitionDetector.forPoints(median.length, ALIGNMENT_FLOOR, ALIGNMENT_FRACTION);
            int label = metric.startsWith("cka_label") ? Integer.parseInt(metric.substring("cka_label".length())) : 0;
            for (TransitionDetector.Transition t : d.find(cv.steps(), median)) out.add(new Event(cv.config(), cv.layer(), metric, label, t));
        }
        return out;
    }

    /** Loss drops per configuration, each attributed to the last label rise (last hidden layer) at or before its end. */
    private static List<Event> attributeLossDrops(List<Curves> all, List<Event> events) {
        List<Event> out = new ArrayList<>();
        Map<String, Integer> deepest = new LinkedHashMap<>();
        for (Curves cv : all) deepest.merge(cv.config(), cv.layer(), Math::max);
        for (Curves cv : all) {
            if (cv.layer() != 0) continue;
            double[] median = cv.byMetric().get("loss")[0];
            double[] log = new double[median.length];
            for (int i = 0; i < log.length; i++) log[i] = median[i] > 0 ? Math.log10(median[i]) : Double.NaN;
            TransitionDetector d = TransitionDetector.forPoints(log.length, LOSS_FLOOR, LOSS_FRACTION);
            List<Event> rises = events.stream().filter(e -> e.config().equals(cv.config()) && e.label() > 0
                    && e.layer() == deepest.get(cv.config()) && e.t().rise()).toList();
            List<Integer> used = new ArrayList<>();
            for (TransitionDetector.Transition t : d.find(cv.steps(), log)) {
                if (t.rise()) continue;
                Event best = null;
                for (Event r : rises) {
                    if (r.t().step() <= t.toStep() && !used.contains(r.label()) && (best == null || r.t().step() > best.t().step())) {
                        best = r;
                    }
                }
                if (best != null) used.add(best.label());
                out.add(new Event(cv.config(), 0, "loss", best == null ? 0 : best.label(), new TransitionDetector.Transition(
                        t.step(), t.fromStep(), t.toStep(), Math.pow(10, t.before()), Math.pow(10, t.after()))));
            }
            out.addAll(events.stream().filter(e -> e.config().equals(cv.config())).toList());
        }
        return out;
    }

    private static String curvesCsv(List<Curves> all) {
        StringBuilder sb = new StringBuilder(Csv.line(COLUMNS)).append('\n');
        for (Curves cv : all) {
            for (Map.Entry<String, double[][]> e : cv.byMetric().entrySet()) {
                double[][] q = e.getValue();
                for (int t = 0; t < cv.steps().length; t++) {
                    if (q[3][t] == 0) continue;
                    sb.append(Csv.line(Csv.text(cv.config()), cv.layer() == 0 ? "" : Integer.toString(cv.layer()), Long.toString(cv.steps()[t]),
                            e.getKey(), Csv.num(q[0][t]), Csv.num(q[1][t]), Csv.num(q[2][t]), Integer.toString((int) q[3][t]))).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private static String eventsCsv(List<Event> events) {
        StringBuilder sb = new StringBuilder(Csv.line(EVENT_COLUMNS)).append('\n');
        for (Event e : events) {
            TransitionDetector.Transition t = e.t();
            sb.append(Csv.line(Csv.text(e.config()), e.layer() == 0 ? "" : Integer.toString(e.layer()), e.metric(),
                    e.label() == 0 ? "" : Integer.toString(e.label()), t.rise() ? "rise" : "drop", Long.toString(t.step()),
                    Long.toString(t.fromStep()), Long.toString(t.toStep()), Csv.num(t.before()), Csv.num(t.after()))).append('\n');
        }
        return sb.toString();
    }

    private static boolean finite(double[] a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!Double.isFinite(a[i])) return false;
        }
        return true;
    }

    private static boolean anyFinite(double[] a) {
        for (double x : a) {
            if (Double.isFinite(x)) return true;
        }
        return false;
    }
}
