package org.repgeom.theory;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/** Eigen-decomposition of a symmetric matrix, eigenvalues ascending, eigenvectors as columns. */
record SymmetricEigen(double[] values, DMatrixRMaj vectors) {

    static SymmetricEigen of(DMatrixRMaj m) {
        int n = m.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(m.copy())) {
            throw new IllegalStateException("eigen-decomposition failed");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(eig.getEigenvalue(x).real, eig.getEigenvalue(y).real));
        double[] values = new double[n];
        DMatrixRMaj vectors = new DMatrixRMaj(n, n);
        for (int j = 0; j < n; j++) {
            values[j] = eig.getEigenvalue(order[j]).real;
            DMatrixRMaj vec = eig.getEigenVector(order[j]);
            for (int i = 0; i < n; i++) vectors.set(i, j, vec.get(i));
        }
        return new SymmetricEigen(values, vectors);
    }

    /** Index of the smallest real eigenvalue of a decomposition (first one on ties). */
    static int lowest(EigenDecomposition_F64<DMatrixRMaj> eig, int n) {
        int low = 0;
        for (int j = 1; j < n; j++) {
            if (eig.getEigenvalue(j).real < eig.getEigenvalue(low).real) low = j;
        }
        return low;
    }
}
