package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.SpecException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.LandscapeStatistics;
import org.repgeom.model.Architecture;
import org.repgeom.optimum.Optimum;
import org.repgeom.optimum.OptimumCatalog;
import org.repgeom.optimum.OptimumSolver;
import org.repgeom.task.Task;
import org.repgeom.theory.ConfigurationTheory;
import org.repgeom.theory.TheoryLookup;
import org.repgeom.train.MemberStatus;

/**
 * Every member of a study measured against the global optimum over all widths of its configuration
 * ({@link OptimumSolver}), for the two-layer relu / leaky_relu / linear configurations. Used when a
 * study is assembled (after {@code run}, {@code run --resume} and {@code merge} alike), so the
 * columns and the check do not depend on how the study was trained.
 *
 * <ul>
 * <li>The optimum is solved once per (activation, bias, λ1, λ2) of the task — configurations that
 *   differ in width or learning rate share it — before the first row is written, each solve capped
 *   at {@link Settings#seconds} (the solver stops there and labels its result not certified).</li>
 * <li>Per member ({@link #cells}): {@code global_gap} = (L − L*)/L* with L the member's
 *   double-precision {@code final_loss} and L* the optimum's loss, and {@code optimum_kernel_distance}
 *   = ‖K − K*‖_F/‖K*‖_F with K its stored kernel (absolute ‖K‖_F where K* = 0); empty where the
 *   optimum does not apply, or was skipped.</li>
 * <li>Per configuration ({@link #annotate}): the optimum (loss, bound, gap, certified, method,
 *   width, seconds), the fraction of its non-diverged members at the optimum (gap ≤
 *   {@link LandscapeStatistics#GLOBAL_GAP_TOL}, as {@code landscape} counts them), the family's width
 *   thresholds against the optimum, and the comparison with the closed form where one applies.</li>
 * <li>A member whose loss lies below a <em>certified</em> lower bound by more than
 *   {@link #BELOW_TOL} (relative) cannot exist: it is listed in {@code global_optimum_check} with
 *   status {@code failed}, and {@code run} / {@code merge} exit with 1 ({@link #violations}).</li>
 * </ul>
 */
public final class StudyOptimum {
    /** Columns appended to the final members.csv, each with a leading comma. */
    public static final String HEADER = ",global_gap,optimum_kernel_distance";
    /** Relative slack below a certified bound tolerated for rounding (the same as {@code landscape}'s). */
    public static final double BELOW_TOL = org.repgeom.analysis.GlobalComparison.BELOW_TOL;
    /** Closed-form agreement: relative loss difference and kernel distance up to which the two agree. */
    static final double CLOSED_FORM_LOSS_TOL = 1e-6, CLOSED_FORM_KERNEL_TOL = 1e-4;

    /**
     * How the study solves its optima.
     *
     * @param seconds time cap of one solve (the solver stops there, not certified)
     */
    public record Settings(double seconds) {
        /** The default cap of one solve, in seconds. */
        public static final double DEFAULT_SECONDS = 60;

        public static Settings defaults() {
            return new Settings(DEFAULT_SECONDS);
        }

        public Settings {
            if (!(seconds > 0)) throw new SpecException("--optimum-seconds", "must be positive, got " + seconds);
        }

        OptimumSolver.Options options() {
            OptimumSolver.Options d = OptimumSolver.Options.defaults();
            return new OptimumSolver.Options(d.tol(), d.certifyTol(), d.maxRounds(), seconds, d.faceBudget(), d.randomStarts());
        }
    }

    /** One member below a certified lower bound. */
    public record Violation(int member, String config, double loss, double lowerBound) {
        public String line() {
            return String.format(Locale.ROOT, "member %d (%s) has loss %s below the certified lower bound %s of its "
                    + "global optimum", member, config, Double.toString(loss), Double.toString(lowerBound));
        }
    }

    private final Settings settings;
    private final TheoryLookup theories;
    private final Map<OptimumCatalog.Key, Optimum> optima = new LinkedHashMap<>();
    private final Map<String, Config> configs = new LinkedHashMap<>();
    private final List<Violation> violations = new ArrayList<>();

