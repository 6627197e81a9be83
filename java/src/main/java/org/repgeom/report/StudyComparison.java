package org.repgeom.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.repgeom.analysis.NeuralComparison;
import org.repgeom.analysis.NeuralComparison.Geometry;
import org.repgeom.analysis.NeuralComparison.Similarity;
import org.repgeom.analysis.Quantiles;
import org.repgeom.analysis.Recording;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.model.Representations;
import org.repgeom.study.RunDirectory;
import org.repgeom.study.spec.SpecException;
import org.repgeom.task.Task;

/**
 * {@code repgeom compare}: how similar each configuration of a finished study is to a recorded
 * population response ({@link Recording}), and the geometry of both.
 *
 * <p>Every member's hidden layer (the last one unless a layer is given) is recomputed from its
 * stored parameters with the double-precision reference forward pass, as {@code analyze} does, and
 * restricted to the recorded samples. With {@code center}, each unit and each neuron has its mean
 * over those samples removed first (this changes the kernel distance and the participation ratio;
 * CKA, RSA, PS and CCGP do not depend on it). Members whose status is DIVERGED, or whose
 * representation is not finite, are left out and counted.
 *
 * <p>Per configuration (the {@code config} key of members.csv) the similarities of its members
 * ({@link NeuralComparison#similarity}) are summarised by their median and quartiles, and its
 * members' geometry by medians. Rows are sorted from most to least similar by the chosen
 * {@link SortKey}'s median, ties broken by the other two medians and then the key.
 */
public final class StudyComparison {
    static final int BLOCK = 1024;

    /** What ranks the configurations. */
    public enum SortKey {
        /** Median linear CKA, larger first. */
        cka,
        /** Median RSA (Spearman), larger first. */
        rsa,
        /** Median scale-free kernel distance, smaller first. */
        kernel_distance;

        /** The median that ranks (sign flipped where smaller is more similar, so larger always ranks first). */
        double score(ConfigRow r) {
            return switch (this) {
                case cka -> r.median(Measure.CKA);
                case rsa -> r.median(Measure.RSA);
                case kernel_distance -> -r.median(Measure.KERNEL_DISTANCE);
            };
        }

        /** Short text for captions and the sidecar. */
        public String describe() {
            return switch (this) {
                case cka -> "median linear CKA, largest first";
                case rsa -> "median RSA (Spearman correlation of the RDMs), largest first";
                case kernel_distance -> "median scale-free kernel distance, smallest first";
            };
        }
    }

    /** The three similarity measures, in column order. */
    public enum Measure {
        CKA("cka"), RSA("rsa"), KERNEL_DISTANCE("kernel_distance");

        public final String column;

        Measure(String column) {
            this.column = column;
        }

        double of(Similarity s) {
            return switch (this) {
                case CKA -> s.cka();
                case RSA -> s.rsa();
                case KERNEL_DISTANCE -> s.kernelDistance();
            };
        }
    }

    /** One member's result (absent for left-out members). */
    public record MemberResult(int id, String config, Similarity similarity, Geometry geometry) {
    }

    /** One configuration's summary. */
    public static final class ConfigRow {
        private final String config;
        private final List<MemberResult> members = new ArrayList<>();
        private int leftOut;
        private double[] shapeSum; // sum of the members' kernels, each scaled to unit Frobenius norm

        ConfigRow(String config) {
            this.config = config;
        }

        public String config() {
            return config;
        }

        /** Members compared. */
        public int size() {
            return members.size();
        }

        /** Members left out (DIVERGED or a non-finite representation). */
        public int leftOut() {
            return leftOut;
        }

        public List<MemberResult> members() {
            return members;
        }

        /** The mean unit-norm kernel of the members (S×S), null when none was compared. */
        public double[] meanShape() {
            if (shapeSum == null || members.isEmpty()) return null;
            return Arrays.stream(shapeSum).map(v -> v / members.size()).toArray();
        }

        void addShape(double[] k) {
            double norm = Math.sqrt(Arrays.stream(k).map(v -> v * v).sum());
            if (shapeSum == null) shapeSum = new double[k.length];
            for (int j = 0; j < k.length; j++) shapeSum[j] += norm == 0 ? 0 : k[j] / norm;
        }

        public double[] values(Measure m) {
            return members.stream().mapToDouble(r -> m.of(r.similarity())).toArray();
        }

        public double median(Measure m) {
            return Quantiles.median(values(m));
        }

        public double quantile(Measure m, double q) {
            return Quantiles.of(values(m), q);
        }

        /** Median over the members of one geometry value. */
        public double geometryMedian(java.util.function.ToDoubleFunction<Geometry> f) {
            return Quantiles.median(members.stream().mapToDouble(r -> f.applyAsDouble(r.geometry())).toArray());
        }
    }

    /**
     * The comparison.
     *
     * @param configs     configurations, most similar first
     * @param dataKernel  the data's S×S kernel (centred if asked)
     * @param data        the data's geometry
     * @param splitHalf   reliability of the data, null without repeats
     * @param labels      the labels of the covered samples, dY × S
     */
    public record Result(List<ConfigRow> configs, double[] dataKernel, Geometry data, Recording.SplitHalf splitHalf,
                         double[] labels, int outputDim, SortKey sortKey, String layer, boolean centred,
                         int studySamples, double seconds) {
        /** Members compared, in id order. */
        public List<MemberResult> members() {
            return configs.stream().flatMap(c -> c.members().stream())
                    .sorted(Comparator.comparingInt(MemberResult::id)).toList();
        }
    }

