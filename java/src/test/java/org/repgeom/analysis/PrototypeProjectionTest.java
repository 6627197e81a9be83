package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PrototypeProjectionTest {

    /** Prototypes μ_c = b + Σ_k y_k(c)·u_k with orthogonal u_k of equal norm: a cube, 1/3 of the spread per component. */
    @Test
    void factorisedHypercubeCodeProjectsToACubeWithEveryDistanceKept() {
        Random rnd = new Random(5);
        int dY = 3, c = 8, m = 20;
        double[] u = TestData.orthonormalColumns(m, dY, rnd); // m×dY, orthonormal columns
        double[][] proto = new double[c][m];
        for (int code = 0; code < c; code++) {
            for (int i = 0; i < m; i++) {
                double v = 0.7;
                for (int k = 0; k < dY; k++) v += 2.5 * u[i * dY + k] * (((code >> k) & 1) == 1 ? 1 : -1);
                proto[code][i] = v;
            }
        }
        PrototypeProjection pp = PrototypeProjection.of(proto, 3);
        for (double e : pp.explained()) assertEquals(1.0 / 3, e, 1e-12);
        for (int a = 0; a < c; a++) {
            for (int b = 0; b < c; b++) {
                assertEquals(distance(proto[a], proto[b]), distance(pp.coordinates()[a], pp.coordinates()[b]), 1e-10);
            }
            // every corner sits at distance 2.5·√3 from the centre
            assertEquals(2.5 * Math.sqrt(3), distance(pp.coordinates()[a], new double[3]), 1e-10);
        }
    }

    @Test
    void componentsAreOrderedByVarianceAndPaddedBeyondTheRank() {
        double[][] proto = {{3, 0.5}, {-3, -0.5}, {3, -0.5}, {-3, 0.5}};
        PrototypeProjection pp = PrototypeProjection.of(proto, 3);
        assertEquals(36.0 / 37, pp.explained()[0], 1e-12);
        assertEquals(1.0 / 37, pp.explained()[1], 1e-12);
        assertEquals(0.0, pp.explained()[2], 1e-12);
        assertEquals(3.0, Math.abs(pp.coordinates()[0][0]), 1e-12);
        assertEquals(0.5, Math.abs(pp.coordinates()[0][1]), 1e-12);
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }
}
