package org.repgeom.science;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The paper's claim, end to end on the reference backend: two-layer ReLU networks trained on a
 * whitened hypercube task reach the abstract kernel K* = c(K_Y + dY 11ᵀ) of DESIGN.md §6.1 from
 * every seed, with parallelism score 1, a first layer of rank dY + 1 and the minimal loss.
 */
class AbstractRepresentationTest {

    @Test
    void everySeedLearnsTheAbstractKernel() {
        int dY = 2, perClass = 1;
        Task task = Tasks.hypercube(dY, perClass, InputSpec.of("whitened", 3));
        assertTrue(HypercubeReluTheory.applies(task, 1e-10));
        int width = 16, members = 8;
        double lambda = 1e-2;
        Architecture arch = Architecture.twoLayer(task.inputDim(), width, dY, Activation.RELU);
        ParamLayout layout = new ParamLayout(arch);
        double[] init = new double[members * layout.stride()];
        double[] lambdas = new double[members * 2];
        double[] lrs = new double[members];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, 100 + e, 1.0, init, e * layout.stride());
            lambdas[2 * e] = lambdas[2 * e + 1] = lambda;
            lrs[e] = 1e-2;
        }
        TrainRequest request = new TrainRequest(layout, members, init, lambdas, lrs, OptimizerSettings.adam(1e-4),
                new StopRule(40_000, 1e-9, 1000, 100));
        TrainResult result = new JavaBackend(2).train(request, task, ProgressListener.NONE);

        Mlp mlp = new Mlp(layout, task);
        double theoryLoss = HypercubeReluTheory.forTask(task, lambda, lambda).minimalLoss();
        for (int e = 0; e < members; e++) {
            assertTrue(result.status()[e] != MemberStatus.DIVERGED);
            MemberGeometry g = MemberGeometry.measure(mlp, task, result.params(), e * layout.stride(), lambdas, 2 * e, true);
            String who = "member " + e;
            assertTrue(g.kernelDistance() < 0.01, who + ": kernel distance " + g.kernelDistance());
            assertTrue(g.parallelismScore() > 0.99, who + ": PS " + g.parallelismScore());
            assertEquals(dY + 1, g.w1Rank(), who + ": rank of [W1, b]");
            assertEquals(theoryLoss, g.theoryLoss(), 0.0);
            assertTrue(Math.abs(g.lossGap(result.finalLoss()[e])) < 1e-3, who + ": loss gap " + g.lossGap(result.finalLoss()[e]));
            assertTrue(result.finalLoss()[e] >= theoryLoss * (1 - 1e-9), who + ": below the global minimum?");
        }
    }
}
