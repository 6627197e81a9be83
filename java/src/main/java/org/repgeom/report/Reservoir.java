package org.repgeom.report;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A bounded sample of a stream of values for quantiles: keeps every value up to {@code capacity},
 * then a uniform random subset of that size (reservoir sampling, Vitter's algorithm R, seeded, so
 * the same stream gives the same sample). Quantiles are exact while a configuration has at most
 * {@code capacity} members and a uniform-sample estimate beyond. Values are stored as float.
 */
final class Reservoir {
    private final int capacity;
    private final SplittableRandom rnd;
    private float[] values = new float[8];
    private int kept;
    private long seen;

    Reservoir(int capacity, long seed) {
        this.capacity = capacity;
        this.rnd = new SplittableRandom(seed);
    }

    void add(double v) {
        if (Double.isNaN(v)) return;
        seen++;
        if (kept < capacity) {
            if (kept == values.length) values = Arrays.copyOf(values, Math.min(capacity, 2 * kept));
            values[kept++] = (float) v;
        } else {
            long j = rnd.nextLong(seen);
            if (j < capacity) values[(int) j] = (float) v;
        }
    }

    /** The kept values as doubles. */
    double[] sample() {
        double[] out = new double[kept];
        for (int i = 0; i < kept; i++) out[i] = values[i];
        return out;
    }

    /** Values offered (NaN excluded). */
    long seen() {
        return seen;
    }
}
