package org.repgeom.optimum;

/**
 * The best readout for a representation kernel K and what it implies: {@code S = (K + λ2 I)⁻¹},
 * {@code Z = S Yᵀ} (P×dY), the readout part of the loss {@code F(K) = λ2 tr(Y S Yᵀ)} and the
 * dual matrix {@code G = S K_Y S = Z Zᵀ} (rank ≤ dY, never formed). A unit-mass neuron with
 * activations a has energy {@code λ1 − λ2 ‖Zᵀa‖²}; its mass lowers the loss iff that is negative.
 */
final class ReadoutState {
    final double[] k;
    final double[] s;
    final double[] z;
    final double readoutLoss;
    private final OptimumProblem pr;

    ReadoutState(OptimumProblem pr, double[] k) {
        this.pr = pr;
        int p = pr.p, dY = pr.dY;
        this.k = k;
        double[] shifted = k.clone();
        for (int i = 0; i < p; i++) shifted[i * p + i] += pr.lambda2;
        double[] l = Dense.cholesky(shifted, p);
        if (l == null) throw new IllegalStateException("K + λ2 I is not positive definite");
        // S = L⁻ᵀ L⁻¹
        double[] inv = new double[p * p];
        for (int i = 0; i < p; i++) inv[i * p + i] = 1;
        Dense.forward(l, p, inv, p);
        Dense.backward(l, p, inv, p);
        this.s = inv;
        this.z = new double[p * dY];
        double f = 0;
        for (int a = 0; a < p; a++) {
            for (int c = 0; c < dY; c++) {
                double v = 0;
                for (int b = 0; b < p; b++) v += s[a * p + b] * pr.y[c * p + b];
                z[a * dY + c] = v;
                f += pr.y[c * p + a] * v;
            }
        }
        this.readoutLoss = pr.lambda2 * f;
    }

    /** {@code ‖Zᵀa‖²} = aᵀ G a. */
    double gQuad(double[] a) {
        int p = pr.p, dY = pr.dY;
        double s2 = 0;
        for (int c = 0; c < dY; c++) {
            double v = 0;
            for (int i = 0; i < p; i++) v += z[i * dY + c] * a[i];
            s2 += v * v;
        }
        return s2;
    }

    /** {@code Zᵀa} (dY). */
    double[] zt(double[] a) {
        int p = pr.p, dY = pr.dY;
        double[] out = new double[dY];
        for (int c = 0; c < dY; c++) {
            double v = 0;
            for (int i = 0; i < p; i++) v += z[i * dY + c] * a[i];
            out[c] = v;
        }
        return out;
    }

    /** Energy of a unit-mass neuron with activations a, in units of λ1: {@code 1 − (λ2/λ1) aᵀGa}. */
    double energy(double[] a) {
        return 1 - pr.lambda2 / pr.lambda1 * gQuad(a);
    }

    /** {@code tr(G K)}. */
    double traceGK() {
        int p = pr.p, dY = pr.dY;
        double t = 0;
        double[] kz = new double[dY];
        for (int a = 0; a < p; a++) {
            java.util.Arrays.fill(kz, 0);
            for (int b = 0; b < p; b++) {
                double kab = k[a * p + b];
                if (kab == 0) continue;
                for (int c = 0; c < dY; c++) kz[c] += kab * z[b * dY + c];
            }
            for (int c = 0; c < dY; c++) t += z[a * dY + c] * kz[c];
        }
        return t;
    }

    /**
     * The dual bound without the energy term: {@code D = F(K) + λ2 tr(G K)}. For every network,
     * {@code L ≥ D + Σ_i m_i λ1 e_i} (convexity of F), e_i the energies of its neurons.
     */
    double dualValue() {
        return readoutLoss + pr.lambda2 * traceGK();
    }
}
