package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The set of optimal kernels, which is convex: every optimal network has the same dual matrix
 * G* (F is strictly convex along any segment that changes {@code S Yᵀ}), so an optimal kernel is
 * exactly a nonnegative combination {@code K = Σ m_i a_i a_iᵀ} of zero-energy neurons a_i with
 * {@code K S* Yᵀ = Yᵀ − λ2 S* Yᵀ} (then F, tr(G*K) and the loss are those of the optimum). Over
 * the zero-energy neurons the oracle finds this is a linear program in m: its vertices give the
 * narrowest optimal networks, and maximising and minimising a few random linear functionals
 * {@code tr(C K)} over it gives extreme optimal kernels whose largest pairwise distance is the
 * reported diameter (a lower estimate of the true one, exact when the set is a point).
 */
final class OptimalFace {
    private final OptimumProblem pr;
    private final double[][] acts; // unit-mass activations of the candidate neurons
    private final double[] a;      // compressed constraint matrix r × n
    private final double[] b;
    private final int rows;
    final List<Candidate> candidates;
    private final double optimalLoss;

    OptimalFace(OptimumProblem pr, ReadoutState st, List<Candidate> candidates, double optimalLoss) {
        this.pr = pr;
        this.optimalLoss = optimalLoss;
        this.candidates = candidates;
        int p = pr.p, dY = pr.dY, n = candidates.size();
        acts = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] h = candidates.get(i).preactivation();
            Face f = candidates.get(i).face();
            for (int s = 0; s < p; s++) h[s] = f.zero[s] ? 0 : pr.phi(h[s]);
            acts[i] = h;
        }
        int full = p * dY;
        double[] af = new double[full * n];
        for (int i = 0; i < n; i++) {
            double[] za = st.zt(acts[i]);
            for (int s = 0; s < p; s++) for (int c = 0; c < dY; c++) af[(s * dY + c) * n + i] = acts[i][s] * za[c];
        }
        double[] bf = new double[full];
        for (int s = 0; s < p; s++) for (int c = 0; c < dY; c++) bf[s * dY + c] = pr.y[c * p + s] - pr.lambda2 * st.z[s * dY + c];
        // compress the equalities onto an orthonormal basis of the column space of A (redundant rows removed)
        double[] at = new double[n * full];
        for (int r = 0; r < full; r++) for (int i = 0; i < n; i++) at[i * full + r] = af[r * n + i];
        int[] d = new int[1];
        double[] nullAt = Dense.nullSpace(at, n, full, 1e-10, d); // full × d: left null space of A
        int[] d2 = new int[1];
        double[] nt = new double[d[0] * full];
        for (int r = 0; r < full; r++) for (int j = 0; j < d[0]; j++) nt[j * full + r] = nullAt[r * d[0] + j];
        double[] range = Dense.nullSpace(nt, d[0], full, 1e-10, d2); // full × rank
        rows = d2[0];
        a = new double[rows * n];
        b = new double[rows];
        for (int j = 0; j < rows; j++) {
            for (int r = 0; r < full; r++) {
                double u = range[r * rows + j];
                if (u == 0) continue;
                for (int i = 0; i < n; i++) a[j * n + i] += u * af[r * n + i];
                b[j] += u * bf[r];
            }
        }
    }

    double[] kernel(double[] m) {
        return MassSolver.kernel(acts, m, pr.p);
    }

    /** Masses maximising tr(C K) over the optimal face (C symmetric P×P), or null if the LP is infeasible. */
    double[] extreme(double[] cMat) {
        int n = acts.length, p = pr.p;
        double[] c = new double[n];
        for (int i = 0; i < n; i++) c[i] = Dense.quad(cMat, acts[i], p);
        return Simplex.maximize(a, rows, n, b, c, 1e-7);
    }

    /** Extreme optimal kernels for ±`functionals` random symmetric functionals (fixed seed); each entry masses. */
    List<double[]> extremes(int functionals, long seed) {
        int p = pr.p;
        Random rnd = new Random(seed);
        List<double[]> out = new ArrayList<>();
        for (int f = 0; f < functionals; f++) {
            double[] c = new double[p * p];
            for (int i = 0; i < p; i++) {
                for (int j = i; j < p; j++) {
                    double v = rnd.nextGaussian();
                    c[i * p + j] = v;
                    c[j * p + i] = v;
                }
            }
            for (double sign : new double[] {1, -1}) {
                double[] cs = c.clone();
                for (int i = 0; i < cs.length; i++) cs[i] *= sign;
                double[] m = extreme(cs);
                if (m != null && optimal(polish(m))) out.add(m);
            }
        }
        return out;
    }

    /**
     * Sparse optimal masses by reweighted ℓ1 over the optimal face: minimise {@code Σ w_i m_i} with
     * {@code w_i = 1/(m_i + δ)} from the previous solution, a few times, starting from
     * {@code start} (e.g. the solver's own masses, which favours keeping its heavy neurons). Each
     * solution is an LP vertex, so at most as many neurons as independent constraints
     * (Carathéodory); the reweighting pushes towards the fewest. Only optimal vertices are returned.
     */
    List<double[]> sparse(double[] start, int rounds) {
        int n = acts.length;
        List<double[]> out = new ArrayList<>();
        double[] prev = start.clone();
        for (int r = 0; r < rounds; r++) {
            double max = 0;
            for (double v : prev) max = Math.max(max, v);
            double delta = 1e-3 * Math.max(max, 1e-300);
            double[] c = new double[n];
            for (int i = 0; i < n; i++) c[i] = -1 / (Math.max(prev[i], 0) + delta);
            double[] m = Simplex.maximize(a, rows, n, b, c, 1e-7);
            if (m == null) break;
            if (optimal(polish(m))) out.add(m);
            prev = m;
        }
        return out;
    }

    /** Relative loss excess up to which a polished LP vertex counts as optimal. */
    static final double LOSS_TOL = 1e-11;

    /**
     * Removes the LP's rounding: re-optimises the masses of the vertex's own neurons (in place),
     * which keeps it on the optimal face if it was there.
     */
    private double[] polish(double[] m) {
        int n = m.length;
        int s = 0;
        for (double v : m) if (v > 0) s++;
        double[][] sub = new double[s][];
        double[] ms = new double[s];
        for (int i = 0, t = 0; i < n; i++) {
            if (m[i] > 0) {
                sub[t] = acts[i];
                ms[t++] = m[i];
            }
        }
        MassSolver.solve(pr, sub, ms, 1e-14);
        for (int i = 0, t = 0; i < n; i++) if (m[i] > 0) m[i] = ms[t++];
        return m;
    }

    /** Guard against rounding in the LP and near-zero-energy neurons: the masses must give the optimal loss. */
    private boolean optimal(double[] m) {
        double mass = 0;
        for (double v : m) mass += v;
        double loss = pr.lambda1 * mass + new ReadoutState(pr, kernel(m)).readoutLoss;
        return loss <= optimalLoss * (1 + LOSS_TOL);
    }

    double[][] activations() {
        return acts;
    }
}
