package org.repgeom.theory;

import org.ejml.data.DMatrixRMaj;

/**
 * The pseudo-inverse {@code K_X⁺} of the first layer's input kernel, an orthonormal basis of its
 * column space (where preactivation patterns live) and its smallest positive eigenvalue.
 */
record InputKernelInverse(DMatrixRMaj pinv, DMatrixRMaj basis, double minPositiveEigenvalue) {

    /** Eigenvalues below this fraction of the largest count as zero. */
    private static final double RANK_CUT = 1e-10;

    static InputKernelInverse of(DMatrixRMaj kx) {
        int p = kx.numRows;
        SymmetricEigen kxEig = SymmetricEigen.of(kx);
        double maxEv = kxEig.values()[p - 1];
        double cut = RANK_CUT * Math.max(maxEv, 1e-300);
        int rank = 0;
        for (double v : kxEig.values()) {
            if (v > cut) rank++;
        }
        DMatrixRMaj u = new DMatrixRMaj(p, rank);
        DMatrixRMaj kxPinv = new DMatrixRMaj(p, p);
        double minPos = Double.POSITIVE_INFINITY;
        for (int j = 0, c = 0; j < p; j++) {
            double ev = kxEig.values()[j];
            if (ev <= cut) continue;
            minPos = Math.min(minPos, ev);
            for (int a = 0; a < p; a++) {
                u.set(a, c, kxEig.vectors().get(a, j));
                for (int b = 0; b < p; b++) {
                    kxPinv.add(a, b, kxEig.vectors().get(a, j) * kxEig.vectors().get(b, j) / ev);
                }
            }
            c++;
        }
        return new InputKernelInverse(kxPinv, u, minPos);
    }

    int rank() {
        return basis.numCols;
    }

    /**
     * Whether K_X is invertible with {@code K_X⁻¹} off-diagonals ≤ 0 (an M-matrix), the condition
     * of the copositive reduction.
     */
    boolean isMMatrixInverse() {
        int p = pinv.numRows;
        if (rank() != p) return false;
        double scale = 0;
        for (int i = 0; i < p; i++) scale = Math.max(scale, Math.abs(pinv.get(i, i)));
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                if (i != j && pinv.get(i, j) > 1e-9 * scale) return false;
            }
        }
        return true;
    }
}
