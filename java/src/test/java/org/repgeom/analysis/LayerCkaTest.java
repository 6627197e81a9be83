package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerCkaTest {

    /**
     * Deep linear network at its optimum on the hypercube task: every hidden kernel is a multiple of
     * K_Y (docs/science.md §5.5, K_l = P^{l/L−1} K_Y as λ → 0), so the hidden block of the matrix is exactly 1;
     * a random input layer is not.
     */
    @Test
    void layersWithProportionalKernelsFormABlockOfOnes() {
        Random rnd = new Random(3);
        int dY = 3, p = 8, depth = 3;
        double[] y = TestData.hypercubeY(dY, 1, rnd);
        double[] kY = RepresentationKernel.of(y, dY, p);
        List<double[]> kernels = new ArrayList<>();
        kernels.add(RepresentationKernel.of(TestData.gaussian(5, p, rnd), 5, p));
        for (int l = 1; l <= depth; l++) {
            double scale = Math.pow(p, (double) l / depth - 1);
            double[] k = kY.clone();
            for (int i = 0; i < k.length; i++) k[i] *= scale;
            kernels.add(k);
        }
        double[][] m = LayerCka.matrix(kernels, p);
        for (int a = 1; a <= depth; a++) {
            for (int b = 1; b <= depth; b++) assertEquals(1.0, m[a][b], 1e-12);
            assertTrue(m[0][a] < 0.9, "input vs hidden " + m[0][a]);
        }
    }

    @Test
    void entriesArePairwiseLinearCkaAndTheMatrixIsSymmetric() {
        Random rnd = new Random(4);
        int p = 12;
        int[] widths = {4, 7, 3};
        List<double[]> reps = new ArrayList<>();
        List<double[]> kernels = new ArrayList<>();
        for (int w : widths) {
            double[] r = TestData.gaussian(w, p, rnd);
            reps.add(r);
            kernels.add(RepresentationKernel.of(r, w, p));
        }
        double[][] m = LayerCka.matrix(kernels, p);
        for (int a = 0; a < widths.length; a++) {
            assertEquals(1.0, m[a][a], 1e-12);
            for (int b = 0; b < widths.length; b++) {
                assertEquals(m[a][b], m[b][a], 0.0);
                assertEquals(Cka.linear(reps.get(a), widths[a], reps.get(b), widths[b], p), m[a][b], 1e-12);
            }
        }
    }

    @Test
    void aConstantLayerHasNaNRowAndColumn() {
        int p = 4;
        double[] dead = new double[p * p];
        java.util.Arrays.fill(dead, 2.0); // constant over samples: centred kernel 0
        double[] live = RepresentationKernel.of(new double[] {1, 2, 0, 5}, 1, p);
        double[][] m = LayerCka.matrix(List.of(live, dead), p);
        assertEquals(1.0, m[0][0], 1e-12);
        assertTrue(Double.isNaN(m[1][1]) && Double.isNaN(m[0][1]) && Double.isNaN(m[1][0]));
    }
}
