package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/** The measure-space path between two networks: its endpoints, the chord identity and the no-barrier bound. */
class ModeConnectivityTest {
    private final Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 11));
    private final double[] lambdas = {1e-2, 3e-2};

    private static double[] random(ParamLayout layout, long seed) {
        Random rnd = new Random(seed);
        double[] p = new double[layout.stride()];
        for (int i = 0; i < p.length; i++) p[i] = 0.7 * rnd.nextGaussian();
        return p;
    }

    private ParamLayout layout(int width, Activation act) {
        return new ParamLayout(Architecture.twoLayer(task.inputDim(), width, task.outputDim(), act));
    }

    @Test
    void homogeneousPathsFollowTheChordIdentityAndNeverRiseAboveTheEndpoints() {
        for (Activation act : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.LINEAR}) {
            ParamLayout la = layout(3, act), lb = layout(5, act);
            double[] a = random(la, 1), b = random(lb, 2);
            ModeConnectivity.Result r = ModeConnectivity.path(task, la, a, 0, lb, b, 0, lambdas, 21);
            assertTrue(r.homogeneous());
            assertEquals(new Mlp(la, task).loss(a, 0, lambdas, 0), r.lossA(), 1e-12 * r.lossA(), "t = 0 is A");
            assertEquals(new Mlp(lb, task).loss(b, 0, lambdas, 0), r.lossB(), 1e-12 * r.lossB(), "t = 1 is B");
            assertTrue(r.functionGap2() > 1, act + ": two random networks compute different functions");
            assertTrue(r.identityResidual() < 1e-12, act + ": L(t) = chord − t(1−t)‖f_A − f_B‖², residual "
                    + r.identityResidual());
            assertTrue(r.barrier() < 0, act + ": strictly below the larger endpoint, " + r.barrier());
            assertTrue(r.connected(0));
            for (int k = 0; k < r.t().length; k++) {
                double chord = (1 - r.t()[k]) * r.lossA() + r.t()[k] * r.lossB();
                assertTrue(r.loss()[k] <= chord * (1 + 1e-12), act + " at t = " + r.t()[k]);
            }
        }
    }

    @Test
    void aNetworkJoinedWithItselfKeepsItsLossOnlyForHomogeneousActivations() {
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH}) {
            ParamLayout l = layout(4, act);
            double[] a = random(l, 3);
            ModeConnectivity.Result r = ModeConnectivity.path(task, l, a, 0, l, a, 0, lambdas, 11);
            assertEquals(0.0, r.functionGap2());
            double spread = 0;
            for (double v : r.loss()) spread = Math.max(spread, Math.abs(v - r.lossA()) / r.lossA());
            if (act == Activation.RELU) {
                assertTrue(spread < 1e-13, "splitting each neuron in two √t, √(1−t) copies is the same network: " + spread);
            } else {
                // 2·√½ w2 tanh(√½ h) ≠ w2 tanh(h): the midpoint computes another function
                assertTrue(spread > 1e-3, "tanh is not homogeneous: " + spread);
                assertTrue(r.identityResidual() > 1e-3);
            }
        }
    }

    @Test
    void refusesDeepOrMismatchedNetworks() {
        ParamLayout deep = new ParamLayout(new Architecture(task.inputDim(), new int[] {3, 3}, 2, Activation.RELU, false));
        ParamLayout relu = layout(3, Activation.RELU), tanh = layout(3, Activation.TANH);
        double[] d = new double[deep.stride()], r = new double[relu.stride()];
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ModeConnectivity.path(task, deep, d, 0, deep, d, 0, new double[] {1, 1, 1}, 5));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ModeConnectivity.path(task, relu, r, 0, tanh, r, 0, lambdas, 5));
    }
}
