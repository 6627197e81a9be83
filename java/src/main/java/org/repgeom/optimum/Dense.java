package org.repgeom.optimum;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/** Small dense linear algebra on row-major double arrays that the optimum solver needs (EJML underneath). */
final class Dense {
    private Dense() {
    }

    /** Lower Cholesky factor of the n×n SPD matrix a (row-major), or null when it is not positive definite. */
    static double[] cholesky(double[] a, int n) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
            if (!(d > 0)) return null;
            double s = Math.sqrt(d);
            l[j * n + j] = s;
            for (int i = j + 1; i < n; i++) {
                double v = a[i * n + j];
                for (int k = 0; k < j; k++) v -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = v / s;
            }
        }
        return l;
    }

    /** Solves L X = B in place for the n×m block b (L lower triangular). */
    static void forward(double[] l, int n, double[] b, int m) {
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < m; c++) {
                double v = b[i * m + c];
                for (int k = 0; k < i; k++) v -= l[i * n + k] * b[k * m + c];
                b[i * m + c] = v / l[i * n + i];
            }
        }
    }

    /** Solves Lᵀ X = B in place for the n×m block b. */
    static void backward(double[] l, int n, double[] b, int m) {
        for (int i = n - 1; i >= 0; i--) {
            for (int c = 0; c < m; c++) {
                double v = b[i * m + c];
                for (int k = i + 1; k < n; k++) v -= l[k * n + i] * b[k * m + c];
                b[i * m + c] = v / l[i * n + i];
            }
        }
    }

    /** Symmetric eigen-decomposition: eigenvalues ascending, eigenvectors as columns of an n×n row-major matrix. */
    record Eig(double[] values, double[] vectors) {
    }

    static Eig eig(double[] a, int n) {
        EigenDecomposition_F64<DMatrixRMaj> e = DecompositionFactory_DDRM.eig(n, true, true);
        if (!e.decompose(new DMatrixRMaj(n, n, true, a.clone()))) throw new IllegalStateException("eigen-decomposition failed");
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(e.getEigenvalue(x).real, e.getEigenvalue(y).real));
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int j = 0; j < n; j++) {
            values[j] = e.getEigenvalue(order[j]).real;
            DMatrixRMaj v = e.getEigenVector(order[j]);
            for (int i = 0; i < n; i++) vectors[i * n + j] = v.get(i);
        }
        return new Eig(values, vectors);
    }

    /** Top eigenpair of a small symmetric matrix by cyclic Jacobi rotations (exact to rounding); returns the eigenvalue, vector in v. */
    static double topEigen(double[] a, int n, double[] v) {
        return topEigen(a, n, v, null);
    }

    /** As {@link #topEigen(double[], int, double[])}; also the second largest eigenvalue in {@code second[0]} (−∞ for n = 1). */
    static double topEigen(double[] a, int n, double[] v, double[] second) {
        if (n == 1) {
            v[0] = 1;
            if (second != null) second[0] = Double.NEGATIVE_INFINITY;
            return a[0];
        }
        double[] q = new double[n * n];
        for (int i = 0; i < n; i++) q[i * n + i] = 1;
        return jacobiTop(a.clone(), q, n, v, second);
    }

    /**
     * Cyclic Jacobi on the symmetric matrix m (diagonalised in place), accumulating the rotations
     * into the orthogonal q (on entry m = qᵀAq; on return the columns of q are eigenvectors of A);
     * returns the largest eigenvalue, its eigenvector (a column of q) in v and, when second is
     * given, the second largest eigenvalue in second[0]. Callers may start q from any orthogonal
     * basis in which m is nearly diagonal: fewer sweeps, same tolerance.
     */
    static double jacobiTop(double[] m, double[] q, int n, double[] v, double[] second) {
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) {
                diag += m[i * n + i] * m[i * n + i];
                for (int j = i + 1; j < n; j++) off += m[i * n + j] * m[i * n + j];
            }
            if (off <= 1e-32 * diag || off == 0) break;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    double apq = m[i * n + j];
                    if (apq == 0) continue;
                    double theta = (m[j * n + j] - m[i * n + i]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {
                        double mki = m[k * n + i], mkj = m[k * n + j];
                        m[k * n + i] = c * mki - s * mkj;
                        m[k * n + j] = s * mki + c * mkj;
                    }
                    for (int k = 0; k < n; k++) {
                        double mik = m[i * n + k], mjk = m[j * n + k];
                        m[i * n + k] = c * mik - s * mjk;
                        m[j * n + k] = s * mik + c * mjk;
                    }
                    for (int k = 0; k < n; k++) {
                        double qki = q[k * n + i], qkj = q[k * n + j];
                        q[k * n + i] = c * qki - s * qkj;
                        q[k * n + j] = s * qki + c * qkj;
                    }
                }
            }
        }
        int top = 0;
        for (int i = 1; i < n; i++) if (m[i * n + i] > m[top * n + top]) top = i;
        for (int i = 0; i < n; i++) v[i] = q[i * n + top];
        if (second != null) {
            double sec = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) if (i != top) sec = Math.max(sec, m[i * n + i]);
            second[0] = sec;
        }
        return m[top * n + top];
    }

    /** Orthonormal basis (columns, rows×q row-major) of the null space of the rows×cols matrix a; relative cut tol. */
    static double[] nullSpace(double[] a, int rows, int cols, double tol, int[] dimOut) {
        if (rows == 0) {
            double[] id = new double[cols * cols];
            for (int i = 0; i < cols; i++) id[i * cols + i] = 1;
            dimOut[0] = cols;
            return id;
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, false, true, false);
        if (!svd.decompose(new DMatrixRMaj(rows, cols, true, a.clone()))) throw new IllegalStateException("SVD failed");
        double[] sv = svd.getSingularValues();
        double max = 0;
        for (double s : sv) max = Math.max(max, s);
        DMatrixRMaj v = svd.getV(null, false);
        boolean[] keep = new boolean[cols];
        Arrays.fill(keep, true);
        for (int j = 0; j < svd.numberOfSingularValues(); j++) {
            if (sv[j] > tol * Math.max(max, 1e-300)) keep[j] = false;
        }
        int q = 0;
        for (boolean k : keep) if (k) q++;
        double[] n = new double[cols * q];
        for (int j = 0, c = 0; j < cols; j++) {
            if (!keep[j]) continue;
            for (int i = 0; i < cols; i++) n[i * q + c] = v.get(i, j);
            c++;
        }
        dimOut[0] = q;
        return n;
    }

    /** aᵀ M a for a P×P row-major M. */
    static double quad(double[] m, double[] a, int p) {
        double s = 0;
        for (int i = 0; i < p; i++) {
            double r = 0;
            for (int j = 0; j < p; j++) r += m[i * p + j] * a[j];
            s += a[i] * r;
        }
        return s;
    }

    static double frobenius(double[] a) {
        double s = 0;
        for (double x : a) s += x * x;
        return Math.sqrt(s);
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }
}
