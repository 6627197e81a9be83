package org.repgeom.study.spec;

import java.util.List;

/**
 * The {@code train:} section: when training stops and how often the loss is recorded.
 *
 * @param maxSteps   optimizer steps at most, ≥ 1
 * @param tol        a member counts as converged when its loss changes by less than this
 *                   fraction over {@code window} steps; ≥ 0, 0 disables the test
 * @param window     steps between convergence checks, ≥ 1
 * @param traceEvery the loss is recorded every this many steps, ≥ 1
 */
public record TrainSpec(int maxSteps, double tol, int window, int traceEvery) {

    static final List<String> KEYS = List.of("max_steps", "tol", "window", "trace_every");

    /** Every default of the spec format. */
    public static TrainSpec defaults() {
        return new TrainSpec(20000, 1e-9, 1000, 100);
    }

    /** Reads and validates the {@code train:} section (absent: {@link #defaults()}). */
    static TrainSpec read(SpecSection s) {
        s.allowOnly(KEYS);
        TrainSpec d = defaults();
        int maxSteps = (int) SpecValues.atLeast(s.field("max_steps"), s.integer("max_steps", d.maxSteps), 1);
        double tol = SpecValues.nonNegative(s.field("tol"), s.number("tol", d.tol));
        int window = (int) SpecValues.atLeast(s.field("window"), s.integer("window", d.window), 1);
        int traceEvery = (int) SpecValues.atLeast(s.field("trace_every"), s.integer("trace_every", d.traceEvery), 1);
        return new TrainSpec(maxSteps, tol, window, traceEvery);
    }
}
