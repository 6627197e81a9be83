package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RsaTest {

    @Test
    void tiesGetMidRanksAndTheTieCorrectedCoefficient() {
        assertArrayEquals(new double[]{1, 2.5, 2.5, 4}, Rsa.midRanks(new double[]{1, 2, 2, 3}), 0);
        assertArrayEquals(new double[]{2, 2, 2, 4.5, 4.5}, Rsa.midRanks(new double[]{7, 7, 7, 9, 9}), 0);
        // ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): covariance 4.5 over sqrt(4.5 · 5) = 3/sqrt(10);
        // the no-ties shortcut 1 − 6Σd²/(n(n²−1)) would give 0.95
        double rho = Rsa.spearman(new double[]{1, 2, 2, 3}, new double[]{10, 20, 30, 40});
        assertEquals(3 / Math.sqrt(10), rho, 1e-15);
        assertTrue(Math.abs(rho - 0.95) > 1e-3);
    }

    @Test
    void spearmanIsInvariantToMonotoneMapsAndFlipsUnderReversal() {
        Random rnd = new Random(3);
        double[] a = TestData.gaussian(1, 40, rnd);
        double[] b = a.clone();
        for (int i = 0; i < b.length; i++) b[i] += 0.7 * rnd.nextGaussian();
        double rho = Rsa.spearman(a, b);
        double[] warped = new double[a.length];
        double[] reversed = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            warped[i] = Math.exp(3 * a[i]) + a[i];
            reversed[i] = -a[i];
        }
        assertEquals(rho, Rsa.spearman(warped, b), 1e-12);
        assertEquals(-rho, Rsa.spearman(reversed, b), 1e-12);
        assertTrue(rho > 0.3 && rho < 0.99, "a noisy copy is correlated but not identical: " + rho);
    }

    @Test
    void constantSampleIsNaN() {
        assertTrue(Double.isNaN(Rsa.spearman(new double[]{2, 2, 2}, new double[]{1, 2, 3})));
    }

    @Test
    void dissimilaritiesAreEuclideanDistancesOfTheColumns() {
        Random rnd = new Random(4);
        int m = 5, p = 6;
        double[] r = TestData.gaussian(m, p, rnd);
        double[] d = Rsa.dissimilarities(RepresentationKernel.of(r, m, p), p);
        int n = 0;
        for (int i = 0; i < p; i++) {
            for (int j = i + 1; j < p; j++) {
                double s = 0;
                for (int u = 0; u < m; u++) s += Math.pow(r[u * p + i] - r[u * p + j], 2);
                assertEquals(Math.sqrt(s), d[n++], 1e-12);
            }
        }
        assertEquals(p * (p - 1) / 2, n);
    }

    @Test
    void hypercubeRdmHasTiesAndStillRanksItsOwnNoisyCopyHigh() {
        // abstract code of 3 labels on 8 conditions: distances depend only on the Hamming distance (3 values)
        Random rnd = new Random(5);
        int dY = 3, p = 8;
        double[] y = TestData.hypercubeY(dY, 1, rnd);
        double[] kY = RepresentationKernel.of(y, dY, p);
        double[] noisy = y.clone();
        for (int i = 0; i < noisy.length; i++) noisy[i] += 0.05 * rnd.nextGaussian();
        double self = Rsa.fromKernels(kY, RepresentationKernel.of(noisy, dY, p), p);
        assertTrue(self > 0.85 && self < 1, "noisy copy: " + self);
        assertEquals(1.0, Rsa.fromKernels(kY, kY, p), 1e-15);
    }
}
