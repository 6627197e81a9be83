package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

class OddActivationTheoryTest {

    /** M/dY pure-selectivity neurons per label, {@code h = r y_k}. */
    private static double[] pureNeurons(Task task, int width, double r) {
        int p = task.samples(), dY = task.outputDim();
        double[] h = new double[width * p];
        for (int i = 0; i < width; i++) {
            int k = i % dY;
            for (int q = 0; q < p; q++) h[i * p + q] = r * task.y(k, q);
        }
        return h;
    }

    @Test
    void linearIsDeepLinearWithTwoLayers() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0));
        OddActivationTheory t = OddActivationTheory.linear(3, 1, 1e-2, 3e-2);
        DeepLinearTheory ref = DeepLinearTheory.twoLayer(task.yData(), 3, 8, 1e-2, 3e-2);
        assertEquals(ref.minimalLoss(), t.minimalLoss(), 1e-12);
        assertTrue(KernelDistance.relative(t.kernel(), ref.hiddenKernel()) < 1e-12);
        // explicit: one neuron per label, h = sqrt(c) y_k; the bias is unused (Y ⊥ 1)
        ExplicitNetworks.Built net = ExplicitNetworks.twoLayer(task, Activation.LINEAR,
                pureNeurons(task, 3, Math.sqrt(t.coefficient())), 3, 1e-2, 3e-2);
        assertEquals(t.minimalLoss(), net.loss(), 1e-10 * t.minimalLoss());
        assertTrue(t.applies(task, 1e-9));
    }

    @Test
    void tanhOptimumIsStationaryAndAttainsItsLoss() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("whitened", 0));
        int m = 8;
        double l1 = 1e-2, l2 = 1e-2;
        OddActivationTheory t = OddActivationTheory.tanh(2, 2, m, l1, l2);
        double r = t.preactivationScale();
        ExplicitNetworks.Built net = ExplicitNetworks.twoLayer(task, Activation.TANH, pureNeurons(task, m, r), m, l1, l2);
        assertEquals(t.minimalLoss(), net.loss(), 1e-10 * t.minimalLoss());
        assertTrue(KernelDistance.relative(net.kernel(0), t.kernel()) < 1e-10);
        // tanh is smooth: the full gradient (first layer, bias and readout) vanishes at the optimum
        double[] grad = new double[net.layout().stride()];
        net.mlp().lossAndGradient(net.params(), 0, net.lambdas(), 0, grad, 0);
        double norm = 0;
        for (double g : grad) norm += g * g;
        assertTrue(Math.sqrt(norm) < 1e-7, "gradient norm " + Math.sqrt(norm));
        // and every nearby point is higher (the scalar problem is the right one)
        java.util.Random rnd = new java.util.Random(7);
        for (int trial = 0; trial < 50; trial++) {
            double[] moved = net.params().clone();
            for (int i = 0; i < moved.length; i++) moved[i] += 1e-4 * rnd.nextGaussian();
            assertTrue(net.mlp().loss(moved, 0, net.lambdas(), 0) >= net.loss() - 1e-12);
        }
    }

    @Test
    void tanhKernelMassIsConcaveSoPureSelectivityWins() {
        // g(u) = tanh²(√u) is concave: mixing a neuron over two labels loses kernel mass
        for (double u = 0.01; u < 10; u += 0.01) {
            double h = 1e-3;
            double second = g(u + h) - 2 * g(u) + g(u - h);
            assertTrue(second < 0, "g'' < 0 at u=" + u);
        }
        double r = 0.7; // dY = 2: a neuron along (y1 + y2)/√2 has mass (g(2r²) + g(0))/2 < g(r²)
        assertTrue((g(2 * r * r) + g(0)) / 2 < g(r * r));
    }

    private static double g(double u) {
        double t = Math.tanh(Math.sqrt(u));
        return t * t;
    }

    @Test
    void tanhTendsToLinearWithWidthAndIsTrivialForLargeLambda() {
        OddActivationTheory lin = OddActivationTheory.linear(2, 1, 1e-2, 1e-2);
        OddActivationTheory wide = OddActivationTheory.tanh(2, 1, 1 << 14, 1e-2, 1e-2);
        assertEquals(lin.coefficient(), wide.coefficient(), 1e-3 * lin.coefficient());
        assertTrue(OddActivationTheory.tanh(2, 1, 8, 1e-2, 1e-2).coefficient() < lin.coefficient());
        OddActivationTheory trivial = OddActivationTheory.tanh(2, 1, 2, 10, 10);
        assertEquals(0.0, trivial.coefficient());
        assertEquals(2 * 4, trivial.minimalLoss(), 1e-12);
    }
}
