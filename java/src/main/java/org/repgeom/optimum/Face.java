package org.repgeom.optimum;

import java.util.Arrays;

/**
 * A face of the activation-pattern arrangement: the preactivations h ∈ col(K_X) that vanish on a
 * zero set Z, are positive on a set S+ and negative on the rest. On a face φ is linear,
 * {@code φ(h) = D h} with D = 1 on S+ and the negative slope elsewhere, so the single-neuron
 * problem there is a generalised eigenproblem. {@code basis} is a B-orthonormal basis
 * ({@code Nᵀ K_X⁺ N = I}) of {@code V_Z = col(K_X) ∩ {h_Z = 0}}: a neuron {@code h = N c} has mass
 * {@code ‖c‖²}. For φ linear there is one face with no sign constraints ({@code signFree}).
 */
final class Face {
    final boolean[] zero;
    final boolean[] plus;
    final double[] slope;   // D's diagonal (P)
    final double[] basis;   // P × q
    final int q;
    final boolean signFree;

    Face(boolean[] zero, boolean[] plus, double negativeSlope, double[] basis, int q, boolean signFree) {
        this.zero = zero;
        this.plus = plus;
        this.basis = basis;
        this.q = q;
        this.signFree = signFree;
        int p = zero.length;
        this.slope = new double[p];
        for (int i = 0; i < p; i++) slope[i] = zero[i] ? 0 : signFree || plus[i] ? 1 : negativeSlope;
    }

    /** h = N c. */
    double[] preactivation(double[] c) {
        int p = zero.length;
        double[] h = new double[p];
        for (int i = 0; i < p; i++) {
            double v = 0;
            for (int j = 0; j < q; j++) v += basis[i * q + j] * c[j];
            h[i] = v;
        }
        return h;
    }

    /** Whether h has this face's signs (strictly, up to a relative slack on the non-zero samples). */
    boolean matches(double[] h, double slack) {
        if (signFree) return true;
        double max = 0;
        for (double v : h) max = Math.max(max, Math.abs(v));
        if (max == 0) return false;
        for (int i = 0; i < h.length; i++) {
            if (zero[i]) continue;
            if (plus[i] ? h[i] < -slack * max : h[i] > slack * max) return false;
        }
        return true;
    }

    /** Largest t ≤ tMax keeping h + t·dh in this face's closed sign cone (the step cap of the polish). */
    double stepToBoundary(double[] h, double[] dh, double tMax) {
        if (signFree) return tMax;
        double t = tMax;
        for (int i = 0; i < h.length; i++) {
            if (zero[i]) continue;
            double hi = plus[i] ? h[i] : -h[i], di = plus[i] ? dh[i] : -dh[i];
            if (di < 0 && hi > 0) t = Math.min(t, hi / -di);
        }
        return t;
    }

    /** A key identifying the pattern (Z, S+). */
    String key() {
        StringBuilder sb = new StringBuilder(zero.length);
        for (int i = 0; i < zero.length; i++) sb.append(zero[i] ? '0' : signFree ? '*' : plus[i] ? '+' : '-');
        return sb.toString();
    }

    /**
     * B-orthonormal basis of {@code col(K_X) ∩ {h_Z = 0}} (P×q row-major; q in dimOut[0], 0 when
     * the subspace is {0}).
     */
    static double[] subspaceBasis(OptimumProblem pr, boolean[] zero, int[] dimOut) {
        int p = pr.p, r = pr.rank;
        int nz = 0;
        for (boolean z : zero) if (z) nz++;
        double[] n0;
        int q;
        if (nz == 0) {
            n0 = pr.colBasis.clone();
            q = r;
        } else {
            double[] uz = new double[nz * r];
            for (int i = 0, t = 0; i < p; i++) {
                if (!zero[i]) continue;
                System.arraycopy(pr.colBasis, i * r, uz, t * r, r);
                t++;
            }
            int[] d = new int[1];
            double[] ns = Dense.nullSpace(uz, nz, r, 1e-10, d);
            q = d[0];
            if (q == 0) {
                dimOut[0] = 0;
                return new double[0];
            }
            n0 = new double[p * q];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    double v = 0;
                    for (int c = 0; c < r; c++) v += pr.colBasis[i * r + c] * ns[c * q + j];
                    n0[i * q + j] = zero[i] ? 0 : v;
                }
            }
        }
        dimOut[0] = q;
        return bOrthonormalize(pr, n0, q);
    }

    /** N0 L⁻ᵀ with {@code N0ᵀ B N0 = L Lᵀ}. */
    static double[] bOrthonormalize(OptimumProblem pr, double[] n0, int q) {
        int p = pr.p;
        double[] bn = new double[p * q];
        for (int i = 0; i < p; i++) {
            for (int k = 0; k < p; k++) {
                double b = pr.bPinv[i * p + k];
                if (b == 0) continue;
                for (int j = 0; j < q; j++) bn[i * q + j] += b * n0[k * q + j];
            }
        }
        double[] gram = new double[q * q];
        for (int a = 0; a < q; a++) {
            for (int b = 0; b < q; b++) {
                double v = 0;
                for (int i = 0; i < p; i++) v += n0[i * q + a] * bn[i * q + b];
                gram[a * q + b] = v;
            }
        }
        for (int a = 0; a < q; a++) {
            for (int b = a + 1; b < q; b++) {
                double v = 0.5 * (gram[a * q + b] + gram[b * q + a]);
                gram[a * q + b] = v;
                gram[b * q + a] = v;
            }
        }
        double[] l = Dense.cholesky(gram, q);
        if (l == null) throw new IllegalStateException("face basis is not positive definite in K_X⁺");
        // N = N0 L⁻ᵀ: row i of N solves L (row i)ᵀ = (row i of N0)ᵀ
        double[] n = new double[p * q];
        double[] row = new double[q];
        for (int i = 0; i < p; i++) {
            System.arraycopy(n0, i * q, row, 0, q);
            Dense.forward(l, q, row, 1);
            System.arraycopy(row, 0, n, i * q, q);
        }
        return n;
    }

    @Override
    public String toString() {
        return key();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Face f && Arrays.equals(zero, f.zero) && Arrays.equals(plus, f.plus) && signFree == f.signFree;
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }
}
