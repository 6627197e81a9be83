package org.repgeom.analysis;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Order statistics of a sample, ignoring NaN and ±∞. The q-quantile of the n sorted finite values
 * v_0 ≤ … ≤ v_{n−1} interpolates linearly at position {@code q(n−1)} (numpy's default "linear"
 * method): {@code v_⌊h⌋ + (h − ⌊h⌋)(v_⌈h⌉ − v_⌊h⌋)}, {@code h = q(n−1)}; NaN for an empty sample.
 */
public final class Quantiles {
    /** The levels {@link #summary} reports, named min, q10, q25, median, q75, q90, max. */
    private static final double[] LEVELS = {0, 0.1, 0.25, 0.5, 0.75, 0.9, 1};
    private static final String[] NAMES = {"min", "q10", "q25", "median", "q75", "q90", "max"};

    private Quantiles() {
    }

    /** The finite values of {@code values}, sorted ascending (a new array). */
    public static double[] finiteSorted(double[] values) {
        return Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
    }

    /** The q-quantile of already sorted finite values (class comment); NaN when empty. */
    public static double ofSorted(double[] sorted, double q) {
        if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("quantile level must be in [0, 1], got " + q);
        if (sorted.length == 0) return Double.NaN;
        double h = q * (sorted.length - 1);
        int lo = (int) Math.floor(h), hi = (int) Math.ceil(h);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The q-quantile of the finite values of {@code values}. */
    public static double of(double[] values, double q) {
        return ofSorted(finiteSorted(values), q);
    }

    /** The median of the finite values. */
    public static double median(double[] values) {
        return of(values, 0.5);
    }

    /** min, q10, q25, median, q75, q90, max of the finite values and their count n (JSON-ready). */
    public static Map<String, Object> summary(double[] values) {
        double[] v = finiteSorted(values);
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < LEVELS.length; i++) m.put(NAMES[i], ofSorted(v, LEVELS[i]));
        m.put("n", v.length);
        return m;
    }
}
