package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.repgeom.analysis.LandscapeStatistics.Configuration;
import org.repgeom.analysis.LandscapeStatistics.Landscape;
import org.repgeom.analysis.LandscapeStatistics.Threshold;
import org.repgeom.io.KeyParts;
import org.repgeom.io.NumberText;
import org.repgeom.io.TextTable;

/**
 * The {@code landscape} command's terminal output: several narrow tables (members, loss, kernels
 * and ranks, neuron tuning, global optimum, width thresholds) instead of one wide one, each with a
 * legend in words. Rows are labelled by the configuration key without the parts every
 * configuration shares (those are printed once, above the tables). Numbers follow
 * {@link NumberText}; the full distributions are in landscape.csv and landscape.json.
 */
final class LandscapeTables {
    private LandscapeTables() {
    }

    static String render(Landscape l) {
        List<Configuration> cs = l.configurations();
        String[] labels = KeyParts.shortKeys(cs.stream().map(Configuration::key).toList());
        StringBuilder sb = new StringBuilder();
        String common = KeyParts.commonParts(cs.stream().map(Configuration::key).toList());
        if (!common.isEmpty()) sb.append(TextTable.wrap("every configuration: " + common)).append('\n');

        TextTable members = new TextTable("Members (minima: the members analysed, "
                + (l.options().convergedOnly() ? "CONVERGED only)" : "CONVERGED and MAX_STEPS)"),
                "configuration", "members", "converged", "max steps", "diverged", "minima");
        for (int i = 0; i < cs.size(); i++) {
            Configuration c = cs.get(i);
            members.row(labels[i], Integer.toString(c.members()), Integer.toString(c.status().get("CONVERGED")),
                    Integer.toString(c.status().get("MAX_STEPS")), Integer.toString(c.status().get("DIVERGED")),
                    Integer.toString(c.minima()));
        }
        sb.append(members.render()).append('\n');

        String[] lossMed = column(cs, Configuration::lossMedian), ref = column(cs, Configuration::referenceLoss);
        String[] gapMed = column(cs, Configuration::gapMedian), gapMax = column(cs, Configuration::gapMax);
        TextTable loss = new TextTable("Loss over the minima", "configuration", "median", "reference", "kind",
                "median gap", "largest gap", "certified");
        for (int i = 0; i < cs.size(); i++) {
            Configuration c = cs.get(i);
            loss.row(labels[i], lossMed[i], ref[i], c.referenceKind(), gapMed[i], gapMax[i],
                    NumberText.percent(c.certifiedFraction()));
        }
        loss.legend("reference: the theoretical minimum (kind theory) or the lowest loss found at any width of the"
                + " family (kind best-found); gap: (loss - reference) / reference; certified: share of the checked"
                + " minima whose KKT certificate holds.");
        sb.append(loss.render()).append('\n');

        String[] pair = column(cs, c -> c.kernels() == null || c.kernels().pairs() == 0 ? Double.NaN
                : c.kernels().pairwiseMedian());
        TextTable kernels = new TextTable("Kernels and ranks", "configuration", "kernels", "distance",
                "reach reference", "rank [W1 b]", "rank readout");
        for (int i = 0; i < cs.size(); i++) {
            Configuration c = cs.get(i);
            kernels.row(labels[i], c.kernels() == null ? "n/a" : Integer.toString(c.kernels().clusters()), pair[i],
                    c.reached() + " of " + c.minima(), mode(c.w1Ranks(), c.minima()), mode(c.readoutRanks(), c.minima()));
        }
        kernels.legend("kernels: distinct kernels among the minima (clusters at relative distance "
                + NumberText.exact(l.options().kernelTol()) + "); distance: median relative distance between"
                + " two minima's kernels; reach reference: minima whose kernel is within "
                + NumberText.exact(l.options().kernelTol()) + " of the reference kernel; ranks: the most common"
                + " numerical rank, with how many minima have it where they differ.");
        sb.append(kernels.render()).append('\n');

        String[] sel = column(cs, c -> c.tuning().meanSelectivity()), selMin = column(cs, c -> c.tuning().minSelectivity());
        String[] offset = column(cs, c -> c.tuning().meanOffsetShare());
        String[] barrier = column(cs, Configuration::maxRelativeBarrier);
        TextTable tuning = new TextTable("Neuron tuning and mode connectivity", "configuration", "groups", "modular rays",
                "selectivity", "lowest", "offset share", "barrier");
        for (int i = 0; i < cs.size(); i++) {
            Configuration c = cs.get(i);
            tuning.row(labels[i], mode(c.tuning().groupCounts(), c.minima()), mode(c.tuning().modularRays(), c.minima()),
                    sel[i], selMin[i], offset[i], barrier[i]);
        }
        tuning.legend("groups, modular rays: the most common count of neuron tuning groups and of distinct modular"
                + " rays; selectivity: mean (and lowest) mass-weighted selectivity; offset share: share of the"
                + " preactivation on the constant direction; barrier: largest relative rise of a mode-connectivity"
                + " path above its higher endpoint (two-layer networks only).");
        sb.append(tuning.render()).append('\n');

        if (cs.stream().anyMatch(c -> c.global() != null)) {
            String[] lStar = column(cs, c -> c.global() == null ? Double.NaN : c.global().optimum().loss());
            String[] gGap = column(cs, c -> c.global() == null ? Double.NaN : c.global().gapMedian());
            TextTable global = new TextTable("Global optimum over all widths (two-layer relu, leaky_relu and linear)",
                    "configuration", "optimum loss", "certified", "median gap", "at optimum", "below bound");
            for (int i = 0; i < cs.size(); i++) {
                Configuration c = cs.get(i);
                GlobalComparison g = c.global();
                global.row(labels[i], lStar[i], g == null ? "n/a" : g.optimum().certified() ? "yes" : "no", gGap[i],
                        g == null ? "n/a" : g.atOptimum() + " of " + c.minima(),
                        g == null ? "n/a" : Integer.toString(g.belowBound()));
            }
            global.legend("at optimum: minima within a relative gap of "
                    + NumberText.exact(LandscapeStatistics.GLOBAL_GAP_TOL) + " of the optimum loss; below bound: minima"
                    + " below a certified lower bound (must be 0).");
            sb.append(global.render()).append('\n');
        }

        for (Threshold t : l.thresholds()) sb.append(threshold(t)).append('\n');
        return sb.toString();
    }

