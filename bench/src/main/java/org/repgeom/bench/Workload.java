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
 * The benchmark workloads of bench/WORKLOAD.md, by shape:
 * <ul>
 *   <li>{@code W} (W16 … W1024): hypercube dY = 3, n = 8 (P = 64), whitened input dX = 64 (seed 0),
 *       two-layer ReLU of width M, λ1 = λ2 = 1e-3, plain full-batch GD at learning rate 2e-3;</li>
 *   <li>{@code Wsmall}: the seeds' own shapes, n = 1 (P = 8), dX = 8, the same plain GD step;</li>
 *   <li>{@code Wlong}: the README example's ReLU configurations (P = 8, dX = 8), λ = 1e-2 for the
 *       first half of the members and 1e-3 for the second, Adam at 1e-2 decaying geometrically to
 *       1e-6 over the run, no early stop (run it at 60,000 and at 3,000 steps and compare).</li>
 * </ul>
 * Each member its own seed (its index).
 */
public final class Workload {
    public static final int LABELS = 3;
    public static final double LAMBDA = 1e-3;
    public static final double LEARNING_RATE = 2e-3;
    public static final double LONG_LEARNING_RATE = 1e-2;
    public static final double LONG_FINAL_RATIO = 1e-4;
    public static final double LONG_LAMBDA_FIRST_HALF = 1e-2;

    /** The shapes of WORKLOAD.md ({@code W} stands for W16 … W1024, the width set apart). */
    public enum Shape {
        W(8, 64), WSMALL(1, 8), WLONG(1, 8);

        /** Samples per class (P = perClass · 2^dY) and input dimension. */
        public final int perClass, inputDim;

        Shape(int perClass, int inputDim) {
            this.perClass = perClass;
            this.inputDim = inputDim;
        }

        public int samples() {
            return perClass << LABELS;
        }

        /** "W", "Wsmall" or "Wlong" (the JMH parameter's spelling) to a shape. */
        public static Shape of(String name) {
            switch (name) {
                case "W": return W;
                case "Wsmall": return WSMALL;
                case "Wlong": return WLONG;
                default: throw new IllegalArgumentException("unknown workload shape '" + name + "' (W, Wsmall, Wlong)");
            }
        }
    }

    private Workload() {
    }

    /** Workload W's task (P = 64, dX = 64). */
    public static Task task() {
        return task(Shape.W);
    }

    public static Task task(Shape shape) {
        double[] y = Labels.hypercube(LABELS, shape.perClass);
        double[] x = InputGeometry.whitened(shape.inputDim, shape.samples(), 0);
        return new Task("workload-" + shape.name().toLowerCase(java.util.Locale.ROOT), shape.inputDim, LABELS,
                shape.samples(), x, y);
    }

    /** FLOPs of one member-step of workload W as WORKLOAD.md counts them: 17,792·M. */
    public static double flopsPerMemberStep(int width) {
        return flopsPerMemberStep(Shape.W, width);
    }

    /** WORKLOAD.md's count 4·P·M·(dX+1) + 6·P·M·dY for a shape. */
    public static double flopsPerMemberStep(Shape shape, int width) {
        int p = shape.samples();
        return 4.0 * p * width * (shape.inputDim + 1) + 6.0 * p * width * LABELS;
    }

    /** E members of width M of workload W training for {@code steps} plain GD steps (no convergence stop). */
    public static TrainRequest request(int members, int width, int steps) {
        return request(Shape.W, members, width, steps);
    }

    /** E members of width M of a shape for {@code steps} steps (no convergence stop). */
    public static TrainRequest request(Shape shape, int members, int width, int steps) {
        Architecture arch = Architecture.twoLayer(shape.inputDim, width, LABELS, Activation.RELU);
        ParamLayout layout = new ParamLayout(arch);
        double[] params = new double[members * layout.stride()];
        double[] lambdas = new double[members * 2];
        double[] lrs = new double[members];
        boolean adam = shape == Shape.WLONG;
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, e, 1.0, params, e * layout.stride());
            double lambda = adam && e < members / 2 ? LONG_LAMBDA_FIRST_HALF : LAMBDA;
            lambdas[2 * e] = lambda;
            lambdas[2 * e + 1] = lambda;
            lrs[e] = adam ? LONG_LEARNING_RATE : LEARNING_RATE;
        }
        OptimizerSettings opt = adam ? OptimizerSettings.adam(LONG_FINAL_RATIO) : OptimizerSettings.gd();
        int trace = adam ? Math.min(100, steps) : steps; // the example's trace_every
        return new TrainRequest(layout, members, params, lambdas, lrs, opt, new StopRule(steps, 0.0, steps, trace));
    }
}
