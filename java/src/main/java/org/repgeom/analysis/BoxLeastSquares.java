package org.repgeom.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Bounded-variable least squares: {@code min ‖c + A s‖²} subject to {@code lo ≤ s ≤ hi}, with A
 * (m × k, row-major) allowed to be rank deficient (more variables than rows is the common case).
 *
 * <p>An active-set method in the style of Lawson–Hanson's NNLS and Stark–Parker's BVLS. Variables
 * are either <em>bound</em> (held at lo or hi) or <em>free</em>. Outer loop: with the residual
 * {@code r = c + A s}, the descent direction is {@code w = −Aᵀ r}; the point is optimal (KKT) when
 * every variable at lo has w_j ≤ 0, every one at hi has w_j ≥ 0 and the free ones have w_j = 0.
 * Otherwise the most violating bound variable is freed. Inner loop: the step
 * {@code d = argmin ‖r + A_F d‖} (minimum-norm least squares over the free columns, SVD pseudo-inverse)
 * is taken in full if it keeps the free variables strictly inside their box; else the largest
 * feasible fraction of it is taken and the variables that reach a bound become bound.
 *
 * <p>Why it terminates with the right answer despite rank deficiency: when j is freed, the free set
 * already minimises over its own variables, so the gradient of the objective restricted to
 * F ∪ {j} is non-zero only in j; any minimiser z of the enlarged subproblem makes
 * {@code (z − s)} a descent direction, hence moves j off its bound in the direction w_j points. The
 * objective never increases, and the starting point is kept as the first iterate: the result is
 * never worse than {@code start}.
 */
final class BoxLeastSquares {
    /** KKT violations below this fraction of the problem's scale count as rounding. */
    private static final double KKT_RELATIVE_TOL = 1e-13;

    private BoxLeastSquares() {
    }

    /**
     * The minimiser s of {@code ‖c + A s‖²} over the box, starting from {@code start} (clamped into
     * the box; a vertex such as the left-derivative choice is the natural start, entries strictly
     * inside begin free).
     *
     * @param a    A, row-major m × k
     * @param c    the constant vector, length m
     * @param lo   lower bounds, length k
     * @param hi   upper bounds, length k, each ≥ its lo
     */
    static double[] minimize(double[] a, int m, int k, double[] c, double[] lo, double[] hi, double[] start) {
        if (a.length != (long) m * k || c.length != m || lo.length != k || hi.length != k || start.length != k) {
            throw new IllegalArgumentException("box least squares: inconsistent sizes for m=" + m + ", k=" + k);
        }
        double[] s = new double[k];
        for (int j = 0; j < k; j++) {
            if (!(lo[j] <= hi[j])) throw new IllegalArgumentException("empty interval [" + lo[j] + ", " + hi[j] + "]");
            s[j] = Math.min(hi[j], Math.max(lo[j], start[j]));
        }
        if (k == 0) return s;
        double kktTol = KKT_RELATIVE_TOL * scale(a, c, lo, hi);
        boolean[] free = new boolean[k];
        boolean anyFree = false;
        for (int j = 0; j < k; j++) {
            free[j] = lo[j] < s[j] && s[j] < hi[j]; // an interior start is free from the outset
            anyFree |= free[j];
        }
        for (int inner = 0; anyFree && inner <= k; inner++) {
            if (!stepFreeVariables(a, m, k, c, lo, hi, s, free)) break;
        }
        int maxOuter = 3 * k + 20;
        for (int outer = 0; outer < maxOuter; outer++) {
            double[] w = descentDirection(a, m, k, residual(a, m, k, c, s));
            int enter = -1;
            double worst = kktTol;
            for (int j = 0; j < k; j++) {
                if (free[j] || lo[j] == hi[j]) continue;
                double violation = s[j] == lo[j] ? w[j] : -w[j]; // at lo it wants w ≤ 0, at hi w ≥ 0
                if (violation > worst) {
                    worst = violation;
                    enter = j;
                }
            }
            if (enter < 0) break;
            free[enter] = true;
            for (int inner = 0; inner <= k; inner++) {
                if (!stepFreeVariables(a, m, k, c, lo, hi, s, free)) break;
            }
        }
        return s;
    }