    private final RunDirectory run;
    private final Recording recording;
    private final Integer layer;
    private final boolean center;
    private final SortKey sortKey;

    /**
     * @param layer 1-based hidden layer, or null for each member's last hidden layer
     */
    public StudyComparison(RunDirectory run, Recording recording, Integer layer, boolean center, SortKey sortKey) {
        this.run = run;
        this.recording = recording;
        this.layer = layer;
        this.center = center;
        this.sortKey = sortKey;
    }

    /** Compares every member; checks the layer against every group before computing anything. */
    public Result run() throws IOException {
        long t0 = System.nanoTime();
        Task task = run.task();
        int p = task.samples(), dY = task.outputDim();
        int[] samples = recording.samples();
        int s = samples.length;
        for (RunDirectory.Group g : run.groups()) {
            int stages = Representations.stages(g.architecture()); // hidden layers, or time steps of a recurrent group
            if (layer != null && (layer < 1 || layer > stages)) {
                throw new SpecException("--layer", "must be in 1.." + stages + " (group " + g.index() + " has " + stages
                        + (g.architecture().isRecurrent() ? " time step(s)" : " hidden layer(s)") + "), got " + layer);
            }
        }
        double[] y = NeuralComparison.labels(task.yData(), dY, p, samples);
        double[] rData = center ? NeuralComparison.centred(recording.mean(), recording.neurons(), s) : recording.mean();
        double[] kData = RepresentationKernel.of(rData, recording.neurons(), s);
        Geometry data = NeuralComparison.geometry(rData, recording.neurons(), kData, y, dY, s);

        Map<Integer, RunDirectory.MemberRow> rows = new HashMap<>();
        Map<String, ConfigRow> configs = new LinkedHashMap<>();
        for (RunDirectory.MemberRow r : run.members()) {
            rows.put(r.id(), r);
            configs.computeIfAbsent(r.config(), ConfigRow::new);
        }
        for (RunDirectory.Group g : run.groups()) {
            int l = layer == null ? Representations.stages(g.architecture()) - 1 : layer - 1;
            int m = Representations.width(g.architecture(), l);
            for (int from = 0; from < g.size(); from += BLOCK) {
                int count = Math.min(BLOCK, g.size() - from);
                double[] params = run.params(g, from, count);
                int first = from;
                MemberResult[] block = new MemberResult[count];
                double[][] kernels = new double[count][];
                IntStream.range(0, count).parallel().forEach(i -> {
                    RunDirectory.MemberRow row = rows.get(g.memberIds()[first + i]);
                    if (row == null || "DIVERGED".equals(row.string("status"))) return;
                    double[] hidden = Representations.of(g.layout(), task, params, i * g.layout().stride()).hidden()[l];
                    double[] r = NeuralComparison.columns(hidden, m, p, samples);
                    if (center) r = NeuralComparison.centred(r, m, s);
                    if (!Arrays.stream(r).allMatch(Double::isFinite)) return;
                    double[] k = RepresentationKernel.of(r, m, s);
                    kernels[i] = k;
                    block[i] = new MemberResult(row.id(), row.config(), NeuralComparison.similarity(kData, k, s),
                            NeuralComparison.geometry(r, m, k, y, dY, s));
                });
                for (int i = 0; i < count; i++) {
                    RunDirectory.MemberRow row = rows.get(g.memberIds()[from + i]);
                    if (row == null) continue;
                    ConfigRow c = configs.get(row.config());
                    if (block[i] == null) {
                        c.leftOut++;
                    } else {
                        c.members.add(block[i]);
                        c.addShape(kernels[i]);
                    }
                }
            }
        }
        List<ConfigRow> sorted = new ArrayList<>(configs.values());
        sorted.sort(order(sortKey));
        String where = layer == null ? "last hidden layer" : "hidden layer " + layer;
        return new Result(sorted, kData, data, recording.splitHalf(), y, dY, sortKey, where, center, p,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Most similar first: the key's median, then the other medians, then the configuration key; NaN last. */
    static Comparator<ConfigRow> order(SortKey key) {
        Comparator<ConfigRow> c = Comparator.comparingDouble((ConfigRow r) -> rankable(key.score(r))).reversed();
        for (SortKey other : SortKey.values()) {
            if (other != key) c = c.thenComparing(Comparator.comparingDouble((ConfigRow r) -> rankable(other.score(r))).reversed());
        }
        return c.thenComparing(ConfigRow::config);
    }

    /** NaN ranks below every number. */
    private static double rankable(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    /** One line per configuration for the terminal. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-4s %-44s %7s %8s %8s %8s%n", "rank", "config",
                "members", "cka", "rsa", "kdist"));
        int rank = 1;
        for (ConfigRow c : r.configs()) {
            sb.append(String.format(Locale.ROOT, "%-4d %-44s %7d %8.4f %8.4f %8.4f%n", rank++, c.config(), c.size(),
                    c.median(Measure.CKA), c.median(Measure.RSA), c.median(Measure.KERNEL_DISTANCE)));
        }
        return sb.toString();
    }
}
