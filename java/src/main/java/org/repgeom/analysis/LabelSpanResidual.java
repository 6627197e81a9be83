package org.repgeom.analysis;

/**
 * How far a kernel leaves the label span: {@code min_{a,b} ‖K − a K_Y − b 11ᵀ‖_F / ‖K‖_F}, the
 * relative residual of K outside {@code span{K_Y, 11ᵀ}} (Frobenius least squares in a and b).
 *
 * <p>Every closed form on the unit hypercube (threshold class {@code c(K_Y + dY 11ᵀ)}, odd class
 * {@code c K_Y}) lies in that span, and so does every kernel with the task's symmetries (sample
 * permutations within classes and label sign flips). A kernel with parallelism score 1 can still
 * leave it: PS only compares prototype differences, not how much kernel sits in other directions
 * (e.g. a symmetry-broken GELU minimum). 0 for K = 0.
 */
public final class LabelSpanResidual {
    private LabelSpanResidual() {
    }

    /** The relative residual of {@code k} (P×P) outside span{{@code ky}, 11ᵀ}. */
    public static double of(double[] k, double[] ky) {
        int n = k.length;
        double kk = 0, kyy = 0, ky1 = 0, k1 = 0, kky = 0;
        for (int i = 0; i < n; i++) {
            kk += k[i] * k[i];
            kyy += ky[i] * ky[i];
            ky1 += ky[i];
            k1 += k[i];
            kky += k[i] * ky[i];
        }
        if (kk == 0) return 0.0;
        double ones = n; // ⟨11ᵀ, 11ᵀ⟩ = P²
        // normal equations [[kyy, ky1], [ky1, ones]] (a, b) = (kky, k1)
        double det = kyy * ones - ky1 * ky1;
        double a, b;
        if (Math.abs(det) <= 1e-14 * kyy * ones) { // K_Y ∝ 11ᵀ: one direction
            a = 0;
            b = k1 / ones;
        } else {
            a = (kky * ones - ky1 * k1) / det;
            b = (kyy * k1 - ky1 * kky) / det;
        }
        double res = 0;
        for (int i = 0; i < n; i++) {
            double d = k[i] - a * ky[i] - b;
            res += d * d;
        }
        return Math.sqrt(Math.max(res, 0) / kk);
    }
}
