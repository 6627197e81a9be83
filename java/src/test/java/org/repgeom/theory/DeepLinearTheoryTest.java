package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.analysis.TestData;
import org.repgeom.task.Task;

class DeepLinearTheoryTest {

    /** {@code ‖Y − W2 W1 X‖² + λ1‖W1‖² + λ2‖W2‖²}. */
    private static double loss(DMatrixRMaj w1, DMatrixRMaj w2, DMatrixRMaj x, DMatrixRMaj y, double l1, double l2) {
        DMatrixRMaj hidden = CommonOps_DDRM.mult(w1, x, null);
        DMatrixRMaj err = CommonOps_DDRM.subtract(y, CommonOps_DDRM.mult(w2, hidden, null), null);
        double e = NormOps_DDRM.normF(err), n1 = NormOps_DDRM.normF(w1), n2 = NormOps_DDRM.normF(w2);
        return e * e + l1 * n1 * n1 + l2 * n2 * n2;
    }

    /** Balanced layers W1 = Q diag(a1) (XV)ᵀ, W2 = U diag(a2) Qᵀ, a_l² = sqrt(λ1λ2) σ / λ_l, Q random. */
    private static DMatrixRMaj[] balanced(DeepLinearTheory theory, DMatrixRMaj x, int dY, int width, double l1,
                                          double l2, Random rnd) {
        int p = x.numCols, dX = x.numRows;
        double[] sigma = theory.mapSingularValues();
        int r = sigma.length;
        DMatrixRMaj u = new DMatrixRMaj(dY, r, true, theory.leftSingularVectors());
        DMatrixRMaj v = new DMatrixRMaj(p, r, true, theory.rightSingularVectors());
        DMatrixRMaj xv = CommonOps_DDRM.mult(x, v, null); // dX × r, orthonormal columns
        DMatrixRMaj q = new DMatrixRMaj(width, r, true, TestData.orthonormalColumns(width, r, rnd));
        DMatrixRMaj a1 = new DMatrixRMaj(r, r);
        DMatrixRMaj a2 = new DMatrixRMaj(r, r);
        double shrink = Math.sqrt(l1 * l2);
        for (int i = 0; i < r; i++) {
            a1.set(i, i, Math.sqrt(shrink * sigma[i] / l1));
            a2.set(i, i, Math.sqrt(shrink * sigma[i] / l2));
        }
        DMatrixRMaj w1 = new DMatrixRMaj(width, dX);
        CommonOps_DDRM.multTransB(CommonOps_DDRM.mult(q, a1, null), xv, w1);
        DMatrixRMaj w2 = new DMatrixRMaj(dY, width);
        CommonOps_DDRM.multTransB(CommonOps_DDRM.mult(u, a2, null), q, w2);
        return new DMatrixRMaj[] {w1, w2};
    }

    private static void checkConstruction(double[] yData, int dY, int p, int dX, int width, double l1, double l2,
                                          long seed) {
        Random rnd = new Random(seed);
        DMatrixRMaj x = new DMatrixRMaj(dX, p, true, TestData.orthonormalColumns(dX, p, rnd));
        DMatrixRMaj y = new DMatrixRMaj(dY, p, true, yData);
        DeepLinearTheory theory = DeepLinearTheory.twoLayer(yData, dY, p, l1, l2);
        DMatrixRMaj[] w = balanced(theory, x, dY, width, l1, l2, rnd);
        double best = loss(w[0], w[1], x, y, l1, l2);
        assertEquals(theory.minimalLoss(), best, 1e-10 * theory.minimalLoss());

        double[] hidden = CommonOps_DDRM.mult(w[0], x, null).data;
        double[] k = RepresentationKernel.of(hidden, width, p);
        assertTrue(KernelDistance.relative(k, theory.hiddenKernel()) < 1e-10);

        for (int trial = 0; trial < 100; trial++) { // no nearby point is lower
            DMatrixRMaj w1 = w[0].copy(), w2 = w[1].copy();
            for (int i = 0; i < w1.data.length; i++) {
                w1.data[i] += 1e-4 * rnd.nextGaussian();
            }
            for (int i = 0; i < w2.data.length; i++) {
                w2.data[i] += 1e-4 * rnd.nextGaussian();
            }
            assertTrue(loss(w1, w2, x, y, l1, l2) - best > -1e-12);
        }
    }

