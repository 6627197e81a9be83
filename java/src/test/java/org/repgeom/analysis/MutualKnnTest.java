package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MutualKnnTest {

    @Test
    void identicalAndRotatedRepresentationsScoreOne() {
        Random rnd = new Random(1);
        int m = 8, p = 60, k = MutualKnn.DEFAULT_K;
        double[] a = TestData.gaussian(m, p, rnd);
        assertEquals(1.0, MutualKnn.of(a, m, a, m, p, k));
        double[] rotated = CkaTest.mult(TestData.orthonormalColumns(m, m, rnd), m, a, p);
        assertEquals(1.0, MutualKnn.of(a, m, rotated, m, p, k));
        // rescaling individual samples does not change cosines
        double[] perSample = a.clone();
        for (int i = 0; i < m; i++) {
            for (int s = 0; s < p; s++) {
                perSample[i * p + s] *= 1 + s;
            }
        }
        assertEquals(1.0, MutualKnn.of(a, m, perSample, m, p, k));
    }

    @Test
    void independentRepresentationsScoreChance() {
        Random rnd = new Random(2);
        int m = 10, p = 200, k = 10;
        double v = MutualKnn.of(TestData.gaussian(m, p, rnd), m, TestData.gaussian(m, p, rnd), m, p, k);
        double chance = k / (p - 1.0);
        assertTrue(Math.abs(v - chance) < 0.03, v + " vs chance " + chance);
    }

    /** Unit vectors at angles 0°, 10°, 30°, 90° (2-D): cosine neighbours by hand, self excluded. */
    @Test
    void handComputedNeighbours() {
        double[] ang = {0, 10, 30, 90};
        double[] r = new double[8];
        for (int s = 0; s < 4; s++) {
            r[s] = Math.cos(Math.toRadians(ang[s]));
            r[4 + s] = Math.sin(Math.toRadians(ang[s]));
        }
        int[][] n = MutualKnn.neighbours(r, 2, 4, 2);
        assertArrayEquals(new int[]{1, 2}, n[0]);
        assertArrayEquals(new int[]{0, 2}, n[1]);
        assertArrayEquals(new int[]{1, 0}, n[2]);
        assertArrayEquals(new int[]{2, 1}, n[3]);
        assertThrows(IllegalArgumentException.class, () -> MutualKnn.of(r, 2, r, 2, 4, 4));
    }
}
