package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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

class JavaBackendTest {
    private final Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
    private final ParamLayout layout = new ParamLayout(Architecture.twoLayer(6, 5, 2, Activation.RELU));

    private TrainRequest request(double[] lrs, OptimizerSettings opt, StopRule stop) {
        int e = lrs.length;
        double[] params = new double[e * layout.stride()];
        double[] lambdas = new double[e * 2];
        for (int i = 0; i < e; i++) {
            InitialWeights.fill(layout, i, 1.0, params, i * layout.stride());
            lambdas[2 * i] = 1e-2 * (i + 1);
            lambdas[2 * i + 1] = 1e-2;
        }
        return new TrainRequest(layout, e, params, lambdas, lrs, opt, stop);
    }

    @Test
    void aDivergingMemberTouchesNoOther() {
        StopRule stop = new StopRule(300, 0, 100, 10);
        double[] lrs = {1e-3, 1e3, 1e-3}; // plain GD at lr 1000 blows up
        TrainResult together = new JavaBackend(2).train(request(lrs, OptimizerSettings.gd(), stop), task, ProgressListener.NONE);
        assertEquals(MemberStatus.DIVERGED, together.status()[1]);
        assertTrue(Double.isFinite(together.finalLoss()[1]), "last finite parameters are kept");
        for (int i = 0; i < layout.stride(); i++) {
            assertTrue(Double.isFinite(together.params()[layout.stride() + i]));
        }
        // the healthy members end exactly as when trained without the diverging one
        TrainResult alone = new JavaBackend(1).train(request(new double[] {1e-3}, OptimizerSettings.gd(), stop), task,
                ProgressListener.NONE);
        assertEquals(MemberStatus.MAX_STEPS, together.status()[0]);
        assertEquals(alone.finalLoss()[0], together.finalLoss()[0], 0.0);
        assertTrue(together.steps()[1] < 300);
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        double[] lrs = {1e-2, 2e-2, 5e-3, 1e-2, 1e-2};
        StopRule stop = new StopRule(500, 1e-12, 100, 50);
        TrainRequest req = request(lrs, OptimizerSettings.adam(1e-2), stop);
        AtomicInteger reported = new AtomicInteger();
        TrainResult one = new JavaBackend(1).train(req, task, ProgressListener.NONE);
        TrainResult two = new JavaBackend(2).train(req, task, reported::addAndGet);
        assertEquals(lrs.length, reported.get());
        assertArrayEquals(one.params(), two.params());
        assertArrayEquals(one.lossTrace(), two.lossTrace());
        // the request's initial parameters are not modified
        TrainRequest fresh = request(lrs, OptimizerSettings.adam(1e-2), stop);
        assertArrayEquals(fresh.initialParams(), req.initialParams());
    }

    @Test
    void traceRecordsTheLossAndEndsWithNaNAfterStopping() {
        StopRule stop = new StopRule(1000, 3e-2, 100, 100);
        TrainResult r = new JavaBackend(1).train(request(new double[] {1e-2}, OptimizerSettings.adam(1.0), stop), task,
                ProgressListener.NONE);
        assertEquals(11, r.traceLength());
        float first = r.lossTrace()[0];
        Mlp mlp = new Mlp(layout, task);
        TrainRequest req = request(new double[] {1e-2}, OptimizerSettings.adam(1.0), stop);
        assertEquals(mlp.loss(req.initialParams(), 0, req.lambdas(), 0), first, 1e-5 * first);
        assertEquals(MemberStatus.CONVERGED, r.status()[0], "a loose tolerance stops early");
        int stoppedAt = r.steps()[0];
        assertTrue(stoppedAt < 1000 && stoppedAt % 100 == 0);
        assertTrue(Float.isNaN(r.lossTrace()[10]));
        assertTrue(r.lossTrace()[stoppedAt / 100] < first);
        assertEquals(mlp.loss(r.params(), 0, req.lambdas(), 0), r.finalLoss()[0], 1e-12);
    }

