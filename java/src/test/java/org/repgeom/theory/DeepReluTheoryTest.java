package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

class DeepReluTheoryTest {

    /**
     * Layer preactivations realising {@code K_l = (e2_l/P)(K_Y + δ_l 11ᵀ)}: rays {@code u(1 ± y_k)}
     * with {@code 2u² = e2_l/P} and one constant unit carrying {@code (δ_l − dY) e2_l/P}.
     */
    private static List<double[]> layers(Task task, double[] e2, double[] shift) {
        int p = task.samples(), dY = task.outputDim();
        List<double[]> hs = new ArrayList<>();
        for (int l = 0; l < e2.length; l++) {
            double u = Math.sqrt(e2[l] / (2.0 * p));
            double v = Math.sqrt(Math.max(0, (shift[l] - dY) * e2[l] / p));
            double[] h = new double[(2 * dY + 1) * p];
            for (int k = 0; k < dY; k++) {
                for (int q = 0; q < p; q++) {
                    h[(2 * k) * p + q] = u * (1 + task.y(k, q));
                    h[(2 * k + 1) * p + q] = u * (1 - task.y(k, q));
                }
            }
            for (int q = 0; q < p; q++) h[2 * dY * p + q] = v;
            hs.add(h);
        }
        return hs;
    }

    private static ExplicitNetworks.Built build(Task task, DeepReluTheory t, double[] lambdas, double[] e2,
            double[] shift) {
        int[] widths = new int[t.depth()];
        java.util.Arrays.fill(widths, 2 * task.outputDim() + 1);
        return ExplicitNetworks.deep(task, Activation.RELU, layers(task, e2, shift), widths, lambdas);
    }

    @Test
    void oneHiddenLayerIsSection61() {
        DeepReluTheory t = DeepReluTheory.of(3, 1, new double[] {1e-2, 2e-2});
        HypercubeReluTheory ref = HypercubeReluTheory.of(8, 3, 1e-2, 2e-2);
        assertEquals(ref.minimalLoss(), t.minimalLoss(), 1e-9 * ref.minimalLoss());
        assertEquals(ref.coefficient() * 8, t.topEigenvalue(), 1e-9);
        assertEquals(3.0, t.shifts()[0], 1e-12);
    }

    @Test
    void explicitNetworkAttainsTheLossAndKernelsAtTwoAndThreeHiddenLayers() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("whitened", 0));
        for (double[] lambdas : new double[][] {{1e-2, 1e-2, 1e-2}, {0.02, 0.005, 0.01, 0.01}}) {
            DeepReluTheory t = DeepReluTheory.of(2, 2, lambdas);
            assertTrue(t.applies(task, 1e-9));
            ExplicitNetworks.Built net = build(task, t, lambdas, t.labelEigenvalues(), t.shifts());
            assertEquals(t.minimalLoss(), net.loss(), 1e-9 * t.minimalLoss(), "loss = L*");
            for (int l = 1; l <= t.depth(); l++) {
                assertTrue(KernelDistance.relative(net.kernel(l - 1), t.layerKernel(l)) < 1e-10, "layer " + l);
            }
            assertEquals(2.0, t.shifts()[t.depth() - 1], 1e-12, "last layer has the §5.1 shape");
        }
    }

    @Test
    void middleShiftIsOptimalAndCopyingTheRaysIsNot() {
        // two hidden layers, dY = 2, P = 4: training found L = 0.114209 with δ_1 = sqrt(dY (P+1)) = sqrt(10)
        Task task = Tasks.hypercube(2, 1, InputSpec.of("whitened", 0));
        double[] lambdas = {1e-2, 1e-2, 1e-2};
        DeepReluTheory t = DeepReluTheory.of(2, 1, lambdas);
        assertEquals(Math.sqrt(10), t.shifts()[0], 1e-12);
        assertEquals(0.114209, t.minimalLoss(), 1e-6);
        double best = build(task, t, lambdas, t.labelEigenvalues(), t.shifts()).loss();
        for (double f : new double[] {0.9, 1.1}) {
            double[] shift = t.shifts();
            shift[0] *= f;
            assertTrue(build(task, t, lambdas, t.labelEigenvalues(), shift).loss() > best + 1e-7);
        }
        // forcing the §5.1 shape on every layer (δ_1 = dY), even with the best scales, is worse (1.3 %)
        double copy = Double.POSITIVE_INFINITY;
        for (double a = 0.2; a < 3; a += 0.05) {
            for (double b = 0.2; b < 3; b += 0.05) {
                double[] e2 = {a * t.labelEigenvalues()[0], b * t.labelEigenvalues()[1]};
                copy = Math.min(copy, build(task, t, lambdas, e2, new double[] {2, 2}).loss());
            }
        }
        assertTrue(copy > 1.01 * best && copy < 1.02 * best, "δ_1 = dY: " + copy + " vs " + best);
    }

    @Test
    void largeLambdaGivesTheTrivialNetwork() {
        DeepReluTheory t = DeepReluTheory.of(2, 1, new double[] {3, 3, 3});
        assertEquals(0.0, t.topEigenvalue());
        assertEquals(2 * 4, t.minimalLoss(), 1e-12);
    }
}
