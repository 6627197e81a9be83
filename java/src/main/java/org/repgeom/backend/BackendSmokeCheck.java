package org.repgeom.backend;

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
 * Proof that a backend really computes, not only that it loads: trains a small group (hypercube
 * dY = 2, whitened dX = 4, two-layer ReLU of width 8, 64 members, 300 Adam steps) on the backend and
 * on the Java reference and compares every member's final loss. A device that is listed but cannot
 * launch a compute kernel, or launches one that computes wrongly, fails here in seconds, before a long GPU
 * session spends its time on tests and benchmarks that would only skip or mislead.
 */
public final class BackendSmokeCheck {
    static final int MEMBERS = 64;
    static final int STEPS = 300;
    /** Float32 training against double: 300 Adam steps on losses of order 1 agree to a few 1e-5. */
    static final double RELATIVE_TOLERANCE = 1e-3;

    private BackendSmokeCheck() {
    }

    /** The outcome: passed or not, and one line that says what was compared. */
    public record Outcome(boolean passed, String line) {
    }

    /** Trains the smoke group on {@code backend} and on the reference and compares final losses. */
    public static Outcome run(Backend backend) {
        Task task = new Task("smoke", 4, 2, 4, InputGeometry.whitened(4, 4, 0), Labels.hypercube(2, 1));
        TrainRequest request = request(task);
        long t0 = System.nanoTime();
        TrainResult got;
        try {
            got = backend.train(request, task, ProgressListener.NONE);
        } catch (RuntimeException e) {
            return new Outcome(false, backend.name() + ": training failed: " + e);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        TrainResult want = new JavaBackend().train(request, task, ProgressListener.NONE);
        double worst = 0;
        int worstMember = -1;
        for (int e = 0; e < MEMBERS; e++) {
            double a = got.finalLoss()[e], b = want.finalLoss()[e];
            double rel = Double.isFinite(a) ? Math.abs(a - b) / Math.max(Math.abs(b), 1e-12) : Double.POSITIVE_INFINITY;
            if (!(rel <= worst)) {
                worst = rel;
                worstMember = e;
            }
        }
        String summary = String.format("%s: %d members x %d Adam steps in %.2f s, largest relative loss difference to the java reference %.2e (member %d, limit %.0e)",
                backend.name(), MEMBERS, STEPS, seconds, worst, worstMember, RELATIVE_TOLERANCE);
        return new Outcome(worst <= RELATIVE_TOLERANCE, summary);
    }

    private static TrainRequest request(Task task) {
        Architecture arch = Architecture.twoLayer(task.inputDim(), 8, task.outputDim(), Activation.RELU);
        ParamLayout layout = new ParamLayout(arch);
        double[] params = new double[MEMBERS * layout.stride()];
        double[] lambdas = new double[MEMBERS * 2];
        double[] lrs = new double[MEMBERS];
        for (int e = 0; e < MEMBERS; e++) {
            InitialWeights.fill(layout, e, 1.0, params, e * layout.stride());
            lambdas[2 * e] = 1e-2;
            lambdas[2 * e + 1] = 1e-2;
            lrs[e] = 1e-2;
        }
        return new TrainRequest(layout, MEMBERS, params, lambdas, lrs, OptimizerSettings.adam(1.0),
                new StopRule(STEPS, 0.0, STEPS, STEPS));
    }
}
