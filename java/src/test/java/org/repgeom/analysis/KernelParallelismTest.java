package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KernelParallelismTest {

    /** Hypercube labels dY × (2^dY · perClass), each class's samples side by side. */
    private static double[] labels(int dY, int perClass) {
        int p = (1 << dY) * perClass;
        double[] y = new double[dY * p];
        for (int s = 0; s < p; s++) {
            int code = s / perClass;
            for (int k = 0; k < dY; k++) y[k * p + s] = ((code >> k) & 1) == 1 ? 1 : -1;
        }
        return y;
    }

    @Test
    void equalsThePaperScoreOfAnyRepresentationWithThatKernel() {
        Random rnd = new Random(7);
        for (int dY : new int[] {2, 3}) {
            int perClass = 2, p = (1 << dY) * perClass, m = 5;
            double[] y = labels(dY, perClass);
            for (int trial = 0; trial < 5; trial++) {
                double[] r = new double[m * p];
                for (int i = 0; i < r.length; i++) r[i] = rnd.nextGaussian() + (trial == 0 ? 0 : 0.8 * y[(i % p)]);
                ParallelismScore want = ParallelismScore.of(r, m, y, dY, p);
                ParallelismScore got = KernelParallelism.of(RepresentationKernel.of(r, m, p), y, dY, p);
                assertEquals(want.mean(), got.mean(), 1e-10);
                for (int k = 0; k < dY; k++) assertEquals(want.perLabel()[k], got.perLabel()[k], 1e-10);
            }
        }
    }

    @Test
    void scaledLabelsHaveThePsOfTheirSignPattern() {
        int dY = 3, p = 8;
        double[] y = labels(dY, 1);
        double[] scaled = y.clone();
        double[] s = {4, 1.5, 0.5};
        for (int k = 0; k < dY; k++) for (int i = 0; i < p; i++) scaled[k * p + i] *= s[k];
        // R = Y itself: every coding vector of label k is 2 e_k, perfectly parallel
        assertEquals(1.0, KernelParallelism.of(RepresentationKernel.of(scaled, dY, p), scaled, dY, p).mean(), 1e-12);
        Random rnd = new Random(3);
        double[] r = new double[4 * p];
        for (int i = 0; i < r.length; i++) r[i] = rnd.nextGaussian();
        double[] k = RepresentationKernel.of(r, 4, p);
        assertEquals(KernelParallelism.of(k, y, dY, p).mean(), KernelParallelism.of(k, scaled, dY, p).mean(), 0.0);
    }

    @Test
    void undefinedWithoutEveryClass() {
        int p = 6;
        double[] y = {1, 1, -1, -1, 1, 1, 1, 1, 1, 1, 1, -1}; // dY = 2: the class (−1, −1) is missing
        double[] k = new double[p * p];
        for (int i = 0; i < p; i++) k[i * p + i] = 1;
        assertTrue(Double.isNaN(KernelParallelism.of(k, new double[] {1, -1, 1, -1, 1, -1}, 1, p).mean()), "dY = 1");
        assertTrue(Double.isNaN(KernelParallelism.of(k, y, 2, p).mean()), "a class missing");
    }
}
