package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NeuralCollapseTest {
    static final int C = 4, M = 6, N = 3, P = C * N;

    /**
     * Class means μ_c = offset + √(C/(C−1))·Q(e_c − 1/C) with Q (M×C) orthonormal columns: a simplex
     * ETF around {@code offset}; sample s belongs to class s % C and sits at its mean plus noise.
     */
    static double[] etfRepresentation(int[] classOf, double[] offset, double noise, Random rnd) {
        double[] q = TestData.orthonormalColumns(M, C, rnd);
        double[] r = new double[M * P];
        double scale = Math.sqrt(C / (C - 1.0));
        for (int s = 0; s < P; s++) {
            classOf[s] = s % C;
            for (int i = 0; i < M; i++) {
                double v = 0;
                for (int k = 0; k < C; k++) {
                    v += q[i * C + k] * ((k == classOf[s] ? 1.0 : 0.0) - 1.0 / C);
                }
                r[i * P + s] = offset[i] + scale * v + noise * rnd.nextGaussian();
            }
        }
        return r;
    }

    /** W = M̄ᵀ (C×M): row c is the centred mean of class c. */
    static double[] centredMeansTransposed(double[] r, int[] classOf, double[] offset) {
        double[][] mu = ClassPartition.prototypes(r, M, classOf, C);
        double[] w = new double[C * M];
        for (int k = 0; k < C; k++) {
            for (int i = 0; i < M; i++) {
                w[k * M + i] = mu[k][i] - offset[i];
            }
        }
        return w;
    }

    @Test
    void exactSimplexEtfWithoutSpreadCollapsesCompletely() {
        Random rnd = new Random(1);
        int[] classOf = new int[P];
        double[] offset = {0.5, -1, 2, 0, 0.3, 1};
        double[] r = etfRepresentation(classOf, offset, 0.0, rnd);
        double[] w = centredMeansTransposed(r, classOf, offset);
        // the offset is invisible to the centred statistics; for the classifier, b = −W·offset removes it
        double[] bias = new double[C];
        for (int k = 0; k < C; k++) {
            for (int i = 0; i < M; i++) {
                bias[k] -= w[k * M + i] * offset[i];
            }
        }
        NeuralCollapse nc = NeuralCollapse.of(r, M, classOf, C, w, bias);
        assertEquals(0.0, nc.nc1(), 1e-20);
        assertEquals(0.0, nc.nc2(), 1e-12);
        assertEquals(0.0, nc.equinorm(), 1e-12);
        assertEquals(0.0, nc.equiangularity(), 1e-12);
        assertEquals(0.0, nc.nc3(), 1e-12);
        assertEquals(0.0, nc.nc4());
        // NC3 is scale-free in W
        for (int i = 0; i < w.length; i++) {
            w[i] *= 7;
        }
        assertEquals(0.0, NeuralCollapse.nc3(r, M, classOf, C, w), 1e-12);
    }

    @Test
    void withinClassNoiseRaisesNc1Monotonically() {
        int[] classOf = new int[P];
        double[] offset = new double[M];
        double small = NeuralCollapse.nc1(etfRepresentation(classOf, offset, 0.05, new Random(2)), M, classOf, C);
        double large = NeuralCollapse.nc1(etfRepresentation(classOf, offset, 0.3, new Random(2)), M, classOf, C);
        assertTrue(small > 1e-4, "small noise " + small);
        assertTrue(large > 10 * small, small + " vs " + large);
    }

    /** C = 2, M = 1: samples 1 ± a and −1 ± a. Σ_W = a², Σ_B = 1, NC1 = a²/2; the ETF is ±1 so NC2 = 0. */
    @Test
    void handComputedNc1() {
        double a = 0.5;
        double[] r = {1 - a, 1 + a, -1 - a, -1 + a};
        int[] classOf = {0, 0, 1, 1};
        NeuralCollapse nc = NeuralCollapse.of(r, 1, classOf, 2, null, null);
        assertEquals(a * a / 2, nc.nc1(), 1e-15);
        assertEquals(0.0, nc.nc2(), 1e-15);
        assertTrue(Double.isNaN(nc.nc3()) && Double.isNaN(nc.nc4()));
    }

    @Test
    void randomClassMeansAreFarFromAnEtf() {
        Random rnd = new Random(3);
        int c = 6, m = 3, n = 2, p = c * n; // a 6-class ETF needs 5 dimensions: 3 cannot hold one
        int[] classOf = new int[p];
        double[] means = TestData.gaussian(m, c, rnd);
        double[] r = new double[m * p];
        for (int s = 0; s < p; s++) {
            classOf[s] = s % c;
            for (int i = 0; i < m; i++) {
                r[i * p + s] = means[i * c + classOf[s]];
            }
        }
        NeuralCollapse nc = NeuralCollapse.of(r, m, classOf, c, null, null);
        assertTrue(nc.nc2() > 0.3, "NC2 " + nc.nc2());
        assertTrue(nc.equiangularity() > 0.1, "equiangularity " + nc.equiangularity());
        assertEquals(0.0, nc.nc1(), 1e-20); // still no within-class spread
    }

    @Test
    void permutedReadoutDisagreesEverywhereAndIsNotSelfDual() {
        Random rnd = new Random(4);
        int[] classOf = new int[P];
        double[] offset = new double[M];
        double[] r = etfRepresentation(classOf, offset, 0.01, rnd);
        double[] w = centredMeansTransposed(r, classOf, offset);
        double[] shifted = new double[C * M];
        for (int k = 0; k < C; k++) {
            System.arraycopy(w, ((k + 1) % C) * M, shifted, k * M, M); // unit k votes for class k+1
        }
        assertEquals(1.0, NeuralCollapse.nc4(r, M, classOf, C, shifted, null));
        assertEquals(0.0, NeuralCollapse.nc4(r, M, classOf, C, w, null));
        assertTrue(NeuralCollapse.nc3(r, M, classOf, C, shifted) > 0.5);
    }

    @Test
    void classesFromOneHotAndValidation() {
        double[] y = {1, 0, 0, 0, 1, 0, 0, 0, 1}; // 3×3, sample s in class s
        assertArrayEquals(new int[]{0, 1, 2}, NeuralCollapse.classesFromOneHot(y, 3, 3));
        assertThrows(IllegalArgumentException.class,
                () -> NeuralCollapse.nc1(new double[]{1, 2, 3}, 1, new int[]{0, 0, 0}, 2));
    }
}
