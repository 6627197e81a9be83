package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.repgeom.io.NumberText;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.optimum.OptimumCatalog;
import org.repgeom.task.Task;

/**
 * Landscape statistics of a finished study (issue #5 item 3): for every configuration (members
 * that differ only in seed) what its minima look like, and across the configurations of one
 * <em>family</em> (same activation, depth, λ and learning rate, different widths) the smallest
 * width whose seeds reach the optimal kernel.
 *
 * <p><b>Minima.</b> The statistics are over a configuration's <em>minima</em>: its members that
 * did not diverge (CONVERGED and MAX_STEPS). MAX_STEPS members are included by default because the
 * stop rule's relative loss-change tolerance is strict: on the example study 164 of 512 members
 * stop at MAX_STEPS, and those of the ReLU configurations with width ≥ 2·dY sit at K* to ~1e-5
 * like the converged ones. {@link Options#convergedOnly} restricts to CONVERGED members.
 *
 * <p>Per configuration:
 * <ul>
 * <li>loss min / median / max over the minima; the <em>reference loss</em> is the theoretical
 *   minimum L* where docs/science.md §5.1 applies (members.csv {@code theory_loss}), otherwise the best
 *   loss found in the family (the lowest final loss of any width: a wider network can realise
 *   every narrower one, so this is the best estimate of the family's global minimum); the gap is
 *   {@code (L − L_ref)/|L_ref|};
 * <li>fraction certified: CERTIFIED / (CERTIFIED + NOT_CERTIFIED) of the KKT certificate, n/a
 *   where no member was checked;
 * <li>distinct kernels ({@link KernelClusters}, lowest loss first, at {@link Options#kernelTol})
 *   and the pairwise relative distances between the minima's kernels;
 * <li>reaching the optimum: a minimum <em>reaches</em> the reference kernel when its relative
 *   distance to it is below {@link Options#kernelTol} (default 1e-2). The reference kernel is
 *   K* where theory applies (members.csv {@code kernel_distance}, computed in double precision
 *   from the parameters), otherwise the kernel of the family's best-found minimum;
 * <li>numerical ranks of W̃1 = [W1, b] (members.csv) and of the readout (dY + 1 and dY at the
 *   two-layer ReLU optimum, §5.1);
 * <li>neuron tuning ({@link NeuronTuning}): distribution of the number of groups, of the
 *   distinct modular rays, the mass-weighted selectivity and the offset share;
 * <li>mode connectivity ({@link ModeConnectivity}) on up to {@link Options#pairs} disjoint pairs
 *   of minima (in id order), two-layer networks only.
 * </ul>
 *
 * <p><b>Width threshold</b> per family: with the configurations ordered by their narrowest
 * hidden layer, the first whose minima reach the reference kernel in at least half of the seeds,
 * and the first where all do. For two-layer ReLU on whitened hypercube data §5.1 puts it at
 * M = 2·dY (below that K* is not representable; at 2·dY exactly some seeds end in non-global
 * minima, docs/science.md §3.4).
 *
 * <p>A statistic that does not apply (no minima, deep network for mode connectivity, no
 * certificate) is NaN / null, shown as "n/a".
 */
public final class LandscapeStatistics {
    private LandscapeStatistics() {
    }

    /**
     * One member of the study as the landscape needs it; {@code params} is its group's block and
     * {@code offset} the member's start in it.
     */
    public record MemberInput(int id, String config, Architecture architecture, double[] lambdas, double lr,
                              String status, double finalLoss, double theoryLoss, double kernelDistance,
                              String certificate, int w1Rank, double[] kernel, ParamLayout layout, double[] params,
                              int offset) {
        boolean diverged() {
            return status.equals("DIVERGED");
        }

        /** The family: everything of the configuration but the widths. */
        String family() {
            return architecture.activation().id() + "|depth=" + architecture.depth() + "|lambda="
                    + lambdasLabel(lambdas) + "|lr=" + num(lr);
        }

        int narrowest() {
            return Arrays.stream(architecture.hiddenWidths()).min().orElse(0);
        }
    }

