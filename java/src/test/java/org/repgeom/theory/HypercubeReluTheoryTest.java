package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.ParallelismScore;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.analysis.TestData;
import org.repgeom.task.Task;

class HypercubeReluTheoryTest {

    /** A whitened hypercube task (shuffled samples) and its augmented input X̃ = [X; 1ᵀ]. */
    private record Fixture(int dX, int dY, int p, double[] x, double[] y, DMatrixRMaj xAug, DMatrixRMaj yMat) {
        static Fixture of(int dY, int n, int dX, long seed) {
            Random rnd = new Random(seed);
            int p = n << dY;
            double[] x = TestData.orthonormalColumns(dX, p, rnd);
            double[] y = TestData.hypercubeY(dY, n, rnd);
            DMatrixRMaj xAug = new DMatrixRMaj(dX + 1, p);
            for (int i = 0; i < dX; i++) {
                for (int s = 0; s < p; s++) {
                    xAug.set(i, s, x[i * p + s]);
                }
            }
            for (int s = 0; s < p; s++) {
                xAug.set(dX, s, 1.0);
            }
            return new Fixture(dX, dY, p, x, y, xAug, new DMatrixRMaj(dY, p, true, y));
        }

        Task task() {
            return new Task("hypercube", dX, dY, p, x, y);
        }
    }

    /** A two-layer network: W̃1 = [W1, b] (M×(dX+1)) and readout W2 (dY×M). */
    private record Network(DMatrixRMaj w1, DMatrixRMaj w2) {
        DMatrixRMaj hidden(Fixture f) {
            DMatrixRMaj h = new DMatrixRMaj(w1.numRows, f.p());
            CommonOps_DDRM.mult(w1, f.xAug(), h);
            for (int i = 0; i < h.data.length; i++) {
                h.data[i] = Math.max(0.0, h.data[i]);
            }
            return h;
        }

        /** {@code ‖Y − W2 relu(W̃1 X̃)‖² + λ1‖W̃1‖² + λ2‖W2‖²}. */
        double loss(Fixture f, double lambda1, double lambda2) {
            DMatrixRMaj out = new DMatrixRMaj(f.dY(), f.p());
            CommonOps_DDRM.mult(w2, hidden(f), out);
            DMatrixRMaj err = new DMatrixRMaj(f.dY(), f.p());
            CommonOps_DDRM.subtract(f.yMat(), out, err);
            double e = NormOps_DDRM.normF(err);
            double n1 = NormOps_DDRM.normF(w1);
            double n2 = NormOps_DDRM.normF(w2);
            return e * e + lambda1 * n1 * n1 + lambda2 * n2 * n2;
        }
    }

    /**
     * The explicit optimum of §5.1 at ray scale t: neurons (k, ±) with preactivation t(1 ± y_k),
     * min-norm first layer W̃1 = H X̃⁺, ridge readout W2 = Y Rᵀ(R Rᵀ + λ2 I)⁻¹.
     */
    private static Network construct(Fixture f, double t, double lambda2) {
        int m = 2 * f.dY();
        int p = f.p();
        DMatrixRMaj h = new DMatrixRMaj(m, p);
        for (int k = 0; k < f.dY(); k++) {
            for (int s = 0; s < p; s++) {
                double yk = f.y()[k * p + s];
                h.set(2 * k, s, t * (1 + yk));
                h.set(2 * k + 1, s, t * (1 - yk));
            }
        }
        DMatrixRMaj pinv = new DMatrixRMaj(p, f.dX() + 1);
        CommonOps_DDRM.pinv(f.xAug(), pinv);
        DMatrixRMaj w1 = new DMatrixRMaj(m, f.dX() + 1);
        CommonOps_DDRM.mult(h, pinv, w1);
        return new Network(w1, ridgeReadout(f, h, lambda2));
    }