    @Test
    void balancedSolutionAttainsMinimalLossOnRandomTargets() {
        Random rnd = new Random(41);
        int dY = 3, p = 7;
        checkConstruction(TestData.gaussian(dY, p, rnd), dY, p, 9, 5, 2e-2, 5e-2, 43);
    }

    @Test
    void strongRegularisationDropsWeakDirections() {
        // Y = diag-like with singular values 3, 2, 0.5: with sqrt(λ1λ2) = 1 the last direction is cut
        int dY = 3, p = 4;
        double[] y = {3, 0, 0, 0, /* */ 0, 2, 0, 0, /* */ 0, 0, 0.5, 0};
        DeepLinearTheory theory = DeepLinearTheory.twoLayer(y, dY, p, 0.5, 2.0);
        assertArrayEquals(new double[] {3, 2, 0.5}, theory.targetSingularValues(), 1e-12);
        assertArrayEquals(new double[] {2, 1, 0}, theory.mapSingularValues(), 1e-12);
        assertEquals(2, theory.rank());
        // (1 + 2·2) + (1 + 2·1) + 0.25 = 8.25
        assertEquals(8.25, theory.minimalLoss(), 1e-12);
        checkConstruction(y, dY, p, 6, 4, 0.5, 2.0, 47);
    }

    @Test
    void hypercubeHiddenKernelIsProportionalToOutputKernel() {
        // rows of Y are orthogonal with norm √P, so K_1 = sqrt(λ2/λ1) (√P − sqrt(λ1λ2)) / P · K_Y: PS = 1
        Random rnd = new Random(53);
        int dY = 3, n = 2, p = n << dY;
        double[] y = TestData.hypercubeY(dY, n, rnd);
        double l1 = 1e-2, l2 = 4e-2;
        DeepLinearTheory theory = DeepLinearTheory.twoLayer(y, dY, p, l1, l2);
        double[] ky = Kernels.linear(y, dY, p);
        double coef = Math.sqrt(l2 / l1) * (Math.sqrt(p) - Math.sqrt(l1 * l2)) / p;
        double[] expected = new double[ky.length];
        for (int i = 0; i < ky.length; i++) {
            expected[i] = coef * ky[i];
        }
        assertTrue(TestData.maxAbsDiff(expected, theory.hiddenKernel()) < 1e-12);
        checkConstruction(y, dY, p, p + 2, 2 * dY, l1, l2, 59);
    }

    /** Balanced deep factorisation W_l = Q_{l+1} diag(a_l) Q_lᵀ, a_l² = Λ σ^{2/L}/λ_l, random middle Q_l. */
    private static DMatrixRMaj[] balancedDeep(DeepLinearTheory theory, DMatrixRMaj x, int dY, int width,
                                              double[] lambdas, Random rnd) {
        int p = x.numCols, depth = lambdas.length;
        double[] sigma = theory.mapSingularValues();
        int r = sigma.length;
        DMatrixRMaj u = new DMatrixRMaj(dY, r, true, theory.leftSingularVectors());
        DMatrixRMaj v = new DMatrixRMaj(p, r, true, theory.rightSingularVectors());
        DMatrixRMaj[] q = new DMatrixRMaj[depth + 1];
        q[0] = CommonOps_DDRM.mult(x, v, null);
        for (int l = 1; l < depth; l++) q[l] = new DMatrixRMaj(width, r, true, TestData.orthonormalColumns(width, r, rnd));
        q[depth] = u;
        DMatrixRMaj[] w = new DMatrixRMaj[depth];
        for (int l = 0; l < depth; l++) {
            DMatrixRMaj a = new DMatrixRMaj(r, r);
            for (int i = 0; i < r; i++) {
                a.set(i, i, Math.sqrt(theory.lambdaMean() * Math.pow(sigma[i], 2.0 / depth) / lambdas[l]));
            }
            w[l] = new DMatrixRMaj(q[l + 1].numRows, q[l].numRows);
            CommonOps_DDRM.multTransB(CommonOps_DDRM.mult(q[l + 1], a, null), q[l], w[l]);
        }
        return w;
    }

