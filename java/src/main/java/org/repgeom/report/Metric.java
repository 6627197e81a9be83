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
    PS("ps", Column.PS, Column.PS_MAX),
    /** Cross-condition generalisation ({@link org.repgeom.analysis.Ccgp}). */
    CCGP("ccgp", Column.CCGP),
    /** Linear and debiased CKA of the layer with the labels' kernel K_Y ({@link org.repgeom.analysis.Cka}). */
    CKA("cka", Column.CKA_Y, Column.CKA_Y_DEBIASED),
    /** Mutual k-NN alignment of the layer with the input X and with the labels Y ({@link org.repgeom.analysis.MutualKnn}). */
    KNN("knn", Column.KNN_X, Column.KNN_Y),
    /** Neural collapse NC1–NC4 ({@link org.repgeom.analysis.NeuralCollapse}); NC3/NC4 on one-hot tasks, last layer. */
    NC("nc", Column.NC1, Column.NC2, Column.NC3, Column.NC4),
    /** Participation ratio of the layer's kernel ({@link org.repgeom.analysis.Dimensionality}). */
    PR("pr", Column.PR),
    /** Layer × layer CKA ({@link org.repgeom.analysis.LayerCka}): with the input, the previous layer and the output. */
    LAYER_CKA("layer_cka", Column.CKA_INPUT, Column.CKA_PREV, Column.CKA_OUTPUT),
    /** Member × member alignment of last-layer kernels ({@link org.repgeom.analysis.MemberAlignment}); summary only. */
    MEMBER_ALIGN("member_align");

    /**
     * A {@code metrics.csv} column: its name in the file (and in {@code summary.json}) and what it
     * means, as the report's legend shows it. The only place these names are spelt.
     */
    public enum Column {
        PS("ps", "parallelism score: mean cosine between a label's coding vectors across the other labels (1 = abstract)"),
        PS_MAX("ps_max", "parallelism score maximised over pairings of the two sides (arbitrary dichotomies)"),
        CCGP("ccgp", "cross-condition generalisation: accuracy of a linear decoder trained on some conditions, tested on held-out ones"),
        CKA_Y("cka_y", "linear CKA between the representation and the labels Y"),
        CKA_Y_DEBIASED("cka_y_debiased", "CKA with Y, debiased estimator (small P)"),
        KNN_X("knn_x", "mutual k-NN alignment with the input X"),
        KNN_Y("knn_y", "mutual k-NN alignment with the labels Y"),
        NC1("nc1", "neural collapse NC1: within-class over between-class variability (0 = collapsed)"),
        NC2("nc2", "NC2: distance of the centred class means from a simplex ETF (0 = ETF)"),
        NC3("nc3", "NC3: distance between the readout rows and the centred class means, each scaled to unit norm (0 = self-dual)"),
        NC4("nc4", "NC4: fraction of samples whose nearest class mean differs from the readout's prediction"),
        PR("pr", "participation ratio of the kernel: effective dimension"),
        CKA_INPUT("cka_input", "CKA between this layer and the input X"),
        CKA_PREV("cka_prev", "CKA between this layer and the previous one (the input for the first)"),
        CKA_OUTPUT("cka_output", "CKA between this layer and the network output f(X)");

        private final String id;
        private final String description;

        Column(String id, String description) {
            this.id = id;
            this.description = description;
        }

        /** The column's name in {@code metrics.csv} and {@code summary.json}. */
        public String id() {
            return id;
        }

        /** One line on what the column measures. */
        public String description() {
            return description;
        }
    }

    private final String option;
    private final List<Column> columns;

    Metric(String option, Column... columns) {
        this.option = option;
        this.columns = List.of(columns);
    }

    /** The name on the command line. */
    public String option() {
        return option;
    }

    /** The {@code metrics.csv} columns this metric fills, in file order. */
    public List<Column> fills() {
        return columns;
    }

    /** The names of the {@code metrics.csv} columns this metric fills. */
    public List<String> columns() {
        return columns.stream().map(Column::id).toList();
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
