package org.repgeom.task;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Input matrices X (dX × P, row-major, columns are samples) with a prescribed input kernel XᵀX.
 * Samples are ordered class-major (sample p = c·n + j). All randomness is
 * {@link org.repgeom.rng.Philox4x32#gaussian} under the task seed, on a stream of its own per
 * geometry (the constants below), so the same seed gives unrelated matrices across geometries and
 * never coincides with network initial weights, which use streams 0, 1, 2, … (one per layer).
 */
public final class InputGeometry {

    /** Philox stream of the Gaussian matrix behind {@link #whitened}. */
    public static final int STREAM_WHITENED = 0x54410001;
    /** Philox stream of {@link #gaussian}. */
    public static final int STREAM_GAUSSIAN = 0x54410002;
    /** Philox stream of the orthonormal frame behind {@link #withinClassCorrelated}. */
    public static final int STREAM_WITHIN_CLASS = 0x54410003;
    /** Philox stream of the orthonormal frame behind {@link #targetAligned}. */
    public static final int STREAM_TARGET_ALIGNED = 0x54410004;

    private InputGeometry() {
    }

    /**
     * Whitened input: X = first P columns of a random orthogonal dX × dX matrix (QR of a Gaussian
     * matrix, diag(R) &gt; 0), so <b>XᵀX = I_P</b>. Column p depends only on (dX, p, seed), so
     * adding samples keeps the earlier columns.
     *
     * @throws IllegalArgumentException unless dX ≥ P ≥ 1
     */
    public static double[] whitened(int dX, int P, long seed) {
        requirePositive("P", P);
        if (dX < P) {
            throw new IllegalArgumentException("whitened input needs dX >= P (got dX=" + dX + ", P=" + P
                    + "): X^T X = I_P needs at least as many input dimensions as samples");
        }
        return RandomMatrices.rowMajor(RandomMatrices.orthonormalColumns(dX, P, seed, STREAM_WHITENED));
    }

    /** One-hot inputs: <b>X = I_P</b> (dX = P), so XᵀX = I_P with no randomness. */
    public static double[] identity(int P) {
        requirePositive("P", P);
        return RandomMatrices.rowMajor(CommonOps_DDRM.identity(P));
    }

    /**
     * Random Gaussian input: X_ip iid N(0, 1/dX), so each column has E‖x_p‖² = 1 and
     * E[XᵀX] = I_P. Entry (i, p) is {@code gaussian(seed, STREAM_GAUSSIAN, p·dX + i) / sqrt(dX)}.
     */
    public static double[] gaussian(int dX, int P, long seed) {
        requirePositive("dX", dX);
        requirePositive("P", P);
        DMatrixRMaj g = RandomMatrices.gaussian(dX, P, seed, STREAM_GAUSSIAN);
        CommonOps_DDRM.scale(1.0 / Math.sqrt(dX), g);
        return RandomMatrices.rowMajor(g);
    }

    /**
     * Within-class correlated input with C classes of n samples (P = C·n): <b>XᵀX = I_C ⊗ W</b>,
     * W = (1−ρ) I_n + ρ 11ᵀ — unit-norm samples, orthogonal across classes, cosine ρ within a
     * class. Built as X = Q · (I_C ⊗ W^{1/2}) with Q (dX × P) random with orthonormal columns and
     * W^{1/2} the symmetric square root (eigendecomposition of W).
     *
     * @throws IllegalArgumentException unless dX ≥ P, C ≥ 1, n ≥ 1 and 0 ≤ ρ &lt; 1
     */
    public static double[] withinClassCorrelated(int dX, int classes, int perClass, double rho, long seed) {
        requirePositive("classes", classes);
        requirePositive("perClass", perClass);
        if (!(rho >= 0 && rho < 1)) {
            throw new IllegalArgumentException("within-class correlation rho must be in [0, 1), got " + rho);
        }
        int p = Math.multiplyExact(classes, perClass);
        if (dX < p) {
            throw new IllegalArgumentException("within-class input needs dX >= P (got dX=" + dX + ", P=" + p + ")");
        }
        DMatrixRMaj w = new DMatrixRMaj(perClass, perClass);
        CommonOps_DDRM.fill(w, rho);
        for (int i = 0; i < perClass; i++) {
            w.set(i, i, 1.0);
        }
        DMatrixRMaj kxRoot = CommonOps_DDRM.kron(CommonOps_DDRM.identity(classes), symmetricSqrt(w), null);
        DMatrixRMaj q = RandomMatrices.orthonormalColumns(dX, p, seed, STREAM_WITHIN_CLASS);
        return RandomMatrices.rowMajor(CommonOps_DDRM.mult(q, kxRoot, null));
    }

    /**
     * Target-aligned input: <b>X = a·Q_A·Y + b·Q_B</b>, where [Q_A | Q_B] (dX × (dY+P)) has
     * orthonormal columns (Q_A: dX × dY, Q_B: dX × P, Q_AᵀQ_B = 0), so
     * <b>XᵀX = a²·YᵀY + b²·I_P</b>: a part aligned with the targets plus an isotropic part.
     *
     * @param y row-major dY × P targets
     * @param alignedWeight a ≥ 0
     * @param orthogonalWeight b ≥ 0 (a and b not both 0)
     * @throws IllegalArgumentException unless dX ≥ dY + P and the weights are valid
     */
    public static double[] targetAligned(int dX, double[] y, int dY, int P, double alignedWeight,
            double orthogonalWeight, long seed) {
        requirePositive("dY", dY);
        requirePositive("P", P);
        if (y.length != (long) dY * P) {
            throw new IllegalArgumentException("Y has " + y.length + " entries, expected dY*P = " + dY + "*" + P);
        }
        if (!(alignedWeight >= 0 && orthogonalWeight >= 0) || Double.isInfinite(alignedWeight)
                || Double.isInfinite(orthogonalWeight) || (alignedWeight == 0 && orthogonalWeight == 0)) {
            throw new IllegalArgumentException("target-aligned weights must be finite, >= 0 and not both 0, got a="
                    + alignedWeight + ", b=" + orthogonalWeight);
        }
        if (dX < dY + P) {
            throw new IllegalArgumentException("target-aligned input needs dX >= dY + P (got dX=" + dX + ", dY="
                    + dY + ", P=" + P + ")");
        }
        DMatrixRMaj q = RandomMatrices.orthonormalColumns(dX, dY + P, seed, STREAM_TARGET_ALIGNED);
        DMatrixRMaj qa = CommonOps_DDRM.extract(q, 0, dX, 0, dY);
        DMatrixRMaj qb = CommonOps_DDRM.extract(q, 0, dX, dY, dY + P);
        DMatrixRMaj x = new DMatrixRMaj(dX, P);
        CommonOps_DDRM.mult(alignedWeight, qa, DMatrixRMaj.wrap(dY, P, y.clone()), x);
        CommonOps_DDRM.addEquals(x, orthogonalWeight, qb);
        return RandomMatrices.rowMajor(x);
    }

    /** S = V diag(sqrt(max(λ, 0))) Vᵀ for symmetric positive semidefinite A = V diag(λ) Vᵀ. */
    static DMatrixRMaj symmetricSqrt(DMatrixRMaj a) {
        int n = a.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(a.copy())) {
            throw new IllegalStateException("eigendecomposition of a " + n + "x" + n + " matrix failed");
        }
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
            double lambda = eig.getEigenvalue(i).getReal();
            DMatrixRMaj v = eig.getEigenVector(i);
            // eigenvectors come back unit length; normalise anyway so S does not depend on that
            double norm2 = CommonOps_DDRM.dot(v, v);
            CommonOps_DDRM.multAddTransB(Math.sqrt(Math.max(lambda, 0)) / norm2, v, v, s);
        }
        return s;
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }
}
