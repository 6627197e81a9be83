package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.Kernels;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

class OneHotReluTheoryTest {

    /** C class indicators scaled by sqrt(a) and, when b &gt; 0, one constant unit sqrt(b). */
    private static double[] neurons(int classes, int n, double a, double b) {
        int p = classes * n;
        double[] h = new double[(classes + 1) * p];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < n; j++) h[c * p + c * n + j] = Math.sqrt(a);
        }
        for (int q = 0; q < p; q++) h[classes * p + q] = Math.sqrt(b);
        return h;
    }

    private static void checkOptimum(OneHotReluTheory t, Task task, double[] h, double l1, double l2) {
        assertTrue(t.applies(task, 1e-9));
        ExplicitNetworks.Built net = ExplicitNetworks.twoLayer(task, Activation.RELU, h, h.length / task.samples(), l1, l2);
        assertEquals(t.minimalLoss(), net.loss(), 1e-10 * t.minimalLoss(), "loss = L*");
        assertTrue(KernelDistance.relative(net.kernel(0), t.kernel()) < 1e-10, "K = K*");
        KktCertificate.Result cert = KktCertificate.certify(net.kernel(0), task, l1, l2, net.loss(), 1e-7);
        assertEquals(KktCertificate.Verdict.CERTIFIED, cert.verdict(), cert.toString());
    }

    @Test
    void withBias() {
        int classes = 4, n = 2, p = 8;
        double l1 = 1e-2, l2 = 2e-2;
        Task task = Tasks.oneHot(classes, n, InputSpec.of("whitened", 5));
        OneHotReluTheory t = OneHotReluTheory.withBias(classes, n, l1, l2);
        double lc = t.centredEigenvalue(), lm = t.meanEigenvalue();
        assertEquals(Math.sqrt(l2 * n / l1) - l2, lc, 1e-12);
        assertEquals(Math.sqrt(l2 * n * (p + 1) / l1) - l2, lm, 1e-12);
        // K* = (λc/n) K_Y + ((λ1 − λc)/P) 11ᵀ: class indicators plus a constant unit
        checkOptimum(t, task, neurons(classes, n, lc / n, (lm - lc) / p), l1, l2);
        double g = l1 * l2;
        assertEquals((classes - 1) * (2 * Math.sqrt(g * n) - g) + 2 * Math.sqrt(g * n / (p + 1)) - g / (p + 1),
                t.minimalLoss(), 1e-12);
        assertTrue(KernelDistance.scaleFree(t.kernel(), Kernels.outputKernel(task)) > 0.3, "with bias K* is not ∝ K_Y");
    }

    @Test
    void withoutBiasByTheEquivalentInput() {
        int classes = 4, n = 2, p = 8;
        double l1 = 1e-2, l2 = 1e-2;
        // docs/science.md §5.6 for a bias-free network on whitened input (g = 1)
        OneHotReluTheory plain = OneHotReluTheory.withoutBias(classes, n, 1.0, l1, l2);
        assertEquals(Math.sqrt(l2 / (l1 * n)) - l2 / n, plain.centredEigenvalue() / n, 1e-12);
        assertEquals(classes * (2 * Math.sqrt(l1 * l2 * n) - l1 * l2), plain.minimalLoss(), 1e-12);
        // realised by a biased network on X̃ᵀX̃ = P·I at λ1' = P·λ1: same kernel and loss
        ClosedForms.Case c = ClosedForms.oneHotWithoutBias();
        OneHotReluTheory emulated = OneHotReluTheory.withoutBias(classes, n, p, p * l1, l2);
        assertEquals(plain.minimalLoss(), emulated.minimalLoss(), 1e-12);
        assertTrue(KernelDistance.relative(emulated.kernel(), plain.kernel()) < 1e-12);
        assertTrue(KernelDistance.scaleFree(emulated.kernel(), Kernels.outputKernel(c.task())) < 1e-12, "K* ∝ K_Y");
        checkOptimum(emulated, c.task(), neurons(classes, n, emulated.centredEigenvalue() / n, 0), p * l1, l2);
    }
}
