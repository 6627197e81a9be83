package org.repgeom.train;

/**
 * When a kernel trace ({@code train.kernel_every}) records: at step 0, every {@code every} steps,
 * and at {@code maxSteps} (a last time point of its own when {@code every} does not divide it).
 * Time point k is step {@code min(k·every, maxSteps)}.
 *
 * <p>A member that stops at step S (converged, diverged, or the budget) holds, at every time point
 * whose step is ≥ S, the kernel of its final parameters; so its last time point is always its final
 * kernel, and the trace of each member has the same time axis.
 */
public record KernelSchedule(int every, int maxSteps) {

    public KernelSchedule {
        if (every < 1) throw new IllegalArgumentException("kernel_every must be ≥ 1, got " + every);
        if (maxSteps < 1) throw new IllegalArgumentException("max_steps must be ≥ 1, got " + maxSteps);
    }

    /** Number of time points T. */
    public int points() {
        return maxSteps / every + 1 + (maxSteps % every != 0 ? 1 : 0);
    }

    /** The step of time point k. */
    public int step(int k) {
        return (int) Math.min((long) k * every, maxSteps);
    }

    /** The steps of every time point, in order. */
    public long[] steps() {
        long[] s = new long[points()];
        for (int k = 0; k < s.length; k++) s[k] = step(k);
        return s;
    }

    /** The first time point whose step is ≥ {@code step}: from there on a member that stopped at {@code step} holds its final kernel. */
    public int firstPointFrom(int step) {
        return (int) (((long) step + every - 1) / every);
    }
}
