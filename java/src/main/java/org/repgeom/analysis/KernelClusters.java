package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How many distinct representation kernels a set of minima (the seeds of one configuration) ends
 * in, and how far apart they are.
 *
 * <p>Distance between two kernels: the symmetric relative Frobenius distance
 * <pre>
 *   d(A, B) = ‖A − B‖_F / max(‖A‖_F, ‖B‖_F)     (0 when both are zero),
 * </pre>
 * in [0, 2]; it agrees with {@link KernelDistance#relative} to first order when A ≈ B.
 *
 * <p>Clustering: leader clustering in the order the kernels are given (callers pass the lowest
 * loss first, so each cluster is represented by its best minimum): a kernel joins the first
 * cluster whose leader is within {@code relTol}, or else leads a new one. The number of clusters
 * is the number of distinct kernels at that tolerance. Leader clustering is order dependent
 * only for kernels that lie between two clusters, at distance ~tol from both; minima of a
 * landscape are either equal to float precision or far apart, so the count is stable.
 *
 * <p>Pairwise distances: quantiles over all pairs of the first {@link #MAX_PAIRWISE} kernels
 * (the cost is quadratic in their number times P²).
 */
public record KernelClusters(int kernels, int clusters, int[] assignment, int[] clusterSizes, double pairwiseMin,
                             double pairwiseMedian, double pairwiseMax, int pairs) {

    /** Default tolerance: kernels within 1 % count as the same (the "at theory" cut of the study summary). */
    public static final double DEFAULT_REL_TOL = 1e-2;
    /** At most this many kernels enter the pairwise-distance quantiles. */
    public static final int MAX_PAIRWISE = 200;

    /**
     * Clusters {@code kernels} (each P×P row-major, all the same size) at relative tolerance {@code relTol}.
     */
    public static KernelClusters of(List<double[]> kernels, double relTol) {
        if (!(relTol >= 0)) throw new IllegalArgumentException("relTol must be ≥ 0, got " + relTol);
        int n = kernels.size();
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            norms[i] = Matrices.frobeniusNorm(kernels.get(i));
            if (kernels.get(i).length != kernels.get(0).length) {
                throw new IllegalArgumentException("kernels differ in size: " + kernels.get(i).length + " vs "
                        + kernels.get(0).length);
            }
        }
        List<Integer> leaders = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int[] assignment = new int[n];
        for (int i = 0; i < n; i++) {
            int join = -1;
            for (int c = 0; c < leaders.size() && join < 0; c++) {
                int l = leaders.get(c);
                if (distance(kernels.get(i), norms[i], kernels.get(l), norms[l]) <= relTol) join = c;
            }
            if (join < 0) {
                leaders.add(i);
                sizes.add(0);
                join = leaders.size() - 1;
            }
            assignment[i] = join;
            sizes.set(join, sizes.get(join) + 1);
        }
        int m = Math.min(n, MAX_PAIRWISE);
        double[] d = new double[m * (m - 1) / 2];
        int k = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) d[k++] = distance(kernels.get(i), norms[i], kernels.get(j), norms[j]);
        }
        Arrays.sort(d);
        double min = d.length == 0 ? Double.NaN : d[0];
        double max = d.length == 0 ? Double.NaN : d[d.length - 1];
        double median = d.length == 0 ? Double.NaN
                : d.length % 2 == 1 ? d[d.length / 2] : 0.5 * (d[d.length / 2 - 1] + d[d.length / 2]);
        return new KernelClusters(n, leaders.size(), assignment, sizes.stream().mapToInt(Integer::intValue).toArray(),
                min, median, max, d.length);
    }

    /** d(A, B) of the class comment. */
    public static double distance(double[] a, double[] b) {
        return distance(a, Matrices.frobeniusNorm(a), b, Matrices.frobeniusNorm(b));
    }

    private static double distance(double[] a, double na, double[] b, double nb) {
        double ref = Math.max(na, nb);
        if (ref == 0) return 0.0;
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double e = a[i] - b[i];
            s += e * e;
        }
        return Math.sqrt(s) / ref;
    }

    /** Size of the largest cluster (0 for no kernels). */
    public int largestCluster() {
        return Arrays.stream(clusterSizes).max().orElse(0);
    }
}
