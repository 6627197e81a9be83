package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DimensionalityTest {

    @Test
    void identityHasFullParticipation() {
        int p = 7;
        double[] k = new double[p * p];
        for (int i = 0; i < p; i++) {
            k[i * p + i] = 3.0;
        }
        assertEquals(p, Dimensionality.participationRatio(k, p), 1e-12);
    }

    @Test
    void rankOneKernelHasParticipationOne() {
        double[] v = {1, -2, 0.5, 3};
        double[] k = RepresentationKernel.of(v, 1, 4);
        assertEquals(1.0, Dimensionality.participationRatio(k, 4), 1e-12);
        assertArrayEquals(new double[] {1 + 4 + 0.25 + 9, 0, 0, 0}, Dimensionality.eigenvalues(k, 4), 1e-12);
    }

    @Test
    void traceFormulaMatchesSpectrum() {
        Random rnd = new Random(3);
        int m = 4, p = 9;
        double[] k = RepresentationKernel.of(TestData.gaussian(m, p, rnd), m, p);
        double[] mu = Dimensionality.eigenvalues(k, p);
        double s = 0, s2 = 0;
        for (double x : mu) {
            s += x;
            s2 += x * x;
        }
        assertEquals(s * s / s2, Dimensionality.participationRatio(k, p), 1e-10);
        assertEquals(0.0, mu[m], 1e-10); // rank M
    }

    @Test
    void twoEqualDirections() {
        // eigenvalues {2, 2, 0}: PR = 16/8 = 2
        double[] k = {2, 0, 0, 0, 2, 0, 0, 0, 0};
        assertEquals(2.0, Dimensionality.participationRatio(k, 3), 1e-15);
        assertEquals(0.0, Dimensionality.participationRatio(new double[9], 3), 0.0);
    }
}
