package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * Leaky ReLU between its two limits: as the negative slope goes to 0 the certified optimum tends
 * to ReLU's, as it goes to 1 to the linear network's (the loss is continuous in the slope, with a
 * first-order change), on a non-whitened task. The catalogue's leaky closed form is checked in
 * {@link ClosedFormAgreementTest}.
 */
class LeakyReluLimitsTest {

    private static Optimum solve(OptimumProblem pr) {
        Optimum o = new OptimumSolver(pr, OptimumSolver.Options.defaults()).solve();
        assertTrue(o.certified(), "certified, gap " + o.relativeGap() + " (" + o.method() + ")");
        return o;
    }

    @Test
    void leakyOptimumTendsToReluAndLinear() {
        Task t = FaceSweepTest.randomTask(6, 3, 2, 11);
        double l = 0.03;
        for (boolean bias : new boolean[] {true, false}) {
            double relu = solve(OptimumProblem.of(t, Activation.RELU, bias, l, l)).loss();
            double linear = solve(OptimumProblem.of(t, Activation.LINEAR, bias, l, l)).loss();
            double near0 = solve(OptimumProblem.leaky(t, bias, l, l, 1e-6)).loss();
            double near1 = solve(OptimumProblem.leaky(t, bias, l, l, 1 - 1e-6)).loss();
            double mid = solve(OptimumProblem.leaky(t, bias, l, l, Activation.LEAKY_SLOPE)).loss();
            double scale = Math.max(relu, linear);
            assertTrue(Math.abs(near0 - relu) <= 1e-4 * scale, "slope 1e-6: " + near0 + " vs relu " + relu);
            assertTrue(Math.abs(near1 - linear) <= 1e-4 * scale, "slope 1-1e-6: " + near1 + " vs linear " + linear);
            // leaky ReLU contains ReLU's and the linear network's expressive power up to O(slope)
            assertTrue(Math.abs(mid - relu) <= 0.05 * scale, "slope 0.01: " + mid + " vs relu " + relu);
            assertTrue(relu != linear, "the task separates ReLU from linear");
        }
    }
}
