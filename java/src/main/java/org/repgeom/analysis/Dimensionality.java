package org.repgeom.analysis;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Effective dimensionality of a representation from its kernel {@code K = RᵀR} (P×P). The nonzero
 * eigenvalues of K are the squared singular values of R, i.e. the variances along the
 * representation's principal axes (uncentred).
 */
public final class Dimensionality {
    private Dimensionality() {
    }

    /**
     * Participation ratio {@code PR = (Σ_i μ_i)² / Σ_i μ_i²} over the eigenvalues μ of K; between 1
     * (one direction) and P (isotropic). For symmetric K this equals {@code (tr K)² / ‖K‖_F²}
     * exactly ({@code Σμ = tr K}, {@code Σμ² = tr K² = ‖K‖_F²}), which is how it is computed: no
     * decomposition, no eigenvalue round-off. {@link #eigenvalues} gives the spectrum itself.
     * Returns 0 for K = 0 (a collapsed representation has no dimensions).
     *
     * @param k P×P symmetric row-major kernel
     */
    public static double participationRatio(double[] k, int p) {
        Matrices.checkShape("K", k, p, p);
        double trace = 0;
        for (int i = 0; i < p; i++) {
            trace += k[i * p + i];
        }
        double sumSquares = Matrices.frobeniusInner(k, k);
        return sumSquares == 0 ? 0.0 : trace * trace / sumSquares;
    }

    /**
     * Eigenvalues {@code μ_1 ≥ … ≥ μ_P} of the symmetric kernel K (EJML symmetric eigensolver).
     *
     * @param k P×P symmetric row-major (not modified)
     */
    public static double[] eigenvalues(double[] k, int p) {
        Matrices.checkShape("K", k, p, p);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(p, false, true);
        if (!eig.decompose(Matrices.copyOf(k, p, p))) {
            throw new ArithmeticException("symmetric eigendecomposition failed for a " + p + "x" + p + " kernel");
        }
        double[] mu = new double[p];
        for (int i = 0; i < p; i++) {
            mu[i] = eig.getEigenvalue(i).real;
        }
        Arrays.sort(mu);
        for (int i = 0, j = p - 1; i < j; i++, j--) {
            double t = mu[i];
            mu[i] = mu[j];
            mu[j] = t;
        }
        return mu;
    }
}
