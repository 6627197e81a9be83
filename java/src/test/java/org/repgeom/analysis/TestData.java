package org.repgeom.analysis;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/** Seeded fixtures shared by the analysis and theory tests. */
public final class TestData {
    private TestData() {
    }

    /**
     * Hypercube labels: dY×P (P = n·2^dY) with label k of class c = +1 iff bit k of c is set; the
     * samples are shuffled so that no code can rely on their order.
     */
    public static double[] hypercubeY(int dY, int n, Random rnd) {
        int p = n << dY;
        int[] order = permutation(p, rnd);
        double[] y = new double[dY * p];
        for (int s = 0; s < p; s++) {
            int c = order[s] % (1 << dY);
            for (int k = 0; k < dY; k++) {
                y[k * p + s] = ((c >> k) & 1) == 1 ? 1.0 : -1.0;
            }
        }
        return y;
    }

    public static int[] permutation(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    public static double[] gaussian(int rows, int cols, Random rnd) {
        double[] a = new double[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian();
        }
        return a;
    }

    /** dX×P with orthonormal columns (XᵀX = I_P): the first P columns of Q from the QR of a Gaussian matrix. */
    public static double[] orthonormalColumns(int dX, int p, Random rnd) {
        DMatrixRMaj g = new DMatrixRMaj(dX, dX, true, gaussian(dX, dX, rnd));
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(dX, dX);
        if (!qr.decompose(g)) {
            throw new IllegalStateException("QR failed");
        }
        DMatrixRMaj q = qr.getQ(null, false);
        double[] x = new double[dX * p];
        for (int i = 0; i < dX; i++) {
            for (int s = 0; s < p; s++) {
                x[i * p + s] = q.get(i, s);
            }
        }
        return x;
    }

    /** Largest |a_i − b_i|. */
    public static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