    private static double deepLoss(DMatrixRMaj[] w, DMatrixRMaj x, DMatrixRMaj y, double[] lambdas) {
        DMatrixRMaj out = x;
        double pen = 0;
        for (int l = 0; l < w.length; l++) {
            out = CommonOps_DDRM.mult(w[l], out, null);
            double n = NormOps_DDRM.normF(w[l]);
            pen += lambdas[l] * n * n;
        }
        double e = NormOps_DDRM.normF(CommonOps_DDRM.subtract(y, out, null));
        return e * e + pen;
    }

    @Test
    void threeLayersUnequalLambdaAttainMinimalLossAndLayerKernels() {
        Random rnd = new Random(61);
        int dY = 3, p = 7, dX = 9, width = 5;
        double[] lambdas = {0.05, 0.1, 0.2};
        double[] yData = TestData.gaussian(dY, p, rnd);
        DMatrixRMaj x = new DMatrixRMaj(dX, p, true, TestData.orthonormalColumns(dX, p, rnd));
        DMatrixRMaj y = new DMatrixRMaj(dY, p, true, yData);
        DeepLinearTheory theory = DeepLinearTheory.of(yData, dY, p, lambdas);
        DMatrixRMaj[] w = balancedDeep(theory, x, dY, width, lambdas, rnd);
        double best = deepLoss(w, x, y, lambdas);
        assertEquals(theory.minimalLoss(), best, 1e-10 * theory.minimalLoss());
        DMatrixRMaj hidden = x;
        for (int l = 1; l < lambdas.length; l++) {
            hidden = CommonOps_DDRM.mult(w[l - 1], hidden, null);
            double[] k = RepresentationKernel.of(hidden.data, hidden.numRows, p);
            assertTrue(KernelDistance.relative(k, theory.layerKernel(l)) < 1e-10, "layer " + l);
        }
        for (int trial = 0; trial < 100; trial++) {
            DMatrixRMaj[] moved = new DMatrixRMaj[w.length];
            for (int l = 0; l < w.length; l++) {
                moved[l] = w[l].copy();
                for (int i = 0; i < moved[l].data.length; i++) moved[l].data[i] += 1e-4 * rnd.nextGaussian();
            }
            assertTrue(deepLoss(moved, x, y, lambdas) - best > -1e-12);
        }
    }

    @Test
    void threeLayersCutAWeakDirectionThatTwoLayersKeep() {
        // singular values 3, 1.5, 0.3 at Λ = 0.1: L = 2 keeps 0.3 − 0.1 = 0.2, L = 3 sets it to 0
        Task task = ClosedForms.deepLinearTask();
        double[] y = task.yData();
        DeepLinearTheory two = DeepLinearTheory.of(y, 3, 8, new double[] {0.1, 0.1});
        DeepLinearTheory three = DeepLinearTheory.of(y, 3, 8, new double[] {0.05, 0.1, 0.2});
        assertArrayEquals(new double[] {3, 1.5, 0.3}, two.targetSingularValues(), 1e-12);
        assertEquals(0.2, two.mapSingularValues()[2], 1e-12);
        assertEquals(0.0, three.mapSingularValues()[2]);
        assertEquals(2, three.rank());
        assertTrue(DeepLinearTheory.applies(task, 1e-9));
        // the kept directions sit at the larger stationary root of (s − σ)² + 3Λσ^{2/3}
        double[] roots = three.stationaryRoots();
        for (int i = 0; i < 2; i++) {
            double s = three.targetSingularValues()[i], sigma = three.mapSingularValues()[i];
            assertEquals(roots[i], sigma, 0.0);
            assertEquals(s - sigma, 0.1 * Math.pow(sigma, -1.0 / 3), 1e-9, "stationarity");
        }
        // λ → 0⁺: K_l → (YᵀY)^{l/L}; here K_1 of L = 3 differs from K_Y^{1/3} only at O(λ)
        double[] weak = DeepLinearTheory.of(y, 3, 8, new double[] {1e-8, 1e-8, 1e-8}).layerKernel(1);
        double[] limit = new double[64];
        double[] v = two.rightSingularVectors();
        double[] s = two.targetSingularValues();
        for (int i = 0; i < 3; i++) {
            for (int a = 0; a < 8; a++) {
                for (int b = 0; b < 8; b++) limit[a * 8 + b] += Math.pow(s[i], 2.0 / 3) * v[a * 3 + i] * v[b * 3 + i];
            }
        }
        assertTrue(KernelDistance.relative(weak, limit) < 1e-5);
    }
}
