package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Local search for negative-energy neurons where exact enumeration is out of reach: from many
 * starts (the current neurons, ±each target row and its positive part, random directions in
 * col(K_X)) it alternates between reading off a face from the current neuron's signs (entries
 * below {@value #ZERO_FRACTION} of the largest count as zero) and jumping to that face's top
 * generalised eigenvector, then lets samples whose energy gradient asks for it leave the zero
 * set, until no step lowers the energy. Its minimum is an upper bound: a negative value refutes
 * optimality, a non-negative one proves nothing.
 */
final class SampledOracle implements AtomOracle {
    static final double ZERO_FRACTION = 1e-7;
    private final OptimumProblem pr;
    private final boolean mMatrixRelu;
    private final int randomStarts;
    private final long seed;

    SampledOracle(OptimumProblem pr, int randomStarts, long seed) {
        this.pr = pr;
        this.mMatrixRelu = pr.negativeSlope == 0.0 && pr.inverseIsMMatrix();
        this.randomStarts = randomStarts;
        this.seed = seed;
    }

    @Override
    public Search search(ReadoutState st, List<Candidate> warm, int limit, double ceiling) {
        List<double[]> starts = new ArrayList<>();
        for (Candidate c : warm) starts.add(c.preactivation());
        int p = pr.p;
        for (int k = 0; k < pr.dY; k++) {
            double[] yk = new double[p];
            System.arraycopy(pr.y, k * p, yk, 0, p);
            double[] neg = new double[p], pos = new double[p], negPos = new double[p];
            for (int i = 0; i < p; i++) {
                neg[i] = -yk[i];
                pos[i] = Math.max(0, yk[i]);
                negPos[i] = Math.max(0, -yk[i]);
            }
            starts.add(project(yk));
            starts.add(project(neg));
            starts.add(project(pos));
            starts.add(project(negPos));
        }
        Random rnd = new Random(seed);
        for (int s = 0; s < randomStarts; s++) {
            double[] h = new double[p];
            for (int i = 0; i < p; i++) h[i] = rnd.nextGaussian();
            if (s % 2 == 1) for (int i = 0; i < p; i++) h[i] = rnd.nextBoolean() ? Math.abs(h[i]) : -1e-3 * Math.abs(h[i]);
            starts.add(project(h));
        }
        int n = starts.size();
        int chunks = Math.min(n, 16);
        return CandidateSink.gather(chunks, limit, ceiling, (sink, ch) -> {
            for (int i = ch; i < n; i += chunks) {
                Candidate c = ascend(st, starts.get(i));
                if (c != null) sink.offer(c);
            }
        }).result(false, method(), Double.POSITIVE_INFINITY);
    }

    private double[] project(double[] h) {
        int p = pr.p, r = pr.rank;
        double[] out = new double[p];
        for (int c = 0; c < r; c++) {
            double v = 0;
            for (int i = 0; i < p; i++) v += pr.colBasis[i * r + c] * h[i];
            for (int i = 0; i < p; i++) out[i] += pr.colBasis[i * r + c] * v;
        }
        return out;
    }

    /** The ternary sign pattern of h: 0 where below {@value #ZERO_FRACTION} of the largest entry, else ±1. */
    static int[] signs(double[] h) {
        double max = 0;
        for (double x : h) max = Math.max(max, Math.abs(x));
        int[] s = new int[h.length];
        for (int i = 0; i < h.length; i++) s[i] = Math.abs(h[i]) <= ZERO_FRACTION * max ? 0 : h[i] > 0 ? 1 : -1;
        return s;
    }

    /** K_X⁺ h. */
    private double[] bTimes(double[] h) {
        int p = pr.p;
        double[] bh = new double[p];
        for (int i = 0; i < p; i++) {
            double x = 0;
            for (int j = 0; j < p; j++) x += pr.bPinv[i * p + j] * h[j];
            bh[i] = x;
        }
        return bh;
    }

    private Face faceOf(double[] h) {
        int p = pr.p;
        int[] s = signs(h);
        boolean[] zero = new boolean[p], plus = new boolean[p];
        for (int i = 0; i < p; i++) {
            zero[i] = s[i] == 0;
            plus[i] = s[i] > 0;
        }
        if (pr.negativeSlope == 1.0) return new Face(new boolean[p], new boolean[p], 1.0, Face.subspaceBasis(pr, new boolean[p], new int[1]), pr.rank, true);
        int[] d = new int[1];
        double[] n = Face.subspaceBasis(pr, zero, d);
        if (d[0] == 0) return null;
        return new Face(zero, plus, pr.negativeSlope, n, d[0], false);
    }

    /** The better of the sign-pattern ascent and, for ReLU, the support ascent. */
    private Candidate ascend(ReadoutState st, double[] start) {
        // with K_X⁻¹ off-diagonals ≤ 0 a ReLU neuron's negative part only costs (SupportOracle), so
        // supports suffice there
        if (mMatrixRelu) return supportAscent(st, start);
        Candidate a = better(signAscent(st, start), coneAscent(st, start));
        if (pr.negativeSlope != 0.0) return a;
        return better(a, supportAscent(st, start));
    }

    private static Candidate better(Candidate a, Candidate b) {
        if (a == null) return b;
        if (b == null) return a;
        return b.energy() < a.energy() ? b : a;
    }

    /**
     * Monotone ascent inside the closed sign cone of the current face: the face's Rayleigh quotient
     * rises along the segment from h towards its top eigenvector (oriented to h's side), so h moves
     * there when the eigenvector keeps the face's signs and otherwise up to the first sample that
     * reaches zero, which then joins the zero set. At a face's own maximum, zero samples whose
     * gradient asks for it are released (as in the other ascents), until the face reached is no
     * better. It ends on faces with several zero samples, as the optimal neurons do, which jumping
     * from eigenvector to eigenvector rarely lands on.
     */
    Candidate coneAscent(ReadoutState st, double[] start) {
        int p = pr.p, dY = pr.dY;
        double[] h = start.clone();
        Candidate best = null;
        for (int it = 0; it < 4 * p; it++) {
            Face f = faceOf(h);
            if (f == null || f.signFree) return best;
            int q = f.q;
            double[] m = new double[q * dY], t = new double[dY * dY], v = new double[dY];
            CandidateSink one = new CandidateSink(1, Double.POSITIVE_INFINITY);
            Candidate c = AtomOracle.solveFace(f, st, pr, m, t, v, one);
            if (c != null) {
                if (best != null && c.energy() >= best.energy() - 1e-15) return best;
                best = c;
                double[] next = release(st, c);
                if (next == null) return best;
                h = next;
                continue;
            }
            // the top eigenvector leaves the cone: walk towards it up to the first sign change
            double[] hs = f.preactivation(AtomOracle.eigenNeuron(m, v, q, dY));
            double[] bh = bTimes(h);
            double dot = 0, mh = 0;
            for (int i = 0; i < p; i++) {
                dot += bh[i] * hs[i];
                mh += bh[i] * h[i];
            }
            double ms = Dense.quad(pr.bPinv, hs, p);
            if (!(mh > 0) || !(ms > 0)) return best;
            double scale = (dot < 0 ? -1 : 1) * Math.sqrt(mh / ms); // same mass as h, on h's side
            for (int i = 0; i < p; i++) hs[i] *= scale;
            double tMax = 1;
            int hit = -1;
            for (int i = 0; i < p; i++) {
                if (f.zero[i]) continue;
                boolean pos = f.plus[i];
                if (pos ? hs[i] < 0 : hs[i] > 0) {
                    double tb = h[i] / (h[i] - hs[i]);
                    if (tb < tMax) {
                        tMax = tb;
                        hit = i;
                    }
                }
            }
            if (hit < 0) return best; // the eigenvector keeps the signs after all (slack): solveFace refused it
            double[] next = new double[p];
            for (int i = 0; i < p; i++) next[i] = f.zero[i] ? 0 : h[i] + tMax * (hs[i] - h[i]);
            next[hit] = 0;
            h = next;
        }
        return best;
    }

    /**
     * ReLU neurons silent off a support S: alternate between the top eigenvector of the face
     * {h_{S^c} = 0} and S ← {entries > 0}, and let samples whose gradient asks for it join S.
     */
    private Candidate supportAscent(ReadoutState st, double[] start) {
        int p = pr.p, dY = pr.dY;
        boolean[] support = new boolean[p];
        for (int i = 0; i < p; i++) support[i] = start[i] > 0;
        Candidate best = null;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int it = 0; it < 100; it++) {
            boolean[] zero = new boolean[p];
            int s = 0;
            for (int i = 0; i < p; i++) {
                zero[i] = !support[i];
                if (support[i]) s++;
            }
            if (s == 0) break;
            String key = java.util.Arrays.toString(zero);
            if (!seen.add(key)) break;
            int[] d = new int[1];
            double[] n = Face.subspaceBasis(pr, zero, d);
            if (d[0] == 0) break;
            Face f = new Face(zero, support.clone(), pr.negativeSlope, n, d[0], false);
            double[] m = new double[f.q * dY], t = new double[dY * dY], v = new double[dY];
            CandidateSink one = new CandidateSink(1, Double.POSITIVE_INFINITY);
            Candidate c = AtomOracle.solveFace(f, st, pr, m, t, v, one);
            if (c == null) {
                // the eigenvector has entries of both signs on S: keep the side with the larger part
                double[] h = f.preactivation(AtomOracle.eigenNeuron(m, v, f.q, dY));
                double pos = 0, neg = 0;
                for (int i = 0; i < p; i++) {
                    if (h[i] > 0) pos += h[i] * h[i];
                    else neg += h[i] * h[i];
                }
                double sign = pos >= neg ? 1 : -1;
                boolean any = false;
                for (int i = 0; i < p; i++) {
                    support[i] = support[i] && sign * h[i] > 0;
                    any |= support[i];
                }
                if (!any) break;
                continue;
            }
            if (best != null && c.energy() >= best.energy() - 1e-15) break;
            best = c;
            double[] next = release(st, c);
            if (next == null) break;
            for (int i = 0; i < p; i++) support[i] = support[i] || next[i] > 0 && f.zero[i];
        }
        return best;
    }

    private Candidate signAscent(ReadoutState st, double[] start) {
        int p = pr.p, dY = pr.dY;
        double[] h = start.clone();
        Candidate best = null;
        double bestE = Double.POSITIVE_INFINITY;
        for (int it = 0; it < 60; it++) {
            Face f = faceOf(h);
            if (f == null) break;
            double[] m = new double[f.q * dY], t = new double[dY * dY], v = new double[dY];
            CandidateSink one = new CandidateSink(1, Double.POSITIVE_INFINITY);
            Candidate c = AtomOracle.solveFace(f, st, pr, m, t, v, one);
            double[] next;
            if (c != null) {
                if (c.energy() < bestE - 1e-15) {
                    bestE = c.energy();
                    best = c;
                    next = release(st, c);
                    if (next == null) break;
                } else {
                    break;
                }
            } else {
                // the face's eigenvector leaves the face: follow it (its signs define the next face)
                double[] c2 = AtomOracle.eigenNeuron(m, v, f.q, dY);
                double norm = 0;
                for (double x : c2) norm += x * x;
                if (!(norm > 0)) break;
                next = f.preactivation(c2);
                double mass = Math.sqrt(Math.max(Dense.quad(pr.bPinv, next, p), 1e-300));
                for (int i = 0; i < p; i++) next[i] /= mass;
                double[] a = new double[p];
                for (int i = 0; i < p; i++) a[i] = pr.phi(next[i]);
                double e = st.energy(a);
                double eNeg;
                double[] neg = new double[p];
                for (int i = 0; i < p; i++) {
                    neg[i] = -next[i];
                    a[i] = pr.phi(neg[i]);
                }
                eNeg = st.energy(a);
                if (eNeg < e) next = neg;
                if (best != null && Math.min(e, eNeg) >= bestE) break;
            }
            h = next;
        }
        return best;
    }

    /**
     * After a face solve: let zero samples whose first-order change would lower the energy leave
     * the zero set (with the sign that helps); null when none does.
     */
    private double[] release(ReadoutState st, Candidate c) {
        int p = pr.p, dY = pr.dY;
        Face f = c.face();
        if (f.signFree) return null;
        double[] h = c.preactivation();
        double[] a = new double[p];
        for (int i = 0; i < p; i++) a[i] = pr.phi(h[i]);
        double[] za = st.zt(a);
        double mu = st.gQuad(a); // h has unit mass
        // directional derivative of φ(h)ᵀGφ(h) − μ hᵀBh along ±e_j, for j in Z (within col(K_X) only approximately)
        double[] bh = bTimes(h);
        double[] out = h.clone();
        boolean moved = false;
        double max = 0;
        for (double x : h) max = Math.max(max, Math.abs(x));
        for (int j = 0; j < p; j++) {
            if (!f.zero[j]) continue;
            double gz = 0;
            for (int k = 0; k < dY; k++) gz += st.z[j * dY + k] * za[k];
            double up = 2 * gz - 2 * mu * bh[j];                       // moving h_j > 0
            double down = -2 * pr.negativeSlope * gz + 2 * mu * bh[j];  // moving h_j < 0
            if (up > 1e-12 * mu) {
                out[j] = 1e-3 * max;
                moved = true;
            } else if (down > 1e-12 * mu) {
                out[j] = -1e-3 * max;
                moved = true;
            }
        }
        return moved ? project(out) : null;
    }

    @Override
    public boolean exact() {
        return false;
    }

    @Override
    public String method() {
        return "sampled: local ascent over faces from " + randomStarts + " random starts plus label and warm starts";
    }
}
