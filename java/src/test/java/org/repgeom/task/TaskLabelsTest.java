package org.repgeom.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaskLabelsTest {

    @Test
    void hypercubeTwoLabelsTwoPerClassIsExact() {
        // classes 0..3, class-major, two samples each; label k = bit k of c
        double[] expected = {
            -1, -1, 1, 1, -1, -1, 1, 1, // label 0
            -1, -1, -1, -1, 1, 1, 1, 1, // label 1
        };
        assertArrayEquals(expected, Labels.hypercube(2, 2), 0.0);
    }

    @Test
    void hypercubeLabelsAreBalancedAndOrthogonal() {
        int dY = 4;
        int n = 3;
        int p = n << dY;
        double[] y = Labels.hypercube(dY, n);
        assertEquals(dY * p, y.length);
        for (int k = 0; k < dY; k++) {
            for (int l = 0; l < dY; l++) {
                double dot = 0;
                for (int s = 0; s < p; s++) dot += y[k * p + s] * y[l * p + s];
                assertEquals(k == l ? p : 0, dot, 0.0, "Y Y^T = P I at (" + k + "," + l + ")");
            }
        }
    }

    @Test
    void hypercubeRejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Labels.hypercube(0, 1));
        assertTrue(e.getMessage().contains("1..16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Labels.hypercube(17, 1));
        e = assertThrows(IllegalArgumentException.class, () -> Labels.hypercube(2, 0));
        assertTrue(e.getMessage().contains("per class"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Labels.hypercube(16, 1 << 16));
    }

    @Test
    void oneHotIsExact() {
        double[] expected = {
            1, 1, 0, 0, 0, 0,
            0, 0, 1, 1, 0, 0,
            0, 0, 0, 0, 1, 1,
        };
        assertArrayEquals(expected, Labels.oneHot(3, 2), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Labels.oneHot(1, 2));
        assertThrows(IllegalArgumentException.class, () -> Labels.oneHot(3, 0));
    }

    @Test
    void classOfRecoversClassMajorOrder() {
        int n = 2;
        int[] classes = Labels.classOf(Labels.hypercube(3, n), 3, 8 * n);
        for (int p = 0; p < classes.length; p++) assertEquals(p / n, classes[p]);
        assertEquals(8, Labels.classCount(classes));
        int[] oneHot = Labels.classOf(Labels.oneHot(4, 3), 4, 12);
        for (int p = 0; p < 12; p++) assertEquals(p / 3, oneHot[p]);
    }

    @Test
    void classOfNumbersByFirstAppearanceAndFoldsNegativeZero() {
        // columns: (1,0) (0,1) (1,-0.0) (2,2) (0,1)
        double[] y = {1, 0, 1, 2, 0, 0, 1, -0.0, 2, 1};
        assertArrayEquals(new int[] {0, 1, 0, 2, 1}, Labels.classOf(y, 2, 5));
        assertEquals(3, Labels.classCount(Labels.classOf(y, 2, 5)));
        assertEquals(0, Labels.classCount(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Labels.classOf(y, 2, 4));
    }

    @Test
    void classOfTaskUsesItsY() {
        Task t = Tasks.hypercube(2, 3, InputSpec.of("identity", 0));
        assertEquals(4, Labels.classCount(t));
        assertEquals(3, Labels.classOf(t)[11]);
    }
}