    /**
     * The reference's kernel trace is exactly what it says: time point k holds, for each hidden layer,
     * K = RᵀR ({@link org.repgeom.analysis.RepresentationKernel}, the kernels.npy definition) of the
     * parameters after step(k) steps, i.e. the final kernel of the same member trained for step(k) steps
     * (plain GD, no schedule, no stop rule: runs that stop earlier take the same steps), rounded to
     * float; the last point is the final kernel; untraced members record nothing.
     */
    @Test
    void kernelTracePointsAreTheKernelsOfTheRunsStoppedThere() {
        ParamLayout deep = new ParamLayout(new Architecture(6, new int[] {5, 4}, 2, Activation.TANH, true));
        int members = 3, maxSteps = 50, p = task.samples(), pp = p * p;
        double[] params = new double[members * deep.stride()];
        for (int e = 0; e < members; e++) InitialWeights.fill(deep, e, 1.0, params, e * deep.stride());
        double[] lambdas = {1e-2, 1e-3, 1e-3, 2e-2, 1e-3, 1e-3, 3e-2, 1e-3, 1e-3};
        double[] lrs = {2e-2, 1e-2, 3e-2};
        StopRule stop = new StopRule(maxSteps, 0, 10, 10);
        TrainRequest req = new TrainRequest(deep, members, params, lambdas, lrs, OptimizerSettings.gd(), stop,
                new KernelTraceRequest(15, new int[] {0, 2}));
        TrainResult r = new JavaBackend(2).train(req, task, ProgressListener.NONE);
        org.repgeom.train.KernelSchedule sched = req.kernelTrace().schedule(maxSteps);
        assertArrayEquals(new long[] {0, 15, 30, 45, 50}, sched.steps());
        int points = sched.points();
        assertEquals(2 * 2 * points * pp, r.kernelTrace().length);
        Mlp mlp = new Mlp(deep, task);
        for (int j = 0; j < 2; j++) {
            int e = req.kernelTrace().members()[j];
            for (int k = 0; k < points; k++) {
                int steps = sched.step(k);
                double[] at;
                if (steps == 0) {
                    at = java.util.Arrays.copyOfRange(params, e * deep.stride(), (e + 1) * deep.stride());
                } else {
                    TrainRequest upTo = new TrainRequest(deep, 1, java.util.Arrays.copyOfRange(params, e * deep.stride(),
                            (e + 1) * deep.stride()), java.util.Arrays.copyOfRange(lambdas, 3 * e, 3 * e + 3),
                            new double[] {lrs[e]}, OptimizerSettings.gd(), new StopRule(steps, 0, 10, 1));
                    at = new JavaBackend(1).train(upTo, task, ProgressListener.NONE).params();
                }
                mlp.forward(at, 0);
                for (int l = 0; l < 2; l++) {
                    double[] want = org.repgeom.analysis.RepresentationKernel.of(mlp.hidden(l), deep.architecture().width(l), p);
                    int off = ((j * 2 + l) * points + k) * pp;
                    for (int i = 0; i < pp; i++) {
                        assertEquals((float) want[i], r.kernelTrace()[off + i], 0.0f, "member " + e + " layer " + l + " point " + k);
                    }
                }
            }
            // the last point: the kernel of the result's own final parameters
            mlp.forward(r.params(), e * deep.stride());
            double[] fin = org.repgeom.analysis.RepresentationKernel.of(mlp.hidden(1), 4, p);
            for (int i = 0; i < pp; i++) assertEquals((float) fin[i], r.kernelTrace()[((j * 2 + 1) * points + points - 1) * pp + i], 0.0f);
        }
    }

    /** The reference's own checkpointed training (the other backends run it through their conformance suite). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.repgeom.backend.BackendConformanceTest#everyOptimizerWithSchedule")
    void segmentsJoinUpToOneUninterruptedRun(String optName, OptimizerSettings opt) {
        BackendConformanceTest.assertSegmentsJoinUp(new JavaBackend(2), opt);
    }
}
