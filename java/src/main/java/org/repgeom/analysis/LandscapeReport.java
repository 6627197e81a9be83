package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.repgeom.analysis.LandscapeStatistics.Configuration;
import org.repgeom.analysis.LandscapeStatistics.Landscape;
import org.repgeom.analysis.LandscapeStatistics.Pair;
import org.repgeom.analysis.LandscapeStatistics.Threshold;
import org.repgeom.io.Csv;

/**
 * The three renderings of a {@link Landscape}: a JSON tree ({@code landscape.json}), one CSV row
 * per configuration ({@code landscape.csv}) and a text table for the terminal. A statistic that
 * does not apply is JSON null, an empty CSV cell and "n/a" in the table.
 */
public final class LandscapeReport {
    private LandscapeReport() {
    }

    /** The JSON tree (maps and lists for {@link org.repgeom.io.Json}). */
    public static Map<String, Object> json(Landscape l) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("kernel_tol", l.options().kernelTol());
        opts.put("cosine_tol", l.options().cosineTol());
        opts.put("used_fraction", l.options().usedFraction());
        opts.put("pairs", l.options().pairs());
        opts.put("path_points", l.options().points());
        opts.put("minima", l.options().convergedOnly() ? "CONVERGED members" : "CONVERGED and MAX_STEPS members");
        out.put("options", opts);
        List<Object> configs = new ArrayList<>();
        for (Configuration c : l.configurations()) configs.add(json(c));
        out.put("configurations", configs);
        List<Object> th = new ArrayList<>();
        for (Threshold t : l.thresholds()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("family", t.family());
            m.put("reference_kernel", t.referenceKind());
            List<Object> rows = new ArrayList<>();
            for (int i = 0; i < t.widths().size(); i++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("widths", t.widths().get(i));
                r.put("minima", t.minima().get(i));
                r.put("reached", t.reached().get(i));
                rows.add(r);
            }
            m.put("by_width", rows);
            m.put("width_half_reach", t.halfWidth());
            m.put("width_all_reach", t.allWidth());
            m.put("at_global_optimum", t.atGlobal());
            m.put("width_half_global", t.globalHalfWidth());
            m.put("width_all_global", t.globalAllWidth());
            th.add(m);
        }
        out.put("width_thresholds", th);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Configuration c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", c.key());
        m.put("family", c.family());
        m.put("activation", c.activation());
        m.put("widths", c.widths());
        m.put("depth", c.depth());
        m.put("lambdas", c.lambdas());
        m.put("lr", c.lr());
        m.put("members", c.members());
        m.put("status", c.status());
        m.put("minima", c.minima());
        Map<String, Object> loss = new LinkedHashMap<>();
        loss.put("min", c.lossMin());
        loss.put("median", c.lossMedian());
        loss.put("max", c.lossMax());
        loss.put("reference", c.referenceLoss());
        loss.put("reference_kind", c.referenceKind());
        loss.put("gap_median", c.gapMedian());
        loss.put("gap_max", c.gapMax());
        m.put("loss", loss);
        Map<String, Object> cert = new LinkedHashMap<>();
        cert.put("checked", c.certificateChecked());
        cert.put("certified_fraction", c.certifiedFraction());
        m.put("certificate", cert);
        Map<String, Object> k = new LinkedHashMap<>();
        if (c.kernels() != null) {
            k.put("distinct", c.kernels().clusters());
            k.put("cluster_sizes", c.kernels().clusterSizes());
            k.put("pairwise_min", c.kernels().pairwiseMin());
            k.put("pairwise_median", c.kernels().pairwiseMedian());
            k.put("pairwise_max", c.kernels().pairwiseMax());
        }
        k.put("reached_reference", c.reached());
        k.put("reached_fraction", c.reachedFraction());
        m.put("kernels", k);
        Map<String, Object> ranks = new LinkedHashMap<>();
        ranks.put("w1", counts(c.w1Ranks()));
        ranks.put("readout", counts(c.readoutRanks()));
        m.put("rank", ranks);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("groups", counts(c.tuning().groupCounts()));
        t.put("modular_rays", counts(c.tuning().modularRays()));
        t.put("mean_selectivity", c.tuning().meanSelectivity());
        t.put("min_selectivity", c.tuning().minSelectivity());
        t.put("modular_group_fraction", c.tuning().modularGroupFraction());
        t.put("mean_offset_share", c.tuning().meanOffsetShare());
        t.put("best_minimum_groups", c.tuning().exampleGroups());
        m.put("tuning", t);
        m.put("global_optimum", global(c.global()));
        if (c.global() != null && c.referenceKind().equals("theory")) {
            // the solver against the closed form, where there is one
            ((Map<String, Object>) m.get("global_optimum")).put("closed_form_relative_difference",
                    (c.global().optimum().loss() - c.referenceLoss()) / c.referenceLoss());
        }
        if (c.depth() == 1) {
            List<Object> pairs = new ArrayList<>();
            for (Pair p : c.pairs()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("a", p.idA());
                pm.put("b", p.idB());
                pm.put("loss_a", p.path().lossA());
                pm.put("loss_b", p.path().lossB());
                pm.put("barrier", p.path().barrier());
                pm.put("relative_barrier", p.path().relativeBarrier());
                pm.put("function_gap2", p.path().functionGap2());
                pm.put("identity_residual", p.path().identityResidual());
                pm.put("homogeneous", p.path().homogeneous());
                pm.put("loss_path", p.path().loss());
                pairs.add(pm);
            }
            m.put("mode_connectivity", pairs);
        } else {
            m.put("mode_connectivity", null);
        }
        return m;
    }

    private static Map<String, Object> global(GlobalComparison g) {
        if (g == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", g.optimum().loss());
        m.put("lower_bound", g.optimum().lowerBound());
        m.put("certified", g.optimum().certified());
        m.put("method", g.optimum().method());
        m.put("width", g.optimum().width());
        m.put("kernel_set_diameter", g.optimum().kernelSetDiameter());
        m.put("kernel_set_resolution", g.optimum().kernelSetResolution());
        m.put("at_optimum", g.atOptimum());
        m.put("fraction_at_optimum", g.fractionAtOptimum());
        m.put("gap_tol", LandscapeStatistics.GLOBAL_GAP_TOL);
        m.put("below_certified_bound", g.belowBound());
        List<Object> members = new ArrayList<>();
        for (int i = 0; i < g.ids().length; i++) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("id", g.ids()[i]);
            mm.put("global_gap", g.gaps()[i]);
            mm.put("optimum_kernel_distance", g.kernelDistances()[i]);
            members.add(mm);
        }
        m.put("members", members);
        return m;
    }

    private static Map<String, Object> counts(Map<Integer, Integer> c) {
        Map<String, Object> m = new LinkedHashMap<>();
        c.forEach((k, v) -> m.put(Integer.toString(k), v));
        return m;
    }

    static final String CSV_HEADER = "config,family,activation,widths,depth,lambdas,lr,members,converged,max_steps,"
            + "diverged,minima,loss_min,loss_median,loss_max,reference_kind,reference_loss,gap_median,gap_max,"
            + "certified_fraction,distinct_kernels,pairwise_distance_median,pairwise_distance_max,reached,"
            + "reached_fraction,w1_ranks,readout_ranks,tuning_groups,modular_rays,mean_selectivity,min_selectivity,"
            + "mean_offset_share,max_relative_barrier,global_loss,global_certified,global_width,fraction_at_global,"
            + "global_gap_median,optimum_kernel_distance_median,below_certified_bound";

    /** The CSV header: {@link #CSV_HEADER}, then {@code lambda1 … lambda<D+1>} for the deepest configuration. */
    public static String csvHeader(Landscape l) {
        StringBuilder sb = new StringBuilder(CSV_HEADER);
        for (int i = 1; i <= maxLayers(l); i++) sb.append(",lambda").append(i);
        return sb.toString();
    }

    private static int maxLayers(Landscape l) {
        return l.configurations().stream().mapToInt(c -> c.lambdas().length).max().orElse(0);
    }

    /**
     * One row per configuration; numbers in {@link Csv#num}'s round-trip form (λ = 1e-4 is
     * {@code 1.0E-4}, as in members.csv), distributions as "value:count" separated by spaces, λ
     * also one number per weight layer ({@code lambda1 …}, empty beyond a configuration's depth).
     */
    public static String csv(Landscape l) {
        int layers = maxLayers(l);
        StringBuilder sb = new StringBuilder(csvHeader(l)).append('\n');
        for (Configuration c : l.configurations()) {
            GlobalComparison g = c.global();
            List<String> cells = new ArrayList<>(List.of(Csv.text(c.key()), Csv.text(c.family()), c.activation(),
                    c.widthsLabel(), Integer.toString(c.depth()),
                    java.util.Arrays.stream(c.lambdas()).mapToObj(Csv::num).collect(Collectors.joining("/")),
                    Csv.num(c.lr()),
                    Integer.toString(c.members()), Integer.toString(c.status().get("CONVERGED")),
                    Integer.toString(c.status().get("MAX_STEPS")), Integer.toString(c.status().get("DIVERGED")),
                    Integer.toString(c.minima()), Csv.num(c.lossMin()), Csv.num(c.lossMedian()), Csv.num(c.lossMax()),
                    c.referenceKind(), Csv.num(c.referenceLoss()), Csv.num(c.gapMedian()), Csv.num(c.gapMax()),
                    Csv.num(c.certifiedFraction()), c.kernels() == null ? "" : Integer.toString(c.kernels().clusters()),
                    c.kernels() == null ? "" : Csv.num(c.kernels().pairwiseMedian()),
                    c.kernels() == null ? "" : Csv.num(c.kernels().pairwiseMax()), Integer.toString(c.reached()),
                    Csv.num(c.reachedFraction()), dist(c.w1Ranks()), dist(c.readoutRanks()),
                    dist(c.tuning().groupCounts()), dist(c.tuning().modularRays()), Csv.num(c.tuning().meanSelectivity()),
                    Csv.num(c.tuning().minSelectivity()), Csv.num(c.tuning().meanOffsetShare()), Csv.num(c.maxRelativeBarrier()),
                    g == null ? "" : Csv.num(g.optimum().loss()), g == null ? "" : Boolean.toString(g.optimum().certified()),
                    g == null ? "" : Integer.toString(g.optimum().width()), g == null ? "" : Csv.num(g.fractionAtOptimum()),
                    g == null ? "" : Csv.num(g.gapMedian()), g == null ? "" : Csv.num(g.kernelDistanceMedian()),
                    g == null ? "" : Integer.toString(g.belowBound())));
            for (int i = 0; i < layers; i++) cells.add(i < c.lambdas().length ? Csv.num(c.lambdas()[i]) : "");
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }

    /** The CSV form of a distribution: "value:count" separated by spaces. */
    private static String dist(Map<Integer, Integer> c) {
        return c.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(" "));
    }

    /** The terminal tables ({@link LandscapeTables}), each at most 100 columns wide for usual keys. */
    public static String table(Landscape l) {
        return LandscapeTables.render(l);
    }
}
