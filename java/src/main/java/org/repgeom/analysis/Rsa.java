package org.repgeom.analysis;

import java.util.Arrays;

/**
 * Representational similarity analysis (RSA; Kriegeskorte, Mur &amp; Bandettini 2008): two
 * representations of the same P conditions are compared through their representational
 * dissimilarity matrices (RDMs), by the Spearman rank correlation of the RDMs' upper triangles.
 *
 * <p><b>Dissimilarity</b>: the Euclidean distance between the population vectors of two conditions,
 * read off the representation kernel, {@code d_ij = sqrt(K_ii + K_jj − 2K_ij)} (negative round-off
 * clipped to 0). It needs only K, so it is invariant to rotations of the units and to adding a
 * constant vector to every condition; other common choices (correlation distance across neurons) are
 * not functions of K. As Spearman's ρ uses ranks only, squared and plain distances give the same
 * score.
 *
 * <p><b>Ties</b> are frequent in model RDMs (an abstract hypercube representation has one distance
 * per Hamming distance): tied values get the mean of the ranks they span, and ρ is the Pearson
 * correlation of those mid-ranks (the definition of {@code scipy.stats.spearmanr}), not the
 * no-ties shortcut {@code 1 − 6Σd²/(n(n²−1))}, which is wrong with ties. ρ is NaN when either
 * triangle is constant (all its ranks tie) or has fewer than two entries (P &lt; 3).
 */
public final class Rsa {
    private Rsa() {
    }

    /** Spearman correlation of the RDMs of two P×P kernels (class comment). */
    public static double fromKernels(double[] k, double[] l, int p) {
        return spearman(dissimilarities(k, p), dissimilarities(l, p));
    }

    /**
     * Upper triangle (i &lt; j, row by row) of the Euclidean RDM of a P×P kernel: P(P−1)/2 values.
     */
    public static double[] dissimilarities(double[] k, int p) {
        Matrices.checkShape("K", k, p, p);
        double[] d = new double[p * (p - 1) / 2];
        int n = 0;
        for (int i = 0; i < p; i++) {
            for (int j = i + 1; j < p; j++) {
                d[n++] = Math.sqrt(Math.max(0.0, k[i * p + i] + k[j * p + j] - 2 * k[i * p + j]));
            }
        }
        return d;
    }

    /** Spearman's ρ with mid-ranks for ties (class comment); NaN if either sample is constant. */
    public static double spearman(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("samples differ in length: " + a.length + " vs " + b.length);
        }
        if (a.length < 2) return Double.NaN;
        return pearson(midRanks(a), midRanks(b));
    }

    /** 1-based ranks, tied values sharing the mean of their ranks; NaN values make every rank NaN. */
    static double[] midRanks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
        double[] rank = new double[n];
        for (int start = 0; start < n; ) {
            int end = start;
            while (end + 1 < n && v[order[end + 1]] == v[order[start]]) end++;
            double mid = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++) rank[order[i]] = mid;
            start = end + 1;
        }
        for (double x : v) {
            if (Double.isNaN(x)) {
                Arrays.fill(rank, Double.NaN);
                break;
            }
        }
        return rank;
    }

    /** Pearson correlation; NaN when either sample has zero variance. */
    static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < n; i++) {
            double x = a[i] - ma, y = b[i] - mb;
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return aa == 0 || bb == 0 ? Double.NaN : ab / Math.sqrt(aa * bb);
    }
}
