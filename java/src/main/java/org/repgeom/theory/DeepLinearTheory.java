package org.repgeom.theory;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Closed-form global minimum of a deep linear network (docs/science.md §5.5), L ≥ 2 weight layers, no
 * bias, whitened input ({@code XᵀX = I_P}, dX ≥ P), every hidden width ≥ rank Y, loss
 * {@code ‖Y − W_L ⋯ W_1 X‖_F² + Σ_l λ_l ‖W_l‖_F²}.
 *
 * <p>With the thin SVD {@code Y = U diag(s) Vᵀ} (V in sample space) and
 * {@code Λ = (Π_l λ_l)^{1/L}}:
 * <pre>
 *   end-to-end map  W_L⋯W_1 = U diag(σ) (X V)ᵀ,   σ_i = argmin_{σ ≥ 0} (s_i − σ)² + L Λ σ^{2/L}
 *   layers          W_l = Q_{l+1} diag(a_l) Q_lᵀ,   a_l² = Λ σ^{2/L} / λ_l,   Q_1 = XV, Q_{L+1} = U
 *   layer kernels   K_l = (W_l⋯W_1 X)ᵀ(W_l⋯W_1 X) = V diag(Λ^l σ^{2l/L} / Π_{j≤l} λ_j) Vᵀ,  l = 1…L−1
 *   minimal loss    L* = Σ_i (s_i − σ_i)² + L Λ σ_i^{2/L}
 * </pre>
 * (the middle Q_l are arbitrary matrices with orthonormal columns).
 *
 * <p>Derivation. For a fixed end-to-end map W, the penalty {@code Σ λ_l ‖W_l‖²} over all
 * factorisations is smallest when the factors are balanced along W's singular directions, and then
 * equals {@code L Λ Σ_i σ_i(W)^{2/L}} (AM–GM on {@code λ_l a_l²} with {@code Π a_l = σ}: the sum
 * of L terms with a fixed product is smallest when they are equal, {@code λ_l a_l² = Λ σ^{2/L}}).
 * On whitened X the data term is {@code ‖Y − W X‖² = ‖Y Xᵀ − W‖² + const} in the row space of X,
 * and by von Neumann's trace inequality the best W shares Y's singular vectors; what is left is the
 * scalar problem per singular value, solved by {@link PowerShrinkage}: L = 2 gives
 * {@code σ = (s − sqrt(λ1 λ2))_+}; for L ≥ 3 the scalar problem is nonconvex, σ = 0 is always a
 * local minimum and wins below a threshold of s, so σ_i jumps from 0 to a finite value.
 *
 * <p>Networks here always carry a first-layer bias. It is unused at the minimum when every row of
 * Y sums to zero (balanced labels): with {@code X̃ = [X; 1ᵀ]}, {@code K_X = I + 11ᵀ}, the cheapest
 * augmented map realising outputs Z costs the singular values of {@code Z K_X^{-1/2}}, and a
 * component of Z along 1 both raises the data term (Y ⊥ 1) and the penalty; so Z ⊥ 1, where
 * {@code K_X} acts as the identity, and the bias-free formulas hold exactly ({@link #applies}).
 *
 * <p>As λ → 0⁺, {@code K_l → V diag(s^{2l/L}) Vᵀ = (YᵀY)^{l/L}} (equal λ); on the hypercube task
 * ({@code YYᵀ = P I}) {@code K_l = P^{l/L − 1} K_Y}, so every layer has PS = 1.
 */
public final class DeepLinearTheory {
    private final int samples;
    private final double[] lambdas;
    private final double[] targetSingularValues;
    private final double[] mapSingularValues;
    private final DMatrixRMaj u;
    private final DMatrixRMaj v;

    private DeepLinearTheory(int samples, double[] lambdas, double[] s, DMatrixRMaj u, DMatrixRMaj v) {
        this.samples = samples;
        this.lambdas = lambdas.clone();
        this.targetSingularValues = s;
        this.u = u;
        this.v = v;
        int depth = lambdas.length;
        double shrink = geometricMean(lambdas);
        this.mapSingularValues = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            mapSingularValues[i] = PowerShrinkage.argmin(s[i], depth * shrink, 2.0 / depth);
        }
    }

    /**
     * The two-layer theory for targets Y (dY×P row-major).
     *
     * @throws IllegalArgumentException unless both λ are positive and finite
     */
    public static DeepLinearTheory twoLayer(double[] y, int dY, int p, double lambda1, double lambda2) {
        return of(y, dY, p, new double[] {lambda1, lambda2});
    }

    /**
     * The theory for L = {@code lambdas.length} ≥ 2 weight layers ({@code lambdas[l]} multiplies
     * {@code ‖W_{l+1}‖²}) and targets Y (dY×P row-major).
     *
     * @throws IllegalArgumentException unless L ≥ 2 and every λ is positive and finite
     */
    public static DeepLinearTheory of(double[] y, int dY, int p, double[] lambdas) {
        if (dY <= 0 || p <= 0 || y.length != (long) dY * p) {
            throw new IllegalArgumentException("Y has " + y.length + " entries, expected " + dY + "x" + p);
        }
        if (lambdas.length < 2) {
            throw new IllegalArgumentException("a deep linear network has at least 2 weight layers, got " + lambdas.length);
        }
        for (double l : lambdas) {
            if (!(l > 0 && Double.isFinite(l))) {
                throw new IllegalArgumentException("every λ must be positive and finite, got " + java.util.Arrays.toString(lambdas));
            }
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
        return new DeepLinearTheory(p, lambdas, s, uMat, vMat);
    }

    /**
     * Whether the formulas hold for a network with a first-layer bias on this task: X whitened
     * ({@code max |XᵀX − I| ≤ tol}) and every row of Y summing to zero (within tol·‖Y‖), so the bias
     * is unused (class comment).
     */
    public static boolean applies(org.repgeom.task.Task task, double tol) {
        if (!TaskKernels.isWhitened(task, tol)) return false;
        int p = task.samples();
        double norm = 0;
        for (double v : task.yData()) norm += v * v;
        norm = Math.sqrt(norm);
        for (int k = 0; k < task.outputDim(); k++) {
            double sum = 0;
            for (int s = 0; s < p; s++) sum += task.y(k, s);
            if (Math.abs(sum) > tol * Math.max(norm, 1)) return false;
        }
        return true;
    }

    /** Number of weight layers L. */
    public int depth() {
        return lambdas.length;
    }

    /** {@code Λ = (Π λ_l)^{1/L}}. */
    public double lambdaMean() {
        return geometricMean(lambdas);
    }

    private static double geometricMean(double[] values) {
        double log = 0;
        for (double v : values) log += Math.log(v);
        return Math.exp(log / values.length);
    }

    /** Singular values s of Y, descending ({@code min(dY, P)} of them). */
    public double[] targetSingularValues() {
        return targetSingularValues.clone();
    }

    /** Singular values σ_i of the optimal end-to-end map ({@code (s_i − sqrt(λ1λ2))_+} for L = 2). */
    public double[] mapSingularValues() {
        return mapSingularValues.clone();
    }

    /**
     * The interior stationary point of each scalar problem (the nonzero local minimum), NaN where
     * there is none; equals {@link #mapSingularValues()} wherever that is nonzero. For L ≥ 3 a
     * direction with {@code σ_i = 0} but a finite root here has two local minima, of which 0 wins.
     */
    public double[] stationaryRoots() {
        double[] roots = new double[targetSingularValues.length];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = PowerShrinkage.interiorRoot(targetSingularValues[i], depth() * lambdaMean(), 2.0 / depth());
        }
        return roots;
    }

    /** {@code L* = Σ_i (s_i − σ_i)² + L Λ σ_i^{2/L}}. */
    public double minimalLoss() {
        double loss = 0;
        for (int i = 0; i < targetSingularValues.length; i++) {
            loss += PowerShrinkage.value(mapSingularValues[i], targetSingularValues[i], depth() * lambdaMean(),
                    2.0 / depth());
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

    /** Kernel of the first hidden layer (the only one for L = 2): {@link #layerKernel(int) layerKernel(1)}. */
    public double[] hiddenKernel() {
        return layerKernel(1);
    }

    /**
     * Kernel of hidden layer l (1 ≤ l ≤ L−1): {@code K_l = V diag(Λ^l σ^{2l/L} / Π_{j≤l} λ_j) Vᵀ},
     * P×P row-major.
     */
    public double[] layerKernel(int layer) {
        int depth = depth();
        if (layer < 1 || layer >= depth) {
            throw new IllegalArgumentException("hidden layers are 1.." + (depth - 1) + ", got " + layer);
        }
        double shrink = lambdaMean();
        double prefix = 1;
        for (int j = 0; j < layer; j++) prefix *= shrink / lambdas[j];
        int p = samples;
        double[] k = new double[p * p];
        for (int i = 0; i < mapSingularValues.length; i++) {
            if (mapSingularValues[i] == 0) {
                continue;
            }
            double w = prefix * Math.pow(mapSingularValues[i], 2.0 * layer / depth);
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
