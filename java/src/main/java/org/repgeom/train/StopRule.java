package org.repgeom.train;

/**
 * When a member stops training, and how often its loss is recorded.
 *
 * <p>ReLU optima sit on the kink, so the raw gradient norm never vanishes there (docs/science.md §3.4):
 * convergence is judged by the relative loss change over a window,
 * {@code |L(t − window) − L(t)| ≤ tol · |L(t)|}, checked every {@code window} steps. tol = 0
 * turns the check off (every member runs {@code maxSteps}). The loss is recorded every
 * {@code traceEvery} steps, starting at step 0.
 */
public record StopRule(int maxSteps, double tol, int window, int traceEvery) {

    public StopRule {
        if (maxSteps < 1) throw new IllegalArgumentException("max_steps must be ≥ 1, got " + maxSteps);
        if (!(tol >= 0)) throw new IllegalArgumentException("tol must be ≥ 0, got " + tol);
        if (window < 1) throw new IllegalArgumentException("window must be ≥ 1, got " + window);
        if (traceEvery < 1) throw new IllegalArgumentException("trace_every must be ≥ 1, got " + traceEvery);
    }

    /** Number of recorded loss values: steps 0, traceEvery, 2·traceEvery, … ≤ maxSteps. */
    public int traceLength() {
        return maxSteps / traceEvery + 1;
    }

    /** True when the loss changed by no more than tol (relative) over the last window. */
    public boolean converged(double lossWindowAgo, double lossNow) {
        return tol > 0 && Math.abs(lossWindowAgo - lossNow) <= tol * Math.abs(lossNow);
    }
}
