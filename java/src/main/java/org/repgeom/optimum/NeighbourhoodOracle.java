package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local search in the face lattice: every face whose sign pattern (each sample +, 0 or −) differs
 * from a warm neuron's in at most {@code radius} samples is solved exactly (its top eigenvector,
 * kept when it has the face's signs). At a nearly optimal network the neurons a sweep still finds
 * are such neighbours of the current ones (on the P = 16 benchmark tasks every one was within
 * four samples, most within two): an optimal neuron splits, or moves one sample onto or off its
 * kink. A face of P samples has Σ_{k ≤ radius} C(P, k)·2^k neighbours; the zero sets' bases are
 * cached for the problem (they depend on X̃ only). Not exact: a non-negative minimum proves nothing.
 */
final class NeighbourhoodOracle implements AtomOracle {
    /** Largest P (patterns are kept as bit masks). */
    static final int MAX_P = 62;
    /** Cached zero-set bases at most (each P × q doubles). */
    private static final int CACHE_LIMIT = 100_000;

    private final OptimumProblem pr;
    private final int radius;
    private final Map<Long, double[]> bases = new ConcurrentHashMap<>();

    NeighbourhoodOracle(OptimumProblem pr, int radius) {
        if (pr.p > MAX_P) throw new IllegalArgumentException("P > " + MAX_P);
        this.pr = pr;
        this.radius = radius;
    }

    private record Pattern(long zero, long plus) {
    }

    @Override
    public Search search(ReadoutState st, List<Candidate> warm, int limit, double ceiling) {
        int p = pr.p;
        List<int[]> centres = new ArrayList<>();
        for (Candidate c : warm) centres.add(SampledOracle.signs(c.preactivation()));
        Set<Pattern> seen = ConcurrentHashMap.newKeySet();
        int n = centres.size();
        int chunks = Math.max(1, Math.min(n, 16));
        return CandidateSink.gather(chunks, limit, ceiling, (sink, ch) -> {
            double[] m = new double[p * pr.dY], t = new double[pr.dY * pr.dY], v = new double[pr.dY];
            for (int i = ch; i < n; i += chunks) visit(centres.get(i).clone(), 0, radius, seen, st, sink, m, t, v);
        }).result(false, method(), Double.POSITIVE_INFINITY);
    }

    /** Solves the face of {@code s}, then every pattern changing at most {@code left} more samples from {@code from} on. */
    private void visit(int[] s, int from, int left, Set<Pattern> seen, ReadoutState st, CandidateSink sink,
            double[] m, double[] t, double[] v) {
        solve(s, seen, st, sink, m, t, v);
        if (left == 0) return;
        for (int i = from; i < s.length; i++) {
            int was = s[i];
            for (int to = -1; to <= 1; to++) {
                if (to == was) continue;
                s[i] = to;
                visit(s, i + 1, left - 1, seen, st, sink, m, t, v);
            }
            s[i] = was;
        }
    }

    private void solve(int[] s, Set<Pattern> seen, ReadoutState st, CandidateSink sink, double[] m, double[] t, double[] v) {
        int p = pr.p;
        long zero = 0, plus = 0;
        for (int i = 0; i < p; i++) {
            if (s[i] == 0) zero |= 1L << i;
            else if (s[i] > 0) plus |= 1L << i;
        }
        if (!seen.add(new Pattern(zero, plus))) return;
        double[] basis = basis(zero);
        if (basis.length == 0) return;
        boolean[] z = new boolean[p], pl = new boolean[p];
        for (int i = 0; i < p; i++) {
            z[i] = s[i] == 0;
            pl[i] = s[i] > 0;
        }
        Face f = new Face(z, pl, pr.negativeSlope, basis, basis.length / p, false);
        AtomOracle.solveFace(f, st, pr, m, t, v, sink);
    }

    private double[] basis(long zero) {
        double[] b = bases.get(zero);
        if (b != null) return b;
        int p = pr.p;
        boolean[] z = new boolean[p];
        for (int i = 0; i < p; i++) z[i] = (zero >>> i & 1) != 0;
        int[] d = new int[1];
        b = Face.subspaceBasis(pr, z, d);
        if (d[0] == 0) b = new double[0];
        if (bases.size() < CACHE_LIMIT) bases.put(zero, b);
        return b;
    }

    @Override
    public boolean exact() {
        return false;
    }

    @Override
    public String method() {
        return "faces within " + radius + " samples of the current neurons";
    }
}
