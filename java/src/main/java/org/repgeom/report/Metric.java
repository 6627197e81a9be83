package org.repgeom.report;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The metrics {@code repgeom analyze} computes, the option names that select them and the
 * {@code metrics.csv} columns each one fills (one row per member per hidden layer). Formulas are in
 * the javadoc of the analysis classes named here.
 */
public enum Metric {
    /** Parallelism score: paper pairing and max over pairings ({@link org.repgeom.analysis.ParallelismScore}). */
    PS("ps", "ps", "ps_max"),
    /** Cross-condition generalisation ({@link org.repgeom.analysis.Ccgp}). */
    CCGP("ccgp", "ccgp"),
    /** Linear and debiased CKA of the layer with the labels' kernel K_Y ({@link org.repgeom.analysis.Cka}). */
    CKA("cka", "cka_y", "cka_y_debiased"),
    /** Mutual k-NN alignment of the layer with the input X and with the labels Y ({@link org.repgeom.analysis.MutualKnn}). */
    KNN("knn", "knn_x", "knn_y"),
    /** Neural collapse NC1–NC4 ({@link org.repgeom.analysis.NeuralCollapse}); NC3/NC4 on one-hot tasks, last layer. */
    NC("nc", "nc1", "nc2", "nc3", "nc4"),
    /** Participation ratio of the layer's kernel ({@link org.repgeom.analysis.Dimensionality}). */
    PR("pr", "pr"),
    /** Layer × layer CKA ({@link org.repgeom.analysis.LayerCka}): with the input, the previous layer and the output. */
    LAYER_CKA("layer_cka", "cka_input", "cka_prev", "cka_output"),
    /** Member × member alignment of last-layer kernels ({@link org.repgeom.analysis.MemberAlignment}); summary only. */
    MEMBER_ALIGN("member_align");

    private final String option;
    private final List<String> columns;

    Metric(String option, String... columns) {
        this.option = option;
        this.columns = List.of(columns);
    }

    /** The name on the command line. */
    public String option() {
        return option;
    }

    /** The {@code metrics.csv} columns this metric fills. */
    public List<String> columns() {
        return columns;
    }

    /**
     * Parses a comma-separated list such as {@code ps,ccgp,layer_cka}; {@code all} or an empty
     * string selects every metric.
     *
     * @throws IllegalArgumentException naming an unknown metric and the known ones
     */
    public static Set<Metric> parse(String list) {
        EnumSet<Metric> out = EnumSet.noneOf(Metric.class);
        if (list == null || list.isBlank() || list.trim().equalsIgnoreCase("all")) return EnumSet.allOf(Metric.class);
        for (String part : list.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) continue;
            Metric found = null;
            for (Metric m : values()) {
                if (m.option.equals(name)) found = m;
            }
            if (found == null) {
                throw new IllegalArgumentException("--metrics: unknown metric '" + part.trim() + "' (known: " + names() + ")");
            }
            out.add(found);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("--metrics: no metric named");
        return out;
    }

    /** All option names, comma-separated. */
    public static String names() {
        List<String> n = new ArrayList<>();
        for (Metric m : values()) n.add(m.option);
        return String.join(",", n);
    }
}
