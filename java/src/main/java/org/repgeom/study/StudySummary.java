package org.repgeom.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.theory.KktCertificate;
import org.repgeom.train.MemberStatus;

/**
 * Aggregates member records into {@code summary.json}: per configuration (all members that differ
 * only in seed) the counts by status, loss, PS and kernel-distance statistics; and the study-wide
 * theory check of docs/science.md §5.1 — over converged two-layer ReLU members with width ≥ 2·dY, is the
 * median kernel distance below 1 % and the parallelism score above 0.99?
 */
public final class StudySummary {
    /** A kernel within this relative distance of K* counts as "at theory". */
    public static final double WITHIN = 0.01;
    /** The parallelism score the theory check requires. */
    public static final double PS_THRESHOLD = 0.99;

    private StudySummary() {
    }

    /**
     * The summary of {@code records} (in member-id order); the same as feeding each to an
     * {@link Accumulator} and calling {@link Accumulator#summary}.
     */
    public static Map<String, Object> of(StudySpec spec, Task task, boolean theoryApplies, String backend,
                                         double seconds, List<MemberRecord> records) {
        Accumulator acc = new Accumulator(task, theoryApplies);
        for (MemberRecord r : records) acc.add(r);
        return acc.summary(spec, backend, seconds);
    }

    /**
     * Builds the summary one member at a time, keeping only the scalars the statistics need (about
     * a dozen numbers per member, never a kernel), so the summary of a million-member study fits
     * in a small heap. Feed members in id order: configurations appear in order of first member.
     */
    public static final class Accumulator {
        private final Task task;
        private final boolean theoryApplies;
        private final int minWidth;
        private final Map<String, Configuration> byConfig = new LinkedHashMap<>();
        private final long[] status = new long[MemberStatus.values().length];
        private final Selection theory = new Selection();
        private int members;

        public Accumulator(Task task, boolean theoryApplies) {
            this.task = task;
            this.theoryApplies = theoryApplies;
            this.minWidth = 2 * task.outputDim();
        }

        /** Adds one member; its kernel is not used. */
        public void add(MemberRecord r) {
            members++;
            status[r.status().ordinal()]++;
            MemberSpec m = r.spec();
            byConfig.computeIfAbsent(m.configurationKey(), k -> new Configuration(m)).add(r);
            if (theoryApplies && r.status() == MemberStatus.CONVERGED && !Double.isNaN(r.geometry().kernelDistance())
                    && m.architecture().activation() == Activation.RELU && m.architecture().width(0) >= minWidth) {
                theory.add(r);
            }
        }

        /** Members added so far. */
        public int members() {
            return members;
        }

        public Map<String, Object> summary(StudySpec spec, String backend, double seconds) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("study", spec.name());
            out.put("backend", backend);
            out.put("members", members);
            out.put("seconds", seconds);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", task.name());
            t.put("dX", task.inputDim());
            t.put("dY", task.outputDim());
            t.put("P", task.samples());
            t.put("whitened_hypercube", theoryApplies);
            out.put("task", t);
            out.put("status", counts(MemberStatus.values(), status));
            out.put("theory_check", theoryCheck());
            List<Object> configs = new ArrayList<>();
            for (Map.Entry<String, Configuration> e : byConfig.entrySet()) configs.add(e.getValue().describe(e.getKey()));
            out.put("configurations", configs);
            return out;
        }

        /** The §5.1 claim over converged ReLU members wide enough to attain K*. */
        private Map<String, Object> theoryCheck() {
            Map<String, Object> out = new LinkedHashMap<>();
            if (!theoryApplies) {
                out.put("applies", false);
                out.put("why", "task is not a whitened hypercube task; no closed form for its kernel (docs/science.md §5.1)");
                out.put("holds", false);
                out.put("statement", "theory does not apply: the task is not a whitened hypercube task");
                return out;
            }
            out.put("applies", true);
            out.put("selection", "two-layer relu, width >= 2*dY = " + minWidth + ", status CONVERGED");
            double[] dist = theory.distance.toArray(), ps = theory.ps.toArray();
            out.put("members", dist.length);
            out.put("kernel_distance", quantiles(dist));
            out.put("fraction_within_1pct", fraction(dist, WITHIN));
            out.put("parallelism_score_median", median(ps));
            out.put("parallelism_score_min", min(ps));
            out.put("loss_gap_median", median(theory.lossGap.toArray()));
            out.put("certificate", counts(KktCertificate.Verdict.values(), theory.certificate));
            boolean holds = dist.length > 0 && median(dist) < WITHIN && median(ps) > PS_THRESHOLD;
            out.put("holds", holds);
            out.put("statement", holds
                    ? String.format("median kernel distance %.2e < 1%% and median PS %.6f > 0.99 over %d members",
                            median(dist), median(ps), dist.length)
                    : "the claim is not confirmed on this selection");
            return out;
        }

