package org.repgeom.analysis;

/**
 * Mutual k-nearest-neighbour alignment of two representations of the same P samples (Huh, Cheung,
 * Wang &amp; Isola 2024, "The Platonic Representation Hypothesis", {@code mutual_knn} in their
 * {@code platonic-rep} code).
 *
 * <p>Each sample's feature vector (a column of R) is L2-normalised (a zero vector stays zero);
 * similarity is the inner product of the normalised vectors, i.e. the cosine; no centring. The
 * neighbourhood {@code N_A(i)} is the k most similar other samples in A (self excluded, as their
 * code fills the diagonal with −1e8 before the arg-sort; ties go to the lower sample index here).
 * <pre>  score = mean_i |N_A(i) ∩ N_B(i)| / k  ∈ [0, 1].</pre>
 * Identical representations (or one and an orthogonal transform or positive rescaling of its
 * samples) score 1; independent ones score ≈ k/(P−1) in expectation. Huh et al. use k = 10
 * ({@link #DEFAULT_K}).
 */
public final class MutualKnn {
    /** k used by Huh et al. (2024). */
    public static final int DEFAULT_K = 10;

    private MutualKnn() {
    }

    /**
     * @param a  M_A×P row-major
     * @param b  M_B×P row-major
     * @param p  samples P
     * @param k  neighbours, 1 ≤ k ≤ P−1
     */
    public static double of(double[] a, int ma, double[] b, int mb, int p, int k) {
        Matrices.checkShape("A", a, ma, p);
        Matrices.checkShape("B", b, mb, p);
        if (k < 1 || k > p - 1) {
            throw new IllegalArgumentException("k must be in [1, P-1] = [1, " + (p - 1) + "], got " + k);
        }
        int[][] na = neighbours(a, ma, p, k);
        int[][] nb = neighbours(b, mb, p, k);
        double total = 0;
        boolean[] mark = new boolean[p];
        for (int i = 0; i < p; i++) {
            for (int j : na[i]) {
                mark[j] = true;
            }
            int shared = 0;
            for (int j : nb[i]) {
                if (mark[j]) {
                    shared++;
                }
            }
            for (int j : na[i]) {
                mark[j] = false;
            }
            total += shared / (double) k;
        }
        return total / p;
    }

    /** The k nearest other samples of each sample by cosine similarity (see class comment). */
    public static int[][] neighbours(double[] r, int m, int p, int k) {
        Matrices.checkShape("R", r, m, p);
        double[] norm = new double[p];
        for (int i = 0; i < m; i++) {
            for (int s = 0; s < p; s++) {
                norm[s] += r[i * p + s] * r[i * p + s];
            }
        }
        double[] u = new double[m * p];
        for (int i = 0; i < m; i++) {
            for (int s = 0; s < p; s++) {
                u[i * p + s] = norm[s] == 0 ? 0.0 : r[i * p + s] / Math.sqrt(norm[s]);
            }
        }
        double[] sim = RepresentationKernel.of(u, m, p);
        int[][] out = new int[p][k];
        double[] bestSim = new double[k];
        for (int i = 0; i < p; i++) {
            // insertion into a sorted top-k list; strict > keeps the lower index on ties
            int filled = 0;
            for (int j = 0; j < p; j++) {
                if (j == i) {
                    continue;
                }
                double v = sim[i * p + j];
                if (filled == k && !(v > bestSim[k - 1])) {
                    continue;
                }
                int pos = filled < k ? filled++ : k - 1;
                while (pos > 0 && v > bestSim[pos - 1]) {
                    bestSim[pos] = bestSim[pos - 1];
                    out[i][pos] = out[i][pos - 1];
                    pos--;
                }
                bestSim[pos] = v;
                out[i][pos] = j;
            }
        }
        return out;
    }
}