    private static DMatrixRMaj ridgeReadout(Fixture f, DMatrixRMaj r, double lambda2) {
        int m = r.numRows;
        DMatrixRMaj gram = new DMatrixRMaj(m, m);
        CommonOps_DDRM.multTransB(r, r, gram);
        for (int i = 0; i < m; i++) {
            gram.add(i, i, lambda2);
        }
        DMatrixRMaj yrT = new DMatrixRMaj(f.dY(), m);
        CommonOps_DDRM.multTransB(f.yMat(), r, yrT);
        // W2 (R Rᵀ + λ2 I) = Y Rᵀ, solved as (R Rᵀ + λ2 I) W2ᵀ = R Yᵀ (the Gram matrix is symmetric)
        DMatrixRMaj w2T = new DMatrixRMaj(m, f.dY());
        assertTrue(CommonOps_DDRM.solve(gram, CommonOps_DDRM.transpose(yrT, null), w2T));
        return CommonOps_DDRM.transpose(w2T, null);
    }

    @ParameterizedTest
    @CsvSource({
        "2, 1, 6, 1e-2, 1e-2, 1",
        "2, 2, 11, 1e-3, 1e-2, 2",
        "3, 1, 9, 1e-2, 1e-3, 3",
        "3, 2, 20, 0.3, 0.5, 4",
        "2, 1, 4, 3.0, 1.1, 5", // λ1λ2 = 3.3 just below the threshold 10/3
    })
    void explicitNetworkAttainsClosedForm(int dY, int n, int dX, double lambda1, double lambda2, long seed) {
        Fixture f = Fixture.of(dY, n, dX, seed);
        HypercubeReluTheory theory = HypercubeReluTheory.of(f.p(), dY, lambda1, lambda2);
        assertFalse(theory.isTrivial());
        double t = Math.sqrt(theory.coefficient() / 2); // one neuron per ray: K = 2t²(K_Y + dY 11ᵀ)
        Network net = construct(f, t, lambda2);

        double loss = net.loss(f, lambda1, lambda2);
        assertEquals(theory.minimalLoss(), loss, 1e-9 * theory.minimalLoss());

        double[] r = net.hidden(f).data;
        double[] k = RepresentationKernel.of(r, 2 * dY, f.p());
        double[] kStar = theory.kernel(f.y(), dY, f.p());
        assertTrue(KernelDistance.relative(k, kStar) < 1e-10, "kernel error " + KernelDistance.relative(k, kStar));
        assertEquals(1.0, ParallelismScore.of(r, 2 * dY, f.y(), dY, f.p()).mean(), 1e-12);
        assertEquals(theory.minimalWidth(), 2 * dY);
    }

    @Test
    void rayScaleOfTheConstructionIsTheMinimiser() {
        Fixture f = Fixture.of(3, 1, 10, 17);
        double lambda1 = 2e-2, lambda2 = 5e-2;
        HypercubeReluTheory theory = HypercubeReluTheory.of(f.p(), 3, lambda1, lambda2);
        double t = Math.sqrt(theory.coefficient() / 2);
        double best = construct(f, t, lambda2).loss(f, lambda1, lambda2);
        for (double factor : new double[] {0.5, 0.9, 0.99, 0.999, 1.001, 1.01, 1.1, 2.0}) {
            double perturbed = construct(f, factor * t, lambda2).loss(f, lambda1, lambda2);
            assertTrue(perturbed > best, "t × " + factor + ": " + perturbed + " ≤ " + best);
        }
    }

    @Test
    void noSmallStepInParameterSpaceLowersTheLoss() {
        // The construction is a local minimum in all of (W̃1, W2), kinks included, not just along t.
        Fixture f = Fixture.of(2, 2, 10, 23);
        double lambda1 = 1e-2, lambda2 = 1e-2;
        HypercubeReluTheory theory = HypercubeReluTheory.of(f.p(), 2, lambda1, lambda2);
        Network net = construct(f, Math.sqrt(theory.coefficient() / 2), lambda2);
        double base = net.loss(f, lambda1, lambda2);
        Random rnd = new Random(29);
        for (int trial = 0; trial < 200; trial++) {
            DMatrixRMaj w1 = net.w1().copy();
            DMatrixRMaj w2 = net.w2().copy();
            for (int i = 0; i < w1.data.length; i++) {
                w1.data[i] += 1e-4 * rnd.nextGaussian();
            }
            for (int i = 0; i < w2.data.length; i++) {
                w2.data[i] += 1e-4 * rnd.nextGaussian();
            }
            double moved = new Network(w1, w2).loss(f, lambda1, lambda2);
            assertTrue(moved - base > -1e-12, "step lowered the loss by " + (base - moved));
        }
    }

