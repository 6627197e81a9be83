package org.repgeom.theory;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The dual bound of the certificate: {@code G = (K + λ2 I)⁻¹ K_Y (K + λ2 I)⁻¹} (minus the gradient
 * of the reduced loss in K, over λ2) and {@code D = λ2 tr K_Y (K + λ2 I)⁻¹ + λ2 tr(G K)}, a lower
 * bound on the loss of every network when the single-neuron energy is nonnegative.
 */
record DualBound(DMatrixRMaj g, double value) {

    static DualBound of(DMatrixRMaj k, DMatrixRMaj ky, double lambda2) {
        int p = k.numRows;
        DMatrixRMaj shifted = k.copy();
        for (int i = 0; i < p; i++) {
            shifted.add(i, i, lambda2);
        }
        DMatrixRMaj inv = new DMatrixRMaj(p, p);
        if (!CommonOps_DDRM.invert(shifted, inv)) {
            throw new IllegalArgumentException("K + λ2 I is singular");
        }
        DMatrixRMaj tmp = new DMatrixRMaj(p, p);
        CommonOps_DDRM.mult(inv, ky, tmp);
        double readout = lambda2 * CommonOps_DDRM.trace(tmp);
        DMatrixRMaj g = new DMatrixRMaj(p, p);
        CommonOps_DDRM.mult(tmp, inv, g);
        QuadraticForms.symmetrize(g);
        double gk = 0;
        for (int i = 0; i < p * p; i++) {
            gk += g.data[i] * k.data[i]; // tr(G K), both symmetric
        }
        return new DualBound(g, readout + lambda2 * gk);
    }
}