    /**
     * Solves the optimum of every two-layer 1-homogeneous configuration of the plan (nothing when
     * {@code settings} is null: the study was run with {@code --no-optimum}), saying so on {@code log}.
     */
    public StudyOptimum(StudyPlan plan, Task task, Settings settings, PrintStream log) {
        this.settings = settings;
        this.theories = new TheoryLookup(task);
        if (settings == null) return;
        OptimumCatalog catalog = new OptimumCatalog(task, settings.options());
        for (int id = 0; id < plan.memberCount(); id++) {
            MemberSpec m = plan.member(id);
            if (!applies(m)) continue;
            OptimumCatalog.Key key = OptimumCatalog.key(m.architecture(), m.lambdas());
            if (optima.containsKey(key)) continue;
            log.printf(Locale.ROOT, "repgeom: global optimum of %s (%s, lambda %s/%s): solving (cap %.0f s) ...%n",
                    m.architecture().activation().id(), key.bias() ? "bias" : "no bias", key.lambda1(), key.lambda2(),
                    settings.seconds());
            Optimum o = catalog.of(key);
            optima.put(key, o);
            log.printf(Locale.ROOT, "repgeom:   loss %.10g, %s (%s), width %d, %.1f s%n", o.loss(), o.certified()
                    ? String.format(Locale.ROOT, "certified, bound %.10g", o.lowerBound()) : "not certified", o.method(),
                    o.width(), o.seconds());
        }
    }

    private static boolean applies(MemberSpec m) {
        return OptimumCatalog.applies(m.architecture(), m.lambdas());
    }

    /** The optimum of a member's configuration; null where it does not apply or was skipped. */
    public Optimum of(MemberSpec m) {
        return settings == null || !applies(m) ? null : optima.get(OptimumCatalog.key(m.architecture(), m.lambdas()));
    }

    /**
     * The member's cells under {@link #HEADER} (each with a leading comma; empty where not
     * applicable), adding it to its configuration's statistics.
     *
     * @param kernel its stored kernel (P × P)
     */
    public String cells(MemberRecord r, double[] kernel) {
        MemberSpec m = r.spec();
        Optimum o = of(m);
        Config c = configs.computeIfAbsent(m.configurationKey(), k -> new Config(m, o));
        if (o == null) return ",,";
        double gap = (r.finalLoss() - o.loss()) / o.loss();
        double dist = kernelDistance(kernel, o.kernel());
        c.add(r.status(), gap, dist);
        if (o.certified() && r.finalLoss() < o.lowerBound() * (1 - BELOW_TOL)) {
            violations.add(new Violation(m.id(), m.configurationKey(), r.finalLoss(), o.lowerBound()));
            c.below++;
        }
        return "," + MemberCsv.num(gap) + "," + MemberCsv.num(dist);
    }

    /** Relative distance, absolute ‖K‖_F where K* = 0 (the trivial optimum), as kernel_distance. */
    private static double kernelDistance(double[] k, double[] kStar) {
        boolean zero = Arrays.stream(kStar).allMatch(v -> v == 0);
        if (!zero) return KernelDistance.relative(k, kStar);
        double s = 0;
        for (double v : k) s += v * v;
        return Math.sqrt(s);
    }

    /** Members below a certified bound, in member-id order (must be empty). */
    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    /** Adds {@code global_optimum} to each configuration of the summary and the study's {@code global_optimum_check}. */
    @SuppressWarnings("unchecked")
    public void annotate(Map<String, Object> summary) {
        Map<String, Integer[]> thresholds = thresholds();
        for (Object o : (List<Object>) summary.get("configurations")) {
            Map<String, Object> c = (Map<String, Object>) o;
            Config acc = configs.get((String) c.get("key"));
            if (acc != null && acc.optimum != null) c.put("global_optimum", acc.describe(thresholds.get(acc.family)));
        }
        summary.put("global_optimum_check", check());
    }

    /** Per family (the key without its width): the smallest width at which half, and all, of its minima are at the optimum. */
    private Map<String, Integer[]> thresholds() {
        Map<String, List<Config>> byFamily = new LinkedHashMap<>();
        for (Config c : configs.values()) if (c.optimum != null) byFamily.computeIfAbsent(c.family, k -> new ArrayList<>()).add(c);
        Map<String, Integer[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Config>> e : byFamily.entrySet()) {
            List<Config> cs = new ArrayList<>(e.getValue());
            cs.sort(Comparator.comparingInt(c -> c.width));
            Integer half = null, all = null;
            for (Config c : cs) {
                if (c.minima() == 0) continue;
                if (half == null && 2 * c.at >= c.minima()) half = c.width;
                if (all == null && c.at == c.minima()) all = c.width;
            }
            out.put(e.getKey(), new Integer[] {half, all});
        }
        return out;
    }

