package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NeuralComparisonTest {

    /** Q·R for Q (n×m, orthonormal columns) and R (m×p): R rotated into n ≥ m neurons. */
    static double[] embed(double[] q, int n, double[] r, int m, int p) {
        double[] out = new double[n * p];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < m; k++) {
                for (int s = 0; s < p; s++) out[i * p + s] += q[i * m + k] * r[k * p + s];
            }
        }
        return out;
    }

    @Test
    void rotationIntoMoreNeuronsAndIsotropicScalingLookIdentical() {
        Random rnd = new Random(11);
        int m = 6, n = 40, p = 12;
        double[] r = TestData.gaussian(m, p, rnd);
        double[] data = embed(TestData.orthonormalColumns(n, m, rnd), n, r, m, p);
        for (int i = 0; i < data.length; i++) data[i] *= 7.5;
        NeuralComparison.Similarity s = NeuralComparison.similarity(RepresentationKernel.of(data, n, p),
                RepresentationKernel.of(r, m, p), p);
        assertEquals(1.0, s.cka(), 1e-12);
        assertEquals(1.0, s.rsa(), 1e-12);
        assertEquals(0.0, s.kernelDistance(), 1e-6);
    }

    @Test
    void unrelatedRepresentationIsFarOnEveryMeasure() {
        Random rnd = new Random(12);
        int m = 6, p = 16;
        double[] a = TestData.gaussian(m, p, rnd);
        double[] b = TestData.gaussian(m, p, rnd);
        NeuralComparison.Similarity s = NeuralComparison.similarity(RepresentationKernel.of(a, m, p),
                RepresentationKernel.of(b, m, p), p);
        assertTrue(s.cka() < 0.7 && Math.abs(s.rsa()) < 0.5 && s.kernelDistance() > 0.3, s.toString());
    }

    @Test
    void geometryOfAnAbstractCodeMatchesTheAnalysisClasses() {
        Random rnd = new Random(13);
        int dY = 3, p = 16, n = 20;
        double[] y = TestData.hypercubeY(dY, 2, rnd);
        double[] r = embed(TestData.orthonormalColumns(n, dY, rnd), n, y, dY, p); // a rotated copy of Y: abstract
        double[] k = RepresentationKernel.of(r, n, p);
        NeuralComparison.Geometry g = NeuralComparison.geometry(r, n, k, y, dY, p);
        assertEquals(1.0, g.ps(), 1e-12);
        assertEquals(1.0, g.ccgp(), 1e-12);
        assertEquals(1.0, g.ckaY(), 1e-12);
        assertEquals(dY, g.participationRatio(), 1e-9); // three orthogonal, equally strong label directions
    }

    @Test
    void recordingAveragesRepeatsInSampleOrderAndSplitsThemInHalves() {
        // two neurons, 3 study samples; columns: s2, s0, s2, s0, s0 (sample 1 not recorded)
        double[] r = {1, 10, 3, 20, 60,
                      -1, 0, -3, 2, 4};
        Recording rec = Recording.of(r, 2, new int[]{2, 0, 2, 0, 0}, 3);
        assertArrayEquals(new int[]{0, 2}, rec.samples());
        assertArrayEquals(new int[]{3, 2}, rec.repeats());
        assertArrayEquals(new double[]{30, 2, 2, -2}, rec.mean(), 1e-12);
        // halves: sample 0 -> first/third repeat (10, 60) vs second (20); sample 2 -> 1 vs 3
        assertArrayEquals(new double[]{35, 1, 2, -1}, rec.halfA(), 1e-12);
        assertArrayEquals(new double[]{20, 3, 2, -3}, rec.halfB(), 1e-12);
        assertTrue(rec.hasRepeats());
    }

    @Test
    void splitHalfIsHighForAReliableRecordingAndAbsentWithoutRepeats() {
        Random rnd = new Random(14);
        int n = 30, p = 8, reps = 4;
        double[] signal = TestData.gaussian(n, p, rnd);
        double[] r = new double[n * p * reps];
        int[] sampleOf = new int[p * reps];
        for (int c = 0; c < p * reps; c++) {
            sampleOf[c] = c % p;
            for (int u = 0; u < n; u++) r[u * p * reps + c] = signal[u * p + c % p] + 0.2 * rnd.nextGaussian();
        }
        Recording.SplitHalf sh = Recording.of(r, n, sampleOf, p).splitHalf();
        assertTrue(sh.rsa() > 0.8 && sh.cka() > 0.9, sh.toString());
        assertEquals(2 * sh.rsa() / (1 + sh.rsa()), sh.rsaSpearmanBrown(), 1e-15);
        assertNull(Recording.of(signal, n, new int[]{0, 1, 2, 3, 4, 5, 6, 7}, p).splitHalf());
    }

    @Test
    void noiseCeilingIsCloseToTheRsaOfTheNoiseFreeSignal() {
        // the noise-free signal is the best possible model: its RSA against the noisy average should sit near
        // the ceiling estimated from the repeats alone
        Random rnd = new Random(15);
        int n = 50, p = 24, reps = 4;
        double[] signal = TestData.gaussian(n, p, rnd);
        for (double noise : new double[]{0.5, 1.0}) { // reliable data; at split-half ρ below ~0.3 the estimate is loose
            double[] r = new double[n * p * reps];
            int[] sampleOf = new int[p * reps];
            for (int c = 0; c < p * reps; c++) {
                sampleOf[c] = c % p;
                for (int u = 0; u < n; u++) r[u * p * reps + c] = signal[u * p + c % p] + noise * rnd.nextGaussian();
            }
            Recording rec = Recording.of(r, n, sampleOf, p);
            double best = Rsa.fromKernels(RepresentationKernel.of(rec.mean(), n, p), RepresentationKernel.of(signal, n, p), p);
            double ceiling = rec.splitHalf().rsaCeiling();
            assertTrue(best < 0.97 && Math.abs(best - ceiling) < 0.1, "noise " + noise + ": best " + best + ", ceiling " + ceiling);
        }
    }
}
