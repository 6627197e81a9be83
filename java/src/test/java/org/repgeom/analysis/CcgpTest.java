package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CcgpTest {

    /**
     * Factorised hypercube representation: h_s = offset + Σ_k scale_k y_k(s) q_k + noise, with
     * orthonormal q_k (M×dY) and different scales per label (still exactly parallel).
     */
    static double[] factorised(double[] y, int dY, int p, int m, double noise, Random rnd) {
        double[] q = TestData.orthonormalColumns(m, dY, rnd);
        double[] r = new double[m * p];
        for (int i = 0; i < m; i++) {
            double offset = rnd.nextGaussian();
            for (int s = 0; s < p; s++) {
                double v = offset + noise * rnd.nextGaussian();
                for (int k = 0; k < dY; k++) {
                    v += (1.0 + k) * y[k * p + s] * q[i * dY + k];
                }
                r[i * p + s] = v;
            }
        }
        return r;
    }

    @Test
    void factorisedHypercubeHasCcgpOne() {
        Random rnd = new Random(1);
        int dY = 3, n = 5, m = 20, p = n << dY;
        double[] y = TestData.hypercubeY(dY, n, rnd);
        Ccgp c = Ccgp.of(factorised(y, dY, p, m, 0.05, rnd), m, y, dY, p);
        assertEquals(1.0, c.mean());
        for (double v : c.perLabel()) {
            assertEquals(1.0, v);
        }
        // more units than training samples: the dual branch of the ridge solve
        int wide = 100;
        assertEquals(1.0, Ccgp.of(factorised(y, dY, p, wide, 0.05, rnd), wide, y, dY, p).mean());
    }

    @Test
    void randomClassMeansGeneraliseAtChance() {
        int dY = 3, n = 4, m = 20, p = n << dY, seeds = 10;
        double total = 0;
        for (int seed = 0; seed < seeds; seed++) {
            Random rnd = new Random(100 + seed);
            double[] y = TestData.hypercubeY(dY, n, rnd);
            ClassPartition cp = ClassPartition.ofColumns(y, dY, p);
            double[] means = TestData.gaussian(m, cp.classCount(), rnd);
            double[] r = new double[m * p];
            for (int i = 0; i < m; i++) {
                for (int s = 0; s < p; s++) {
                    r[i * p + s] = means[i * cp.classCount() + cp.classOf()[s]] + 0.1 * rnd.nextGaussian();
                }
            }
            double v = Ccgp.of(r, m, y, dY, p).mean();
            assertTrue(v < 0.9, "seed " + seed + ": " + v);
            total += v;
        }
        double mean = total / seeds;
        assertTrue(mean > 0.35 && mean < 0.65, "mean CCGP " + mean);
    }

    /**
     * Two units: unit 0 codes the dichotomy (±1), unit 1 the condition (0 in training, 5 in test).
     * Unit 1 has no variance in training, so the readout puts no weight on it and the held-out pair
     * is classified correctly; swapping the test sides gives 0.
     */
    @Test
    void handMadeSplit() {
        double[] r = {1, -1, 1, -1, 0, 0, 5, 5}; // 2×4: samples = classes 0..3
        int[] classOf = {0, 1, 2, 3};
        boolean[] train = {true, true, false, false};
        assertEquals(1.0, Ccgp.splitAccuracy(r, 2, classOf, 4, new boolean[]{true, false, true, false}, train));
        assertEquals(0.0, Ccgp.splitAccuracy(r, 2, classOf, 4, new boolean[]{true, false, false, true}, train));
        assertThrows(IllegalArgumentException.class,
                () -> Ccgp.splitAccuracy(r, 2, classOf, 4, new boolean[]{true, true, false, false}, train));
    }

    @Test
    void undefinedCasesAreNaN() {
        Random rnd = new Random(3);
        double[] y1 = TestData.hypercubeY(1, 3, rnd);
        assertTrue(Double.isNaN(Ccgp.of(TestData.gaussian(4, 6, rnd), 4, y1, 1, 6).mean()));
        double[] y = TestData.hypercubeY(2, 2, rnd);
        y[0] = 0.5;
        assertTrue(Double.isNaN(Ccgp.of(TestData.gaussian(4, 8, rnd), 4, y, 2, 8).mean()));
    }
}
