package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.backend.cuda.CudaLaunchPlan;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The CUDA backend on a device, against the Java reference: the same comparisons and tolerances as
 * {@link NativeBackendTest} (see its javadoc), plus the device's own Philox, the double-buffered
 * chunk path, divergence and the closed-form theory of docs/science.md §5.1. Skipped without a device
 * ({@code @Tag("gpu")}; run them alone with {@code -Dgroups=gpu}).
 */
@Tag("gpu")
class CudaBackendTest {

    @BeforeAll
    static void deviceLoads() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA device: " + CudaBackend.unavailableReason());
    }

    static TrainResult cuda(TrainRequest req, Task task) {
        return new CudaBackend().train(req, task, ProgressListener.NONE);
    }

    @ParameterizedTest(name = "{0}, depth {1}, {2}")
    @MethodSource("org.repgeom.backend.NativeBackendTest#everyActivationDepthOptimizer")
    void matchesTheReference(Activation act, int depth, OptimizerKind kind) {
        Task task = Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = new Architecture(6, Arrays.copyOf(new int[] {7, 5, 6}, depth), 2, act, false);
        double lr = switch (kind) {
            case GD -> 2e-3;
            case MOMENTUM -> 2e-4;
            case ADAM -> 1e-3;
        };
        int steps = kind == OptimizerKind.ADAM ? 150 : 300;
        TrainRequest req = NativeBackendTest.request(arch, 3, lr, NativeBackendTest.settings(kind), new StopRule(steps, 0, 50, 10));
        double traceTol = act.isThresholdClass() ? 1e-3 : 1e-4;
        double paramTol = act.isThresholdClass() ? 2e-3 : kind == OptimizerKind.ADAM ? 1e-3 : 1e-4;
        NativeBackendTest.assertMatches(req, task, NativeBackendTest.reference(req, task), cuda(req, task), traceTol, paramTol,
                act + " depth " + depth + " " + kind);
    }

    @Test
    void biasOnAllLayersWideLayersAndTheWorkloadShape() {
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH, Activation.GELU}) {
            Architecture arch = new Architecture(19, new int[] {20, 33, 17}, 3, act, true);
            TrainRequest req = NativeBackendTest.request(arch, 4, 5e-4, OptimizerSettings.momentum(0.8, 0.5), new StopRule(100, 0, 50, 20));
            double tol = act.isThresholdClass() ? 1e-3 : 1e-4;
            NativeBackendTest.assertMatches(req, task, NativeBackendTest.reference(req, task), cuda(req, task), tol, 2 * tol, act + " deep");
        }
        // widths whose plans put arrays in global memory on every device (W1024) or only on small ones (W256)
        Task w = Tasks.hypercube(3, 8, InputSpec.of("whitened", 0).withDim(64));
        for (int width : new int[] {256, 1024}) {
            Architecture arch = Architecture.twoLayer(64, width, 3, Activation.RELU);
            TrainRequest req = NativeBackendTest.request(arch, 2, 2e-3, OptimizerSettings.adam(0.5), new StopRule(50, 0, 50, 10));
            NativeBackendTest.assertMatches(req, w, NativeBackendTest.reference(req, w), cuda(req, w), 1e-3, 2e-3, "W" + width);
        }
    }

    @Test
    void chunkedRunsAreBitIdenticalAndReportProgress() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 9, 2, Activation.LEAKY_RELU);
        TrainRequest req = NativeBackendTest.request(arch, 11, 1e-2, OptimizerSettings.adam(1e-2), new StopRule(300, 1e-9, 100, 50));
        double[] init = req.initialParams().clone();
        TrainResult one = cuda(req, task);
        System.setProperty(CudaLaunchPlan.CHUNK_PROPERTY, "3");
        AtomicInteger reported = new AtomicInteger();
        TrainResult chunked;
        try {
            chunked = new CudaBackend().train(req, task, reported::addAndGet);
        } finally {
            System.clearProperty(CudaLaunchPlan.CHUNK_PROPERTY);
        }
        assertEquals(11, reported.get());
        assertArrayEquals(one.params(), chunked.params());
        assertArrayEquals(one.lossTrace(), chunked.lossTrace());
        assertArrayEquals(one.finalLoss(), chunked.finalLoss());
        assertArrayEquals(init, req.initialParams());
    }

    @Test
    void aDivergingMemberTouchesNoOther() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.LINEAR);
        StopRule stop = new StopRule(300, 0, 100, 10);
        TrainRequest req = NativeBackendTest.request(arch, 3, 1e-3, OptimizerSettings.gd(), stop);
        double[] lrs = req.learningRates().clone();
        lrs[1] = 0.1;
        TrainRequest withBad = new TrainRequest(req.layout(), 3, req.initialParams(), req.lambdas(), lrs, req.optimizer(), stop);
        TrainResult r = cuda(withBad, task);
        assertEquals(MemberStatus.DIVERGED, r.status()[1]);
        assertTrue(Double.isFinite(r.finalLoss()[1]));
        int stride = req.layout().stride();
        // the restored parameters are those of a run stopped one step before the divergence
        int s = r.steps()[1];
        TrainRequest stopped = new TrainRequest(req.layout(), 1, Arrays.copyOfRange(req.initialParams(), stride, 2 * stride),
                Arrays.copyOfRange(req.lambdas(), 2, 4), new double[] {lrs[1]}, req.optimizer(), new StopRule(Math.max(1, s - 1), 0, 100, 10));
        if (s >= 2) assertArrayEquals(cuda(stopped, task).params(), Arrays.copyOfRange(r.params(), stride, 2 * stride));
        for (int e : new int[] {0, 2}) {
            TrainRequest alone = new TrainRequest(req.layout(), 1, Arrays.copyOfRange(req.initialParams(), e * stride, (e + 1) * stride),
                    Arrays.copyOfRange(req.lambdas(), 2 * e, 2 * e + 2), new double[] {lrs[e]}, req.optimizer(), stop);
            assertEquals(MemberStatus.MAX_STEPS, r.status()[e]);
            assertArrayEquals(cuda(alone, task).params(), Arrays.copyOfRange(r.params(), e * stride, (e + 1) * stride));
        }
    }

    @Test
    void convergedStatusAndStepsAgreeWithTheReference() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        TrainRequest req = NativeBackendTest.request(arch, 4, 1e-2, OptimizerSettings.adam(1.0), new StopRule(2000, 3e-2, 100, 100));
        NativeBackendTest.assertMatches(req, task, NativeBackendTest.reference(req, task), cuda(req, task), 1e-4, 1e-3, "converging Adam");
    }

    @Test
    void forwardMatchesTheReference() {
        Task task = NativeForwardTest.raggedTask();
        for (Activation act : Activation.values()) {
            Architecture arch = new Architecture(19, new int[] {20, 33, 17}, 3, act, true);
            ParamLayout layout = new ParamLayout(arch);
            double[] p = NativeForwardTest.params(layout, 7);
            for (int layer = 0; layer < 3; layer++) {
                float[] out = new CudaBackend().hiddenRepresentations(layout, p, 7, task, layer);
                NativeForwardTest.assertMatches(layout, p, 7, task, layer, out, act + " layer " + layer);
            }
        }
    }

    /** philox_init against InitialWeights rounded to float: exact but for rare one-ulp log/cos differences. */
    @Test
    void philoxOnTheDeviceIsInitialWeights() {
        Architecture arch = new Architecture(37, new int[] {64, 50}, 5, Activation.RELU, true);
        ParamLayout layout = new ParamLayout(arch);
        int members = 200, stride = layout.stride();
        long[] seeds = new long[members];
        double[] scales = new double[members];
        for (int e = 0; e < members; e++) {
            seeds[e] = e * 0x9E3779B97F4A7C15L;
            scales[e] = 0.5 + e / 100.0;
        }
        float[] dev = new CudaBackend().initialParams(layout, seeds, scales);
        int exact = 0;
        for (int e = 0; e < members; e++) {
            double[] ref = InitialWeights.of(layout, seeds[e], scales[e]);
            for (int i = 0; i < stride; i++) {
                float want = (float) ref[i], got = dev[e * stride + i];
                if (want == got) exact++;
                else assertTrue(Math.abs(want - got) <= Math.ulp(want), "member " + e + " entry " + i + ": " + got + " vs " + want);
            }
        }
        assertTrue(exact >= members * stride - 10, exact + " of " + members * stride + " bit-exact");
    }

    /**
     * docs/science.md §5.1 on the device: two-layer ReLU, whitened hypercube (dY = 3, one sample per
     * class), width 16, λ = 1e-2, Adam 1e-2 → 1e-6; the trained kernels sit at the closed form
     * (median relative distance below 1e-3) and no member is above the theory's minimal loss by more
     * than the float32 training noise.
     */
    @Test
    void learnsTheAbstractKernelOfTheTheory() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0).withDim(8));
        Architecture arch = Architecture.twoLayer(8, 16, 3, Activation.RELU);
        ParamLayout layout = new ParamLayout(arch);
        int members = 32;
        double[] init = new double[members * layout.stride()], lambdas = new double[2 * members], lrs = new double[members];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, 1000 + e, 1.0, init, e * layout.stride());
            lambdas[2 * e] = lambdas[2 * e + 1] = 1e-2;
            lrs[e] = 1e-2;
        }
        TrainRequest req = new TrainRequest(layout, members, init, lambdas, lrs, OptimizerSettings.adam(1e-4),
                new StopRule(60_000, 1e-9, 1000, 1000));
        TrainResult r = cuda(req, task);
        Mlp mlp = new Mlp(layout, task);
        double[] d = new double[members];
        for (int e = 0; e < members; e++) {
            assertTrue(r.status()[e] != MemberStatus.DIVERGED);
            d[e] = MemberGeometry.measure(mlp, task, r.params(), e * layout.stride(), lambdas, 2 * e, true).kernelDistance();
        }
        Arrays.sort(d);
        double median = (d[members / 2 - 1] + d[members / 2]) / 2;
        assertTrue(median < 1e-3, "median kernel distance " + median + " (all: " + Arrays.toString(d) + ")");
        double theory = HypercubeReluTheory.forTask(task, 1e-2, 1e-2).minimalLoss();
        for (int e = 0; e < members; e++) assertTrue(r.finalLoss()[e] >= theory * (1 - 1e-5), "member " + e + " below the minimum");
    }
}
