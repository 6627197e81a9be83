package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Exact ReLU / leaky-ReLU oracle for inputs whose arrangement has too many faces to list: the
 * zero sets Z with {@code V_Z = col(K_X) ∩ {h_Z = 0} ≠ {0}} are listed once (as masks), and on each
 * every sign pattern σ of the free samples is swept in Gray-code order without building a face.
 * Consecutive patterns differ in one sample, so the face's dY-column matrix {@code M = Nᵀ D_σ Z}
 * changes by one outer product; {@code T = MᵀM} gives the face's top eigenvalue. A Cholesky test of
 * {@code κ I − T} discards a pattern whose eigenvalue cannot reach the current threshold; the rest
 * get their top eigenvector, kept when it has the pattern's signs (unrealisable patterns only ever
 * yield real neurons on the boundary, so sweeping all 2^f patterns is safe). As in
 * {@link FaceOracle} the global minimiser is a top eigenvector in the relative interior of its
 * face, so the sweep is exact; a face whose top eigenvalue is repeated and whose computed
 * eigenvector leaves it contributes its eigenvalue bound to the reported minimum.
 * About 3^P patterns for full-rank input: used up to {@value #MAX_P} samples.
 */
final class FaceSweep implements AtomOracle {
    static final int MAX_P = 18;
    private static final double SIGN_SLACK = 1e-9;
    /**
     * Power steps of the cone test from the last eigenvector: a smaller residual decides more patterns
     * without an eigenvector. Measured at a near-optimal P = 16 state (patterns given an eigenvector,
     * of 30.2 M / 35.4 M past the eigenvalue test): dY = 4 4.1 M with 2 steps, 2.2 M with 4, 1.0 M with
     * 8; dY = 8 9.0 M, 5.2 M, 2.6 M; the sweep 1.3× and 1.6× faster with 8 steps than with 2.
     */
    private static final int POWER_STEPS = 8;
    /** Flips between recomputations of M from scratch (bounds the drift of the rank-one updates). */
    private static final int REFRESH = 512;

    private final OptimumProblem pr;
    private final long[] zeroSets;
    private final long patterns;
    private final boolean coneTest;
    /** Of the last search's patterns: passed the eigenvalue test, rejected by the cone test, given an eigenvector. */
    private volatile long[] lastCounts = new long[3];

    FaceSweep(OptimumProblem pr) {
        this(pr, true);
    }

    /** @param coneTest whether {@link Worker#outsideCone} may skip eigenvectors (off only to test it) */
    FaceSweep(OptimumProblem pr, boolean coneTest) {
        this.coneTest = coneTest;
        if (pr.p > MAX_P) throw new IllegalArgumentException("P > " + MAX_P);
        if (pr.negativeSlope == 1.0) throw new IllegalArgumentException("linear φ has one face");
        this.pr = pr;
        List<Long> sets = new ArrayList<>();
        walk(new boolean[pr.p], 0, sets);
        this.zeroSets = sets.stream().mapToLong(Long::longValue).toArray();
        long n = 0;
        for (long z : zeroSets) n += 1L << (pr.p - Long.bitCount(z));
        this.patterns = n;
    }

    /**
     * Of the last search's patterns: how many passed the eigenvalue test, how many of those the cone
     * test rejected, and how many got an eigenvector.
     */
    long[] lastCounts() {
        return lastCounts.clone();
    }

    /** Sign patterns swept per search. */
    long patterns() {
        return patterns;
    }

    /** Canonical zero sets: V_Z ≠ {0} and no free sample vanishes on all of V_Z. */
    private void walk(boolean[] zero, int next, List<Long> out) {
        int[] d = new int[1];
        double[] n = Face.subspaceBasis(pr, zero, d);
        if (d[0] == 0) return;
        if (canonical(zero, n, d[0])) {
            long m = 0;
            for (int i = 0; i < pr.p; i++) if (zero[i]) m |= 1L << i;
            out.add(m);
        }
        for (int i = next; i < pr.p; i++) {
            zero[i] = true;
            walk(zero, i + 1, out);
            zero[i] = false;
        }
    }

    private boolean canonical(boolean[] zero, double[] n, int q) {
        double max = 0;
        for (double v : n) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < pr.p; i++) {
            if (zero[i]) continue;
            double r = 0;
            for (int j = 0; j < q; j++) r += n[i * q + j] * n[i * q + j];
            if (Math.sqrt(r) <= 1e-9 * max) return false;
        }
        return true;
    }

    @Override
    public Search search(ReadoutState st, List<Candidate> warm, int limit, double ceiling) {
        AtomicInteger next = new AtomicInteger();
        int workers = Math.max(1, Math.min(zeroSets.length, Runtime.getRuntime().availableProcessors()));
        List<Worker> done = IntStream.range(0, workers).parallel().mapToObj(w -> {
            Worker wk = new Worker(st, new CandidateSink(limit, ceiling));
            for (int i; (i = next.getAndIncrement()) < zeroSets.length; ) wk.sweep(zeroSets[i]);
            return wk;
        }).toList();
        CandidateSink all = new CandidateSink(limit, ceiling);
        double floor = Double.POSITIVE_INFINITY;
        long[] counts = new long[3];
        for (Worker w : done) {
            all.addAll(w.sink);
            floor = Math.min(floor, w.floor);
            for (int i = 0; i < 3; i++) counts[i] += w.counts[i];
        }
        lastCounts = counts;
        return all.result(true, method(), floor);
    }

    private final class Worker {
        final ReadoutState st;
        final CandidateSink sink;
        final long[] counts = new long[3];
        double floor = Double.POSITIVE_INFINITY;
        final int p = pr.p, dY = pr.dY;
        final double[] m = new double[p * dY];
        final double[] t = new double[dY * dY];
        final double[] chol = new double[dY * dY];
        final double[] v = new double[dY];
        final double[] second = new double[1];
        final double[] h = new double[p];
        final double[] basis = new double[dY * dY], tq = new double[dY * dY], rot = new double[dY * dY];
        boolean basisValid;
        /** The last computed top eigenvector (a warm start for {@link #outsideCone}), and whether there is one. */
        final double[] vWarm = new double[dY], tv = new double[dY], cw = new double[p], comp = new double[dY * dY];
        boolean warm;

        Worker(ReadoutState st, CandidateSink sink) {
            this.st = st;
            this.sink = sink;
        }

        void sweep(long zmask) {
            boolean[] zero = new boolean[p];
            for (int i = 0; i < p; i++) zero[i] = (zmask >>> i & 1) != 0;
            int[] d = new int[1];
            double[] n = Face.subspaceBasis(pr, zero, d);
            int q = d[0];
            int[] free = IntStream.range(0, p).filter(i -> !zero[i]).toArray();
            int f = free.length;
            double eps = pr.negativeSlope, jump = 1 - eps;
            double ratio = pr.lambda2 / pr.lambda1;
            double[] rowNorm = new double[p];
            for (int i = 0; i < p; i++) {
                double r = 0;
                for (int j = 0; j < q; j++) r += n[i * q + j] * n[i * q + j];
                rowNorm[i] = Math.sqrt(r);
            }
            double maxRow = 0; // bounds |h_j| / ‖M v‖ over the free samples
            for (int a = 0; a < f; a++) maxRow = Math.max(maxRow, rowNorm[free[a]]);
            long sigma = 0; // bit a set: free[a] is positive
            for (long g = 0; g < (1L << f); g++) {
                if (g > 0) sigma ^= 1L << Long.numberOfTrailingZeros(g);
                if (g % REFRESH == 0) {
                    basisValid = false;
                    warm = false;
                    java.util.Arrays.fill(m, 0, q * dY, 0);
                    for (int a = 0; a < f; a++) addRow(n, q, free[a], (sigma >>> a & 1) != 0 ? 1 : eps);
                } else {
                    int a = Long.numberOfTrailingZeros(g);
                    addRow(n, q, free[a], (sigma >>> a & 1) != 0 ? jump : -jump);
                }
                for (int x = 0; x < dY; x++) {
                    for (int y = x; y < dY; y++) {
                        double s = 0;
                        for (int j = 0; j < q; j++) s += m[j * dY + x] * m[j * dY + y];
                        t[x * dY + y] = s;
                        t[y * dY + x] = s;
                    }
                }
                double thr = sink.threshold();
                if (!(thr < 1)) thr = Double.POSITIVE_INFINITY;
                // energy ≥ thr for every unit vector ⇔ μ ≤ κ = (1 − thr)/ratio: skip when κI − T is positive definite
                if (Double.isFinite(thr) && belowAll(t, (1 - thr) / ratio)) continue;
                counts[0]++;
                if (coneTest && warm && outsideCone(n, q, free, sigma, rowNorm, maxRow)) {
                    counts[1]++;
                    continue;
                }
                counts[2]++;
                double mu = topEigen();
                System.arraycopy(v, 0, vWarm, 0, dY);
                warm = true;
                double bound = 1 - ratio * mu;
                if (!sink.wants(bound)) continue;
                double norm = 0;
                double[] c = new double[q];
                for (int j = 0; j < q; j++) {
                    double s = 0;
                    for (int k = 0; k < dY; k++) s += m[j * dY + k] * v[k];
                    c[j] = s;
                    norm += s * s;
                }
                if (!(norm > 0)) continue;
                for (int i = 0; i < p; i++) {
                    double s = 0;
                    for (int j = 0; j < q; j++) s += n[i * q + j] * c[j];
                    h[i] = s;
                }
                int side = inside(h, free, sigma);
                if (side == 0) {
                    if (second[0] >= mu * (1 - 1e-9)) floor = Math.min(floor, bound);
                    continue;
                }
                norm = side / Math.sqrt(norm);
                for (int j = 0; j < q; j++) c[j] *= norm;
                for (int i = 0; i < p; i++) h[i] *= norm; // unit mass, with the face's signs
                boolean[] plus = new boolean[p];
                for (int a = 0; a < f; a++) plus[free[a]] = (sigma >>> a & 1) != 0;
                double[] act = new double[p];
                for (int i = 0; i < p; i++) act[i] = zero[i] ? 0 : pr.phi(h[i]);
                double e = st.energy(act);
                floor = Math.min(floor, Math.min(e, bound));
                sink.offer(new Candidate(new Face(zero.clone(), plus, eps, n, q, false), c, e));
            }
        }

        /**
         * Top eigenpair of T (into v, the second eigenvalue into second[0]) by cyclic Jacobi started
         * from the previous pattern's eigenbasis: consecutive patterns differ by one sample, so T in
         * that basis is nearly diagonal and one or two sweeps converge (to the same tolerance as
         * {@link Dense#topEigen}). The basis restarts from I with every refresh of M (so a zero set's result does not depend on
         * the worker that swept it).
         */
        private double topEigen() {
            int n = dY;
            if (n == 1) {
                v[0] = 1;
                second[0] = Double.NEGATIVE_INFINITY;
                return t[0];
            }
            if (!basisValid) {
                java.util.Arrays.fill(basis, 0);
                for (int i = 0; i < n; i++) basis[i * n + i] = 1;
                basisValid = true;
            }
            // A = Qᵀ T Q
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) s += t[i * n + j] * basis[j * n + k];
                    tq[i * n + k] = s;
                }
            }
            for (int i = 0; i < n; i++) {
                for (int k = i; k < n; k++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) s += basis[j * n + i] * tq[j * n + k];
                    rot[i * n + k] = s;
                    rot[k * n + i] = s;
                }
            }
            return Dense.jacobiTop(rot, basis, n, v, second);
        }

        /**
         * Whether the face's top eigenvector provably leaves the face's sign cone, decided without
         * computing it: {@value #POWER_STEPS} power steps from the last computed eigenvector give v' with Rayleigh
         * quotient ρ and residual δ = ‖Tv' − ρv'‖. The second eigenvalue is at most ν, the Frobenius
         * norm of T compressed to v'⊥ (interlacing; where that is too loose, tr(C⁴)^¼ of the compression C), so when ρ > ν the top eigenvalue is simple and the
         * eigenvector v (signed towards v') has ‖v − v'‖ ≤ √2·δ/(ρ − ν) (the sin θ theorem). Each
         * preactivation h_j = (N M v)_j is then within ‖N_j‖·‖M‖·‖v − v'‖ of the one v' gives, with
         * ‖M‖² ≤ ‖T‖_F. The face is skipped only when both h and −h violate a sign by more than that
         * margin plus the acceptance slack; otherwise the eigenvector is computed. Most patterns are
         * rejected here: the eigenvalue test ignores the signs, and few eigenvectors keep them.
         */
        private boolean outsideCone(double[] n, int q, int[] free, long sigma, double[] rowNorm, double maxRow) {
            int d = dY;
            double[] x = vWarm;
            for (int step = 0; step < POWER_STEPS; step++) {
                double nn = 0;
                for (int a = 0; a < d; a++) {
                    double s = 0;
                    for (int b = 0; b < d; b++) s += t[a * d + b] * x[b];
                    tv[a] = s;
                    nn += s * s;
                }
                if (!(nn > 0)) return false;
                nn = 1 / Math.sqrt(nn);
                for (int a = 0; a < d; a++) x[a] = tv[a] * nn;
            }
            double rho = 0, tv2 = 0, tf2 = 0;
            for (int a = 0; a < d; a++) {
                double s = 0;
                for (int b = 0; b < d; b++) {
                    s += t[a * d + b] * x[b];
                    tf2 += t[a * d + b] * t[a * d + b];
                }
                tv[a] = s;
                rho += x[a] * s;
                tv2 += s * s;
            }
            double res2 = Math.max(0, tv2 - rho * rho); // ‖Tv' − ρv'‖² for unit v'
            double frobenius = Math.sqrt(Math.max(0, tf2 - 2 * tv2 + rho * rho));
            double dist = distanceBound(rho, frobenius, res2, tf2);
            // the Frobenius norm counts every other eigenvalue (loose for large dY): tr(C⁴)^¼ ≥ λ_max(C) is tighter
            if (dist > 0.5) dist = distanceBound(rho, compressedFourthRoot(x, rho), res2, tf2);
            if (dist > 0.5) return false;
            double mNorm = Math.sqrt(Math.sqrt(tf2));
            for (int j = 0; j < q; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += m[j * d + k] * x[k];
                cw[j] = s;
            }
            double slack = 2 * SIGN_SLACK * maxRow * mNorm;
            boolean plusBad = false, minusBad = false;
            for (int a = 0; a < free.length; a++) {
                int i = free[a];
                double h = 0;
                for (int j = 0; j < q; j++) h += n[i * q + j] * cw[j];
                double err = rowNorm[i] * mNorm * dist + slack;
                boolean positive = (sigma >>> a & 1) != 0;
                if (positive ? h < -err : h > err) plusBad = true;   // h leaves the cone here
                if (positive ? h > err : h < -err) minusBad = true;  // so does −h
                if (plusBad && minusBad) return true;
            }
            return false;
        }

        /**
         * ‖v − v'‖ ≤ √2·δ/(ρ − ν) for the top eigenvector v when ν bounds the second eigenvalue (with
         * a margin for rounding); +∞ when ρ − ν leaves no gap.
         */
        private double distanceBound(double rho, double nu, double res2, double tf2) {
            double gap = rho - nu;
            if (!(gap > 1e-9 * rho)) return Double.POSITIVE_INFINITY;
            return 1.001 * Math.sqrt(2) * (Math.sqrt(res2) + 1e-13 * Math.sqrt(tf2)) / gap;
        }

        /**
         * tr(C⁴)^¼ for C = T compressed to x⊥ (x a unit vector with Rayleigh quotient ρ and Tx in
         * {@code tv}): an upper bound on C's largest eigenvalue, hence on T's second.
         */
        private double compressedFourthRoot(double[] x, double rho) {
            int d = dY;
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    comp[a * d + b] = t[a * d + b] - tv[a] * x[b] - x[a] * tv[b] + rho * x[a] * x[b];
                }
            }
            double f4 = 0;
            for (int a = 0; a < d; a++) {
                for (int b = a; b < d; b++) {
                    double s = 0;
                    for (int k = 0; k < d; k++) s += comp[a * d + k] * comp[k * d + b];
                    f4 += (a == b ? 1 : 2) * s * s;
                }
            }
            return Math.sqrt(Math.sqrt(f4));
        }

        /** M += w · n_iᵀ z_iᵀ. */
        private void addRow(double[] n, int q, int i, double w) {
            for (int j = 0; j < q; j++) {
                double nij = n[i * q + j] * w;
                if (nij == 0) continue;
                for (int k = 0; k < dY; k++) m[j * dY + k] += nij * st.z[i * dY + k];
            }
        }

        /** Whether κI − T is positive definite (Cholesky in place on a copy). */
        private boolean belowAll(double[] tm, double kappa) {
            int n = dY;
            for (int x = 0; x < n; x++) {
                for (int y = 0; y <= x; y++) {
                    double s = (x == y ? kappa : 0) - tm[x * n + y];
                    for (int k = 0; k < y; k++) s -= chol[x * n + k] * chol[y * n + k];
                    if (x == y) {
                        if (!(s > 0)) return false;
                        chol[x * n + x] = Math.sqrt(s);
                    } else {
                        chol[x * n + y] = s / chol[y * n + y];
                    }
                }
            }
            return true;
        }
    }

    /** 1 or −1 when h or −h has the signs σ on the free samples (up to the slack), else 0. */
    private static int inside(double[] h, int[] free, long sigma) {
        double max = 0;
        for (double x : h) max = Math.max(max, Math.abs(x));
        if (max == 0) return 0;
        double tol = SIGN_SLACK * max;
        boolean pos = true, neg = true;
        for (int a = 0; a < free.length && (pos || neg); a++) {
            double x = h[free[a]];
            if ((sigma >>> a & 1) != 0) {
                pos &= x >= -tol;
                neg &= x <= tol;
            } else {
                pos &= x <= tol;
                neg &= x >= -tol;
            }
        }
        return pos ? 1 : neg ? -1 : 0;
    }

    @Override
    public boolean exact() {
        return true;
    }

    @Override
    public String method() {
        return "exact: sweep of " + patterns + " sign patterns over " + zeroSets.length + " zero sets (rank " + pr.rank + ")";
    }
}
