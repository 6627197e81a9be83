package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.repgeom.analysis.Stationarity;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Bias;
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
 * The C double loop ({@code mlp_train_fused_f64}) against the Java reference loop it mirrors, bit for
 * bit: parameters, final gradient, loss trace and outcome of many random members (every activation,
 * depth 1 and 2, every bias placement, GD / momentum / Adam, stop rule on and off, members that
 * diverge), then the whole stationarity polish run both ways.
 */
class MlpTrainF64ConformanceTest {
    private static final Task P8 = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0).withDim(8));
    private static final Task P16 = Tasks.hypercube(2, 4, InputSpec.of("whitened", 1).withDim(16));

    @Test
    void theCLoopIsTheJavaLoopBitForBit() {
        assumeTrue(NativeKernels.isAvailable(), NativeKernels.unavailableReason());
        SplittableRandom r = new SplittableRandom(14);
        int members = 0, diverged = 0, converged = 0;
        for (Activation act : Activation.values()) {
            for (int depth = 1; depth <= 2; depth++) {
                for (Bias bias : Bias.values()) {
                    for (OptimizerSettings opt : List.of(OptimizerSettings.gd(), OptimizerSettings.momentum(0.9, 0.1),
                            OptimizerSettings.adam(1e-2))) {
                        Task task = r.nextBoolean() ? P8 : P16;
                        int[] widths = depth == 1 ? new int[]{1 + r.nextInt(20)}
                                : new int[]{1 + r.nextInt(12), 1 + r.nextInt(12)};
                        ParamLayout layout = new ParamLayout(new Architecture(task.inputDim(), widths,
                                task.outputDim(), act, bias));
                        boolean blowUp = r.nextInt(4) == 0; // a rate far too large: the divergence rule
                        double lr = blowUp ? 50 + r.nextDouble() * 1e3 : Math.pow(10, -3 + 2 * r.nextDouble());
                        if (opt.kind() == org.repgeom.train.OptimizerKind.ADAM && !blowUp) lr *= 0.1;
                        StopRule stop = r.nextBoolean() ? new StopRule(150 + r.nextInt(100), 0, 150, 7)
                                : new StopRule(300, 1e-4, 20, 5);
                        double[] lambdas = {Math.pow(10, -4 + 3 * r.nextDouble()), r.nextDouble() * 1e-2,
                                Math.pow(10, -4 + 3 * r.nextDouble())};
                        double[] start = new double[layout.stride()];
                        InitialWeights.fill(layout, r.nextLong(), 0.3 + r.nextDouble(), start, 0);
                        MemberStatus s = compareLoops(layout, task, start, lambdas, lr, opt, stop, act + " depth "
                                + depth + " " + bias + " " + opt.kind() + " lr " + lr + " " + stop);
                        members++;
                        if (s == MemberStatus.DIVERGED) diverged++;
                        if (s == MemberStatus.CONVERGED) converged++;
                    }
                }
            }
        }
        assertTrue(diverged >= 5 && converged >= 5, "the sample covers divergence and convergence: " + diverged
                + " diverged, " + converged + " converged of " + members);
    }

    /** Trains {@code start} both ways and asserts every output bit for bit; returns the status. */
    private static MemberStatus compareLoops(ParamLayout layout, Task task, double[] start, double[] lambdas,
                                             double lr, OptimizerSettings opt, StopRule stop, String what) {
        int stride = layout.stride(), traceOff = 3;
        double[] pj = pad(start, 5), pc = pad(start, 5);
        double[] gj = new double[stride], gc = new double[stride];
        float[] tj = new float[traceOff + stop.traceLength() + 2], tc = tj.clone();
        JavaBackend.MemberOutcome oj = JavaBackend.mlp_train_fused(new Mlp(layout, task), pj, 5, lambdas, 0, lr,
                opt, stop, gj, tj, traceOff);
        JavaBackend.MemberOutcome oc = MlpTrainF64.nativeLoop(layout, task, pc, 5, lambdas, 0, lr, opt, stop, gc, tc,
                traceOff);
        assertEquals(oj, oc, what);
        assertArrayEquals(pj, pc, what + ": parameters");
        assertArrayEquals(gj, gc, what + ": gradient");
        assertArrayEquals(tj, tc, what + ": trace");
        return oj.status();
    }

    private static double[] pad(double[] a, int off) {
        double[] p = new double[off + a.length + 4];
        System.arraycopy(a, 0, p, off, a.length);
        return p;
    }

    @Test
    void thePolishGivesTheSameParametersAndVerdictsEitherWay() {
        assumeTrue(NativeKernels.isAvailable(), NativeKernels.unavailableReason());
        EnumSet<Activation> seen = EnumSet.noneOf(Activation.class);
        SplittableRandom r = new SplittableRandom(41);
        List<String> verdicts = new ArrayList<>();
        for (Activation act : Activation.values()) {
            if (!MlpTrainF64.runsNatively(act)) continue; // a JDK whose Math.tanh is not fdlibm's: Java anyway
            seen.add(act);
            for (int depth = 1; depth <= 2; depth++) {
                for (int k = 0; k < 3; k++) {
                    Task task = P8;
                    Bias bias = Bias.values()[r.nextInt(Bias.values().length)];
                    int[] widths = depth == 1 ? new int[]{2 + r.nextInt(24)} : new int[]{2 + r.nextInt(10), 2 + r.nextInt(10)};
                    ParamLayout layout = new ParamLayout(new Architecture(8, widths, 3, act, bias));
                    // k = 2: a weight decay strong enough that 4000 Adam steps come near the minimum
                    double[] lambdas = k == 2 ? new double[]{0.3, 0.3, 0.3} : new double[]{1e-2, 1e-3, 1e-2};
                    double[] params = new double[layout.stride()];
                    InitialWeights.fill(layout, r.nextLong(), 1.0, params, 0);
                    // near a minimum first, as after training (k = 0 stays at the initial point)
                    int train = k == 0 ? 0 : k == 1 ? 300 : 4000;
                    if (train > 0) {
                        JavaBackend.mlp_train_fused(new Mlp(layout, task), params, 0, lambdas, 0, 1e-2,
                                OptimizerSettings.adam(1e-3), new StopRule(train, 0, train, train),
                                new double[layout.stride()], new float[2], 0);
                    }
                    MemberStatus trained = MemberStatus.values()[r.nextInt(2)];
                    double finalLr = k == 2 ? 1e-5 : 1e-4;
                    int steps = k == 2 ? 200 : 20 + r.nextInt(30);
                    double[] pj = params.clone(), pc = params.clone();
                    Stationarity.Outcome oj = MlpTrainF64.javaOnly(() -> Stationarity.judge(new Mlp(layout, task),
                            task, pj, 0, lambdas, 0, finalLr, trained, steps));
                    Stationarity.Outcome oc = Stationarity.judge(new Mlp(layout, task), task, pc, 0, lambdas, 0,
                            finalLr, trained, steps);
                    String what = act + " " + layout.architecture() + " k=" + k;
                    assertEquals(oj, oc, what);
                    assertArrayEquals(pj, pc, what + ": polished parameters");
                    verdicts.add(oc.status() + "/" + oc.criterion() + "/" + oc.polished());
                }
            }
        }
        assertTrue(seen.containsAll(EnumSet.of(Activation.RELU, Activation.LINEAR)), "native polish for " + seen);
        assertTrue(verdicts.contains("CONVERGED/" + Stationarity.SUBGRADIENT + "/true")
                && verdicts.stream().anyMatch(v -> v.startsWith("MAX_STEPS")), "the sample reaches both verdicts: " + verdicts);
    }

    @Test
    void theCTanhIsStrictMathsTanh() {
        assumeTrue(NativeKernels.isAvailable(), NativeKernels.unavailableReason());
        SplittableRandom r = new SplittableRandom(3);
        double[] xs = new double[200_000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i % 2 == 0 ? (r.nextDouble() - 0.5) * 60 : Math.scalb(r.nextDouble() - 0.5, r.nextInt(-70, 3));
        }
        double[] c = new double[xs.length];
        NativeKernels.tanh_f64(xs, c);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Double.doubleToLongBits(StrictMath.tanh(xs[i])), Double.doubleToLongBits(c[i]), "tanh(" + xs[i] + ")");
        }
    }
}
