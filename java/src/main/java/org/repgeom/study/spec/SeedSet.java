package org.repgeom.study.spec;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The {@code grid.seeds} axis: distinct seeds ≥ 0 in order, either a contiguous range
 * {@code start, start+1, …} (stored as two numbers, however long) or an explicit list.
 */
public final class SeedSet {
    private final long start;
    private final int count;
    private final long[] explicit; // null for a range

    private SeedSet(long start, int count, long[] explicit) {
        this.start = start;
        this.count = count;
        this.explicit = explicit;
    }

    /** Seeds {@code start, …, start + count − 1}. */
    public static SeedSet range(long start, int count) {
        if (start < 0) throw new IllegalArgumentException("seeds must be ≥ 0, got start " + start);
        if (count < 1) throw new IllegalArgumentException("at least one seed is required, got " + count);
        if (start > Long.MAX_VALUE - count) throw new IllegalArgumentException("seed range overflows");
        return new SeedSet(start, count, null);
    }

    /** The given seeds, in order; they must be distinct and ≥ 0. */
    public static SeedSet of(long... seeds) {
        if (seeds.length == 0) throw new IllegalArgumentException("at least one seed is required");
        Set<Long> seen = new HashSet<>();
        for (long s : seeds) {
            if (s < 0) throw new IllegalArgumentException("seeds must be ≥ 0, got " + s);
            if (!seen.add(s)) throw new IllegalArgumentException("seed " + s + " is listed twice");
        }
        return new SeedSet(0, seeds.length, seeds.clone());
    }

    /** Number of seeds. */
    public int size() {
        return count;
    }

    /** The i-th seed, 0 ≤ i &lt; {@link #size()}. */
    public long get(int i) {
        if (i < 0 || i >= count) throw new IndexOutOfBoundsException("seed index " + i + " of " + count);
        return explicit == null ? start + i : explicit[i];
    }

    /** All seeds as a fresh array. */
    public long[] toArray() {
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) seeds[i] = get(i);
        return seeds;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SeedSet s) || s.count != count) return false;
        for (int i = 0; i < count; i++) {
            if (get(i) != s.get(i)) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < count; i++) h = 31 * h + Long.hashCode(get(i));
        return h;
    }

    @Override
    public String toString() {
        return explicit == null ? "seeds " + start + ".." + (start + count - 1) : "seeds " + Arrays.toString(explicit);
    }
}
