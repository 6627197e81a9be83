package org.repgeom.theory;

import java.util.function.DoubleUnaryOperator;

/**
 * Global minimum of a smooth scalar function on an interval {@code [0, hi]}, for the closed forms
 * whose last step is a one-dimensional, possibly nonconvex problem ({@link DeepReluTheory},
 * {@link OddActivationTheory} for tanh): a grid of {@value #GRID} points locates the basin of the
 * global minimum, then bisection on the derivative inside the bracketing grid cells finds the
 * stationary point to full double precision (golden section on f alone would stop at about
 * sqrt(machine epsilon) in the argument, because f is flat there). Returns 0 when the grid's best
 * point is 0 (the trivial solution).
 */
final class ScalarMinimizer {
    /** Grid points. */
    static final int GRID = 20_000;

    private ScalarMinimizer() {
    }

    static double argmin(DoubleUnaryOperator f, DoubleUnaryOperator derivative, double hi) {
        int best = 0;
        double bestVal = f.applyAsDouble(0);
        for (int i = 1; i <= GRID; i++) {
            double v = f.applyAsDouble(hi * i / GRID);
            if (v < bestVal) {
                bestVal = v;
                best = i;
            }
        }
        if (best == 0) return 0.0;
        double a = hi * (best - 1) / GRID, b = hi * Math.min(best + 1, GRID) / GRID;
        if (!(derivative.applyAsDouble(b) > 0)) return hi * best / GRID; // minimum at the end of the interval
        if (!(derivative.applyAsDouble(a) < 0)) a = hi * best / GRID;
        for (int i = 0; i < 200 && b - a > 1e-16 * b; i++) {
            double mid = 0.5 * (a + b);
            if (derivative.applyAsDouble(mid) < 0) a = mid;
            else b = mid;
        }
        double x = 0.5 * (a + b);
        return f.applyAsDouble(x) <= bestVal ? x : hi * best / GRID;
    }
}