    @Test
    void beyondThresholdTheMinimumIsTrivial() {
        int p = 8, dY = 3;
        HypercubeReluTheory theory = HypercubeReluTheory.of(p, dY, 3.0, 3.0); // 9 ≥ 8·9/10
        assertTrue(theory.isTrivial());
        assertEquals(0.0, theory.coefficient(), 0.0);
        assertEquals(dY * p, theory.minimalLoss(), 0.0);
        Random rnd = new Random(1);
        double[] y = TestData.hypercubeY(dY, 1, rnd);
        for (double v : theory.kernel(y, dY, p)) {
            assertEquals(0.0, v, 0.0);
        }
        assertEquals(7.2, theory.lambdaProductThreshold(), 1e-12);
        // L* meets dY·P tangentially at the threshold: with λ1λ2 a = P²(1 − ε) the gap is
        // dY·P (1 − 2 sqrt(1 − ε) + 1 − ε) ≈ dY·P ε²/4 (second order, so ε must not be tiny)
        double eps = 1e-2;
        double below = HypercubeReluTheory.of(p, dY, 1.0, 7.2 * (1 - eps)).minimalLoss();
        assertTrue(below < dY * p);
        assertEquals(dY * p * eps * eps / 4, dY * p - below, 0.02 * dY * p * eps * eps / 4);
        assertFalse(HypercubeReluTheory.of(p, dY, 1.0, 7.2 * (1 - eps)).isTrivial());
    }

    @Test
    void closedFormValues() {
        // P = 4, dY = 2, λ1 = λ2 = 0.1: a = 24/5, c = sqrt(0.1·5/(0.1·24)) − 0.025, L* = 2(2 sqrt(0.048) − 0.012)
        HypercubeReluTheory theory = HypercubeReluTheory.of(4, 2, 0.1, 0.1);
        assertEquals(Math.sqrt(5.0 / 24) - 0.025, theory.coefficient(), 1e-15);
        assertEquals(2 * (2 * Math.sqrt(0.048) - 0.012), theory.minimalLoss(), 1e-14);
        assertEquals(4, theory.minimalWidth());
        assertThrows(IllegalArgumentException.class, () -> HypercubeReluTheory.of(6, 2, 0.1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> HypercubeReluTheory.of(4, 2, 0.0, 0.1));
    }

    @Test
    void appliesOnlyToWhitenedHypercubeTasks() {
        Fixture f = Fixture.of(2, 2, 12, 31);
        assertTrue(HypercubeReluTheory.applies(f.task(), 1e-9));

        Random rnd = new Random(37);
        Task gaussianX = new Task("g", f.dX(), f.dY(), f.p(), TestData.gaussian(f.dX(), f.p(), rnd), f.y());
        assertFalse(HypercubeReluTheory.applies(gaussianX, 1e-9));

        int classes = 4, p = f.p();
        double[] oneHot = new double[classes * p];
        for (int s = 0; s < p; s++) {
            oneHot[(s % classes) * p + s] = 1.0;
        }
        assertFalse(HypercubeReluTheory.applies(new Task("onehot", f.dX(), classes, p, f.x(), oneHot), 1e-9));

        // unbalanced: one sample moved from class (−,−) to class (+,+)
        double[] y = f.y().clone();
        for (int s = 0; s < p; s++) {
            if (y[s] < 0 && y[p + s] < 0) {
                y[s] = 1;
                y[p + s] = 1;
                break;
            }
        }
        assertFalse(HypercubeReluTheory.applies(new Task("unbalanced", f.dX(), 2, p, f.x(), y), 1e-9));
    }

    @Test
    void describeNamesTheNumbers() {
        HypercubeReluTheory theory = HypercubeReluTheory.of(8, 3, 1e-2, 1e-2);
        String text = theory.describe();
        assertTrue(text.contains("samples P") && text.contains("8"), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%.6g", theory.coefficient())), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%.6g", theory.minimalLoss())), text);
        assertTrue(text.contains("7.20000"), text); // threshold 8·9/10
        assertTrue(text.contains("minimal width") && text.contains("6"), text);
        assertTrue(HypercubeReluTheory.of(8, 3, 3, 3).describe().contains("trivial"));
    }
}