    private static String threshold(Threshold t) {
        boolean global = t.atGlobal().stream().anyMatch(x -> x != null);
        List<String> head = new ArrayList<>(List.of("width", "minima", "reach reference"));
        if (global) head.add("at optimum");
        TextTable table = new TextTable("Width threshold of family " + t.family() + " (reference kernel: "
                + t.referenceKind() + ")", head.toArray(String[]::new));
        for (int i = 0; i < t.widths().size(); i++) {
            List<String> row = new ArrayList<>(List.of(t.widths().get(i), Integer.toString(t.minima().get(i)),
                    Integer.toString(t.reached().get(i))));
            if (global) row.add(t.atGlobal().get(i) == null ? "n/a" : Integer.toString(t.atGlobal().get(i)));
            table.row(row.toArray(String[]::new));
        }
        table.legend("smallest width whose minima reach the reference kernel: half of them " + orNone(t.halfWidth())
                + ", all " + orNone(t.allWidth()) + ".");
        if (global) {
            table.legend("At the global optimum: half " + orNone(t.globalHalfWidth()) + ", all "
                    + orNone(t.globalAllWidth()) + ".");
        }
        return table.render();
    }

    private static String orNone(String width) {
        return width == null ? "none" : width;
    }

    private static String[] column(List<Configuration> cs, ToDoubleFunction<Configuration> f) {
        return NumberText.column(cs.stream().mapToDouble(f).toArray());
    }

    /** The most common value; where the minima differ, with how many have it ("4 (9 of 12)"). */
    static String mode(Map<Integer, Integer> counts, int minima) {
        if (counts.isEmpty()) return "n/a";
        Map.Entry<Integer, Integer> top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        return counts.size() == 1 ? Integer.toString(top.getKey())
                : top.getKey() + " (" + top.getValue() + " of " + minima + ")";
    }
}
