package org.repgeom.report;

/**
 * A simple picture of single-neuron tuning for the report: for hidden unit i and label k, the
 * absolute Pearson correlation over the P samples
 * <pre>  ρ_ik = |Σ_s (r_is − r̄_i)(y_ks − ȳ_k)| / √(Σ_s (r_is − r̄_i)² · Σ_s (y_ks − ȳ_k)²).</pre>
 * A unit that responds to one label only (modular, "pure" selectivity — each ReLU unit of the
 * hypercube optimum fires on one sign of one label, docs/science.md §5.1) has a single ρ ≈ 1 and zeros
 * elsewhere; a unit with mixed selectivity spreads over several labels. A unit constant over the
 * samples (dead) has NaN. The landscape analysis ({@code repgeom landscape}) groups neurons more
 * carefully; this is only the heatmap's input.
 *
 * @param correlation {@code [i][k]} = ρ_ik, M×dY
 * @param order       units sorted by preferred label (argmax_k ρ_ik), then by decreasing ρ; dead last
 */
record NeuronLabelCorrelation(double[][] correlation, int[] order) {

    /**
     * @param r  M×P row-major representation
     * @param y  dY×P row-major labels
     */
    static NeuronLabelCorrelation of(double[] r, int m, double[] y, int dY, int p) {
        double[][] rho = new double[m][dY];
        double[][] yc = new double[dY][p];
        double[] yNorm = new double[dY];
        for (int k = 0; k < dY; k++) {
            double mean = 0;
            for (int s = 0; s < p; s++) mean += y[k * p + s] / p;
            for (int s = 0; s < p; s++) {
                yc[k][s] = y[k * p + s] - mean;
                yNorm[k] += yc[k][s] * yc[k][s];
            }
        }
        int[] best = new int[m];
        for (int i = 0; i < m; i++) {
            double mean = 0;
            for (int s = 0; s < p; s++) mean += r[i * p + s] / p;
            double rr = 0;
            double[] rc = new double[p];
            for (int s = 0; s < p; s++) {
                rc[s] = r[i * p + s] - mean;
                rr += rc[s] * rc[s];
            }
            // relative threshold: a unit varying by rounding only counts as constant
            boolean dead = rr <= 1e-24 * Math.max(1, mean * mean * p);
            for (int k = 0; k < dY; k++) {
                double ry = 0;
                for (int s = 0; s < p; s++) ry += rc[s] * yc[k][s];
                rho[i][k] = dead || yNorm[k] == 0 ? Double.NaN : Math.abs(ry) / Math.sqrt(rr * yNorm[k]);
                if (!(rho[i][k] <= rho[i][best[i]])) best[i] = k;
            }
            if (dead) best[i] = dY; // sorts last
        }
        Integer[] idx = new Integer[m];
        for (int i = 0; i < m; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> best[a] != best[b] ? Integer.compare(best[a], best[b])
                : Double.compare(value(rho, b, best[b]), value(rho, a, best[a])));
        return new NeuronLabelCorrelation(rho, java.util.Arrays.stream(idx).mapToInt(Integer::intValue).toArray());
    }

    private static double value(double[][] rho, int i, int k) {
        return k < rho[i].length ? rho[i][k] : -1;
    }

    /** Fraction of live units whose largest ρ exceeds the second largest by at least {@code margin}. */
    double modularFraction(double margin) {
        int live = 0, modular = 0;
        for (double[] row : correlation) {
            if (Double.isNaN(row[0])) continue;
            live++;
            double first = -1, second = -1;
            for (double v : row) {
                if (v > first) {
                    second = first;
                    first = v;
                } else if (v > second) {
                    second = v;
                }
            }
            if (row.length == 1 || first - second >= margin) modular++;
        }
        return live == 0 ? Double.NaN : (double) modular / live;
    }
}
