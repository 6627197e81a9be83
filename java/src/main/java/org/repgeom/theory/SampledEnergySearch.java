package org.repgeom.theory;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.repgeom.theory.NeuronEnergy.Minimum;

/**
 * Sampled search for low energy (method {@code "sampled: …"}), beyond the exact methods' limits:
 * random unit starts in col(K_X) refined by projected gradient steps on the sphere (fixed seed).
 * The value is an upper bound on min E: it can refute optimality, never prove it.
 */
final class SampledEnergySearch {

    /** Random starts. */
    static final int STARTS = 2000;
    /** Projected gradient steps per start. */
    static final int STEPS = 100;

    private SampledEnergySearch() {
    }

    /** @param mMatrix K_X⁻¹ is an M-matrix: then half the starts are nonnegative with random supports */
    static Minimum minimum(NeuronEnergy energy, DMatrixRMaj u, boolean mMatrix) {
        DMatrixRMaj kxPinv = energy.kxPinv();
        DMatrixRMaj g = energy.g();
        double lambda1 = energy.lambda1();
        double lambda2 = energy.lambda2();
        int p = kxPinv.numRows;
        int r = u.numCols;
        // step below 1/L of the gradient's Lipschitz constant on the sphere
        double lip = lambda1 * SymmetricEigen.of(kxPinv).values()[p - 1]
                + lambda2 * Math.abs(SymmetricEigen.of(g).values()[p - 1])
                + lambda2 * Math.abs(SymmetricEigen.of(g).values()[0]);
        double step = 0.5 / Math.max(lip, 1e-300);
        Random rnd = new Random(0x5eedL);
        double best = Double.POSITIVE_INFINITY;
        double[] bestH = null;
        double[] h = new double[p];
        double[] grad = new double[p];
        double[] coef = new double[r];
        for (int start = 0; start < STARTS; start++) {
            if (mMatrix && start % 2 == 0) { // r = p: nonnegative start with a random support
                for (int i = 0; i < p; i++) h[i] = rnd.nextBoolean() ? Math.abs(rnd.nextGaussian()) : 0.0;
            } else {
                for (int c = 0; c < r; c++) coef[c] = rnd.nextGaussian();
                for (int i = 0; i < p; i++) {
                    double x = 0;
                    for (int c = 0; c < r; c++) x += u.unsafe_get(i, c) * coef[c];
                    h[i] = x;
                }
            }
            QuadraticForms.normalize(h);
            for (int it = 0; it < STEPS; it++) {
                // ∇E = 2λ1 K_X⁺ h − 2λ2 D(h > 0) G h⁺, projected onto col(K_X), then back to the sphere
                for (int i = 0; i < p; i++) {
                    double a = 0, b = 0;
                    for (int j = 0; j < p; j++) {
                        a += kxPinv.unsafe_get(i, j) * h[j];
                        b += g.unsafe_get(i, j) * Math.max(0, h[j]);
                    }
                    grad[i] = 2 * lambda1 * a - (h[i] > 0 ? 2 * lambda2 * b : 0.0);
                }
                for (int c = 0; c < r; c++) {
                    double x = 0;
                    for (int i = 0; i < p; i++) x += u.unsafe_get(i, c) * grad[i];
                    coef[c] = x;
                }
                for (int i = 0; i < p; i++) {
                    double x = 0;
                    for (int c = 0; c < r; c++) x += u.unsafe_get(i, c) * coef[c];
                    h[i] -= step * x;
                }
                QuadraticForms.normalize(h);
            }
            double e = energy.at(h);
            if (e < best) {
                best = e;
                bestH = h.clone();
            }
        }
        return new Minimum(best, bestH, "sampled: " + STARTS + " starts × " + STEPS
                + " projected-gradient steps (upper bound on min E, not exact; P=" + p + ")", true);
    }
}