    /**
     * @param kernelTol    relative kernel distance below which a minimum reaches the reference kernel,
     *                     and at which kernels count as the same in {@link KernelClusters}
     * @param cosineTol    {@link NeuronTuning}'s direction tolerance
     * @param usedFraction {@link NeuronTuning}'s mass cut
     * @param pairs        mode-connectivity pairs per configuration (0: none)
     * @param points       points on each mode-connectivity path
     * @param convergedOnly restrict the minima to CONVERGED members
     */
    public record Options(double kernelTol, double cosineTol, double usedFraction, int pairs, int points,
                          boolean convergedOnly) {
        public static Options defaults() {
            return new Options(KernelClusters.DEFAULT_REL_TOL, NeuronTuning.DEFAULT_COSINE_TOL,
                    NeuronTuning.DEFAULT_USED_FRACTION, 3, ModeConnectivity.DEFAULT_POINTS, false);
        }
    }

    /** One mode-connectivity pair. */
    public record Pair(int idA, int idB, ModeConnectivity.Result path) {
    }

    /** Tuning over a configuration's minima. */
    public record Tuning(Map<Integer, Integer> groupCounts, Map<Integer, Integer> modularRays, double meanSelectivity,
                         double minSelectivity, double modularGroupFraction, double meanOffsetShare,
                         List<String> exampleGroups) {
    }

    /** The statistics of one configuration. */
    public record Configuration(String key, String family, String activation, int[] widths, int depth, double[] lambdas,
                                double lr, int members, Map<String, Integer> status, int minima, double lossMin,
                                double lossMedian, double lossMax, String referenceKind, double referenceLoss,
                                double gapMedian, double gapMax, int certificateChecked, double certifiedFraction,
                                KernelClusters kernels, int reached, Map<Integer, Integer> w1Ranks,
                                Map<Integer, Integer> readoutRanks, Tuning tuning, List<Pair> pairs,
                                GlobalComparison global) {
        public double reachedFraction() {
            return minima == 0 ? Double.NaN : (double) reached / minima;
        }

        public String widthsLabel() {
            return Architecture.widthsLabel(widths);
        }

        /** Largest relative barrier over the pairs; NaN when none were evaluated. */
        public double maxRelativeBarrier() {
            return pairs.stream().mapToDouble(p -> p.path().relativeBarrier()).max().orElse(Double.NaN);
        }
    }

    /** Per family, the fraction of minima reaching the reference kernel at each width, and the thresholds. */
    public record Threshold(String family, String referenceKind, List<String> widths, List<Integer> minima,
                            List<Integer> reached, String halfWidth, String allWidth, List<Integer> atGlobal,
                            String globalHalfWidth, String globalAllWidth) {
    }

    /** Global gap up to which a minimum counts as at the global optimum (trained minima reach 1e-7 … 1e-5). */
    public static final double GLOBAL_GAP_TOL = 1e-4;

    /** Everything the {@code landscape} command reports. */
    public record Landscape(Options options, List<Configuration> configurations, List<Threshold> thresholds) {
    }

    /** Computes the landscape of {@code members} (all members of a study) on {@code task}. */
    public static Landscape of(Task task, List<MemberInput> members, Options o) {
        return of(task, members, o, null);
    }

    /**
     * As {@link #of(Task, List, Options)}, and with {@code optima} (may be null) every two-layer
     * relu / leaky_relu / linear configuration is also measured against its global optimum
     * ({@link GlobalComparison}); the width threshold is then also given against that optimum.
     */
    public static Landscape of(Task task, List<MemberInput> members, Options o, OptimumCatalog optima) {
        Map<String, List<MemberInput>> byConfig = new LinkedHashMap<>();
        Map<String, List<MemberInput>> byFamily = new LinkedHashMap<>();
        for (MemberInput m : members) {
            byConfig.computeIfAbsent(m.config(), k -> new ArrayList<>()).add(m);
            byFamily.computeIfAbsent(m.family(), k -> new ArrayList<>()).add(m);
        }
        // the family's best-found minimum: its loss, and its kernel where theory gives none
        Map<String, MemberInput> best = new LinkedHashMap<>();
        for (Map.Entry<String, List<MemberInput>> e : byFamily.entrySet()) {
            e.getValue().stream().filter(m -> isMinimum(m, o) && Double.isFinite(m.finalLoss()))
                    .min(Comparator.comparingDouble(MemberInput::finalLoss)).ifPresent(m -> best.put(e.getKey(), m));
        }
        NeuronTuning tuning = NeuronTuning.forTask(task);
        List<Configuration> configs = byConfig.values().parallelStream()
                .map(rs -> configuration(rs, best.get(rs.get(0).family()), tuning, task, o, optima)).toList();
        List<Threshold> thresholds = new ArrayList<>();
        for (String family : byFamily.keySet()) thresholds.add(threshold(family, configs));
        return new Landscape(o, configs, thresholds);
    }

