package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every face of the activation-pattern arrangement that the data realise: the zero sets Z with
 * {@code V_Z = col(K_X) ∩ {h_Z = 0} ≠ {0}}, and on each the sign patterns of the remaining
 * samples that some h ∈ V_Z attains (the regions of the central hyperplane arrangement
 * {@code {h_j = 0}} restricted to V_Z). The zero sets are walked depth first, adding samples in
 * index order, and a branch stops where V_Z becomes {0}. On each V_Z the regions are found from
 * its rays: with ρ the rank of the free samples' normals, if ρ equals their number every sign
 * pattern occurs; otherwise every region of a central arrangement contains a ray where ρ − 1
 * normals vanish, so each independent (ρ−1)-subset gives a line d, the other samples take the
 * signs of ±d (both signs where a sample also vanishes on d, which can only over-count: the
 * eigenproblem rejects a pattern no neuron has) and the subset's own samples every sign.
 * Depends on X̃ only; computed once per problem.
 */
final class FaceEnumeration {
    private FaceEnumeration() {
    }

    /** Thrown when there are more faces than the budget. */
    static final class TooMany extends Exception {
        TooMany(String m) {
            super(m, null, false, false);
        }
    }

    /** Largest P for which the zero sets are walked whatever the rank; beyond it only when {@link #inReach}. */
    static final int MAX_P = 24;

    /**
     * Whether the faces can be listed: P ≤ {@value #MAX_P}, or more samples in a low-rank input
     * (few input dimensions) whose arrangement has at most {@code budget} faces by
     * {@link #faceEstimate} (the walk over zero sets then stays as small as the list).
     */
    static boolean inReach(OptimumProblem pr, long budget) {
        return pr.p <= MAX_P || faceEstimate(pr.p, pr.rank) <= budget;
    }

    /**
     * Faces of an arrangement of P hyperplanes through the origin of R^rank in general position
     * (an upper bound otherwise): for each zero set of size j &lt; rank, the regions of the other
     * P − j hyperplanes within its (rank − j)-dimensional subspace, {@code 2 Σ_{k<rank−j} C(P−j−1, k)}.
     */
    static double faceEstimate(int p, int rank) {
        double total = 0;
        for (int j = 0; j < rank && j <= p; j++) {
            int m = p - j, d = rank - j;
            double regions = 0;
            for (int k = 0; k < d && k <= m - 1; k++) regions += binomial(m - 1, k);
            total += binomial(p, j) * 2 * Math.max(regions, 0.5);
        }
        return total;
    }

    private static double binomial(int n, int k) {
        if (k < 0 || k > n) return 0;
        double b = 1;
        for (int i = 1; i <= k; i++) b = b * (n - k + i) / i;
        return b;
    }

    static List<Face> enumerate(OptimumProblem pr, long budget) throws TooMany {
        if (!inReach(pr, budget)) throw new TooMany("P = " + pr.p + " > " + MAX_P + " at rank " + pr.rank);
        List<Face> out = new ArrayList<>();
        if (pr.negativeSlope == 1.0) { // linear: one face, no signs
            int[] d = new int[1];
            double[] n = Face.subspaceBasis(pr, new boolean[pr.p], d);
            out.add(new Face(new boolean[pr.p], new boolean[pr.p], 1.0, n, d[0], true));
            return out;
        }
        walk(pr, new boolean[pr.p], 0, out, budget);
        return out;
    }

    private static void walk(OptimumProblem pr, boolean[] zero, int next, List<Face> out, long budget) throws TooMany {
        int[] d = new int[1];
        double[] n = Face.subspaceBasis(pr, zero, d);
        int q = d[0];
        if (q == 0) return;
        int p = pr.p;
        // a sample whose row vanishes on V_Z is zero on all of it: that face belongs to a larger Z
        double max = 0;
        for (double v : n) max = Math.max(max, Math.abs(v));
        boolean canonical = true;
        for (int i = 0; i < p && canonical; i++) {
            if (zero[i]) continue;
            double r = 0;
            for (int j = 0; j < q; j++) r += n[i * q + j] * n[i * q + j];
            if (Math.sqrt(r) <= 1e-9 * max) canonical = false;
        }
        if (canonical) {
            for (boolean[] plus : regions(zero, n, q, p, budget - out.size())) {
                out.add(new Face(zero.clone(), plus, pr.negativeSlope, n, q, false));
            }
            if (out.size() > budget) throw new TooMany("more than " + budget + " faces");
        }
        for (int i = next; i < p; i++) {
            zero[i] = true;
            walk(pr, zero, i + 1, out, budget);
            zero[i] = false;
        }
    }

