package org.repgeom.theory;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/** Small dense helpers for the quadratic forms of the certificate. */
final class QuadraticForms {

    private QuadraticForms() {
    }

    /** {@code vᵀ M v}. */
    static double quad(DMatrixRMaj m, double[] v) {
        int n = v.length;
        double s = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) row += m.unsafe_get(i, j) * v[j];
            s += v[i] * row;
        }
        return s;
    }

    /** {@code Bᵀ M B}. */
    static DMatrixRMaj congruence(DMatrixRMaj b, DMatrixRMaj m) {
        DMatrixRMaj mb = new DMatrixRMaj(m.numRows, b.numCols);
        CommonOps_DDRM.mult(m, b, mb);
        DMatrixRMaj out = new DMatrixRMaj(b.numCols, b.numCols);
        CommonOps_DDRM.multTransA(b, mb, out);
        return out;
    }

    /** Replaces m by {@code (m + mᵀ)/2} in place, removing rounding asymmetry. */
    static void symmetrize(DMatrixRMaj m) {
        int n = m.numRows;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double v = 0.5 * (m.get(i, j) + m.get(j, i));
                m.set(i, j, v);
                m.set(j, i, v);
            }
        }
    }

    /** Scales v to unit length in place (a zero vector stays zero). */
    static void normalize(double[] v) {
        double n = 0;
        for (double x : v) n += x * x;
        n = Math.sqrt(n);
        if (n > 0) {
            for (int i = 0; i < v.length; i++) v[i] /= n;
        }
    }
}
