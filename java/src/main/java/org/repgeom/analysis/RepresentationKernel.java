package org.repgeom.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The representation kernel of a hidden layer: {@code K = RᵀR} (P×P), where R (M×P, row-major,
 * {@code r[i*P + p]}) holds the activity of unit i on sample p. {@code K[p][q]} is the inner
 * product of the hidden vectors of samples p and q, so K is invariant to rotations of the units
 * and is what the theory (docs/science.md §5) predicts.
 */
public final class RepresentationKernel {
    private RepresentationKernel() {
    }

    /**
     * {@code K = RᵀR}, i.e. {@code K[p][q] = Σ_i R[i][p] R[i][q]}.
     *
     * @param r hidden representation, M×P row-major
     * @param m number of units M
     * @param p number of samples P
     * @return K, P×P row-major (symmetric, positive semidefinite)
     */
    public static double[] of(double[] r, int m, int p) {
        Matrices.checkShape("R", r, m, p);
        DMatrixRMaj k = new DMatrixRMaj(p, p);
        CommonOps_DDRM.multTransA(Matrices.view(r, m, p), Matrices.view(r, m, p), k);
        return k.data;
    }
}
