package org.repgeom.bench;

import org.repgeom.backend.TrainRequest;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.ParamLayout;
import org.repgeom.model.Recurrence;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * Workload Wrnn, the recurrent case: the task of Wsmall (whitened hypercube, dY = 3, one sample per
 * class: P = 8, dX = 8), ReLU RNNs of width M unrolled for T steps with the input at every step,
 * plain GD at lr 2e-3 with λ = 1e-3 on every weight group, no early stop; member e starts from
 * Philox seed e. bench/peers/rnn_numpy_peer.py trains the same members.
 */
public final class RnnWorkload {
    private RnnWorkload() {
    }

    public static Task task() {
        return Workload.task(Workload.Shape.WSMALL);
    }

    /**
     * FLOPs of one member-step: the forward pass 2P·(T·M·(dX+1) + (T−1)·M² + dY·M) (the recurrent
     * product is skipped at t = 0, where h_0 = 0), and twice that for backpropagation through time.
     */
    public static double flopsPerMemberStep(int width, int timeSteps) {
        Workload.Shape s = Workload.Shape.WSMALL;
        double forward = 2.0 * s.samples() * ((double) timeSteps * width * (s.inputDim + 1)
                + (timeSteps - 1.0) * width * width + Workload.LABELS * width);
        return 3 * forward;
    }

    public static TrainRequest request(int members, int width, int timeSteps, int steps) {
        Workload.Shape s = Workload.Shape.WSMALL;
        Architecture arch = Architecture.recurrent(s.inputDim, width, Workload.LABELS, Activation.RELU,
                new Recurrence(timeSteps, Recurrence.Input.EVERY));
        ParamLayout layout = new ParamLayout(arch);
        double[] params = new double[members * layout.stride()];
        double[] lambdas = new double[members * 3];
        double[] lrs = new double[members];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, e, 1.0, params, e * layout.stride());
            java.util.Arrays.fill(lambdas, 3 * e, 3 * e + 3, Workload.LAMBDA);
            lrs[e] = Workload.LEARNING_RATE;
        }
        return new TrainRequest(layout, members, params, lambdas, lrs, OptimizerSettings.gd(),
                new StopRule(steps, 0.0, steps, steps));
    }
}
