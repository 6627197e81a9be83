package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * Column generation with fully corrective steps never raises the loss: every round's mass solve,
 * face snap and in-face polish starts from the previous network and may only lower J. Before the
 * polish measured the true loss it optimised each face's linear map even for a neuron the oracle
 * had accepted within its sign slack (just outside its face, where the step cap does not hold it):
 * the neuron crossed its face's boundary, J rose by percents, and the solve stalled uncertified.
 */
class MonotoneDescentTest {

    /** A random task and configuration drawn from one seed: P = 5…9, Gaussian input, relu or leaky_relu. */
    static OptimumProblem randomCase(long seed) {
        Random r = new Random(seed);
        int p = 5 + r.nextInt(5), dX = 2 + r.nextInt(p), dY = 1 + r.nextInt(3);
        double[] x = new double[dX * p], y = new double[dY * p];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        boolean cube = r.nextBoolean();
        for (int i = 0; i < y.length; i++) y[i] = cube ? (r.nextBoolean() ? 1 : -1) : r.nextGaussian();
        Activation a = r.nextBoolean() ? Activation.RELU : Activation.LEAKY_RELU;
        boolean bias = r.nextBoolean();
        double lambda = Math.pow(10, -3 + 2 * r.nextDouble());
        String name = String.format(Locale.ROOT, "seed %d: P=%d dX=%d dY=%d %s %s bias=%b λ=%.3g", seed, p, dX, dY,
                cube ? "±1 targets" : "Gaussian targets", a.id(), bias, lambda);
        return OptimumProblem.of(new Task(name, dX, dY, p, x, y), a, bias, lambda, lambda);
    }

    static void assertDescends(long seed) {
        OptimumProblem pr = randomCase(seed);
        OptimumSolver solver = new OptimumSolver(pr, OptimumSolver.Options.defaults());
        Optimum o = solver.solve();
        double[] trace = solver.lossTrace();
        String name = "seed " + seed + " " + pr.activation().id() + " bias=" + pr.bias() + " P=" + pr.samples();
        assertTrue(trace.length > 2, name + ": " + trace.length + " rounds");
        for (int i = 1; i < trace.length; i++) {
            assertTrue(trace[i] <= trace[i - 1] * (1 + 1e-12), name + ": J rose from " + trace[i - 1] + " to " + trace[i] + " at round " + i);
        }
        assertTrue(o.certified(), name + ": not certified, relative gap " + o.relativeGap() + " after " + trace.length + " rounds");
    }

    /**
     * Tasks on which the old polish raised J: seed 1024 (leaky_relu, no bias; +8.7 % in one round,
     * then stalled uncertified for 100 rounds with a relative gap of 830), 1025 (relu; +1.2 %) and
     * 1006 (leaky_relu; 100 rounds, uncertified).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1024, 1025, 1006})
    void formerlyRisingTasks(long seed) {
        assertDescends(seed);
    }

    /** More random non-whitened tasks (relu and leaky_relu, with and without bias). */
    @Test
    void randomTasksDescend() {
        for (long seed = 2000; seed < 2012; seed++) assertDescends(seed);
    }
}