    /** ‖c + A s‖². */
    static double squaredResidual(double[] a, int m, int k, double[] c, double[] s) {
        double sum = 0;
        for (double v : residual(a, m, k, c, s)) sum += v * v;
        return sum;
    }

    /**
     * One inner step over the free set F: moves s_F toward the subproblem minimiser. Returns true
     * when a variable hit a bound (the caller repeats), false when the full step was taken or F is
     * empty.
     */
    private static boolean stepFreeVariables(double[] a, int m, int k, double[] c, double[] lo, double[] hi,
                                             double[] s, boolean[] free) {
        int[] cols = freeIndices(free);
        if (cols.length == 0) return false;
        double[] r = residual(a, m, k, c, s);
        DMatrixRMaj aFree = new DMatrixRMaj(m, cols.length);
        for (int row = 0; row < m; row++) {
            for (int q = 0; q < cols.length; q++) aFree.set(row, q, a[row * k + cols[q]]);
        }
        DMatrixRMaj minusR = new DMatrixRMaj(m, 1);
        for (int row = 0; row < m; row++) minusR.set(row, 0, -r[row]);
        LinearSolverDense<DMatrixRMaj> lsq = LinearSolverFactory_DDRM.pseudoInverse(true);
        if (!lsq.setA(aFree)) throw new IllegalStateException("SVD failed in box least squares");
        DMatrixRMaj step = new DMatrixRMaj(cols.length, 1);
        lsq.solve(minusR, step);

        // Largest fraction α ∈ [0, 1] of the step that keeps every free variable inside its box; the
        // variable that limits it is put exactly on its bound (s + α d can round to just inside).
        double alpha = 1.0;
        int blocking = -1;
        for (int q = 0; q < cols.length; q++) {
            int j = cols[q];
            double d = step.get(q, 0), target = s[j] + d, limit;
            if (d > 0 && target >= hi[j]) limit = (hi[j] - s[j]) / d;
            else if (d < 0 && target <= lo[j]) limit = (lo[j] - s[j]) / d;
            else continue; // the full step keeps j strictly inside
            if (blocking < 0 || limit < alpha) {
                alpha = limit; // ≤ 1, as the target is at or past the bound
                blocking = j;
            }
        }
        alpha = Math.max(0.0, alpha);
        boolean hitBound = false;
        for (int q = 0; q < cols.length; q++) {
            int j = cols[q];
            double d = step.get(q, 0), moved = s[j] + alpha * d;
            if (j == blocking) moved = d > 0 ? hi[j] : lo[j];
            if (moved >= hi[j]) {
                s[j] = hi[j];
                free[j] = false;
                hitBound = true;
            } else if (moved <= lo[j]) {
                s[j] = lo[j];
                free[j] = false;
                hitBound = true;
            } else {
                s[j] = moved;
            }
        }
        return hitBound;
    }

    private static int[] freeIndices(boolean[] free) {
        int n = 0;
        for (boolean f : free) if (f) n++;
        int[] idx = new int[n];
        for (int j = 0, q = 0; j < free.length; j++) if (free[j]) idx[q++] = j;
        return idx;
    }

    /** r = c + A s. */
    private static double[] residual(double[] a, int m, int k, double[] c, double[] s) {
        double[] r = c.clone();
        for (int row = 0; row < m; row++) {
            double sum = 0;
            for (int j = 0; j < k; j++) sum += a[row * k + j] * s[j];
            r[row] += sum;
        }
        return r;
    }

    /** w = −Aᵀ r, half the negative gradient of ‖c + A s‖². */
    private static double[] descentDirection(double[] a, int m, int k, double[] r) {
        double[] w = new double[k];
        for (int row = 0; row < m; row++) {
            for (int j = 0; j < k; j++) w[j] -= a[row * k + j] * r[row];
        }
        return w;
    }

    /** ‖A‖_F (‖c‖ + ‖A‖_F max|bound|): the size a component of Aᵀr can have in this problem. */
    private static double scale(double[] a, double[] c, double[] lo, double[] hi) {
        double normA = Matrices.frobeniusNorm(a), bound = 0;
        for (int j = 0; j < lo.length; j++) bound = Math.max(bound, Math.max(Math.abs(lo[j]), Math.abs(hi[j])));
        return normA * (Matrices.frobeniusNorm(c) + normA * bound) + Double.MIN_NORMAL;
    }
}
