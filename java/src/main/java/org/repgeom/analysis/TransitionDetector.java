package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds stage-like transitions in a curve sampled over training: a quantity that sits on a plateau
 * and then changes quickly (a drop of the loss, a rise of a label's kernel alignment).
 *
 * <p><b>Rule.</b> For a curve {@code v_0 … v_{n−1}} at steps {@code t_0 < … < t_{n−1}}, with a window of
 * {@code w} points and a threshold {@code θ = max(floor, fraction · (max v − min v))}:
 * <ol>
 * <li>point i is moving when {@code |v_{i+w} − v_i| ≥ θ}; a maximal run of moving points whose
 *     changes share one sign is one candidate, spanning points {@code start} (its first i) to
 *     {@code end} (its last i plus w);</li>
 * <li>the candidate is a transition only when a plateau precedes it: the points
 *     {@code max(0, start − plateau) … start} stay within {@code θ/2} of each other (the start of
 *     training counts as a plateau, so a quantity that moves at once is reported too);</li>
 * <li>its step is {@code t_{j+1}} for the steepest single interval {@code [j, j+1]} inside the
 *     span (for a step function that jumps at a sampled step s, exactly s).</li>
 * </ol>
 * A slow steady decline gives no transition unless it is preceded by a plateau, and a plateau that
 * keeps drifting by less than θ/2 gives none either.
 *
 * @param window    w, points over which a change is measured (≥ 1)
 * @param plateau   points of plateau required before a transition (≥ 1)
 * @param floor     smallest threshold θ, in the curve's units (&gt; 0)
 * @param fraction  θ as a fraction of the curve's range, when larger than the floor
 */
public record TransitionDetector(int window, int plateau, double floor, double fraction) {

    public TransitionDetector {
        if (window < 1 || plateau < 1) throw new IllegalArgumentException("window and plateau must be >= 1 point");
        if (!(floor > 0) || !(fraction >= 0)) throw new IllegalArgumentException("floor must be > 0 and fraction >= 0");
    }

    /** One transition. */
    public record Transition(long step, long fromStep, long toStep, double before, double after) {
        /** Whether the quantity went up. */
        public boolean rise() {
            return after > before;
        }
    }

    /** The window for a curve of n points: a fiftieth of it, at least one point. */
    public static int defaultWindow(int n) {
        return Math.max(1, (int) Math.round(n / 50.0));
    }

    /**
     * The transitions of the curve, in order of step. Points where v is not finite are left out
     * first (a member that stopped has no later points).
     */
    public List<Transition> find(long[] steps, double[] values) {
        if (steps.length != values.length) throw new IllegalArgumentException(steps.length + " steps for " + values.length + " values");
        int n = 0;
        long[] t = new long[steps.length];
        double[] v = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            if (Double.isFinite(values[i])) {
                t[n] = steps[i];
                v[n++] = values[i];
            }
        }
        List<Transition> out = new ArrayList<>();
        if (n < window + 1) return out;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            lo = Math.min(lo, v[i]);
            hi = Math.max(hi, v[i]);
        }
        double theta = Math.max(floor, fraction * (hi - lo));
        int i = 0;
        while (i + window < n) {
            double c = v[i + window] - v[i];
            if (Math.abs(c) < theta) {
                i++;
                continue;
            }
            int sign = c > 0 ? 1 : -1;
            int start = i;
            while (i + 1 + window < n && sign * (v[i + 1 + window] - v[i + 1]) >= theta) i++;
            int end = i + window;
            if (plateauBefore(v, start, theta / 2)) {
                int steepest = start;
                for (int j = start; j < end; j++) {
                    if (sign * (v[j + 1] - v[j]) > sign * (v[steepest + 1] - v[steepest])) steepest = j;
                }
                out.add(new Transition(t[steepest + 1], t[start], t[end], v[start], v[end]));
            }
            i = end;
        }
        return out;
    }

    /** Whether points {@code max(0, start − plateau) … start} stay within {@code tol} of each other. */
    private boolean plateauBefore(double[] v, int start, double tol) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int j = Math.max(0, start - plateau); j <= start; j++) {
            lo = Math.min(lo, v[j]);
            hi = Math.max(hi, v[j]);
        }
        return hi - lo <= tol;
    }
}
