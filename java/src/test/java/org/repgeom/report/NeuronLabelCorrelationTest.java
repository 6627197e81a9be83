package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NeuronLabelCorrelationTest {
    /** The ReLU optimum's units t(1 ± y_k) follow one label exactly; a sum of labels is mixed; a constant unit is dead. */
    @Test
    void modularMixedAndDeadUnits() {
        // dY = 2, P = 4: classes (−,−), (+,−), (−,+), (+,+)
        double[] y = {-1, 1, -1, 1, /* */ -1, -1, 1, 1};
        double[] r = {
            0, 0, 2, 2, // 1 + y_2: label 2 only
            2, 0, 2, 0, // 1 − y_1: label 1 only
            -2, 0, 0, 2, // y_1 + y_2: mixed, |ρ| = 1/√2 with each
            3, 3, 3, 3}; // dead
        NeuronLabelCorrelation n = NeuronLabelCorrelation.of(r, 4, y, 2, 4);
        assertArrayEquals(new double[] {0, 1}, n.correlation()[0], 1e-15);
        assertArrayEquals(new double[] {1, 0}, n.correlation()[1], 1e-15);
        assertEquals(Math.sqrt(0.5), n.correlation()[2][0], 1e-15);
        assertEquals(Math.sqrt(0.5), n.correlation()[2][1], 1e-15);
        assertTrue(Double.isNaN(n.correlation()[3][0]));
        assertArrayEquals(new int[] {1, 2, 0, 3}, n.order(), "by preferred label, then strength, dead last");
        assertEquals(2.0 / 3, n.modularFraction(0.5), 1e-15);
    }
}
