package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/** Tuning groups and selectivity on networks whose neurons are placed by hand. */
class NeuronTuningTest {
    private final Task task = Tasks.hypercube(2, 1, InputSpec.of("whitened", 7));
    private final int p = task.samples();

    /**
     * A two-layer member whose neuron i has preactivation {@code h[i]} over the samples (W1_i = h_i Xᵀ,
     * b = 0, exact since XᵀX = I) and outgoing weights {@code out[i]} (dY entries).
     */
    private double[] member(ParamLayout layout, double[][] h, double[][] out) {
        Architecture a = layout.architecture();
        int m = a.width(0), d = a.inputDim(), dY = a.outputDim();
        double[] params = new double[layout.stride()];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < d; c++) {
                double w = 0;
                for (int s = 0; s < p; s++) w += h[i][s] * task.x(c, s);
                params[layout.weight(0) + i * d + c] = w;
            }
            for (int r = 0; r < dY; r++) params[layout.weight(1) + r * m + i] = out[i][r];
        }
        return params;
    }

    /** t(1 + sign·y_k) over the samples. */
    private double[] ray(int k, int sign, double t) {
        double[] h = new double[p];
        for (int s = 0; s < p; s++) h[s] = t * (1 + sign * task.y(k, s));
        return h;
    }

    private double[] mix(double a, double b) {
        double[] h = new double[p];
        for (int s = 0; s < p; s++) h[s] = a * task.y(0, s) + b * task.y(1, s);
        return h;
    }

    @Test
    void theReluOptimumHasTwoDyModularGroups() {
        // the four rays of §5.1, one of them split over two neurons of different mass, plus a dead neuron
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(task.inputDim(), 6, 2, Activation.RELU));
        double[][] h = {ray(0, 1, 0.5), ray(0, -1, 0.5), ray(1, 1, 0.5), ray(1, -1, 0.3), ray(1, -1, 0.2), ray(0, 1, 1e-9)};
        double[][] out = {{0.5, 0}, {-0.5, 0}, {0, 0.5}, {0, -0.3}, {0, -0.2}, {1e-9, 0}};
        NeuronTuning.Result r = NeuronTuning.forTask(task).measure(layout, member(layout, h, out), 0);
        assertEquals(5, r.used(), "the dead neuron is not used");
        assertEquals(4, r.groupCount());
        assertEquals(4, r.modularGroups());
        assertEquals(4, r.modularRays(), "one group per label and sign");
        assertEquals(1.0, r.meanSelectivity(), 1e-12);
        assertEquals(1.0, r.minSelectivity(), 1e-12);
        assertEquals(0.5, r.meanOffsetShare(), 1e-12, "a ray t(1 ± y_k) has half its norm on the constant");
        assertFalse(r.signSymmetric());
        for (NeuronTuning.Group g : r.groups()) {
            assertEquals(1.0, g.r2(), 1e-12);
            assertEquals(1.0, g.shares()[g.label()], 1e-12);
        }
        NeuronTuning.Group split = r.groups().stream().filter(g -> g.size() == 2).findFirst().orElseThrow();
        assertEquals(1, split.label());
        assertEquals(-1, split.sign(), "fires where y_2 = -1");
        assertEquals("-y2", split.describe(true));
    }

    @Test
    void selectivityIsTheLargestLabelShare() {
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(task.inputDim(), 3, 2, Activation.LINEAR));
        double[][] h = {mix(1, 1), mix(2, 1), mix(0, -3)};
        double[][] out = {{1, 0}, {1, 0}, {1, 0}};
        NeuronTuning.Result r = NeuronTuning.forTask(task).measure(layout, member(layout, h, out), 0);
        // masses ∝ ‖h‖ here (‖w_i‖ = ‖h_i‖ for whitened X, unit outgoing norm): order mix(0,-3), mix(2,1), mix(1,1)
        assertEquals(3, r.groupCount());
        double[] sel = r.neuronSelectivity();
        assertEquals(1.0, sel[0], 1e-12);
        assertEquals(0.8, sel[1], 1e-12, "shares 4/5 and 1/5");
        assertEquals(0.5, sel[2], 1e-12, "an even mix of two labels");
        assertEquals(0.5, r.minSelectivity(), 1e-12);
        assertEquals(1, r.modularGroups());
        assertEquals(0.0, r.meanOffsetShare(), 1e-12);
        NeuronTuning.Group even = r.groups().get(2);
        assertEquals("y1:0.50 y2:0.50", even.describe(false));
    }

    @Test
    void oddActivationsGroupNeuronsUpToSign() {
        double[][] h = {mix(1, 0), mix(-1, 0), mix(0, 1)};
        double[][] out = {{1, 0}, {-1, 0}, {0, 1}};
        for (Activation act : new Activation[] {Activation.TANH, Activation.RELU}) {
            ParamLayout layout = new ParamLayout(Architecture.twoLayer(task.inputDim(), 3, 2, act));
            NeuronTuning.Result r = NeuronTuning.forTask(task).measure(layout, member(layout, h, out), 0);
            boolean odd = act == Activation.TANH;
            assertEquals(odd, r.signSymmetric());
            assertEquals(odd ? 2 : 3, r.groupCount(), act + ": h and -h are one neuron only for odd φ");
            assertEquals(odd ? 2 : 3, r.modularRays());
        }
    }

    @Test
    void theClusteringToleranceSeparatesNearbyDirections() {
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(task.inputDim(), 2, 2, Activation.RELU));
        double[][] h = {mix(1, 0), mix(1, 0.2)}; // cosine 1/sqrt(1.04) = 0.9806
        double[][] out = {{1, 0}, {1, 0}};
        NeuronTuning t = NeuronTuning.forTask(task);
        double[] params = member(layout, h, out);
        assertEquals(2, t.measure(layout, params, 0, 1e-3, 1e-2).groupCount());
        assertEquals(1, t.measure(layout, params, 0, 1e-3, 5e-2).groupCount());
        // a neuron with no outgoing weight carries nothing and is not used
        double[][] silent = {{1, 0}, {0, 0}};
        assertEquals(1, t.measure(layout, member(layout, h, silent), 0).used());
    }

    @Test
    void collinearOneHotLabelsStillGiveShares() {
        // one-hot labels sum to a constant: [1, y_1 … y_C] is rank deficient, the minimum-norm fit is used
        Task onehot = Tasks.oneHot(3, 2, InputSpec.of("gaussian", 3));
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(onehot.inputDim(), 4, 3, Activation.RELU));
        double[] params = new double[layout.stride()];
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < params.length; i++) params[i] = rnd.nextGaussian();
        NeuronTuning.Result r = NeuronTuning.forTask(onehot).measure(layout, params, 0);
        assertEquals(4, r.used());
        for (double s : r.neuronSelectivity()) assertTrue(s >= 1.0 / 3 - 1e-12 && s <= 1 + 1e-12, "selectivity " + s);
        for (NeuronTuning.Group g : r.groups()) {
            double sum = 0;
            for (double s : g.shares()) sum += s;
            assertEquals(1.0, sum, 1e-12);
        }
    }
}
