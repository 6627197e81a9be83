package org.repgeom.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Each update rule against its formula, written out by hand for two steps. */
class OptimizerStateTest {

    @Test
    void gradientDescent() {
        double[] p = {1.0, -2.0};
        new OptimizerState(OptimizerSettings.gd(), 2).update(p, 0, new double[] {0.5, -1.0}, 0, 0.1);
        assertEquals(0.95, p[0], 1e-15);
        assertEquals(-1.9, p[1], 1e-15);
    }

    @Test
    void heavyBallMomentum() {
        double[] p = {1.0};
        OptimizerState s = new OptimizerState(OptimizerSettings.momentum(0.9, 1.0), 1);
        s.update(p, 0, new double[] {1.0}, 0, 0.1); // v = -0.1
        assertEquals(0.9, p[0], 1e-15);
        s.update(p, 0, new double[] {1.0}, 0, 0.1); // v = 0.9*-0.1 - 0.1 = -0.19
        assertEquals(0.71, p[0], 1e-15);
    }

    @Test
    void adamWithBiasCorrection() {
        double[] p = {0.0};
        OptimizerState s = new OptimizerState(OptimizerSettings.adam(1.0), 1);
        s.update(p, 0, new double[] {2.0}, 0, 0.01);
        // step 1: m̂ = g, v̂ = g², update = lr·g/(|g|+ε)
        assertEquals(-0.01 * 2.0 / (2.0 + 1e-8), p[0], 1e-15);
        s.update(p, 0, new double[] {-1.0}, 0, 0.01);
        double m = 0.9 * 0.2 + 0.1 * -1.0, v = 0.999 * 0.004 + 0.001 * 1.0;
        double mHat = m / (1 - 0.81), vHat = v / (1 - 0.999 * 0.999);
        assertEquals(-0.01 * 2.0 / (2.0 + 1e-8) - 0.01 * mHat / (Math.sqrt(vHat) + 1e-8), p[0], 1e-15);
    }

    @Test
    void geometricSchedule() {
        OptimizerSettings s = OptimizerSettings.adam(1e-4);
        assertEquals(1e-2, s.learningRate(1e-2, 0, 1000), 0);
        assertEquals(1e-4, s.learningRate(1e-2, 500, 1000), 1e-18);
        assertEquals(1e-6, s.learningRate(1e-2, 1000, 1000), 1e-20);
        assertEquals(3e-3, OptimizerSettings.gd().learningRate(3e-3, 777, 1000), 0);
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.adam(0));
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.momentum(1.0, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new StopRule(0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new StopRule(10, -1, 1, 1));
    }

    @Test
    void stopRuleConvergence() {
        StopRule r = new StopRule(100, 1e-6, 10, 10);
        assertEquals(11, r.traceLength());
        assertEquals(true, r.converged(1.0 + 5e-7, 1.0));
        assertEquals(false, r.converged(1.0 + 5e-6, 1.0));
        assertEquals(false, new StopRule(100, 0, 10, 10).converged(1.0, 1.0), "tol 0 never converges");
    }
}
