package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.StudySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.task.Task;
import java.util.Locale;
import org.repgeom.theory.ConfigurationTheory;
import org.repgeom.theory.TheoryLookup;
import org.repgeom.theory.KktCertificate;
import org.repgeom.train.MemberStatus;

/**
 * Aggregates member records into {@code summary.json}: per configuration (all members that differ
 * only in seed) the counts by status and stop criterion, loss, PS, span residual and
 * kernel-distance statistics, the closed form that applies ({@link TheoryLookup}) and the
 * configuration's theory check; and a study-wide headline that counts configurations.
 *
 * <p>A configuration's check ({@code theory_check.verdict}) is one of
 * <ul>
 *   <li>{@code does not apply} — no closed form covers it, or its widths cannot attain the form
 *       ({@code why} says which, in one phrase);</li>
 *   <li>{@code applies} — a form applies but no member is CONVERGED: no verdict on an empty selection;</li>
 *   <li>{@code holds} — over its CONVERGED members the median kernel distance is below 1 % (relative;
 *       absolute ‖K‖_F when K* = 0, named in {@code kernel_distance_kind}) and, where the form predicts
 *       abstract prototypes (hypercube labels, K* ≠ 0), the median parallelism score is above 0.99;</li>
 *   <li>{@code fails} — otherwise.</li>
 * </ul>
 */
public final class StudySummary {
    /** A kernel within this relative distance of K* counts as "at theory". */
    public static final double WITHIN = 0.01;
    /** The parallelism score the theory check requires. */
    public static final double PS_THRESHOLD = 0.99;

    /** Verdicts of a configuration's theory check. */
    public static final String HOLDS = "holds", FAILS = "fails", APPLIES = "applies", DOES_NOT_APPLY = "does not apply";

    private StudySummary() {
    }

    /**
     * Builds the summary one member at a time, keeping only the scalars the statistics need (about
     * a dozen numbers per member, never a kernel), so the summary of a million-member study fits
     * in a small heap. Feed members in id order: configurations appear in order of first member.
     */
    public static final class Accumulator {
        private final Task task;
        private final TheoryLookup lookup;
        private final Map<String, Configuration> byConfig = new LinkedHashMap<>();
        private final long[] status = new long[MemberStatus.values().length];
        private int members;

        /** {@code theoryApplies} is kept for callers; the theory is looked up per configuration. */
        public Accumulator(Task task, boolean theoryApplies) {
            this.task = task;
            this.lookup = new TheoryLookup(task);
        }

        /** Adds one member; its kernel is not used. */
        public void add(MemberRecord r) {
            members++;
            status[r.status().ordinal()]++;
            MemberSpec m = r.spec();
            byConfig.computeIfAbsent(m.configurationKey(), k -> new Configuration(m)).add(r);
        }

        /** Members added so far. */
        public int members() {
            return members;
        }

        /**
         * @param seconds      compute seconds of all chunks: training and the analysis of their members
         * @param trainSeconds the training alone (NaN when a chunk did not record it)
         * @param trainCpuSeconds the training's CPU seconds over all the backend's threads (NaN where not counted)
         */
        public Map<String, Object> summary(StudySpec spec, String backend, double seconds, double trainSeconds,
                                           double trainCpuSeconds) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("study", spec.name());
            out.put("backend", backend);
            out.put("members", members);
            out.put("seconds", seconds);
            out.put("train_seconds", trainSeconds);
            out.put("train_cpu_seconds", trainCpuSeconds);
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", task.name());
            t.put("dX", task.inputDim());
            t.put("dY", task.outputDim());
            t.put("P", task.samples());
            t.put("whitened_hypercube", lookup.whitenedUnitHypercube());
            out.put("task", t);
            out.put("status", counts(MemberStatus.values(), status));
            List<Object> configs = new ArrayList<>();
            for (Map.Entry<String, Configuration> e : byConfig.entrySet()) configs.add(e.getValue().describe(e.getKey()));
            out.put("theory_check", headline(configs));
            out.put("configurations", configs);
            return out;
        }

