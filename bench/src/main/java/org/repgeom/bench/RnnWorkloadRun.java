package org.repgeom.bench;

import java.util.Locale;
import org.repgeom.backend.NativeBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;

/**
 * One timed native training call of workload Wrnn ({@link RnnWorkload}) outside JMH, for A/B
 * comparisons of native libraries ({@code -Drepgeom.native.lib=PATH}) and for profilers:
 * {@code java -cp bench/target/benchmarks.jar org.repgeom.bench.RnnWorkloadRun 16 3 4096 200}
 * (width, time steps, members, GD steps). Prints member-steps/s and GFLOP/s of the call and the
 * median final loss (so that two libraries can be seen to train the same).
 */
public final class RnnWorkloadRun {
    private RnnWorkloadRun() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: RnnWorkloadRun WIDTH TIME_STEPS MEMBERS STEPS");
            System.exit(2);
        }
        int width = Integer.parseInt(args[0]), timeSteps = Integer.parseInt(args[1]);
        int members = Integer.parseInt(args[2]), steps = Integer.parseInt(args[3]);
        TrainRequest req = RnnWorkload.request(members, width, timeSteps, steps);
        NativeBackend backend = new NativeBackend();
        long t0 = System.nanoTime();
        TrainResult r = backend.train(req, RnnWorkload.task(), ProgressListener.NONE);
        double s = (System.nanoTime() - t0) / 1e9;
        double[] loss = r.finalLoss().clone();
        java.util.Arrays.sort(loss);
        double msps = (double) members * steps / s;
        System.out.printf(Locale.ROOT, "native rnn M=%d T=%d E=%d steps=%d: %.3f s, %.0f member-steps/s, %.2f GFLOP/s, "
                + "median final loss %.6g%n", width, timeSteps, members, steps, s, msps,
                msps * RnnWorkload.flopsPerMemberStep(width, timeSteps) / 1e9, loss[loss.length / 2]);
    }
}
