package org.repgeom.study;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Wall time of chunks that may run at the same time. Each interval's seconds are split equally among
 * the chunks running during it, so the chunks' seconds add up to the wall time during which any of
 * them ran (one chunk at a time: each chunk's own wall time). Study totals stay wall times when
 * several chunks train at once.
 */
final class SharedClock {
    private final Map<Integer, Double> running = new HashMap<>();
    private final LongSupplier nanos;
    private long last;

    SharedClock() {
        this(System::nanoTime);
    }

    /** A clock reading {@code nanos} (tests give their own time). */
    SharedClock(LongSupplier nanos) {
        this.nanos = nanos;
        this.last = nanos.getAsLong();
    }

    /** Chunk {@code chunk} starts. */
    synchronized void start(int chunk) {
        advance();
        if (running.putIfAbsent(chunk, 0.0) != null) throw new IllegalStateException("chunk " + chunk + " is running already");
    }

    /** Chunk {@code chunk} stops; returns its share of the wall seconds since it started. */
    synchronized double stop(int chunk) {
        advance();
        Double seconds = running.remove(chunk);
        if (seconds == null) throw new IllegalStateException("chunk " + chunk + " is not running");
        return seconds;
    }

    private void advance() {
        long now = nanos.getAsLong();
        if (!running.isEmpty()) {
            double share = (now - last) / 1e9 / running.size();
            running.replaceAll((c, s) -> s + share);
        }
        last = now;
    }
}
