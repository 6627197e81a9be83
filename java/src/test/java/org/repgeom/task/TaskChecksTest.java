package org.repgeom.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaskChecksTest {

    private static Task task(int dY, int p, double[] y) {
        return new Task("t", p, dY, p, InputGeometry.identity(p), y);
    }

    @Test
    void hypercubeAcceptsAnySampleOrder() {
        // dY = 2, classes in the order 3, 0, 2, 1
        double[] y = {1, -1, -1, 1, 1, -1, 1, -1};
        assertTrue(TaskChecks.isHypercube(task(2, 4, y)));
    }

    @Test
    void hypercubeRejectsMissingPatternImbalanceAndOtherValues() {
        assertFalse(TaskChecks.isHypercube(task(2, 4, new double[] {1, -1, 1, 1, 1, -1, -1, -1})), "class 3 twice, 2 missing");
        // 2 samples of classes 0,1 and 1 each of 2,3 -> P = 6, not divisible by 4
        assertFalse(TaskChecks.isHypercube(task(2, 6, new double[] {-1, -1, 1, 1, -1, 1, -1, -1, -1, -1, 1, 1})));
        // P = 8 with classes 2 and 3 on 3 and 1 samples
        double[] unbalanced = Labels.hypercube(2, 2);
        unbalanced[7] = -1; // label 0 of the last sample: class 3 -> class 2
        assertFalse(TaskChecks.isHypercube(task(2, 8, unbalanced)));
        double[] scaled = Labels.hypercube(2, 1);
        scaled[0] = -2;
        assertFalse(TaskChecks.isHypercube(task(2, 4, scaled)));
        assertFalse(TaskChecks.isHypercube(task(3, 3, Labels.oneHot(3, 1))));
    }

    @Test
    void oneHotChecks() {
        assertTrue(TaskChecks.isOneHot(task(3, 6, Labels.oneHot(3, 2))));
        // columns in scrambled order still balanced
        assertTrue(TaskChecks.isOneHot(task(2, 4, new double[] {0, 1, 1, 0, 1, 0, 0, 1})));
        assertFalse(TaskChecks.isOneHot(task(2, 4, new double[] {1, 1, 1, 0, 0, 0, 0, 1})), "unbalanced");
        assertFalse(TaskChecks.isOneHot(task(2, 2, new double[] {1, 1, 1, 0})), "two hot entries");
        assertFalse(TaskChecks.isOneHot(task(2, 2, new double[] {0, 1, 0, 0})), "no hot entry");
        assertFalse(TaskChecks.isOneHot(task(2, 2, new double[] {0.5, 0, 0.5, 1})), "not 0/1");
        assertFalse(TaskChecks.isOneHot(task(1, 2, new double[] {1, 1})), "one class");
        assertFalse(TaskChecks.isOneHot(task(2, 4, Labels.hypercube(2, 1))));
    }

    @Test
    void whitenedErrorMeasuresTheLargestDeviation() {
        Task t = task(1, 3, new double[] {1, 1, 1});
        assertEquals(0.0, TaskChecks.whitenedError(t), 0.0);
        assertTrue(TaskChecks.isWhitened(t, 0.0));
        // X = [[1, 0.1], [0, 1]]: XᵀX = [[1, 0.1], [0.1, 1.01]] -> max deviation 0.1
        Task s = new Task("s", 2, 1, 2, new double[] {1, 0.1, 0, 1}, new double[] {1, -1});
        assertEquals(0.1, TaskChecks.whitenedError(s), 1e-15);
        assertFalse(TaskChecks.isWhitened(s, 0.09));
        assertTrue(TaskChecks.isWhitened(s, 0.11));
    }
}
