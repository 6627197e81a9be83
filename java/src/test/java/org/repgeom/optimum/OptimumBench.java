package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.repgeom.model.Activation;
import org.repgeom.rng.Philox4x32;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * Solver timings (not a test): {@code java -cp CP org.repgeom.optimum.OptimumBench [repeats] [filter]}.
 * Cases: P = 16 with non-whitened Gaussian input (dX = 10 &lt; P and dX = 20 ≥ P), hypercube labels
 * (dY = 4) or Gaussian targets (dY = 2), relu and leaky_relu, with and without bias, λ1 = λ2 = 1e-2;
 * Gaussian targets at P = 17 and 18 (relu, with and without bias); and the benchmark workload (P = 64,
 * whitened, λ = 1e-3). Prints min and median seconds per case.
 */
public final class OptimumBench {
    private OptimumBench() {
    }

    record Case(String name, Task task, Activation act, boolean bias, double lambda) {
    }

    /** Gaussian targets dY × P under a fixed Philox stream. */
    static double[] gaussianTargets(int dY, int p, long seed) {
        double[] y = new double[dY * p];
        for (int i = 0; i < y.length; i++) y[i] = Philox4x32.gaussian(seed, 0x0b7e, i);
        return y;
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (int dX : new int[] {10, 20}) {
            Task cube = Tasks.hypercube(4, 1, InputSpec.of("gaussian", 1).withDim(dX));
            Task x = Tasks.hypercube(1, 8, InputSpec.of("gaussian", 1).withDim(dX));
            Task real = new Task("gaussian-targets dY=2 P=16 dX=" + dX, dX, 2, 16, x.xData(), gaussianTargets(2, 16, 7));
            for (Task t : new Task[] {cube, real}) {
                for (Activation a : new Activation[] {Activation.RELU, Activation.LEAKY_RELU}) {
                    for (boolean bias : new boolean[] {true, false}) {
                        out.add(new Case(String.format(Locale.ROOT, "%s %s %s", t.name(), a.id(), bias ? "bias" : "nobias"),
                                t, a, bias, 1e-2));
                    }
                }
            }
        }
        // beyond P = 16: the sweep's 3^P sign patterns grow threefold per sample (Gaussian input dX = 10, Gaussian targets)
        for (int p : new int[] {17, 18}) {
            double[] xd = new double[10 * p]; // independent standard normal entries, dX = 10
            for (int i = 0; i < xd.length; i++) xd[i] = Philox4x32.gaussian(1, 0x0a11, i);
            Task t = new Task("gaussian-targets dY=2 P=" + p + " dX=10", 10, 2, p, xd, gaussianTargets(2, p, 7));
            for (boolean bias : new boolean[] {true, false}) {
                out.add(new Case(String.format(Locale.ROOT, "%s relu %s", t.name(), bias ? "bias" : "nobias"), t,
                        Activation.RELU, bias, 1e-2));
            }
        }
        out.add(new Case("workload P=64 hypercube(dY=3,n=8) whitened dX=64 relu bias", Tasks.hypercube(3, 8,
                InputSpec.of("whitened", 0).withDim(64)), Activation.RELU, true, 1e-3));
        return out;
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String filter = args.length > 1 ? args[1] : "";
        for (Case c : cases()) {
            if (!c.name().contains(filter)) continue;
            double[] t = new double[reps];
            double[] cpu = new double[reps];
            Optimum o = null;
            int sweeps = 0;
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int r = 0; r < reps; r++) {
                OptimumProblem pr = OptimumProblem.of(c.task(), c.act(), c.bias(), c.lambda(), c.lambda());
                long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
                OptimumSolver solver = new OptimumSolver(pr, OptimumSolver.Options.defaults());
                o = solver.solve();
                sweeps = solver.sweeps();
                t[r] = (System.nanoTime() - t0) * 1e-9;
                cpu[r] = (os.getProcessCpuTime() - c0) * 1e-9;
            }
            Arrays.sort(t);
            Arrays.sort(cpu);
            System.out.printf(Locale.ROOT, "%-70s wall min %7.2fs median %7.2fs cpu min %7.2fs median %7.2fs load %.1f  loss %.12g gap %.1e certified %s width %d diam %.1e rounds %d sweeps %d | %s%n",
                    c.name(), t[0], t[reps / 2], cpu[0], cpu[reps / 2], os.getSystemLoadAverage(), o.loss(), o.relativeGap(), o.certified(), o.width(), o.kernelSetDiameter(),
                    o.iterations(), sweeps, o.method());
        }
    }
}
