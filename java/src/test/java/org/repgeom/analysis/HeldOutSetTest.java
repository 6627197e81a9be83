package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.task.Task;

/** Metrics on held-out samples, on representations whose generalisation is known by construction. */
class HeldOutSetTest {
    /** dY = 2: training conditions (−,−), (+,−), (−,+); held out (+,+). Inputs are irrelevant here. */
    private static final double[][] TRAIN_Y = {{-1, 1, -1}, {-1, -1, 1}};
    private static final double[][] TEST_Y = {{1}, {1}};

    private static Task task(double[][] y) {
        int q = y[0].length;
        double[] flat = new double[2 * q];
        for (int k = 0; k < 2; k++) System.arraycopy(y[k], 0, flat, k * q, q);
        double[] x = new double[q];
        java.util.Arrays.fill(x, 1.0);
        return new Task("t", 1, 2, q, x, flat);
    }

    /** One row per (label, sign): relu(±y_k), the abstract (factorised) code. */
    private static double[] abstractCode(double[][] y) {
        int q = y[0].length;
        double[] r = new double[4 * q];
        for (int k = 0; k < 2; k++) {
            for (int s = 0; s < q; s++) {
                r[(2 * k) * q + s] = Math.max(y[k][s], 0);
                r[(2 * k + 1) * q + s] = Math.max(-y[k][s], 0);
            }
        }
        return r;
    }

    /** One row per condition: a conjunctive (non-abstract) code, the held-out condition on a unit of its own. */
    private static double[] conjunctiveCode(double[][] y) {
        int q = y[0].length;
        double[] r = new double[4 * q];
        for (int s = 0; s < q; s++) {
            int c = (y[0][s] > 0 ? 1 : 0) + (y[1][s] > 0 ? 2 : 0);
            r[c * q + s] = 1;
        }
        return r;
    }

    @Test
    void abstractCodeGeneralisesToTheHeldOutConditionAConjunctiveCodeDoesNot() {
        HeldOutSet set = new HeldOutSet(task(TRAIN_Y), task(TEST_Y));
        assertArrayEquals(new int[] {0}, set.unseenConditionSamples());
        double[] f = {1, 1};
        HoldoutMetrics abs = set.evaluate(f, abstractCode(TRAIN_Y), abstractCode(TEST_Y), 4);
        HoldoutMetrics conj = set.evaluate(f, conjunctiveCode(TRAIN_Y), conjunctiveCode(TEST_Y), 4);
        assertArrayEquals(new double[] {1, 1}, abs.labelCcgp());
        assertEquals(1.0, abs.ccgp());
        // the held-out condition's unit is silent in training, so the decoder reads only its bias: the
        // training majority (−1) of each label, wrong for (+,+)
        assertArrayEquals(new double[] {0, 0}, conj.labelCcgp());
        assertEquals(0.0, conj.ccgp());
    }

    @Test
    void testLossAndSignAccuracy() {
        double[][] testY = {{1, -1, 1, 1}, {1, 1, -1, -1}};
        HeldOutSet set = new HeldOutSet(task(TRAIN_Y), task(testY));
        // label 0 right on 3 of 4 (last wrong), label 1 right on 2 of 4 and one output exactly at the threshold (½)
        double[] f = {0.5, -2, 0.1, -0.3, 1.5, 0.0, -1, 1};
        HoldoutMetrics m = set.evaluate(f, new double[4 * 3], new double[4 * 4], 4);
        double loss = 0;
        for (int k = 0; k < 2; k++) for (int s = 0; s < 4; s++) loss += Math.pow(f[k * 4 + s] - testY[k][s], 2);
        assertEquals(loss, m.testLoss(), 1e-15);
        assertArrayEquals(new double[] {0.75, 0.625}, m.labelAccuracy(), 1e-15);
        assertEquals((0.75 + 0.625) / 2, m.accuracy(), 1e-15);
        // (+,−) and (−,+) are training conditions; (+,+) is not: the CCGP uses its two samples only
        assertArrayEquals(new int[] {0}, set.unseenConditionSamples());
    }

    @Test
    void oneHotLabelsUseTheMidpointThreshold() {
        double[][] train = {{1, 0, 0}, {0, 1, 0}};
        double[][] test = {{1, 0}, {0, 0}};
        HeldOutSet set = new HeldOutSet(task(train), task(test));
        assertEquals(0.5, set.threshold(0));
        HoldoutMetrics m = set.evaluate(new double[] {0.9, 0.2, 0.1, 0.6}, new double[4 * 3], new double[4 * 2], 4);
        assertArrayEquals(new double[] {1.0, 0.5}, m.labelAccuracy(), 1e-15);
        assertTrue(Double.isNaN(m.ccgp()), "every held-out condition also occurs in training: no CCGP");
    }
}