        /** The study's headline: configurations by verdict (never pooled members). */
        @SuppressWarnings("unchecked")
        private static Map<String, Object> headline(List<Object> configs) {
            Map<String, Long> byVerdict = new LinkedHashMap<>();
            for (String v : List.of(HOLDS, FAILS, APPLIES, DOES_NOT_APPLY)) byVerdict.put(v, 0L);
            Map<String, Long> reasons = new LinkedHashMap<>();
            List<String> failing = new ArrayList<>();
            for (Object o : configs) {
                Map<String, Object> check = (Map<String, Object>) ((Map<String, Object>) o).get("theory_check");
                String verdict = (String) check.get("verdict");
                byVerdict.merge(verdict, 1L, Long::sum);
                if (verdict.equals(DOES_NOT_APPLY)) reasons.merge((String) check.get("why"), 1L, Long::sum);
                if (verdict.equals(FAILS)) failing.add((String) ((Map<String, Object>) o).get("key"));
            }
            long holds = byVerdict.get(HOLDS), fails = byVerdict.get(FAILS), undecided = byVerdict.get(APPLIES);
            long applies = holds + fails + undecided;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("configurations", (long) configs.size());
            out.put("applies", applies > 0);
            out.put("holds", holds + fails == 0 ? null : fails == 0);
            out.put("by_verdict", byVerdict);
            out.put("does_not_apply_because", reasons);
            out.put("failing", failing);
            StringBuilder st = new StringBuilder();
            if (applies == 0) {
                st.append("theory does not apply: no configuration has a closed form");
            } else {
                st.append(String.format(Locale.ROOT, "holds in %d of %d configurations a closed form covers", holds,
                        applies));
                if (fails > 0) st.append(String.format(Locale.ROOT, ", fails in %d", fails));
                if (undecided > 0) st.append(String.format(Locale.ROOT, ", %d without a converged member", undecided));
            }
            if (!reasons.isEmpty()) {
                st.append("; ").append(byVerdict.get(DOES_NOT_APPLY)).append(" do not apply (");
                st.append(String.join("; ", reasons.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList()));
                st.append(")");
            }
            out.put("statement", st.toString());
            return out;
        }

        /** Members that differ only in seed. */
        private final class Configuration {
            final MemberSpec first;
            final ConfigurationTheory theory;
            final long[] status = new long[MemberStatus.values().length];
            final long[] certificate = new long[KktCertificate.Verdict.values().length];
            final Map<String, Long> criteria = new LinkedHashMap<>();
            final Map<String, Long> certificateMethods = new LinkedHashMap<>();
            final DoubleList loss = new DoubleList(), gradNorm = new DoubleList(), subgradient = new DoubleList(),
                    ps = new DoubleList(), distance = new DoubleList(), lossGap = new DoubleList(),
                    shape = new DoubleList(), w1Rank = new DoubleList(), span = new DoubleList();
            final Selection converged = new Selection();
            final HoldoutSummary holdout = new HoldoutSummary();

            Configuration(MemberSpec first) {
                this.first = first;
                this.theory = lookup.lookup(first.architecture(), first.lambdas());
            }

            void add(MemberRecord r) {
                MemberGeometry g = r.geometry();
                status[r.status().ordinal()]++;
                certificate[g.certificate().ordinal()]++;
                if (!r.stopCriterion().isEmpty()) criteria.merge(r.stopCriterion(), 1L, Long::sum);
                if (g.certificate() != KktCertificate.Verdict.NOT_CHECKED || !"not-checked".equals(g.certificateMethod())) {
                    certificateMethods.merge(g.certificateMethod(), 1L, Long::sum);
                }
                loss.add(r.finalLoss());
                gradNorm.add(r.gradNorm());
                subgradient.add(g.minNormSubgradient());
                ps.add(g.parallelismScore());
                distance.add(g.kernelDistance());
                lossGap.add(r.lossGap());
                shape.add(g.shapeDistance());
                w1Rank.add(g.w1Rank());
                span.add(g.spanResidual());
                if (r.status() == MemberStatus.CONVERGED) converged.add(r);
                holdout.add(r.holdout());
            }

