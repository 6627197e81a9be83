package org.repgeom.task;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.repgeom.rng.Philox4x32;

/** Random matrices drawn from {@link Philox4x32}, pure functions of {@code (seed, stream)}. */
final class RandomMatrices {

    private RandomMatrices() {
    }

    /**
     * G (rows × cols) with iid N(0, 1) entries {@code G[i][j] = gaussian(seed, stream, j·rows + i)}.
     * Column-major draw order makes column j independent of {@code cols}: a matrix with more
     * columns extends one with fewer.
     */
    static DMatrixRMaj gaussian(int rows, int cols, long seed, int stream) {
        DMatrixRMaj g = new DMatrixRMaj(rows, cols);
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                g.unsafe_set(i, j, Philox4x32.gaussian(seed, stream, (long) j * rows + i));
            }
        }
        return g;
    }

    /**
     * Q (rows × cols, rows ≥ cols) with orthonormal columns, QᵀQ = I: the thin QR factor of
     * {@link #gaussian} G = QR with the signs fixed so that diag(R) &gt; 0. With that convention Q
     * is uniquely determined by G and is Haar-distributed (the first columns of a uniformly random
     * orthogonal matrix); it equals the first {@code cols} columns of the full rows × rows factor.
     */
    static DMatrixRMaj orthonormalColumns(int rows, int cols, long seed, int stream) {
        DMatrixRMaj g = gaussian(rows, cols, seed, stream);
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(rows, cols);
        if (!qr.decompose(g)) {
            throw new IllegalStateException("QR decomposition of a " + rows + "x" + cols + " Gaussian matrix failed");
        }
        DMatrixRMaj q = qr.getQ(null, true);
        DMatrixRMaj r = qr.getR(null, true);
        for (int j = 0; j < cols; j++) {
            if (r.get(j, j) < 0) {
                for (int i = 0; i < rows; i++) {
                    q.unsafe_set(i, j, -q.unsafe_get(i, j));
                }
            }
        }
        return q;
    }

    /** The row-major entries of {@code m}, exactly rows·cols of them. */
    static double[] rowMajor(DMatrixRMaj m) {
        return java.util.Arrays.copyOf(m.data, m.numRows * m.numCols);
    }
}
