package org.repgeom.analysis;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Numerical rank of a weight matrix: {@code rank = #{ i : σ_i > relTol · σ_max }} over its singular
 * values (EJML SVD).
 */
public final class NumericalRank {
    /**
     * Default relative tolerance 1e-3. The theory (docs/science.md §5.1) predicts low-rank trained weights
     * (first layer rank dY+1, readout rank dY) while the matrices are wide; what is left in the
     * "off" directions after training is the residue of dead neurons and weight decay, of order
     * learning rate × final learning rate (≈ 1e-2 · 1e-6), many orders of magnitude below 1e-3 of
     * the top singular value, whereas the genuine directions are of the same order as σ_max.
     * 1e-3 thus separates the two with a wide margin on both sides.
     */
    public static final double DEFAULT_REL_TOL = 1e-3;

    private NumericalRank() {
    }

    /**
     * Number of singular values {@code σ_i > relTol · σ_max}; 0 for the zero matrix.
     *
     * @param w      rows×cols row-major
     * @param relTol relative tolerance, in [0, 1)
     */
    public static int of(double[] w, int rows, int cols, double relTol) {
        if (!(relTol >= 0 && relTol < 1)) {
            throw new IllegalArgumentException("relTol must be in [0, 1), got " + relTol);
        }
        double[] sigma = singularValues(w, rows, cols);
        double cut = relTol * sigma[0];
        int rank = 0;
        for (double s : sigma) {
            if (s > cut && s > 0) {
                rank++;
            }
        }
        return rank;
    }

    /** {@link #of(double[], int, int, double)} with {@link #DEFAULT_REL_TOL}. */
    public static int of(double[] w, int rows, int cols) {
        return of(w, rows, cols, DEFAULT_REL_TOL);
    }

    /**
     * The {@code min(rows, cols)} singular values {@code σ_1 ≥ σ_2 ≥ … ≥ 0} of W.
     *
     * @param w rows×cols row-major (not modified)
     */
    public static double[] singularValues(double[] w, int rows, int cols) {
        Matrices.checkShape("W", w, rows, cols);
        DMatrixRMaj a = Matrices.copyOf(w, rows, cols);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, false, false, true);
        if (!svd.decompose(a)) {
            throw new ArithmeticException("SVD failed for a " + rows + "x" + cols + " matrix");
        }
        double[] sigma = Arrays.copyOf(svd.getSingularValues(), svd.numberOfSingularValues());
        Arrays.sort(sigma);
        for (int i = 0, j = sigma.length - 1; i < j; i++, j--) {
            double t = sigma[i];
            sigma[i] = sigma[j];
            sigma[j] = t;
        }
        return sigma;
    }
}
