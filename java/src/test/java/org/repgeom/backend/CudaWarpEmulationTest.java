package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.repgeom.backend.cuda.FusedLayout;
import org.repgeom.backend.cuda.FusedLayout.Placement;
import org.repgeom.backend.cuda.KernelEmulator.Build;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Recurrence;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The kernels with warps of 32 emulated lanes ({@link Build#WARP32}): the team reductions run the
 * device's shuffle butterflies, a 32-thread team synchronises through the __syncwarp path and larger
 * teams through the named-barrier path — code that the single-lane emulation of
 * {@link CudaKernelEmulationTest} never executes. Plus the same code under ThreadSanitizer, and the
 * device's shared-memory limit.
 */
class CudaWarpEmulationTest {

    private static void assumeBuilt(Build b) {
        assumeTrue(b.available(), () -> "emulator build not present (see cuda/build.sh): " + b.binary());
    }

    /** Depth 2 with bias on all layers, P = 24, widths 20 and 33: tile remainders everywhere. */
    private static Task task() {
        return Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
    }

    private static TrainRequest request(Activation act, OptimizerSettings opt, int steps) {
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, act, true);
        return BackendConformanceTest.request(arch, 4, 5e-4, opt, new StopRule(steps, 0, 50, 20));
    }

    /** Teams of one warp (__syncwarp path), two and three warps (bar.sync path), on chip and all global. */
    @ParameterizedTest(name = "T = {0}")
    @ValueSource(ints = {32, 64, 96})
    void shuffleReductionsAndBothBarrierPathsAgreeWithTheReference(int team) {
        assumeBuilt(Build.WARP32);
        Task task = task();
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH}) {
            TrainRequest req = request(act, OptimizerSettings.adam(0.5), 80);
            TrainResult ref = BackendConformanceTest.reference(req, task);
            for (Placement p : new Placement[] {Placement.ON_CHIP, Placement.ALL_GLOBAL}) {
                FusedLayout layout = Build.WARP32.layout(req, task, team, 1, p);
                TrainResult emu = Build.WARP32.train(req, task, layout, 2, req.members());
                double tol = act.isThresholdClass() ? 1e-3 : 1e-4;
                BackendConformanceTest.assertMatches(req, task, ref, emu, tol, 2 * tol, act + ", T = " + team + ", " + p);
            }
        }
    }

    /**
     * Every GEMM output is accumulated by one thread in a fixed order, and decisions use sums that
     * every lane sees alike, so 32-lane warps change no parameter: bit for bit the single-lane result.
     */
    @Test
    void warpsOf32LanesGiveTheSingleLaneParametersBitForBit() {
        assertWarpsChangeNoParameter(Build.SINGLE_LANE, Build.WARP32);
    }

    /** The same with FMA contraction (the builds closest to a device): contraction does not break it. */
    @Test
    void withContractionToo() {
        assertWarpsChangeNoParameter(Build.SINGLE_LANE_FMA, Build.WARP32_FMA);
    }

    private static void assertWarpsChangeNoParameter(Build single, Build warp32) {
        assumeBuilt(warp32);
        assumeBuilt(single);
        Task task = task();
        TrainRequest req = request(Activation.GELU, OptimizerSettings.momentum(0.8, 0.5), 80);
        for (int team : new int[] {32, 64}) {
            TrainResult one = single.train(req, task, single.layout(req, task, team, 2, Placement.ON_CHIP), 2, 3);
            TrainResult w32 = warp32.train(req, task, warp32.layout(req, task, team, 2, Placement.ON_CHIP), 2, 3);
            assertArrayEquals(one.params(), w32.params(), single + " / " + warp32 + ", T = " + team);
            assertArrayEquals(one.steps(), w32.steps(), single + " / " + warp32 + ", T = " + team);
        }
    }

    /** ThreadSanitizer over both barrier paths, all on chip and all global: a race exits non-zero with its report. */
    @Test
    void noDataRaceUnderThreadSanitizer() {
        assumeBuilt(Build.WARP32_TSAN);
        Task task = task();
        TrainRequest req = request(Activation.TANH, OptimizerSettings.adam(0.5), 20);
        for (int team : new int[] {32, 64}) {
            for (Placement p : new Placement[] {Placement.ON_CHIP, Placement.ALL_GLOBAL}) {
                FusedLayout layout = Build.WARP32_TSAN.layout(req, task, team, 2, p);
                // throws with the sanitizer's report when it finds a race (its exit code is then 66)
                Build.WARP32_TSAN.train(req, task, layout, 2, req.members());
            }
        }
    }

    /**
     * rnn_train_fused with 32-lane warps: teams of one and three warps (both barrier paths, the shuffle
     * reductions), on chip and all global, against the reference; ReLU with the input at the first step
     * only and tanh with the input at every step, T = 3.
     */
    @ParameterizedTest(name = "T = {0}")
    @ValueSource(ints = {32, 96})
    void recurrentMembersWithWarpsOf32LanesAgreeWithTheReference(int team) {
        assumeBuilt(Build.WARP32);
        Task task = task();
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH}) {
            Recurrence rec = new Recurrence(3, act == Activation.RELU ? Recurrence.Input.FIRST : Recurrence.Input.EVERY);
            TrainRequest req = recurrentRequest(act, rec, 40);
            TrainResult ref = BackendConformanceTest.reference(req, task);
            for (Placement p : new Placement[] {Placement.ON_CHIP, Placement.ALL_GLOBAL}) {
                TrainResult emu = Build.WARP32.train(req, task, Build.WARP32.rnnLayout(req, task, team, 1, p), 2, req.members());
                double tol = act.isThresholdClass() ? 1e-3 : 1e-4;
                BackendConformanceTest.assertMatches(req, task, ref, emu, tol, 2 * tol, "rnn " + act + ", T = " + team + ", " + p);
            }
        }
    }

    /** The recurrent kernel under ThreadSanitizer, both barrier paths, on chip and all global. */
    @Test
    void noDataRaceInTheRecurrentKernelUnderThreadSanitizer() {
        assumeBuilt(Build.WARP32_TSAN);
        Task task = task();
        TrainRequest req = recurrentRequest(Activation.TANH, new Recurrence(3, Recurrence.Input.EVERY), 10);
        for (int team : new int[] {32, 64}) {
            for (Placement p : new Placement[] {Placement.ON_CHIP, Placement.ALL_GLOBAL}) {
                Build.WARP32_TSAN.train(req, task, Build.WARP32_TSAN.rnnLayout(req, task, team, 2, p), 2, req.members());
            }
        }
    }

    /** A recurrent group of width 20 on this task (P = 24, dX = 19): tile remainders everywhere. */
    private static TrainRequest recurrentRequest(Activation act, Recurrence rec, int steps) {
        Architecture arch = Architecture.recurrent(19, 20, 3, act, rec);
        return BackendConformanceTest.request(arch, 3, 2e-4, OptimizerSettings.adam(0.5), new StopRule(steps, 0, 50, 20));
    }

    /** A block the device could not launch (over 227 KiB of shared memory) is refused, not emulated. */
    @Test
    void aBlockOverTheDeviceSharedMemoryLimitIsRefused() {
        assumeBuilt(Build.SINGLE_LANE);
        Task task = Tasks.hypercube(3, 8, InputSpec.of("whitened", 0).withDim(64));
        Architecture arch = Architecture.twoLayer(64, 1024, 3, Activation.RELU);
        TrainRequest req = BackendConformanceTest.request(arch, 1, 1e-3, OptimizerSettings.gd(), new StopRule(2, 0, 1, 1));
        FusedLayout layout = Build.SINGLE_LANE.layout(req, task, 8, 1, Placement.ON_CHIP);
        assertTrue(layout.blockSharedBytes() > 227 * 1024, "this layout really is too large: " + layout.blockSharedBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Build.SINGLE_LANE.train(req, task, layout, 1, 1));
        assertTrue(e.getMessage().contains("over the device limit of 232448"), e.getMessage());
    }
}
