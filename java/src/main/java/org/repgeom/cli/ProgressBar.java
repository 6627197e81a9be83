package org.repgeom.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import org.repgeom.backend.ProgressListener;

/**
 * A progress bar: members done, percentage, elapsed time and ETA. Interactive (stderr is a
 * terminal) it redraws one line at most 5 times a second; otherwise (logs, CI) it prints a line
 * every 10 %.
 */
public final class ProgressBar implements ProgressListener {
    private static final int BAR = 30;
    private final PrintStream out;
    private final long total;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private long lastDrawNanos;
    private int lastDecile = -1;

    public ProgressBar(PrintStream out, long total, boolean interactive) {
        this.out = out;
        this.total = Math.max(1, total);
        this.interactive = interactive;
    }

    /** A bar on System.err, interactive when stderr itself is a terminal ({@link ProgressMode#AUTO}). */
    public static ProgressBar onStderr(long total) {
        return new ProgressBar(System.err, total, ProgressMode.AUTO.interactive(System.getenv()));
    }

    @Override
    public void membersDone(int n) {
        long d = done.addAndGet(n);
        synchronized (this) {
            long now = System.nanoTime();
            if (interactive) {
                if (d == total || now - lastDrawNanos > 200_000_000L) {
                    lastDrawNanos = now;
                    out.print('\r' + line(d, now));
                    if (d == total) out.println();
                    out.flush();
                }
            } else {
                int decile = (int) (10 * d / total);
                if (decile > lastDecile) {
                    lastDecile = decile;
                    out.println(line(d, now));
                }
            }
        }
    }

    /** The text of the bar for {@code d} members done at time {@code now}. */
    String line(long d, long now) {
        double frac = (double) d / total;
        int filled = (int) Math.round(frac * BAR);
        double elapsed = (now - startNanos) / 1e9;
        String eta = d == 0 ? "?" : clock(elapsed * (total - d) / d);
        return String.format("[%s%s] %d/%d members %3.0f%%  elapsed %s  ETA %s", "#".repeat(filled),
                ".".repeat(BAR - filled), d, total, 100 * frac, clock(elapsed), eta);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