    private Map<String, Object> check() {
        Map<String, Object> out = new LinkedHashMap<>();
        long applies = configs.values().stream().filter(c -> c.applies).count();
        long certified = optima.values().stream().filter(Optimum::certified).count();
        out.put("applies", applies > 0);
        out.put("skipped", settings == null);
        out.put("time_cap_seconds", settings == null ? null : settings.seconds());
        out.put("optima", optima.size());
        out.put("certified", certified);
        out.put("configurations", applies);
        out.put("seconds", optima.values().stream().mapToDouble(Optimum::seconds).sum());
        List<Object> below = new ArrayList<>();
        for (Violation v : violations) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("member", v.member());
            m.put("config", v.config());
            m.put("loss", v.loss());
            m.put("lower_bound", v.lowerBound());
            below.add(m);
        }
        out.put("below_certified_bound", below);
        String status, statement;
        if (settings == null && applies > 0) {
            status = "skipped";
            statement = "not checked: the study was run with --no-optimum";
        } else if (applies == 0) {
            status = "does not apply";
            statement = "no configuration is a two-layer relu, leaky_relu or linear network";
        } else if (!violations.isEmpty()) {
            status = "failed";
            statement = violations.size() + " member(s) below a certified global optimum (a bug in the loss, the stored "
                    + "parameters or the solver): " + violations.get(0).line();
        } else {
            status = certified == optima.size() ? "passed" : "not certified";
            statement = String.format(Locale.ROOT, "%d of %d global optima certified; no member below a certified bound",
                    certified, optima.size()) + (certified < optima.size() ? " (the others are the best networks found, "
                    + "without a proof)" : "");
        }
        out.put("status", status);
        out.put("statement", statement);
        return out;
    }

    /** The members of one configuration measured against its optimum. */
    private final class Config {
        final Optimum optimum;
        final boolean applies;
        final String family;
        final int width;
        final MemberSpec first;
        double[] gaps = new double[8], dists = new double[8];
        int n, at, below;

        Config(MemberSpec m, Optimum optimum) {
            this.first = m;
            this.optimum = optimum;
            this.applies = applies(m);
            Architecture a = m.architecture();
            this.width = a.hiddenWidths()[a.hiddenWidths().length - 1];
            this.family = m.configurationKey().replaceFirst("\\|w=[^|]*", "");
        }

        /** Adds a non-diverged member (a diverged one is not a minimum: it counts nowhere, as in landscape). */
        void add(MemberStatus status, double gap, double dist) {
            if (status == MemberStatus.DIVERGED) return;
            if (n == gaps.length) {
                gaps = Arrays.copyOf(gaps, 2 * n);
                dists = Arrays.copyOf(dists, 2 * n);
            }
            gaps[n] = gap;
            dists[n] = dist;
            n++;
            if (gap <= LandscapeStatistics.GLOBAL_GAP_TOL) at++;
        }

        int minima() {
            return n;
        }

        Map<String, Object> describe(Integer[] threshold) {
            Optimum o = optimum;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("loss", o.loss());
            m.put("lower_bound", o.lowerBound());
            m.put("relative_gap", o.relativeGap());
            m.put("certified", o.certified());
            m.put("method", o.method());
            m.put("width", o.width());
            m.put("kernel_set_diameter", o.kernelSetDiameter());
            m.put("kernel_set_resolution", o.kernelSetResolution());
            m.put("seconds", o.seconds());
            m.put("time_cap_hit", !o.certified() && o.seconds() >= settings.seconds());
            m.put("minima", n);
            m.put("at_optimum", at);
            m.put("fraction_at_optimum", n == 0 ? Double.NaN : (double) at / n);
            m.put("gap_tolerance", LandscapeStatistics.GLOBAL_GAP_TOL);
            m.put("global_gap", StudySummary.quantiles(Arrays.copyOf(gaps, n)));
            m.put("optimum_kernel_distance", StudySummary.quantiles(Arrays.copyOf(dists, n)));
            m.put("width_threshold_half", threshold == null ? null : threshold[0]);
            m.put("width_threshold", threshold == null ? null : threshold[1]);
            m.put("below_certified_bound", below);
            ConfigurationTheory t = theories.lookup(first.architecture(), first.lambdas());
            if (t.applies()) {
                Map<String, Object> cf = new LinkedHashMap<>();
                double diff = (o.loss() - t.minimalLoss()) / t.minimalLoss();
                double kd = kernelDistance(o.kernel(), t.lastKernel());
                cf.put("form", t.form());
                cf.put("loss", t.minimalLoss());
                cf.put("relative_loss_difference", diff);
                cf.put("kernel_distance", kd);
                cf.put("agrees", Math.abs(diff) <= CLOSED_FORM_LOSS_TOL && kd <= CLOSED_FORM_KERNEL_TOL);
                m.put("closed_form", cf);
            }
            m.put("status", below > 0 ? "failed" : o.certified() ? "passed" : "not certified");
            return m;
        }
    }
}
