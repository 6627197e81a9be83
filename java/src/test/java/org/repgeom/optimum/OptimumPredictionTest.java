package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/** The optimal network carried to inputs: on the training inputs it is the optimum itself. */
class OptimumPredictionTest {

    @Test
    void onTheTrainingInputsItReproducesTheOptimumAndItsLoss() {
        Task t = Tasks.hypercube(2, 1, InputSpec.of("target_aligned", 2));
        for (Activation act : new Activation[] {Activation.RELU, Activation.LINEAR}) {
            double l1 = 1e-2, l2 = 1e-2;
            Optimum o = new OptimumSolver(OptimumProblem.of(t, act, true, l1, l2), OptimumSolver.Options.defaults()).solve();
            OptimumPrediction pr = OptimumPrediction.of(o, act, true, t);
            int p = t.samples();
            double scale = 0;
            for (double v : o.preactivations()) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < o.width() * p; i++) {
                assertEquals(act.apply(o.preactivations()[i]), pr.hidden()[i], 1e-9 * scale, act + " neuron entry " + i);
            }
            // the optimum's loss from the network's own outputs and weights
            double loss = 0;
            for (int i = 0; i < pr.output().length; i++) loss += Math.pow(pr.output()[i] - t.yData()[i], 2);
            for (double w : o.w1()) loss += l1 * w * w;
            for (double w : o.w2()) loss += l2 * w * w;
            assertEquals(o.loss(), loss, 1e-8 * o.loss(), act.id());
            assertTrue(o.certified(), act + " optimum certified");
        }
    }
}
