package org.repgeom.analysis;

import java.util.List;

/**
 * Layer × layer linear CKA of one network: entry (a, b) is {@link Cka#linearFromKernels} of the
 * kernels of layers a and b, {@code CKA(K_a, K_b) = ⟨HK_aH, HK_bH⟩_F / (‖HK_aH‖_F ‖HK_bH‖_F)} with
 * {@code H = I − 11ᵀ/P} (Kornblith et al. 2019). Plotted over a deep network it shows where the
 * representation stops changing: a block of values near 1 over the last layers is the "tunnel"
 * of Masarczyk et al. (2023, "The tunnel effect"), and on the whitened hypercube task every hidden
 * layer of a deep linear network at its optimum has {@code K_l ∝ K_Y} (docs/science.md §5.5), so the
 * hidden-layer block is exactly 1.
 *
 * <p>The layers passed are whatever the caller compares; {@code repgeom analyze} passes the input
 * X, every hidden layer and the network output f(X). The matrix is symmetric with unit diagonal;
 * a layer whose centred kernel is zero (constant over the samples, e.g. a dead layer) has NaN in its
 * row and column, diagonal included.
 */
public final class LayerCka {
    private LayerCka() {
    }

    /**
     * @param kernels P×P row-major kernel of each layer, in layer order
     * @param p       samples P
     * @return L×L matrix, {@code [a][b]} = CKA of layers a and b
     */
    public static double[][] matrix(List<double[]> kernels, int p) {
        int n = kernels.size();
        double[][] centred = new double[n][];
        double[] norm = new double[n];
        for (int a = 0; a < n; a++) {
            Matrices.checkShape("K_" + a, kernels.get(a), p, p);
            centred[a] = Cka.doubleCentred(kernels.get(a), p);
            norm[a] = Matrices.frobeniusNorm(centred[a]);
        }
        double[][] out = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                double den = norm[a] * norm[b];
                double v = den == 0 ? Double.NaN : Matrices.frobeniusInner(centred[a], centred[b]) / den;
                out[a][b] = v;
                out[b][a] = v;
            }
        }
        return out;
    }
}
