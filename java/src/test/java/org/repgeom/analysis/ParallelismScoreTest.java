package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ParallelismScoreTest {

    /** R = U Y + b 1ᵀ + per-sample noise that averages out within each class: exact parallel code. */
    private static double[] parallelCode(double[] y, int dY, int p, int m, Random rnd) {
        double[] u = TestData.gaussian(m, dY, rnd);
        double[] r = new double[m * p];
        for (int i = 0; i < m; i++) {
            double bias = rnd.nextGaussian();
            for (int s = 0; s < p; s++) {
                double v = bias;
                for (int k = 0; k < dY; k++) {
                    v += u[i * dY + k] * y[k * p + s];
                }
                r[i * p + s] = v;
            }
        }
        return r;
    }

    @Test
    void handComputedExample() {
        // dY = 2, one sample per class, M = 2; prototypes (−,−)=(0,0), (+,−)=(1,0), (−,+)=(0,1), (+,+)=(2,2)
        // label 0 codes (1,0) and (2,1); label 1 codes (0,1) and (1,2): both cosines 2/√5
        double[] y = {-1, 1, -1, 1, /* */ -1, -1, 1, 1};
        double[] r = {0, 1, 0, 2, /* */ 0, 0, 1, 2};
        ParallelismScore ps = ParallelismScore.of(r, 2, y, 2, 4);
        assertEquals(2 / Math.sqrt(5), ps.perLabel()[0], 1e-15);
        assertEquals(2 / Math.sqrt(5), ps.perLabel()[1], 1e-15);
        assertEquals(2 / Math.sqrt(5), ps.mean(), 1e-15);
    }

    @Test
    void exactParallelCodeScoresOneInBothVariants() {
        Random rnd = new Random(11);
        int dY = 3, n = 2, p = n << dY, m = 10;
        double[] y = TestData.hypercubeY(dY, n, rnd);
        double[] r = parallelCode(y, dY, p, m, rnd);
        ParallelismScore ps = ParallelismScore.of(r, m, y, dY, p);
        assertEquals(1.0, ps.mean(), 1e-12);
        for (double v : ps.perLabel()) {
            assertEquals(1.0, v, 1e-12);
        }
        ClassPartition classes = ClassPartition.ofColumns(y, dY, p);
        assertEquals(8, classes.classCount());
        for (int k = 0; k < dY; k++) {
            double best = ParallelismScore.maxOverPairings(r, m, classes.classOf(), 8, classes.labelDichotomy(k));
            assertEquals(1.0, best, 1e-12);
        }
    }

    @Test
    void randomRepresentationScoresLowAndMaxDominatesPaperVariant() {
        Random rnd = new Random(5);
        int dY = 3, n = 3, p = n << dY, m = 50;
        double[] y = TestData.hypercubeY(dY, n, rnd);
        double[] r = TestData.gaussian(m, p, rnd);
        ParallelismScore ps = ParallelismScore.of(r, m, y, dY, p);
        assertTrue(Math.abs(ps.mean()) < 0.3, "random PS " + ps.mean());
        ClassPartition classes = ClassPartition.ofColumns(y, dY, p);
        for (int k = 0; k < dY; k++) {
            double best = ParallelismScore.maxOverPairings(r, m, classes.classOf(), 8, classes.labelDichotomy(k));
            assertTrue(best < 0.6, "random max-over-pairings PS " + best);
            assertTrue(best >= ps.perLabel()[k] - 1e-12, "max " + best + " < paper " + ps.perLabel()[k]);
        }
    }

    /**
     * Random representation: the coding vectors of different settings are differences of disjoint,
     * independent class means, so their cosines are ≈ N(0, 1/M); with M = 2000 each PS_k is a mean of
     * such cosines and PS ≈ 0 within a few 1/√M.
     */
    @Test
    void randomRepresentationHasPsNearZero() {
        Random rnd = new Random(17);
        int dY = 3, n = 2, p = n << dY, m = 2000;
        double sum = 0;
        for (int trial = 0; trial < 5; trial++) {
            double[] y = TestData.hypercubeY(dY, n, rnd);
            double ps = ParallelismScore.of(TestData.gaussian(m, p, rnd), m, y, dY, p).mean();
            assertEquals(0.0, ps, 0.05, "trial " + trial);
            sum += ps;
        }
        assertEquals(0.0, sum / 5, 0.02);
    }

    @Test
    void maxOverPairingsFindsTheParallelPairing() {
        // 4 classes on a line: A = {0, 1} at (0,0), (0,1); B = {2, 3} at (1,1), (1,0).
        // Pairing 0↔3, 1↔2 gives differences (−1,0), (−1,0): cosine 1; the other pairing gives (−1,−1),(−1,1): 0.
        int[] classOf = {0, 1, 2, 3};
        double[] r = {0, 0, 1, 1, /* */ 0, 1, 1, 0};
        boolean[] dichotomy = {true, true, false, false};
        assertEquals(1.0, ParallelismScore.maxOverPairings(r, 2, classOf, 4, dichotomy), 1e-15);
    }

    @Test
    void scaledLabelsScoreLikeTheirSignsAndLikeTheKernelForm() {
        int dY = 3, p = 16, m = 5;
        Random rnd = new Random(11);
        double[] y = new double[dY * p];
        for (int s = 0; s < p; s++) for (int k = 0; k < dY; k++) y[k * p + s] = ((s >> k) & 1) == 1 ? 1 : -1;
        double[] scaled = y.clone();
        double[] scale = {3, 0.25, 1.5};
        for (int k = 0; k < dY; k++) for (int s = 0; s < p; s++) scaled[k * p + s] *= scale[k];
        double[] r = TestData.gaussian(m, p, rnd);
        ParallelismScore signs = ParallelismScore.of(r, m, y, dY, p);
        assertTrue(Double.isFinite(signs.mean()));
        assertEquals(signs.mean(), ParallelismScore.of(r, m, scaled, dY, p).mean(), 0.0);
        assertEquals(signs.mean(), KernelParallelism.of(RepresentationKernel.of(r, m, p), scaled, dY, p).mean(), 1e-12);
    }

    @Test
    void undefinedCasesGiveNaN() {
        double[] r = {1, 2, 3, 4};
        // dY = 1: a single coding vector
        assertTrue(Double.isNaN(ParallelismScore.of(r, 1, new double[] {1, -1, 1, -1}, 1, 4).mean()));
        // a zero label
        double[] y01 = {1, 0, 1, 0, /* */ 1, 1, 0, 0};
        assertTrue(Double.isNaN(ParallelismScore.of(r, 1, y01, 2, 4).perLabel()[0]));
        // class (+,+) missing
        double[] yMissing = {-1, 1, -1, -1, /* */ -1, -1, 1, 1};
        ParallelismScore ps = ParallelismScore.of(r, 1, yMissing, 2, 4);
        assertTrue(Double.isNaN(ps.mean()) && Double.isNaN(ps.perLabel()[1]));
        // class without samples
        assertTrue(Double.isNaN(ParallelismScore.maxOverPairings(r, 1, new int[] {0, 0, 1, 2}, 4,
                new boolean[] {true, true, false, false})));
    }

    @Test
    void zeroCodingVectorCountsAsZeroCosine() {
        // label 0 codes: (1) for y1 = −1 and (0) for y1 = +1 → cosine 0
        double[] y = {-1, 1, -1, 1, /* */ -1, -1, 1, 1};
        double[] r = {0, 1, 5, 5};
        assertEquals(0.0, ParallelismScore.of(r, 1, y, 2, 4).perLabel()[0], 0.0);
    }

    @Test
    void pairingArgumentsAreChecked() {
        double[] r = new double[6];
        int[] classOf = {0, 1, 2};
        assertThrows(IllegalArgumentException.class,
                () -> ParallelismScore.maxOverPairings(r, 2, classOf, 3, new boolean[] {true, false, false}));
        int classes = 18;
        boolean[] big = new boolean[classes];
        for (int c = 0; c < 9; c++) {
            big[c] = true;
        }
        int[] many = new int[classes];
        for (int c = 0; c < classes; c++) {
            many[c] = c;
        }
        assertThrows(IllegalArgumentException.class,
                () -> ParallelismScore.maxOverPairings(new double[classes], 1, many, classes, big));
    }

    @Test
    void eightClassesPerSideIsExactAndFast() {
        Random rnd = new Random(2);
        int dY = 4, p = 16, m = 6;
        double[] y = TestData.hypercubeY(dY, 1, rnd);
        double[] r = parallelCode(y, dY, p, m, rnd);
        ClassPartition classes = ClassPartition.ofColumns(y, dY, p);
        long t0 = System.nanoTime();
        double best = ParallelismScore.maxOverPairings(r, m, classes.classOf(), 16, classes.labelDichotomy(2));
        assertEquals(1.0, best, 1e-12);
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
    }
}
