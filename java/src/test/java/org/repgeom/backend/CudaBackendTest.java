package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.backend.cuda.CudaBackendOps;
import org.repgeom.backend.cuda.CudaLaunchPlan;
import org.repgeom.backend.cuda.CudaWorkspace;
import org.repgeom.backend.cuda.FusedLayout.Placement;
import org.repgeom.backend.cuda.RnnLaunchPlan;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.model.Recurrence;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The CUDA backend on a device: the conformance suite ({@link BackendConformanceTest}), split
 * differently through the double-buffered chunk path (chunks of 3 members), its recurrent cases on
 * rnn_train_fused included; plus widths whose plans put
 * arrays in global memory (feed-forward and recurrent) and the closed-form theory of the two-layer ReLU hypercube (docs/science.md §5.1). Skipped without a
 * device ({@code @Tag("gpu")}; run them alone with {@code -Dgroups=gpu}).
 */
@Tag("gpu")
class CudaBackendTest extends BackendConformanceTest {

    @BeforeAll
    static void deviceLoads() {
        assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA device: " + CudaBackend.unavailableReason());
    }

    @Override
    protected TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        return new CudaBackend().train(req, task, progress);
    }

    @Override
    protected TrainResult trainSplitDifferently(TrainRequest req, Task task, ProgressListener progress) {
        System.setProperty(CudaLaunchPlan.CHUNK_PROPERTY, "3");
        try {
            return new CudaBackend().train(req, task, progress);
        } finally {
            System.clearProperty(CudaLaunchPlan.CHUNK_PROPERTY);
        }
    }

    @Override
    protected float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer) {
        return new CudaBackend().hiddenRepresentations(layout, params, members, task, layer);
    }

    /** No checkpointed training on CUDA: the segment cases check that it says so and refuses. */
    @Override
    protected Backend backendWithoutSegments() {
        return new CudaBackend();
    }

    @Override
    protected float[] initialParams(ParamLayout layout, long[] seeds, double[] scales) {
        return new CudaBackend().initialParams(layout, seeds, scales);
    }

    @Test
    void widthsWhosePlansUseGlobalMemory() {
        // W1024 puts arrays in global memory on every device, W256 only on small ones
        Task w = Tasks.hypercube(3, 8, InputSpec.of("whitened", 0).withDim(64));
        for (int width : new int[] {256, 1024}) {
            Architecture arch = Architecture.twoLayer(64, width, 3, Activation.RELU);
            TrainRequest req = request(arch, 2, 2e-3, OptimizerSettings.adam(0.5), new StopRule(50, 0, 50, 10));
            assertMatches(req, w, reference(req, w), train(req, w, ProgressListener.NONE), traceTolerance(Activation.RELU),
                    paramTolerance(Activation.RELU, OptimizerKind.ADAM), "W" + width);
        }
    }

    /**
     * rnn_train_fused where the plan puts every array in global memory (W256, T = 20: Z and H alone are
     * 2 × 256 × 181 floats per member, over any block's shared memory) and where it stays on chip (W16),
     * member by member against the reference.
     */
    @Test
    void recurrentPlansOnChipAndInGlobalMemory() {
        Task w = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0).withDim(8));
        for (int width : new int[] {16, 256}) {
            Architecture arch = Architecture.recurrent(8, width, 3, Activation.RELU, new Recurrence(20, Recurrence.Input.EVERY));
            TrainRequest req = request(arch, 2, 1e-3, OptimizerSettings.adam(0.5), new StopRule(30, 0, 30, 10));
            RnnLaunchPlan plan = new CudaBackend().rnnPlan(req, w);
            assertEquals(width == 16 ? Placement.ON_CHIP : Placement.ALL_GLOBAL, plan.layout().placement(), plan.toString());
            assertMatches(req, w, reference(req, w), train(req, w, ProgressListener.NONE), traceTolerance(Activation.RELU),
                    paramTolerance(Activation.RELU, OptimizerKind.ADAM), "rnn W" + width + ", " + plan);
        }
    }

    /**
     * The two-layer ReLU theory (docs/science.md §5.1) on the device: whitened hypercube (dY = 3, one sample per class), width
     * 16, λ = 1e-2, Adam 1e-2 → 1e-6; the trained kernels sit at the closed form (median relative
     * distance below 1e-3) and no member is above the theory's minimal loss by more than the float32
     * training noise.
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
        TrainResult r = train(req, task, ProgressListener.NONE);
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

    /**
     * The benchmarks' way (a kept workspace) on the device: the second call reuses the first's arrays
     * and gives the same numbers; the kernels' event time is positive and within the call's wall time.
     */
    @Test
    void aWorkspaceReusesItsBuffersAndTimesTheKernels() {
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.TANH, true);
        TrainRequest req = request(arch, 40, 5e-4, OptimizerSettings.adam(0.5), new StopRule(200, 0, 50, 10));
        CudaBackend backend = new CudaBackend();
        try (CudaWorkspace ws = CudaBackendOps.workspace(backend.device())) {
            TrainResult first = CudaBackendOps.train(backend.device(), req, task, ProgressListener.NONE, ws);
            double[] params = first.params().clone();
            TrainResult second = CudaBackendOps.train(backend.device(), req, task, ProgressListener.NONE, ws);
            assertSame(first.params(), second.params());
            assertArrayEquals(params, second.params());
            assertTrue(ws.lastLaunches() >= 1);
            assertTrue(ws.lastKernelSeconds() > 0 && ws.lastKernelSeconds() <= ws.lastWallSeconds(),
                    ws.lastKernelSeconds() + " s kernel, " + ws.lastWallSeconds() + " s wall");
        }
    }
}
