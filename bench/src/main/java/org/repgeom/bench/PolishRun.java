package org.repgeom.bench;

import java.util.Arrays;
import java.util.Locale;
import org.repgeom.analysis.Stationarity;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.MlpTrainF64;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The stationarity polish of the README example's shapes (whitened hypercube, P = 8, dX = 8, dY = 3; ReLU
 * and tanh; widths 4, 8, 16, 64), timed in Java and in C ({@code mlp_train_fused_f64}) in alternation on
 * one thread: {@code java -cp bench/target/benchmarks.jar org.repgeom.bench.PolishRun [MEMBERS] [REPS]}.
 * Each member is first trained 3000 Adam steps (untimed, λ = 1e-3), then {@link Stationarity#judge} runs
 * with the example's polish (1000 steps, 4000 more where the first leaves it short of stationary). Prints,
 * per shape, ms per member both ways (min and median over the repetitions), the speed-up and whether
 * every outcome and polished parameter agreed bit for bit.
 */
public final class PolishRun {
    private PolishRun() {
    }

    public static void main(String[] args) {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0).withDim(8));
        System.out.printf(Locale.ROOT, "polish of %d members per shape, %d repetitions, native for relu: %s, tanh: %s%n",
                members, reps, MlpTrainF64.runsNatively(Activation.RELU), MlpTrainF64.runsNatively(Activation.TANH));
        for (Activation act : new Activation[]{Activation.RELU, Activation.TANH}) {
            for (int width : new int[]{4, 8, 16, 64}) {
                ParamLayout layout = new ParamLayout(Architecture.twoLayer(8, width, 3, act));
                double[] lambdas = {1e-3, 1e-3};
                double[][] trained = new double[members][];
                for (int e = 0; e < members; e++) {
                    trained[e] = new double[layout.stride()];
                    InitialWeights.fill(layout, 1000 + e, 1.0, trained[e], 0);
                    JavaBackend.mlp_train_fused(new Mlp(layout, task), trained[e], 0, lambdas, 0, 1e-2,
                            OptimizerSettings.adam(1e-3), new StopRule(3000, 0, 3000, 3000),
                            new double[layout.stride()], new float[2], 0);
                }
                double[] javaMs = new double[reps], nativeMs = new double[reps];
                boolean same = true;
                long polishSteps = 0;
                for (int rep = 0; rep < reps; rep++) {
                    double[][] pj = new double[members][], pc = new double[members][];
                    Stationarity.Outcome[] oj = new Stationarity.Outcome[members], oc = new Stationarity.Outcome[members];
                    long t0 = System.nanoTime();
                    for (int e = 0; e < members; e++) {
                        pj[e] = trained[e].clone();
                        int m = e;
                        oj[e] = MlpTrainF64.javaOnly(() -> polish(layout, task, pj[m], lambdas));
                    }
                    long t1 = System.nanoTime();
                    for (int e = 0; e < members; e++) {
                        pc[e] = trained[e].clone();
                        oc[e] = polish(layout, task, pc[e], lambdas);
                    }
                    long t2 = System.nanoTime();
                    javaMs[rep] = (t1 - t0) / 1e6 / members;
                    nativeMs[rep] = (t2 - t1) / 1e6 / members;
                    for (int e = 0; e < members; e++) {
                        same &= oj[e].equals(oc[e]) && Arrays.equals(pj[e], pc[e]);
                        if (rep == 0) polishSteps += oj[e].decrease() <= Stationarity.STATIONARY_TOL ? 1000 : 5000;
                    }
                }
                Arrays.sort(javaMs);
                Arrays.sort(nativeMs);
                System.out.printf(Locale.ROOT,
                        "%-4s W%-2d  java %7.2f / %7.2f ms  native %6.2f / %6.2f ms per member (min / median)"
                                + "  %5.1fx by median  ~%d polish steps per member  identical: %s%n",
                        act.id(), width, javaMs[0], javaMs[reps / 2], nativeMs[0], nativeMs[reps / 2],
                        javaMs[reps / 2] / nativeMs[reps / 2], polishSteps / members, same);
            }
        }
    }

    private static Stationarity.Outcome polish(ParamLayout layout, Task task, double[] params, double[] lambdas) {
        return Stationarity.judge(new Mlp(layout, task), task, params, 0, lambdas, 0, 1e-6, MemberStatus.MAX_STEPS,
                Stationarity.POLISH_STEPS);
    }
}
