package org.repgeom.optimum;

/**
 * Dense two-phase simplex (Bland's rule) for {@code max cᵀx s.t. A x = b, x ≥ 0}, small problems
 * only (the optimal-kernel LPs have at most a few hundred columns). Phase I minimises the
 * artificial residual; a residual above {@code feasTol·(1 + ‖b‖₁)} means infeasible (null).
 */
final class Simplex {
    private Simplex() {
    }

    static double[] maximize(double[] a, int rows, int cols, double[] b, double[] c, double feasTol) {
        int w = cols + rows + 1; // columns: x, artificials, rhs
        double[][] t = new double[rows + 1][w];
        int[] basis = new int[rows];
        double bNorm = 0;
        for (int i = 0; i < rows; i++) {
            double s = b[i] < 0 ? -1 : 1;
            for (int j = 0; j < cols; j++) t[i][j] = s * a[i * cols + j];
            t[i][cols + i] = 1;
            t[i][w - 1] = s * b[i];
            basis[i] = cols + i;
            bNorm += Math.abs(b[i]);
        }
        // phase I objective: minimise Σ artificials ⇔ maximise −Σ; reduced costs row
        double[] obj = new double[w];
        for (int i = 0; i < rows; i++) for (int j = 0; j < w; j++) if (j < cols || j == w - 1) obj[j] += t[i][j];
        t[rows] = obj; // row holds −(reduced costs) for maximisation of Σ(row entries)
        run(t, basis, rows, cols + rows);
        if (t[rows][w - 1] > feasTol * (1 + bNorm)) return null;
        // drive artificials out of the basis where possible
        for (int i = 0; i < rows; i++) {
            if (basis[i] < cols) continue;
            for (int j = 0; j < cols; j++) {
                if (Math.abs(t[i][j]) > 1e-9) {
                    pivot(t, basis, i, j);
                    break;
                }
            }
        }
        // phase II with the artificial columns frozen
        double[] row = new double[w];
        for (int j = 0; j < cols; j++) row[j] = c[j];
        for (int i = 0; i < rows; i++) {
            int bj = basis[i];
            if (bj < cols && c[bj] != 0) for (int j = 0; j < w; j++) row[j] -= c[bj] * t[i][j];
        }
        for (int j = cols; j < cols + rows; j++) row[j] = 0;
        t[rows] = row;
        run(t, basis, rows, cols);
        double[] x = new double[cols];
        for (int i = 0; i < rows; i++) if (basis[i] < cols) x[basis[i]] = Math.max(0, t[i][w - 1]);
        return x;
    }

    /** Pivots while some column j < usable has a positive reduced gain in the last row. */
    private static void run(double[][] t, int[] basis, int rows, int usable) {
        int w = t[0].length;
        for (int iter = 0; iter < 50_000; iter++) {
            int enter = -1;
            double scale = 0;
            for (int j = 0; j < usable; j++) scale = Math.max(scale, Math.abs(t[rows][j]));
            for (int j = 0; j < usable; j++) {
                if (t[rows][j] > 1e-12 * Math.max(scale, 1e-300) && t[rows][j] > 1e-14) {
                    enter = j;
                    break;
                }
            }
            if (enter < 0) return;
            int leave = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < rows; i++) {
                if (t[i][enter] > 1e-12) {
                    double r = t[i][w - 1] / t[i][enter];
                    if (r < best - 1e-15 || (Math.abs(r - best) <= 1e-15 && leave >= 0 && basis[i] < basis[leave])) {
                        best = r;
                        leave = i;
                    }
                }
            }
            if (leave < 0) return; // unbounded: cannot happen on the bounded optimal face
            pivot(t, basis, leave, enter);
        }
    }

    private static void pivot(double[][] t, int[] basis, int r, int c) {
        int w = t[0].length;
        double pv = t[r][c];
        for (int j = 0; j < w; j++) t[r][j] /= pv;
        for (int i = 0; i < t.length; i++) {
            if (i == r || t[i][c] == 0) continue;
            double f = t[i][c];
            for (int j = 0; j < w; j++) t[i][j] -= f * t[r][j];
        }
        basis[r] = c;
    }
}
