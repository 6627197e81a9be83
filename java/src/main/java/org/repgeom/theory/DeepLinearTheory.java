package org.repgeom.theory;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Closed-form global minimum of a two-layer linear network (DESIGN.md §6.2 with L = 2): no bias,
 * whitened input ({@code XᵀX = I_P}, dX ≥ P), hidden width ≥ rank Y, loss
 * {@code ‖Y − W2 W1 X‖_F² + λ1‖W1‖_F² + λ2‖W2‖_F²}.
 *
 * <p>With the thin SVD {@code Y = U diag(s) Vᵀ} (V in sample space) and {@code Λ = sqrt(λ1 λ2)}:
 * <pre>
 *   end-to-end map  W2 W1 = U diag(σ) (X V)ᵀ,   σ_i = (s_i − Λ)_+
 *   minimal loss    L* = Σ_i (s_i − σ_i)² + 2 Λ σ_i
 *   hidden kernel   K_1 = (W1 X)ᵀ(W1 X) = V diag(Λ σ / λ1) Vᵀ = V diag(sqrt(λ2/λ1) σ) Vᵀ
 * </pre>
 * The balanced layers {@code W1 = Q diag(a1) (X V)ᵀ}, {@code W2 = U diag(a2) Qᵀ} with
 * {@code a_l² = Λ σ / λ_l} and any Q with orthonormal columns attain it: for fixed product σ the
 * penalty {@code λ1 a1² + λ2 a2²} is smallest, {@code 2Λσ}, when balanced, leaving the scalar
 * problem {@code min_σ≥0 (s − σ)² + 2Λσ} per singular direction.
 */
public final class DeepLinearTheory {
    private final int samples;
    private final double lambda1;
    private final double lambda2;
    private final double[] targetSingularValues;
    private final double[] mapSingularValues;
    private final DMatrixRMaj u;
    private final DMatrixRMaj v;

    private DeepLinearTheory(int samples, double lambda1, double lambda2, double[] s, DMatrixRMaj u, DMatrixRMaj v) {
        this.samples = samples;
        this.lambda1 = lambda1;
        this.lambda2 = lambda2;
        this.targetSingularValues = s;
        this.u = u;
        this.v = v;
        double shrink = Math.sqrt(lambda1 * lambda2);
        this.mapSingularValues = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            mapSingularValues[i] = Math.max(0.0, s[i] - shrink);
        }
    }

    /**
     * The two-layer theory for targets Y (dY×P row-major).
     *
     * @throws IllegalArgumentException unless both λ are positive and finite
     */
    public static DeepLinearTheory twoLayer(double[] y, int dY, int p, double lambda1, double lambda2) {
        if (dY <= 0 || p <= 0 || y.length != (long) dY * p) {
            throw new IllegalArgumentException("Y has " + y.length + " entries, expected " + dY + "x" + p);
        }
        if (!(lambda1 > 0 && lambda2 > 0 && Double.isFinite(lambda1) && Double.isFinite(lambda2))) {
            throw new IllegalArgumentException("λ1, λ2 must be positive and finite, got " + lambda1 + ", " + lambda2);
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(dY, p, true, true, true);
        if (!svd.decompose(new DMatrixRMaj(dY, p, true, y.clone()))) {
            throw new ArithmeticException("SVD of Y failed");
        }
        DMatrixRMaj uMat = svd.getU(null, false);
        DMatrixRMaj w = svd.getW(null);
        DMatrixRMaj vMat = svd.getV(null, false);
        SingularOps_DDRM.descendingOrder(uMat, false, w, vMat, false);
        double[] s = new double[w.numCols];
        for (int i = 0; i < s.length; i++) {
            s[i] = w.get(i, i);
        }
        return new DeepLinearTheory(p, lambda1, lambda2, s, uMat, vMat);
    }

    /** Singular values s of Y, descending ({@code min(dY, P)} of them). */
    public double[] targetSingularValues() {
        return targetSingularValues.clone();
    }

    /** Singular values σ_i = (s_i − sqrt(λ1λ2))_+ of the optimal end-to-end map. */
    public double[] mapSingularValues() {
        return mapSingularValues.clone();
    }

    /** {@code L* = Σ_i (s_i − σ_i)² + 2 sqrt(λ1λ2) σ_i}. */
    public double minimalLoss() {
        double shrink = Math.sqrt(lambda1 * lambda2);
        double loss = 0;
        for (int i = 0; i < targetSingularValues.length; i++) {
            double gap = targetSingularValues[i] - mapSingularValues[i];
            loss += gap * gap + 2 * shrink * mapSingularValues[i];
        }
        return loss;
    }

    /** Number of directions the optimum keeps (σ_i > 0); the smallest hidden width that attains it. */
    public int rank() {
        int r = 0;
        for (double sigma : mapSingularValues) {
            if (sigma > 0) {
                r++;
            }
        }
        return r;
    }

    /** Hidden-layer kernel {@code K_1 = V diag(sqrt(λ2/λ1) σ) Vᵀ}, P×P row-major. */
    public double[] hiddenKernel() {
        double scale = Math.sqrt(lambda2 / lambda1);
        int p = samples;
        double[] k = new double[p * p];
        for (int i = 0; i < mapSingularValues.length; i++) {
            double w = scale * mapSingularValues[i];
            if (w == 0) {
                continue;
            }
            for (int a = 0; a < p; a++) {
                double va = w * v.get(a, i);
                for (int b = 0; b < p; b++) {
                    k[a * p + b] += va * v.get(b, i);
                }
            }
        }
        return k;
    }

    /**
     * Left singular vectors U of Y: dY × r row-major ({@code r = min(dY, P)}), column i belongs to
     * {@code targetSingularValues()[i]}.
     */
    public double[] leftSingularVectors() {
        return u.data.clone();
    }

    /** Right singular vectors V of Y (sample space): P × r row-major, same column order. */
    public double[] rightSingularVectors() {
        return v.data.clone();
    }
}