    /** The realised sign patterns (as S+ sets) of the free samples' rows of n (P×q). */
    private static List<boolean[]> regions(boolean[] zero, double[] n, int q, int p, long budget) throws TooMany {
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < p; i++) if (!zero[i]) free.add(i);
        int f = free.size();
        double[] normals = new double[f * q];
        for (int a = 0; a < f; a++) System.arraycopy(n, free.get(a) * q, normals, a * q, q);
        // reduce to the span of the normals (rank ρ): an orthonormal basis W (q×ρ) of the row space
        int[] dim = new int[1];
        double[] nullN = Dense.nullSpace(normals, f, q, 1e-10, dim);
        int rho = q - dim[0];
        double[] reduced = reduce(normals, f, q, nullN, dim[0], rho);
        Set<BitSet> seen = new HashSet<>();
        List<boolean[]> out = new ArrayList<>();
        if (rho == f) {
            if (f >= 31 || (1L << f) > budget) throw new TooMany("2^" + f + " sign patterns");
            for (long m = 0; m < (1L << f); m++) {
                boolean[] plus = new boolean[p];
                for (int a = 0; a < f; a++) plus[free.get(a)] = ((m >>> a) & 1) != 0;
                out.add(plus);
            }
            return out;
        }
        if (rho == 1) {
            for (double s : new double[] {1, -1}) {
                boolean[] plus = new boolean[p];
                for (int a = 0; a < f; a++) plus[free.get(a)] = s * reduced[a] > 0;
                out.add(plus);
            }
            return out;
        }
        int[] subset = new int[rho - 1];
        for (int i = 0; i < rho - 1; i++) subset[i] = i;
        long lines = 0;
        while (true) {
            if (++lines > budget) throw new TooMany("too many rays");
            double[] sub = new double[(rho - 1) * rho];
            for (int a = 0; a < rho - 1; a++) System.arraycopy(reduced, subset[a] * rho, sub, a * rho, rho);
            int[] d1 = new int[1];
            double[] line = Dense.nullSpace(sub, rho - 1, rho, 1e-10, d1);
            if (d1[0] == 1) {
                double[] s = new double[f];
                List<Integer> ties = new ArrayList<>();
                boolean[] inSubset = new boolean[f];
                for (int a : subset) inSubset[a] = true;
                for (int a = 0; a < f; a++) {
                    double v = 0, nn = 0;
                    for (int j = 0; j < rho; j++) {
                        v += reduced[a * rho + j] * line[j];
                        nn += reduced[a * rho + j] * reduced[a * rho + j];
                    }
                    s[a] = v;
                    if (inSubset[a] || Math.abs(v) <= 1e-9 * Math.sqrt(nn)) ties.add(a);
                }
                if (ties.size() > 24) throw new TooMany("degenerate ray with " + ties.size() + " ties");
                for (double sign : new double[] {1, -1}) {
                    for (long m = 0; m < (1L << ties.size()); m++) {
                        BitSet bits = new BitSet(f);
                        for (int a = 0; a < f; a++) if (sign * s[a] > 0) bits.set(a);
                        for (int t = 0; t < ties.size(); t++) bits.set(ties.get(t), ((m >>> t) & 1) != 0);
                        if (seen.add(bits)) {
                            boolean[] plus = new boolean[p];
                            for (int a = bits.nextSetBit(0); a >= 0; a = bits.nextSetBit(a + 1)) plus[free.get(a)] = true;
                            out.add(plus);
                            if (out.size() > budget) throw new TooMany("more than " + budget + " faces");
                        }
                    }
                }
            }
            int k = rho - 2;
            while (k >= 0 && subset[k] == f - (rho - 1) + k) k--;
            if (k < 0) break;
            subset[k]++;
            for (int j = k + 1; j < rho - 1; j++) subset[j] = subset[j - 1] + 1;
        }
        return out;
    }

    /** Coordinates of the f normals in an orthonormal basis of their span (f×ρ). */
    private static double[] reduce(double[] normals, int f, int q, double[] nullN, int nullDim, int rho) {
        if (rho == q) return normals;
        // basis of the span = orthogonal complement of the null space: null space of nullNᵀ
        double[] nt = new double[nullDim * q];
        for (int i = 0; i < q; i++) for (int j = 0; j < nullDim; j++) nt[j * q + i] = nullN[i * nullDim + j];
        int[] d = new int[1];
        double[] w = Dense.nullSpace(nt, nullDim, q, 1e-10, d); // q×ρ
        double[] out = new double[f * rho];
        for (int a = 0; a < f; a++) {
            for (int j = 0; j < rho; j++) {
                double v = 0;
                for (int i = 0; i < q; i++) v += normals[a * q + i] * w[i * rho + j];
                out[a * rho + j] = v;
            }
        }
        return out;
    }
}
