package org.repgeom.bench;

import org.repgeom.backend.TrainRequest;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputGeometry;
import org.repgeom.task.Labels;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * Benchmark workload W of shared/WORKLOAD.md: hypercube dY = 3, n = 8 (P = 64), whitened input
 * dX = 64 (seed 0), two-layer ReLU of width M, λ1 = λ2 = 1e-3, plain full-batch gradient descent
 * at learning rate 2e-3, each member its own seed.
 */
public final class Workload {
    public static final int LABELS = 3;
    public static final int PER_CLASS = 8;
    public static final int SAMPLES = PER_CLASS << LABELS;
    public static final int INPUT_DIM = 64;
    public static final double LAMBDA = 1e-3;
    public static final double LEARNING_RATE = 2e-3;

    private Workload() {
    }

    public static Task task() {
        double[] y = Labels.hypercube(LABELS, PER_CLASS);
        double[] x = InputGeometry.whitened(INPUT_DIM, SAMPLES, 0);
        return new Task("workload-W", INPUT_DIM, LABELS, SAMPLES, x, y);
    }

    /** FLOPs of one member-step as WORKLOAD.md counts them: 4·P·M·(dX+1) + 6·P·M·dY. */
    public static double flopsPerMemberStep(int width) {
        return 4.0 * SAMPLES * width * (INPUT_DIM + 1) + 6.0 * SAMPLES * width * LABELS;
    }

    /** E members of width M training for {@code steps} plain GD steps (no convergence stop). */
    public static TrainRequest request(int members, int width, int steps) {
        Architecture arch = Architecture.twoLayer(INPUT_DIM, width, LABELS, Activation.RELU);
        ParamLayout layout = new ParamLayout(arch);
        double[] params = new double[members * layout.stride()];
        double[] lambdas = new double[members * 2];
        double[] lrs = new double[members];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, e, 1.0, params, e * layout.stride());
            lambdas[2 * e] = LAMBDA;
            lambdas[2 * e + 1] = LAMBDA;
            lrs[e] = LEARNING_RATE;
        }
        return new TrainRequest(layout, members, params, lambdas, lrs, OptimizerSettings.gd(),
                new StopRule(steps, 0.0, steps, steps));
    }
}