    static boolean isMinimum(MemberInput m, Options o) {
        return o.convergedOnly() ? m.status().equals("CONVERGED") : !m.diverged();
    }

    private static Configuration configuration(List<MemberInput> rs, MemberInput best, NeuronTuning tuning, Task task,
                                               Options o, OptimumCatalog optima) {
        MemberInput first = rs.get(0);
        Map<String, Integer> status = new LinkedHashMap<>();
        for (String s : List.of("CONVERGED", "MAX_STEPS", "DIVERGED")) {
            status.put(s, (int) rs.stream().filter(m -> m.status().equals(s)).count());
        }
        List<MemberInput> minima = rs.stream().filter(m -> isMinimum(m, o))
                .sorted(Comparator.comparingDouble(MemberInput::finalLoss).thenComparingInt(MemberInput::id)).toList();
        double[] losses = minima.stream().mapToDouble(MemberInput::finalLoss).toArray();

        boolean theory = Double.isFinite(first.theoryLoss());
        String refKind = theory ? "theory" : best == null ? "n/a" : "best-found";
        double refLoss = theory ? first.theoryLoss() : best == null ? Double.NaN : best.finalLoss();
        double[] gaps = Arrays.stream(losses).map(l -> (l - refLoss) / Math.abs(refLoss)).toArray();

        long certified = minima.stream().filter(m -> m.certificate().equals("CERTIFIED")).count();
        long checked = certified + minima.stream().filter(m -> m.certificate().equals("NOT_CERTIFIED")).count();

        KernelClusters clusters = minima.isEmpty() ? null
                : KernelClusters.of(minima.stream().map(MemberInput::kernel).toList(), o.kernelTol());
        int reached = 0;
        for (MemberInput m : minima) {
            double d = theory ? m.kernelDistance() : best == null ? Double.NaN : KernelDistance.relative(m.kernel(), best.kernel());
            if (d < o.kernelTol()) reached++;
        }

        Map<Integer, Integer> w1 = new TreeMap<>(), readout = new TreeMap<>();
        for (MemberInput m : minima) {
            w1.merge(m.w1Rank(), 1, Integer::sum);
            readout.merge(readoutRank(m), 1, Integer::sum);
        }
        List<Pair> pairs = new ArrayList<>();
        if (first.architecture().depth() == 1) {
            List<MemberInput> byId = minima.stream().sorted(Comparator.comparingInt(MemberInput::id)).toList();
            for (int k = 0; k < o.pairs() && 2 * k + 1 < byId.size(); k++) {
                MemberInput a = byId.get(2 * k), b = byId.get(2 * k + 1);
                pairs.add(new Pair(a.id(), b.id(), ModeConnectivity.path(task, a.layout(), a.params(), a.offset(),
                        b.layout(), b.params(), b.offset(), a.lambdas(), o.points())));
            }
        }
        Architecture arch = first.architecture();
        GlobalComparison global = null;
        if (optima != null && OptimumCatalog.applies(arch, first.lambdas())) {
            global = GlobalComparison.of(task, minima, optima.of(OptimumCatalog.key(arch, first.lambdas())), GLOBAL_GAP_TOL);
        }
        return new Configuration(first.config(), first.family(), arch.activation().id(), arch.hiddenWidths(),
                arch.depth(), first.lambdas(), first.lr(), rs.size(), status, minima.size(), quantile(losses, 0),
                quantile(losses, 0.5), quantile(losses, 1), refKind, refLoss, quantile(gaps, 0.5), quantile(gaps, 1),
                (int) checked, checked == 0 ? Double.NaN : (double) certified / checked, clusters, reached, w1, readout,
                tuning(minima, tuning, o), pairs, global);
    }

