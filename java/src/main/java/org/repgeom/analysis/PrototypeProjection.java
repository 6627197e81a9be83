package org.repgeom.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Class prototypes on their top principal components: the picture in which an abstract
 * (factorised) representation of dY binary labels is a dY-dimensional parallelepiped — on the
 * hypercube task at the ReLU optimum, a cube.
 *
 * <p>With the prototypes {@code μ_c} (mean hidden vector of class c, {@link ClassPartition#prototypes})
 * and their mean {@code μ̄ = mean_c μ_c}, the centred prototypes {@code Z = [μ_c − μ̄]_c} (C×M) have
 * Gram matrix {@code G = ZZᵀ} (C×C) with eigenpairs {@code (σ_i², u_i)}, σ_1 ≥ σ_2 ≥ …. The
 * coordinate of class c on principal component i is {@code σ_i u_i[c]} (= {@code Zv_i}, v_i the
 * i-th right singular vector), and component i explains {@code σ_i² / Σ_j σ_j²} of the spread of
 * the prototypes. Only C×C matrices are decomposed, so M may be large. Signs: each component is
 * oriented so that its largest-magnitude coordinate is positive (deterministic output). When the
 * prototypes span at most k dimensions, the k-component coordinates preserve every distance between
 * prototypes exactly.
 *
 * @param coordinates {@code [c][i]}: class c on component i, for i &lt; k
 * @param explained   fraction of the prototype spread explained by each of the k components
 */
public record PrototypeProjection(double[][] coordinates, double[] explained) {

    /**
     * @param prototypes C×M, {@code prototypes[c]} the mean hidden vector of class c
     * @param k          number of components kept (padded with zeros beyond the rank)
     */
    public static PrototypeProjection of(double[][] prototypes, int k) {
        int c = prototypes.length;
        if (c < 2) throw new IllegalArgumentException("need at least two prototypes");
        int m = prototypes[0].length;
        double[] mean = new double[m];
        for (double[] mu : prototypes) {
            for (int i = 0; i < m; i++) mean[i] += mu[i] / c;
        }
        double[] g = new double[c * c];
        for (int a = 0; a < c; a++) {
            for (int b = a; b < c; b++) {
                double s = 0;
                for (int i = 0; i < m; i++) s += (prototypes[a][i] - mean[i]) * (prototypes[b][i] - mean[i]);
                g[a * c + b] = s;
                g[b * c + a] = s;
            }
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(c, true, true);
        if (!eig.decompose(new DMatrixRMaj(c, c, true, g))) {
            throw new ArithmeticException("eigendecomposition of the prototype Gram matrix failed");
        }
        Integer[] order = new Integer[c];
        for (int i = 0; i < c; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(eig.getEigenvalue(y).real, eig.getEigenvalue(x).real));
        double total = 0;
        for (int i = 0; i < c; i++) total += Math.max(0, eig.getEigenvalue(i).real);
        double[][] coords = new double[c][k];
        double[] explained = new double[k];
        for (int i = 0; i < Math.min(k, c); i++) {
            double lambda = Math.max(0, eig.getEigenvalue(order[i]).real);
            DMatrixRMaj u = eig.getEigenVector(order[i]);
            double norm = 0, largest = 0;
            for (int a = 0; a < c; a++) {
                norm += u.get(a) * u.get(a);
                if (Math.abs(u.get(a)) > Math.abs(largest)) largest = u.get(a);
            }
            double scale = Math.sqrt(lambda / norm) * (largest < 0 ? -1 : 1);
            for (int a = 0; a < c; a++) coords[a][i] = u.get(a) * scale;
            explained[i] = total == 0 ? 0 : lambda / total;
        }
        return new PrototypeProjection(coords, explained);
    }
}
