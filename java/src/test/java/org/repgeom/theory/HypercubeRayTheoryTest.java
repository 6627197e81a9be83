package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * The ray family checked without training: the explicit network built from
 * {@link HypercubeRayTheory#optimalPreactivations()} attains L* with kernel K*, and the exact KKT
 * certificate proves it a global minimum.
 */
class HypercubeRayTheoryTest {

    /** Explicit optimum: loss = L*, K = K*, CERTIFIED (exact: P = 8). */
    private static void checkOptimum(HypercubeRayTheory t, Task task, double l1, double l2) {
        assertTrue(t.applies(task, 1e-9), "task fits");
        double[] h = t.optimalPreactivations();
        int m = h.length / task.samples();
        ExplicitNetworks.Built net = ExplicitNetworks.twoLayer(task, Activation.RELU, h, m, l1, l2);
        assertEquals(t.minimalLoss(), net.loss(), 1e-10 * t.minimalLoss(), "loss = L*");
        assertTrue(KernelDistance.relative(net.kernel(0), t.kernel()) < 1e-10, "K = K*");
        KktCertificate.Result cert = KktCertificate.certify(net.kernel(0), task, l1, l2, net.loss(), 1e-7);
        assertEquals(KktCertificate.Verdict.CERTIFIED, cert.verdict(), cert.toString());
    }

    @Test
    void whitenedIsSection61() {
        for (int[] c : new int[][] {{3, 1}, {2, 2}, {2, 4}}) {
            for (double[] l : new double[][] {{1e-2, 1e-2}, {1e-3, 5e-2}, {3, 4}}) {
                int p = c[1] << c[0];
                HypercubeRayTheory ray = HypercubeRayTheory.whitened(c[0], c[1], l[0], l[1]);
                HypercubeReluTheory ref = HypercubeReluTheory.of(p, c[0], l[0], l[1]);
                assertEquals(ref.minimalLoss(), ray.minimalLoss(), 1e-12 * ref.minimalLoss());
                for (double ck : ray.coefficients()) assertEquals(ref.coefficient(), ck, 1e-14);
                double[] y = org.repgeom.task.Labels.hypercube(c[0], c[1]);
                assertTrue(org.repgeom.analysis.TestData.maxAbsDiff(ref.kernel(y, c[0], p), ray.kernel()) < 1e-13);
            }
        }
    }

    @Test
    void whitenedOptimumIsCertified() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("whitened", 3));
        checkOptimum(HypercubeRayTheory.whitened(2, 2, 1e-2, 1e-2), task, 1e-2, 1e-2);
    }

    @Test
    void withinClassCorrelation() {
        double rho = 0.5;
        Task task = Tasks.hypercube(2, 2, new InputSpec("within_class", null, 1, rho, 1, 1));
        HypercubeRayTheory t = HypercubeRayTheory.withinClass(2, 2, rho, 1e-2, 2e-2);
        double p = 8, beta = 1 + rho;
        assertEquals(p * (p + 2 * beta) / (beta * (p + beta)), t.rayCosts()[0], 1e-12);
        checkOptimum(t, task, 1e-2, 2e-2);
        assertFalse(HypercubeRayTheory.whitened(2, 2, 1e-2, 2e-2).applies(task, 1e-9), "not whitened");
    }

    @Test
    void targetAlignedOnAndOffTheKink() {
        for (double a : new double[] {0.5, 2.0}) {
            Task task = Tasks.hypercube(2, 2, new InputSpec("target_aligned", null, 2, 0, a, 1));
            HypercubeRayTheory t = HypercubeRayTheory.targetAligned(2, 2, a, 1, 1e-2, 1e-2);
            assertEquals(a > 1, t.offKink(0), "γ = 1: off the kink iff a > 1");
            checkOptimum(t, task, 1e-2, 1e-2);
        }
    }

    @Test
    void anisotropicHyperRectangle() {
        double[] s = {1.5, 1.0, 0.5}, alpha = {0.0, 0.5, 1.0};
        Task task = ClosedForms.anisotropicTask(s, alpha, 1.0);
        HypercubeRayTheory t = HypercubeRayTheory.of(3, 1, s, new HypercubeRayTheory.InputModel(1.0, 0.0, alpha), 1e-2,
                1e-2, 1.0);
        double[] c = t.coefficients();
        assertTrue(c[0] != c[1] && c[1] != c[2], "a box, not a cube");
        checkOptimum(t, task, 1e-2, 1e-2);
    }

    @Test
    void thresholdClassActivationsShareTheReluOptimum() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0));
        HypercubeRayTheory t = HypercubeRayTheory.whitened(3, 1, 1e-2, 1e-2);
        double[] h = t.optimalPreactivations();
        assertTrue(t.maxActivation(6) < 1, "below the clip");
        for (Activation act : new Activation[] {Activation.CLIPPED_RELU, Activation.LEAKY_RELU}) {
            assertEquals(1.0, HypercubeRayTheory.slopeOf(act));
            ExplicitNetworks.Built net = ExplicitNetworks.twoLayer(task, act, h, 6, 1e-2, 1e-2);
            assertEquals(t.minimalLoss(), net.loss(), 1e-10 * t.minimalLoss(), act.id());
        }
        assertTrue(HypercubeRayTheory.kinkStable(Activation.LEAKY_SLOPE, 8));
        assertFalse(HypercubeRayTheory.kinkStable(0.9, 8));
        assertThrows(IllegalArgumentException.class, () -> HypercubeRayTheory.slopeOf(Activation.TANH));

        // beyond the clip the same neurons are clipped and the ReLU optimum is no longer attained
        HypercubeRayTheory big = HypercubeRayTheory.whitened(2, 1, 1e-3, 1e-1);
        assertTrue(big.maxActivation(4) > 1);
        ExplicitNetworks.Built clipped = ExplicitNetworks.twoLayer(Tasks.hypercube(2, 1, InputSpec.of("whitened", 0)),
                Activation.CLIPPED_RELU, big.optimalPreactivations(), 4, 1e-3, 1e-1);
        assertTrue(clipped.loss() > 1.01 * big.minimalLoss());
    }

    @Test
    void slopeRescalesLambda1() {
        HypercubeRayTheory scaled = HypercubeRayTheory.of(2, 1, new double[] {1, 1},
                HypercubeRayTheory.InputModel.whitened(), 4e-2, 1e-2, 2.0);
        HypercubeRayTheory plain = HypercubeRayTheory.whitened(2, 1, 1e-2, 1e-2);
        assertEquals(plain.minimalLoss(), scaled.minimalLoss(), 1e-14);
        assertEquals(plain.coefficients()[0], scaled.coefficients()[0], 1e-14);
    }

    @Test
    void labelsBeyondTheThresholdAreDropped() {
        // a label with a tiny scale is not worth coding: c_k = 0 and it costs s_k² P
        HypercubeRayTheory t = HypercubeRayTheory.of(2, 1, new double[] {1, 1e-3},
                HypercubeRayTheory.InputModel.whitened(), 1e-2, 1e-2, 1.0);
        assertEquals(0.0, t.coefficients()[1]);
        assertEquals(2, t.minimalWidth());
        HypercubeRayTheory one = HypercubeRayTheory.whitened(1, 2, 1e-2, 1e-2);
        assertEquals(one.minimalLoss() + 1e-6 * 4, t.minimalLoss(), 1e-12);
    }
}
