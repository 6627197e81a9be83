package org.repgeom.optimum;

import java.util.List;

/**
 * Exact ReLU oracle when {@code B = K_X⁻¹} has non-positive off-diagonals (whitened inputs). For
 * h = u − w (u, w ≥ 0, disjoint supports) {@code hᵀBh ≥ uᵀBu} while φ(h) = u, so the best
 * neuron is nonnegative; on its support S it is a top generalised eigenvector of
 * {@code (G_SS, B_SS)}. All {@code 2^P − 1} supports are enumerated.
 */
final class SupportOracle implements AtomOracle {
    /** Largest P enumerated. */
    static final int MAX_P = 20;
    private final OptimumProblem pr;

    SupportOracle(OptimumProblem pr) {
        if (pr.p > MAX_P) throw new IllegalArgumentException("P > " + MAX_P);
        this.pr = pr;
    }

    /** The face of support S, with the B-orthonormal basis {@code E_S L⁻ᵀ}, {@code B_SS = LLᵀ}. */
    static Face supportFace(OptimumProblem pr, boolean[] support) {
        int p = pr.p;
        int s = 0;
        for (boolean b : support) if (b) s++;
        double[] n0 = new double[p * s];
        for (int i = 0, c = 0; i < p; i++) if (support[i]) n0[i * s + c++] = 1;
        boolean[] zero = new boolean[p];
        for (int i = 0; i < p; i++) zero[i] = !support[i];
        return new Face(zero, support.clone(), pr.negativeSlope, Face.bOrthonormalize(pr, n0, s), s, false);
    }

    @Override
    public Search search(ReadoutState st, List<Candidate> warm, int limit, double ceiling) {
        int p = pr.p, dY = pr.dY;
        long total = 1L << p;
        int chunks = (int) Math.max(1, Math.min(256, total / 512));
        return CandidateSink.gather(chunks, limit, ceiling, (sink, ch) -> {
            int[] idx = new int[p];
            double[] bs = new double[p * p], zs = new double[p * dY], t = new double[dY * dY], v = new double[dY];
            for (long mask = 1 + ch; mask < total; mask += chunks) {
                int s = 0;
                for (int i = 0; i < p; i++) if ((mask >>> i & 1) != 0) idx[s++] = i;
                for (int a = 0; a < s; a++) {
                    for (int b = 0; b < s; b++) bs[a * s + b] = pr.bPinv[idx[a] * p + idx[b]];
                    for (int c = 0; c < dY; c++) zs[a * dY + c] = st.z[idx[a] * dY + c];
                }
                double[] l = Dense.cholesky(java.util.Arrays.copyOf(bs, s * s), s);
                if (l == null) continue;
                Dense.forward(l, s, zs, dY); // M = L⁻¹ Z_S (s×dY)
                for (int a = 0; a < dY; a++) {
                    for (int b = a; b < dY; b++) {
                        double x = 0;
                        for (int j = 0; j < s; j++) x += zs[j * dY + a] * zs[j * dY + b];
                        t[a * dY + b] = x;
                        t[b * dY + a] = x;
                    }
                }
                double mu = Dense.topEigen(java.util.Arrays.copyOf(t, dY * dY), dY, v);
                double energy = 1 - pr.lambda2 / pr.lambda1 * mu;
                if (!sink.wants(energy)) continue;
                // w = M v / ‖M v‖, h_S = L⁻ᵀ w must be one-signed
                double[] w = new double[s];
                double norm = 0;
                for (int j = 0; j < s; j++) {
                    double x = 0;
                    for (int c = 0; c < dY; c++) x += zs[j * dY + c] * v[c];
                    w[j] = x;
                    norm += x * x;
                }
                if (!(norm > 0)) continue;
                double[] hs = w.clone();
                Dense.backward(l, s, hs, 1);
                double sum = 0, max = 0;
                for (double x : hs) {
                    sum += x;
                    max = Math.max(max, Math.abs(x));
                }
                double sign = sum >= 0 ? 1 : -1;
                boolean ok = true;
                for (double x : hs) if (sign * x <= 1e-9 * max) ok = false;
                if (!ok) continue;
                boolean[] support = new boolean[p];
                for (int a = 0; a < s; a++) support[idx[a]] = true;
                Face f = supportFace(pr, support);
                // coefficients of h in the face basis: the face basis is E_S L⁻ᵀ with the same L, so c = ±w/‖w‖
                double[] c = new double[s];
                for (int j = 0; j < s; j++) c[j] = sign * w[j] / Math.sqrt(norm);
                double[] a = f.preactivation(c);
                for (int i = 0; i < p; i++) a[i] = Math.max(0, a[i]);
                sink.offer(new Candidate(f, c, st.energy(a)));
            }
        }).result(true, method(), Double.POSITIVE_INFINITY);
    }

    @Override
    public boolean exact() {
        return true;
    }

    @Override
    public String method() {
        return "exact: 2^" + pr.p + " supports (K_X⁻¹ off-diagonals ≤ 0)";
    }
}
