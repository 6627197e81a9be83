package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.MemberStatus;

/**
 * The CONVERGED label after training: the loop's window rule alone never makes a member CONVERGED
 * where its min-norm subgradient still promises a decrease (a decayed learning rate can stall the
 * loss far from any minimum).
 */
class StationarityTest {

    @Test
    void aStalledMemberFarFromAMinimumIsNotConvergedWhateverTheWindowRuleSaid() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0).withDim(8));
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(8, 16, 3, Activation.RELU));
        Mlp mlp = new Mlp(layout, task);
        double[] params = new double[layout.stride()];
        InitialWeights.fill(layout, 7, 1.0, params, 0); // the initial network: no minimum
        double[] lambdas = {1e-2, 1e-2};
        double before = mlp.loss(params, 0, lambdas, 0);
        // the loop claims CONVERGED (its window rule fired); the polish is short, as after a stalled run
        Stationarity.Outcome o = Stationarity.judge(mlp, task, params, 0, lambdas, 0, 1e-6, MemberStatus.CONVERGED, 4);
        assertEquals(MemberStatus.MAX_STEPS, o.status(), "not stationary: " + o);
        assertEquals(Stationarity.NONE, o.criterion());
        assertTrue(o.decrease() > Stationarity.STATIONARY_TOL, "the subgradient still promises a decrease: " + o.decrease());
        assertTrue(o.loss() <= before, "a polish is kept only if it lowers the loss");
    }
}
