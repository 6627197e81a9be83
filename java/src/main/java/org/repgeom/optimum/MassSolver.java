package org.repgeom.optimum;

/**
 * Re-optimises the masses of fixed neuron directions: {@code min_{m ≥ 0} λ1 Σ m_i + F(Σ m_i a_i a_iᵀ)},
 * a smooth convex problem, by projected Newton steps with an Armijo backtracking line search.
 * Gradient {@code λ1 − λ2 a_iᵀGa_i}; Hessian {@code 2λ2 (a_iᵀ S a_j)(a_iᵀ G a_j)}. Stops when the
 * projected gradient is below {@code tol·λ1} or after {@value #MAX_ITER} steps.
 */
final class MassSolver {
    static final int MAX_ITER = 200;

    private MassSolver() {
    }

    static double[] kernel(double[][] a, double[] m, int p) {
        double[] k = new double[p * p];
        for (int i = 0; i < a.length; i++) {
            if (m[i] == 0) continue;
            double[] ai = a[i];
            for (int x = 0; x < p; x++) {
                double v = m[i] * ai[x];
                if (v == 0) continue;
                for (int y = 0; y < p; y++) k[x * p + y] += v * ai[y];
            }
        }
        return k;
    }

    static double objective(OptimumProblem pr, double[] m, ReadoutState st) {
        double s = 0;
        for (double x : m) s += x;
        return pr.lambda1 * s + st.readoutLoss;
    }

    /** Optimal masses (in place) for unit-mass activations a_i; returns the final state. */
    static ReadoutState solve(OptimumProblem pr, double[][] a, double[] m, double tol) {
        int n = a.length, p = pr.p;
        ReadoutState st = new ReadoutState(pr, kernel(a, m, p));
        for (int iter = 0; iter < MAX_ITER; iter++) {
            double[] g = new double[n];
            double[][] za = new double[n][];
            double pg = 0;
            for (int i = 0; i < n; i++) {
                za[i] = st.zt(a[i]);
                double q = 0;
                for (double v : za[i]) q += v * v;
                g[i] = pr.lambda1 - pr.lambda2 * q;
                pg = Math.max(pg, m[i] > 0 ? Math.abs(g[i]) : Math.max(0, -g[i]));
            }
            if (pg <= tol * pr.lambda1) break;
            int[] free = new int[n];
            int nf = 0;
            for (int i = 0; i < n; i++) if (m[i] > 0 || g[i] < 0) free[nf++] = i;
            double[] sa = new double[nf * p];
            for (int u = 0; u < nf; u++) {
                double[] ai = a[free[u]];
                for (int x = 0; x < p; x++) {
                    double v = 0;
                    for (int y = 0; y < p; y++) v += st.s[x * p + y] * ai[y];
                    sa[u * p + x] = v;
                }
            }
            double[] h = new double[nf * nf];
            double trace = 0;
            for (int u = 0; u < nf; u++) {
                for (int w = u; w < nf; w++) {
                    double aSa = 0;
                    for (int x = 0; x < p; x++) aSa += a[free[w]][x] * sa[u * p + x];
                    double aGa = 0;
                    for (int c = 0; c < pr.dY; c++) aGa += za[free[u]][c] * za[free[w]][c];
                    double v = 2 * pr.lambda2 * aSa * aGa;
                    h[u * nf + w] = v;
                    h[w * nf + u] = v;
                }
                trace += h[u * nf + u];
            }
            double reg = 1e-13 * Math.max(trace / Math.max(nf, 1), 1e-300);
            double[] l = null;
            for (int tries = 0; tries < 8 && l == null; tries++, reg *= 100) {
                double[] hr = h.clone();
                for (int u = 0; u < nf; u++) hr[u * nf + u] += reg;
                l = Dense.cholesky(hr, nf);
            }
            double[] d = new double[nf];
            if (l != null) {
                for (int u = 0; u < nf; u++) d[u] = g[free[u]];
                Dense.forward(l, nf, d, 1);
                Dense.backward(l, nf, d, 1);
            } else {
                for (int u = 0; u < nf; u++) d[u] = g[free[u]] / Math.max(h[u * nf + u], 1e-300);
            }
            boolean accepted = false;
            // Newton first; where the projection stalls it (a zero mass the Newton step would push
            // negative although its own gradient asks for mass), a diagonally scaled gradient step
            for (int attempt = 0; attempt < 2 && !accepted; attempt++) {
                if (attempt == 1) {
                    for (int u = 0; u < nf; u++) d[u] = g[free[u]] / Math.max(h[u * nf + u], 1e-300);
                }
                double t = 1;
                for (int ls = 0; ls < 60; ls++, t *= 0.5) {
                    double[] trial = m.clone();
                    double dec = 0;
                    for (int u = 0; u < nf; u++) {
                        int i = free[u];
                        trial[i] = Math.max(0, m[i] - t * d[u]);
                        dec += g[i] * (m[i] - trial[i]);
                    }
                    if (dec <= 0) continue;
                    ReadoutState ts = new ReadoutState(pr, kernel(a, trial, p));
                    // the change of J from S' − S = −S' ΔK S, accurate to its own size (a difference of two
                    // evaluated losses is not, once it nears the rounding of J itself)
                    double delta = 0;
                    for (int i = 0; i < n; i++) {
                        double dm = trial[i] - m[i];
                        if (dm == 0) continue;
                        double[] zn = ts.zt(a[i]);
                        double cross = 0;
                        for (int c = 0; c < zn.length; c++) cross += zn[c] * za[i][c];
                        delta += dm * (pr.lambda1 - pr.lambda2 * cross);
                    }
                    if (delta <= -1e-4 * dec) {
                        System.arraycopy(trial, 0, m, 0, n);
                        st = ts;
                        accepted = true;
                        break;
                    }
                }
            }
            if (!accepted) break;
        }
        return st;
    }
}