            Map<String, Object> describe(String key) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("key", key);
                c.put("activation", first.architecture().activation().id());
                c.put("theory_class", TheoryLookup.theoryClass(first.architecture().activation()));
                c.put("widths", first.architecture().hiddenWidths());
                c.put("lambdas", first.lambdas());
                c.put("lr", first.lr());
                c.put("members", loss.size());
                c.put("status", counts(MemberStatus.values(), status));
                c.put("stop_criterion", criteria);
                c.put("loss", quantiles(loss.toArray()));
                c.put("grad_norm", quantiles(gradNorm.toArray()));
                c.put("subgradient_norm", quantiles(subgradient.toArray()));
                double[] psValues = ps.toArray();
                Map<String, Object> psStats = new LinkedHashMap<>();
                psStats.put("mean", mean(psValues));
                psStats.put("min", min(psValues));
                c.put("parallelism_score", psStats);
                c.put("span_residual", quantiles(span.toArray()));
                Map<String, Object> th = new LinkedHashMap<>();
                th.put("applies", theory.applies());
                if (theory.applies()) {
                    th.put("form", theory.form());
                    th.put("formula", theory.formula());
                    th.put("minimal_loss", theory.minimalLoss());
                    th.put("minimal_widths", theory.minimalWidths());
                    if (theory.tooNarrow() != null) th.put("too_narrow", theory.tooNarrow());
                } else {
                    th.put("why", theory.why());
                }
                c.put("theory", th);
                if (theory.applies()) {
                    double[] dist = distance.toArray();
                    c.put("kernel_distance", quantiles(dist));
                    c.put("fraction_within_1pct", fraction(dist, WITHIN));
                    c.put("loss_gap", quantiles(lossGap.toArray()));
                    c.put("certificate", counts(KktCertificate.Verdict.values(), certificate));
                    c.put("certificate_method", certificateMethods);
                }
                c.put("theory_check", check());
                double[] shapeValues = shape.toArray();
                if (Arrays.stream(shapeValues).anyMatch(d -> !Double.isNaN(d))) c.put("shape_distance", quantiles(shapeValues));
                c.put("w1_rank", quantiles(w1Rank.toArray()));
                Map<String, Object> held = holdout.describe();
                if (held != null) c.put("holdout", held);
                return c;
            }

            /** The configuration's theory check (class comment). */
            private Map<String, Object> check() {
                Map<String, Object> out = new LinkedHashMap<>();
                String why = theory.notJudgedBecause();
                if (why != null) {
                    out.put("verdict", DOES_NOT_APPLY);
                    out.put("why", why);
                    out.put("statement", "does not apply: " + why);
                    return out;
                }
                double[] dist = converged.distance.toArray(), psValues = converged.ps.toArray();
                out.put("form", theory.form());
                out.put("members", dist.length);
                if (dist.length == 0) {
                    out.put("verdict", APPLIES);
                    out.put("why", "no CONVERGED member to judge");
                    out.put("statement", "no verdict: " + theory.form() + " applies, but no member is CONVERGED");
                    return out;
                }
                boolean trivial = theory.trivial();
                out.put("kernel_distance_kind", trivial ? "absolute ||K||_F (K* = 0)" : "relative");
                double median = median(dist);
                out.put("kernel_distance", quantiles(dist));
                out.put("fraction_within_1pct", fraction(dist, WITHIN));
                boolean needsPs = !trivial && (theory.form().equals("hypercube-ray") || theory.form().equals("deep-relu")
                        || theory.form().equals("tanh-odd"));
                double psMedian = median(psValues);
                out.put("parallelism_score_median", psMedian);
                out.put("span_residual_median", median(converged.span.toArray()));
                out.put("loss_gap_median", median(converged.lossGap.toArray()));
                out.put("certificate", counts(KktCertificate.Verdict.values(), converged.certificate));
                boolean holds = median < WITHIN && (!needsPs || psMedian > PS_THRESHOLD);
                out.put("verdict", holds ? HOLDS : FAILS);
                out.put("statement", String.format(Locale.ROOT, "median %s kernel distance %.2e over %d converged members%s",
                        trivial ? "absolute" : "relative", median, dist.length,
                        needsPs ? String.format(Locale.ROOT, ", median PS %.6f", psMedian) : ""));
                return out;
            }
        }

    /** The members the theory check looks at. */
        private static final class Selection {
            final DoubleList distance = new DoubleList(), ps = new DoubleList(), lossGap = new DoubleList(),
                    span = new DoubleList();
            final long[] certificate = new long[KktCertificate.Verdict.values().length];

            void add(MemberRecord r) {
                distance.add(r.geometry().kernelDistance());
                ps.add(r.geometry().parallelismScore());
                lossGap.add(r.lossGap());
                span.add(r.geometry().spanResidual());
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
