package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds stage-like transitions in a curve sampled over training: a quantity that sits on a plateau
 * and then changes quickly (a drop of the loss, a rise of a label's kernel alignment).
 *
 * <p><b>Rule.</b> For a curve {@code v_0 … v_{n−1}} at steps {@code t_0 < … < t_{n−1}} and a
 * threshold {@code θ = max(floor, fraction · (max v − min v))}, at each window w = {@code window},
 * 2·window, 4·window, … up to {@code maxWindow} points:
 * <ol>
 * <li>point i is moving when {@code |v_{i+w} − v_i| ≥ θ}; a maximal run of moving points whose
 *     changes share one sign is one candidate;</li>
 * <li>its span is widened to where the change over w points falls below θ/4 on either side: the
 *     onset and the end of the transition;</li>
 * <li>the candidate is a transition only when a plateau precedes its onset: the {@code plateau}
 *     points before it stay within θ/2 of each other (the start of training counts as a plateau,
 *     so a quantity that moves at once is reported too);</li>
 * <li>its step is {@code t_{j+1}} for the steepest single interval {@code [j, j+1]} inside the
 *     span (for a step function that jumps at a sampled step s, exactly s).</li>
 * </ol>
 * Windows are tried from the shortest; a transition found at a longer window is kept only when its
 * span overlaps none found before, so sharp stages are timed precisely and slow ones (a weak label
 * learned late) are still found. A steady drift smaller than θ per longest window gives nothing.
 *
 * @param window    shortest window w, in points (≥ 1)
 * @param plateau   points of plateau required before a transition's onset (≥ 1)
 * @param floor     smallest threshold θ, in the curve's units (&gt; 0)
 * @param fraction  θ as a fraction of the curve's range, when larger than the floor
 * @param maxWindow longest window tried (≥ window)
 */
public record TransitionDetector(int window, int plateau, double floor, double fraction, int maxWindow) {

    public TransitionDetector {
        if (window < 1 || plateau < 1) throw new IllegalArgumentException("window and plateau must be >= 1 point");
        if (maxWindow < window) throw new IllegalArgumentException("maxWindow " + maxWindow + " < window " + window);
        if (!(floor > 0) || !(fraction >= 0)) throw new IllegalArgumentException("floor must be > 0 and fraction >= 0");
    }

    /**
     * The default detector for a curve of n points: windows from 1/50 of it up to 1/8, a plateau of
     * one shortest window (stages of a strong label can follow each other closely).
     */
    public static TransitionDetector forPoints(int n, double floor, double fraction) {
        int w = defaultWindow(n);
        return new TransitionDetector(w, w, floor, fraction, Math.max(w, n / 8));
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
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            lo = Math.min(lo, v[i]);
            hi = Math.max(hi, v[i]);
        }
        double theta = Math.max(floor, fraction * (hi - lo));
        List<int[]> spans = new ArrayList<>(); // accepted [onset, end, steepest]
        for (long w = window; w <= maxWindow; w *= 2) {
            for (int[] span : find(v, n, (int) w, theta)) {
                if (spans.stream().noneMatch(a -> span[0] < a[1] && a[0] < span[1])) spans.add(span);
            }
        }
        spans.sort((a, b) -> Integer.compare(a[2], b[2]));
        List<Transition> out = new ArrayList<>();
        for (int[] s : spans) out.add(new Transition(t[s[2] + 1], t[s[0]], t[s[1]], v[s[0]], v[s[1]]));
        return out;
    }

    /** The spans {onset, end, steepest interval} found at window w. */
    private List<int[]> find(double[] v, int n, int w, double theta) {
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i + w < n) {
            double c = v[i + w] - v[i];
            if (Math.abs(c) < theta) {
                i++;
                continue;
            }
            int sign = c > 0 ? 1 : -1;
            int first = i;
            while (i + 1 + w < n && sign * (v[i + 1 + w] - v[i + 1]) >= theta) i++;
            int onset = first;
            while (onset > 0 && sign * (v[Math.min(n - 1, onset - 1 + w)] - v[onset - 1]) >= theta / 4) onset--;
            int last = i;
            while (last + 1 + w < n && sign * (v[last + 1 + w] - v[last + 1]) >= theta / 4) last++;
            int end = Math.min(n - 1, last + w);
            if (plateauBefore(v, onset, theta / 2)) {
                int steepest = onset;
                for (int j = onset; j < end; j++) {
                    if (sign * (v[j + 1] - v[j]) > sign * (v[steepest + 1] - v[steepest])) steepest = j;
                }
                out.add(new int[] {onset, end, steepest});
            }
            i = Math.max(i + 1, end);
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
