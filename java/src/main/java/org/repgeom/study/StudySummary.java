package org.repgeom.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.theory.KktCertificate;
import org.repgeom.train.MemberStatus;

/**
 * Aggregates member records into {@code summary.json}: per configuration (all members that differ
 * only in seed) the counts by status, loss, PS and kernel-distance statistics; and the study-wide
 * theory check of DESIGN.md §6.1 — over converged two-layer ReLU members with width ≥ 2·dY, is the
 * median kernel distance below 1 % and the parallelism score above 0.99?
 */
public final class StudySummary {
    /** A kernel within this relative distance of K* counts as "at theory". */
    public static final double WITHIN = 0.01;
    /** The parallelism score the theory check requires. */
    public static final double PS_THRESHOLD = 0.99;

    private StudySummary() {
    }

    public static Map<String, Object> of(StudySpec spec, Task task, boolean theoryApplies, String backend,
                                         double seconds, List<MemberRecord> records) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("study", spec.name());
        out.put("backend", backend);
        out.put("members", records.size());
        out.put("seconds", seconds);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", task.name());
        t.put("dX", task.inputDim());
        t.put("dY", task.outputDim());
        t.put("P", task.samples());
        t.put("whitened_hypercube", theoryApplies);
        out.put("task", t);
        out.put("status", statusCounts(records));
        out.put("theory_check", theoryCheck(task, theoryApplies, records));

        Map<String, List<MemberRecord>> byConfig = new LinkedHashMap<>();
        for (MemberRecord r : records) byConfig.computeIfAbsent(r.spec().configurationKey(), k -> new ArrayList<>()).add(r);
        List<Object> configs = new ArrayList<>();
        for (Map.Entry<String, List<MemberRecord>> e : byConfig.entrySet()) {
            configs.add(configuration(e.getKey(), e.getValue(), task, theoryApplies));
        }
        out.put("configurations", configs);
        return out;
    }

    private static Map<String, Object> configuration(String key, List<MemberRecord> rs, Task task, boolean theoryApplies) {
        MemberSpec first = rs.get(0).spec();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("key", key);
        c.put("activation", first.architecture().activation().id());
        c.put("widths", first.architecture().hiddenWidths());
        c.put("lambdas", first.lambdas());
        c.put("lr", first.lr());
        c.put("members", rs.size());
        c.put("status", statusCounts(rs));
        c.put("loss", quantiles(rs.stream().mapToDouble(MemberRecord::finalLoss).toArray()));
        c.put("grad_norm", quantiles(rs.stream().mapToDouble(MemberRecord::gradNorm).toArray()));
        c.put("subgradient_norm", quantiles(rs.stream().mapToDouble(r -> r.geometry().minNormSubgradient()).toArray()));
        double[] ps = rs.stream().mapToDouble(r -> r.geometry().parallelismScore()).toArray();
        Map<String, Object> psStats = new LinkedHashMap<>();
        psStats.put("mean", mean(ps));
        psStats.put("min", min(ps));
        c.put("parallelism_score", psStats);
        double[] dist = rs.stream().mapToDouble(r -> r.geometry().kernelDistance()).toArray();
        if (Arrays.stream(dist).anyMatch(d -> !Double.isNaN(d))) {
            HypercubeReluTheory th = HypercubeReluTheory.forTask(task, first.lambda(0), first.lambda(1));
            Map<String, Object> theory = new LinkedHashMap<>();
            theory.put("coefficient", th.coefficient());
            theory.put("minimal_loss", th.minimalLoss());
            theory.put("minimal_width", th.minimalWidth());
            c.put("theory", theory);
            c.put("kernel_distance", quantiles(dist));
            c.put("fraction_within_1pct", fraction(dist, WITHIN));
            c.put("loss_gap", quantiles(rs.stream().mapToDouble(MemberRecord::lossGap).toArray()));
            c.put("certificate", certificateCounts(rs));
        }
        double[] shape = rs.stream().mapToDouble(r -> r.geometry().shapeDistance()).toArray();
        if (Arrays.stream(shape).anyMatch(d -> !Double.isNaN(d))) c.put("shape_distance", quantiles(shape));
        c.put("w1_rank", quantiles(rs.stream().mapToDouble(r -> r.geometry().w1Rank()).toArray()));
        return c;
    }

    /** The §6.1 claim over converged ReLU members wide enough to attain K*. */
    private static Map<String, Object> theoryCheck(Task task, boolean theoryApplies, List<MemberRecord> records) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!theoryApplies) {
            out.put("applies", false);
            out.put("why", "task is not a whitened hypercube task; no closed form for its kernel (DESIGN.md §6.1)");
            return out;
        }
        int minWidth = 2 * task.outputDim();
        out.put("applies", true);
        out.put("selection", "two-layer relu, width >= 2*dY = " + minWidth + ", status CONVERGED");
        List<MemberRecord> sel = records.stream()
                .filter(r -> r.status() == MemberStatus.CONVERGED && !Double.isNaN(r.geometry().kernelDistance())
                        && r.spec().architecture().activation() == Activation.RELU
                        && r.spec().architecture().width(0) >= minWidth)
                .toList();
        double[] dist = sel.stream().mapToDouble(r -> r.geometry().kernelDistance()).toArray();
        double[] ps = sel.stream().mapToDouble(r -> r.geometry().parallelismScore()).toArray();
        out.put("members", sel.size());
        out.put("kernel_distance", quantiles(dist));
        out.put("fraction_within_1pct", fraction(dist, WITHIN));
        out.put("parallelism_score_median", median(ps));
        out.put("parallelism_score_min", min(ps));
        out.put("loss_gap_median", median(sel.stream().mapToDouble(MemberRecord::lossGap).toArray()));
        out.put("certificate", certificateCounts(sel));
        boolean holds = sel.size() > 0 && median(dist) < WITHIN && median(ps) > PS_THRESHOLD;
        out.put("holds", holds);
        out.put("statement", holds
                ? String.format("median kernel distance %.2e < 1%% and median PS %.6f > 0.99 over %d members",
                        median(dist), median(ps), sel.size())
                : "the claim is not confirmed on this selection");
        return out;
    }

    /** Members per KKT verdict (CERTIFIED / NOT_CERTIFIED / NOT_CHECKED). */
    static Map<String, Object> certificateCounts(List<MemberRecord> rs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (KktCertificate.Verdict v : KktCertificate.Verdict.values()) {
            m.put(v.name(), rs.stream().filter(r -> r.geometry().certificate() == v).count());
        }
        return m;
    }

    static Map<String, Object> statusCounts(List<MemberRecord> rs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (MemberStatus s : MemberStatus.values()) {
            m.put(s.name(), rs.stream().filter(r -> r.status() == s).count());
        }
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
