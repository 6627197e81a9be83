package org.repgeom.study.spec;

import java.util.List;

/**
 * The {@code train:} section: when training stops, how often the loss is recorded, and whether the
 * hidden layers' kernels are recorded during training.
 *
 * @param maxSteps   optimizer steps at most, ≥ 1
 * @param tol        a member counts as converged when its loss changes by less than this
 *                   fraction over {@code window} steps; ≥ 0, 0 disables the test
 * @param window     steps between convergence checks, ≥ 1
 * @param traceEvery the loss is recorded every this many steps, ≥ 1
 * @param kernelEvery each hidden layer's kernel is recorded every this many steps (and at step 0 and
 *                   at the end; see {@link org.repgeom.train.KernelSchedule}); 0 = no kernel trace
 * @param kernelTraceMembers how many members record the kernel trace ({@link KernelTraceSample}); 0 = all
 */
public record TrainSpec(int maxSteps, double tol, int window, int traceEvery, int kernelEvery, int kernelTraceMembers) {

    static final List<String> KEYS = List.of("max_steps", "tol", "window", "trace_every", "kernel_every",
            "kernel_trace_members");

    /** Without a kernel trace. */
    public TrainSpec(int maxSteps, double tol, int window, int traceEvery) {
        this(maxSteps, tol, window, traceEvery, 0, 0);
    }

    /** Every default of the spec format. */
    public static TrainSpec defaults() {
        return new TrainSpec(20000, 1e-9, 1000, 100);
    }

    /** Whether the study records a kernel trace. */
    public boolean tracesKernels() {
        return kernelEvery > 0;
    }

    /** Reads and validates the {@code train:} section (absent: {@link #defaults()}). */
    static TrainSpec read(SpecSection s) {
        s.allowOnly(KEYS);
        TrainSpec d = defaults();
        int maxSteps = (int) SpecValues.atLeast(s.field("max_steps"), s.integer("max_steps", d.maxSteps), 1);
        double tol = SpecValues.nonNegative(s.field("tol"), s.number("tol", d.tol));
        int window = (int) SpecValues.atLeast(s.field("window"), s.integer("window", d.window), 1);
        int traceEvery = (int) SpecValues.atLeast(s.field("trace_every"), s.integer("trace_every", d.traceEvery), 1);
        int kernelEvery = (int) SpecValues.atLeast(s.field("kernel_every"), s.integer("kernel_every", 0), 0);
        int sample = 0;
        if (s.has("kernel_trace_members")) {
            if (kernelEvery == 0) {
                throw new SpecException(s.field("kernel_trace_members"), "needs train.kernel_every (the kernel trace is off)");
            }
            sample = (int) SpecValues.atLeast(s.field("kernel_trace_members"), s.integer("kernel_trace_members", 0), 1);
        }
        return new TrainSpec(maxSteps, tol, window, traceEvery, kernelEvery, sample);
    }
}
