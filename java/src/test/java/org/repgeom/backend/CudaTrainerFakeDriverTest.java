package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.repgeom.backend.cuda.CudaLaunchPlan;
import org.repgeom.backend.cuda.CudaWorkspace;
import org.repgeom.backend.cuda.FakeCudaDriver;
import org.repgeom.backend.cuda.KernelEmulator.Build;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The CUDA backend's host code — CudaTrainer's planning, chunk slots, streams, page-locked staging
 * buffers, argument lists, chunking and double buffering, progress, timing events, and its
 * mlp_forward / philox_init calls — run against {@link FakeCudaDriver}, which checks the driver's
 * contracts at every call and runs each launch in the 32-lane host emulator with FMA contraction (the
 * build closest to a device), through the backend conformance suite against the Java reference. The
 * fake device has one small multiprocessor, so the planner's grids stay a few host threads and a group
 * of a dozen members already spans several chunks on both slots.
 *
 * <p>Every launch is an emulator process of 32–64 host threads, so the whole suite takes about ten
 * minutes on two busy cores: by default a representative part runs ({@link #REPRESENTATIVE}: mlp_forward
 * and philox_init, each optimiser's first update, the readout, divergence with a kernel trace, a
 * non-finite first gradient, and this class's own chunking and workspace cases), all of it
 * with {@code -Drepgeom.cuda.fakeDriverSuite=true} (it passed in full when this was written).
 */
class CudaTrainerFakeDriverTest extends BackendConformanceTest {
    /** The cases that run by default. */
    static final Set<String> REPRESENTATIVE = Set.of("everyHiddenLayerMatchesTheReference", "activationIsPhiOfThePreActivation",
            "bgemmIsTheDotProductWithinItsRoundingBound", "hiddenLayersOfSmallShapesAndWideLayers", "philoxInitIsInitialWeights",
            "firstOptimizerUpdateIsTheReferenceUpdate", "wideOutputLayer", "aNonFiniteGradientStopsBeforeTheStepIsRecorded",
            "kernelTraceOfADivergingMember",
            "chunksAlternateBetweenTwoStreamsAndEqualOneChunk", "aWorkspaceReusesItsBuffersAndReportsKernelTime");

    @BeforeEach
    void representativeUnlessTheWholeSuiteIsAsked(TestInfo info) {
        String name = info.getTestMethod().map(java.lang.reflect.Method::getName).orElse("");
        assumeTrue(Boolean.getBoolean("repgeom.cuda.fakeDriverSuite") || REPRESENTATIVE.contains(name),
                "not in the representative part (-Drepgeom.cuda.fakeDriverSuite=true runs it)");
    }

    /** The 32-lane emulator with contraction where this CPU has FMA, else without. */
    static Build build() {
        return Build.WARP32_FMA.available() ? Build.WARP32_FMA : Build.WARP32;
    }

    @BeforeAll
    static void emulatorBuilt() {
        assumeTrue(build().available(), () -> "32-lane CUDA host emulator not built: " + build().binary());
    }

    /** One multiprocessor of 64 threads: grids of one or two teams. */
    static FakeCudaDriver driver() {
        return new FakeCudaDriver(build(), 1, 64, 64L << 20);
    }

    @Override
    protected TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        return driver().train(req, task, progress);
    }

    /** Two multiprocessors of 32 threads and chunks of 3 members: other grids, more launches, both slots. */
    @Override
    protected TrainResult trainSplitDifferently(TrainRequest req, Task task, ProgressListener progress) {
        System.setProperty(CudaLaunchPlan.CHUNK_PROPERTY, "3");
        try {
            return new FakeCudaDriver(build(), 2, 32, 64L << 20).train(req, task, progress);
        } finally {
            System.clearProperty(CudaLaunchPlan.CHUNK_PROPERTY);
        }
    }

    @Override
    protected boolean trainsRecurrent() {
        return false; // rnn_train_fused has no CUDA kernel here
    }

    /** A multiprocessor of 256 threads here: the widest layers' forward teams need more than 64 (a forward pass is cheap). */
    @Override
    protected float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer) {
        return new FakeCudaDriver(build(), 1, 256, 64L << 20).hidden(layout, params, members, task, layer);
    }

    @Override
    protected float[] initialParams(ParamLayout layout, long[] seeds, double[] scales) {
        return driver().init(layout, seeds, scales);
    }

    private static Task task() {
        return Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
    }

    private static TrainRequest request(int members) {
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.TANH, true);
        return request(arch, members, 5e-4, OptimizerSettings.adam(0.5), new StopRule(40, 0, 20, 10));
    }

    /**
     * Nine members in chunks of 2: five launches alternating between the two slots' streams, the two
     * slots' work queued at once, each slot waited for before its next chunk; bit for bit one chunk.
     */
    @Test
    void chunksAlternateBetweenTwoStreamsAndEqualOneChunk() {
        Task task = task();
        TrainRequest req = request(9);
        FakeCudaDriver whole = new FakeCudaDriver(build(), 1, 64, 64L << 20);
        System.setProperty(CudaLaunchPlan.CHUNK_PROPERTY, "9");
        TrainResult one;
        try {
            one = whole.train(req, task, ProgressListener.NONE);
        } finally {
            System.clearProperty(CudaLaunchPlan.CHUNK_PROPERTY);
        }
        assertEquals(1, whole.launches());
        FakeCudaDriver d = driver();
        AtomicInteger done = new AtomicInteger();
        System.setProperty(CudaLaunchPlan.CHUNK_PROPERTY, "2");
        TrainResult split;
        try {
            split = d.train(req, task, done::addAndGet);
        } finally {
            System.clearProperty(CudaLaunchPlan.CHUNK_PROPERTY);
        }
        assertEquals(5, d.launches());
        assertEquals(9, done.get(), "every member reported once");
        assertEquals(2, d.maxConcurrentStreams(), "the two slots' chunks were in flight together");
        List<String> launches = d.log().stream().filter(s -> s.startsWith("launch")).toList();
        for (int i = 0; i < launches.size(); i++) {
            assertEquals(launches.get(i % 2), launches.get(i), "launch " + i + " on its slot's stream");
        }
        assertTrue(!launches.get(0).equals(launches.get(1)), "two streams: " + launches);
        assertArrayEquals(one.params(), split.params());
        assertArrayEquals(one.lossTrace(), split.lossTrace());
        assertArrayEquals(one.steps(), split.steps());
        assertArrayEquals(one.status(), split.status());
    }

    /**
     * A workspace keeps its slots and the result arrays between calls (no new allocation, the same
     * arrays, the same numbers) and reports the kernels' event time, within the call's wall time.
     */
    @Test
    void aWorkspaceReusesItsBuffersAndReportsKernelTime() {
        Task task = task();
        TrainRequest req = request(5);
        FakeCudaDriver d = driver();
        TrainResult fresh = driver().train(req, task, ProgressListener.NONE);
        try (CudaWorkspace ws = d.workspace()) {
            TrainResult first = d.train(ws, req, task, ProgressListener.NONE);
            long held = d.usedBytes();
            double firstParam = first.params()[7];
            TrainResult second = d.train(ws, req, task, ProgressListener.NONE);
            assertEquals(held, d.usedBytes(), "the slots were reused, not reallocated");
            assertSame(first.params(), second.params(), "the result arrays were reused");
            assertEquals(firstParam, second.params()[7]);
            assertArrayEquals(fresh.params(), second.params());
            assertArrayEquals(fresh.lossTrace(), second.lossTrace());
            assertTrue(ws.lastLaunches() >= 1);
            assertTrue(ws.lastKernelSeconds() > 0 && ws.lastKernelSeconds() <= ws.lastWallSeconds(),
                    ws.lastKernelSeconds() + " s kernel, " + ws.lastWallSeconds() + " s wall");
        }
        d.assertReleased();
    }
}