    private static Tuning tuning(List<MemberInput> minima, NeuronTuning tuning, Options o) {
        Map<Integer, Integer> groups = new TreeMap<>(), rays = new TreeMap<>();
        double selSum = 0, selMin = Double.NaN, offSum = 0;
        int selN = 0, offN = 0, modular = 0, total = 0;
        List<String> example = List.of();
        for (MemberInput m : minima) {
            NeuronTuning.Result r = tuning.measure(m.layout(), m.params(), m.offset(), o.usedFraction(), o.cosineTol());
            groups.merge(r.groupCount(), 1, Integer::sum);
            rays.merge(r.modularRays(), 1, Integer::sum);
            if (!Double.isNaN(r.meanSelectivity())) {
                selSum += r.meanSelectivity();
                selN++;
                selMin = Double.isNaN(selMin) ? r.minSelectivity() : Math.min(selMin, r.minSelectivity());
            }
            if (!Double.isNaN(r.meanOffsetShare())) {
                offSum += r.meanOffsetShare();
                offN++;
            }
            modular += r.modularGroups();
            total += r.groupCount();
            if (example.isEmpty()) example = r.groups().stream().map(g -> g.describe(!r.signSymmetric())).toList();
        }
        return new Tuning(groups, rays, selN == 0 ? Double.NaN : selSum / selN, selMin,
                total == 0 ? Double.NaN : (double) modular / total, offN == 0 ? Double.NaN : offSum / offN, example);
    }

    /** Numerical rank of the readout W_L (dY × last width). */
    static int readoutRank(MemberInput m) {
        Architecture a = m.architecture();
        int top = a.layerCount() - 1, rows = a.fanOut(top), cols = a.fanIn(top);
        double[] w = Arrays.copyOfRange(m.params(), m.offset() + m.layout().weight(top),
                m.offset() + m.layout().weight(top) + rows * cols);
        return NumericalRank.of(w, rows, cols);
    }

    private static Threshold threshold(String family, List<Configuration> configs) {
        List<Configuration> fam = configs.stream().filter(c -> c.family().equals(family))
                .sorted(Comparator.comparingInt((Configuration c) -> Arrays.stream(c.widths()).min().orElse(0))
                        .thenComparing(Configuration::widthsLabel))
                .toList();
        String half = null, all = null, gHalf = null, gAll = null;
        List<Integer> atGlobal = new ArrayList<>();
        for (Configuration c : fam) {
            atGlobal.add(c.global() == null ? null : c.global().atOptimum());
            if (c.minima() == 0) continue;
            if (half == null && 2 * c.reached() >= c.minima()) half = c.widthsLabel();
            if (all == null && c.reached() == c.minima()) all = c.widthsLabel();
            if (c.global() != null) {
                if (gHalf == null && 2 * c.global().atOptimum() >= c.minima()) gHalf = c.widthsLabel();
                if (gAll == null && c.global().atOptimum() == c.minima()) gAll = c.widthsLabel();
            }
        }
        return new Threshold(family, fam.get(0).referenceKind(), fam.stream().map(Configuration::widthsLabel).toList(),
                fam.stream().map(Configuration::minima).toList(), fam.stream().map(Configuration::reached).toList(),
                half, all, atGlobal, gHalf, gAll);
    }

    /** Linear-interpolation quantile of the finite values; NaN for none. */
    static double quantile(double[] values, double q) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }

    /** λ as in the configuration key ({@code 1e-4}, per-layer values joined by '/'). */
    static String lambdasLabel(double[] lambdas) {
        return NumberText.exact(lambdas);
    }

    static String num(double v) {
        return NumberText.exact(v);
    }
}
