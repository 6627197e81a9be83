package org.repgeom.bench;

import java.util.Locale;
import org.repgeom.backend.Backend;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.NativeBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.task.Task;

/**
 * One timed training call outside JMH, for quick A/B comparisons of native libraries
 * ({@code -Drepgeom.native.lib=PATH}) and for profilers:
 * {@code java -cp bench/target/benchmarks.jar org.repgeom.bench.WorkloadRun native Wlong 64 64 60000}
 * (backend, shape, width, members, steps). Prints member-steps/s and GFLOP/s of the call and the
 * median final loss (so that two libraries can be seen to train the same).
 */
public final class WorkloadRun {
    private WorkloadRun() {
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: WorkloadRun native|java W|Wsmall|Wlong WIDTH MEMBERS STEPS");
            System.exit(2);
        }
        Backend backend = "java".equals(args[0]) ? new JavaBackend() : new NativeBackend();
        Workload.Shape shape = Workload.Shape.of(args[1]);
        int width = Integer.parseInt(args[2]), members = Integer.parseInt(args[3]), steps = Integer.parseInt(args[4]);
        Task task = Workload.task(shape);
        TrainRequest req = Workload.request(shape, members, width, steps);
        long t0 = System.nanoTime();
        TrainResult r = backend.train(req, task, ProgressListener.NONE);
        double s = (System.nanoTime() - t0) / 1e9;
        double[] loss = r.finalLoss().clone();
        java.util.Arrays.sort(loss);
        double msps = (double) members * steps / s;
        System.out.printf(Locale.ROOT, "%s %s M=%d E=%d steps=%d: %.3f s, %.0f member-steps/s, %.2f GFLOP/s, median final loss %.6g%n",
                backend.name(), args[1], width, members, steps, s, msps,
                msps * Workload.flopsPerMemberStep(shape, width) / 1e9, loss[loss.length / 2]);
    }
}