        /** Members that differ only in seed. */
        private final class Configuration {
            final MemberSpec first;
            final long[] status = new long[MemberStatus.values().length];
            final long[] certificate = new long[KktCertificate.Verdict.values().length];
            final DoubleList loss = new DoubleList(), gradNorm = new DoubleList(), subgradient = new DoubleList(),
                    ps = new DoubleList(), distance = new DoubleList(), lossGap = new DoubleList(),
                    shape = new DoubleList(), w1Rank = new DoubleList();

            Configuration(MemberSpec first) {
                this.first = first;
            }

            void add(MemberRecord r) {
                MemberGeometry g = r.geometry();
                status[r.status().ordinal()]++;
                certificate[g.certificate().ordinal()]++;
                loss.add(r.finalLoss());
                gradNorm.add(r.gradNorm());
                subgradient.add(g.minNormSubgradient());
                ps.add(g.parallelismScore());
                distance.add(g.kernelDistance());
                lossGap.add(r.lossGap());
                shape.add(g.shapeDistance());
                w1Rank.add(g.w1Rank());
            }

            Map<String, Object> describe(String key) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("key", key);
                c.put("activation", first.architecture().activation().id());
                c.put("widths", first.architecture().hiddenWidths());
                c.put("lambdas", first.lambdas());
                c.put("lr", first.lr());
                c.put("members", loss.size());
                c.put("status", counts(MemberStatus.values(), status));
                c.put("loss", quantiles(loss.toArray()));
                c.put("grad_norm", quantiles(gradNorm.toArray()));
                c.put("subgradient_norm", quantiles(subgradient.toArray()));
                double[] psValues = ps.toArray();
                Map<String, Object> psStats = new LinkedHashMap<>();
                psStats.put("mean", mean(psValues));
                psStats.put("min", min(psValues));
                c.put("parallelism_score", psStats);
                double[] dist = distance.toArray();
                if (Arrays.stream(dist).anyMatch(d -> !Double.isNaN(d))) {
                    HypercubeReluTheory th = HypercubeReluTheory.forTask(task, first.lambda(0), first.lambda(1));
                    Map<String, Object> theory = new LinkedHashMap<>();
                    theory.put("coefficient", th.coefficient());
                    theory.put("minimal_loss", th.minimalLoss());
                    theory.put("minimal_width", th.minimalWidth());
                    c.put("theory", theory);
                    c.put("kernel_distance", quantiles(dist));
                    c.put("fraction_within_1pct", fraction(dist, WITHIN));
                    c.put("loss_gap", quantiles(lossGap.toArray()));
                    c.put("certificate", counts(KktCertificate.Verdict.values(), certificate));
                }
                double[] shapeValues = shape.toArray();
                if (Arrays.stream(shapeValues).anyMatch(d -> !Double.isNaN(d))) c.put("shape_distance", quantiles(shapeValues));
                c.put("w1_rank", quantiles(w1Rank.toArray()));
                return c;
            }
        }

        /** The members the theory check looks at. */
        private static final class Selection {
            final DoubleList distance = new DoubleList(), ps = new DoubleList(), lossGap = new DoubleList();
            final long[] certificate = new long[KktCertificate.Verdict.values().length];

            void add(MemberRecord r) {
                distance.add(r.geometry().kernelDistance());
                ps.add(r.geometry().parallelismScore());
                lossGap.add(r.lossGap());
                certificate[r.geometry().certificate().ordinal()]++;
            }
        }
    }

    /** A growable array of doubles. */
    private static final class DoubleList {
        private double[] values = new double[16];
        private int size;

        void add(double v) {
            if (size == values.length) values = Arrays.copyOf(values, 2 * size);
            values[size++] = v;
        }

        int size() {
            return size;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** Counts keyed by the enum constants' names, in declaration order. */
    private static Map<String, Object> counts(Enum<?>[] keys, long[] counts) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Enum<?> k : keys) m.put(k.name(), counts[k.ordinal()]);
        return m;
    }

    /** min, q10, median, q90, max of the finite values (all null when none). */
    static Map<String, Object> quantiles(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", quantile(v, 0));
        m.put("q10", quantile(v, 0.1));
        m.put("median", quantile(v, 0.5));
        m.put("q90", quantile(v, 0.9));
        m.put("max", quantile(v, 1));
        m.put("n", v.length);
        return m;
    }

    /** Linear-interpolation quantile of sorted values; NaN for none. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    static double median(double[] values) {
        return quantile(Arrays.stream(values).filter(Double::isFinite).sorted().toArray(), 0.5);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).average().orElse(Double.NaN);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).min().orElse(Double.NaN);
    }

    private static double fraction(double[] v, double below) {
        long finite = Arrays.stream(v).filter(Double::isFinite).count();
        return finite == 0 ? Double.NaN : (double) Arrays.stream(v).filter(d -> d < below).count() / finite;
    }
}
