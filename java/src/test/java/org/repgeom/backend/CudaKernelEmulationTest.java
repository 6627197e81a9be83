package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.repgeom.backend.cuda.FusedLayout;
import org.repgeom.backend.cuda.FusedLayout.Placement;
import org.repgeom.backend.cuda.KernelEmulator;
import org.repgeom.backend.cuda.KernelEmulator.Build;
import org.repgeom.backend.cuda.KernelLayout;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.model.Recurrence;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The CUDA kernels' own code (cuda/repgeom_train.cu), run on the CPU by the host emulator with
 * arguments packed by the CUDA backend's Java code: the conformance suite ({@link BackendConformanceTest})
 * on teams of 3 host threads, 2 teams per block, 2 blocks. Teams meet at real barriers, so the split of
 * every GEMM, loop and reduction across threads, the shared-memory layout and the team/block structure
 * are exercised; recurrent requests run rnn_train_fused (cuda/repgeom_rnn.cu) the same way. Warps of 32 lanes (shuffles, the __syncwarp and named-barrier paths) and a
 * ThreadSanitizer run are {@link CudaWarpEmulationTest}'s; races under the GPU's memory model and the
 * host driver code are left to {@link CudaBackendTest} on a device.
 */
class CudaKernelEmulationTest extends BackendConformanceTest {

    @BeforeAll
    static void emulatorBuilt() {
        assumeTrue(KernelEmulator.available(), () -> "CUDA host emulator not built (no C++ compiler?): " + KernelEmulator.binary());
    }

    /** The emulator build the suite runs on. */
    protected KernelEmulator.Build build() {
        return KernelEmulator.Build.SINGLE_LANE;
    }

    private TrainResult emulate(TrainRequest req, Task task, Placement placement) {
        return build().train(req, task, layout(req, task, 3, 2, placement), 2, req.members());
    }

    /** mlp_train_fused's layout, or rnn_train_fused's for a recurrent request. */
    private KernelLayout layout(TrainRequest req, Task task, int team, int teamsPerBlock, Placement placement) {
        return req.architecture().isRecurrent()
                ? build().rnnLayout(req, task, team, teamsPerBlock, placement)
                : build().layout(req, task, team, teamsPerBlock, placement);
    }

    @Override
    protected TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        return emulate(req, task, Placement.ON_CHIP);
    }

    /** Every array on chip, and every array in the teams' global scratch. */
    @Override
    protected Map<String, TrainResult> trainEveryVariant(TrainRequest req, Task task) {
        Map<String, TrainResult> out = new LinkedHashMap<>();
        for (Placement p : new Placement[] {Placement.ON_CHIP, Placement.ALL_GLOBAL}) {
            out.put(build() + ", " + p, emulate(req, task, p));
        }
        return out;
    }

    /** Same team size (losses are sums over a team's threads), other blocks and chunks of 2 members. */
    @Override
    protected TrainResult trainSplitDifferently(TrainRequest req, Task task, ProgressListener progress) {
        return build().train(req, task, layout(req, task, 3, 1, Placement.ON_CHIP), 3, 2);
    }

    @Override
    protected boolean reportsProgress() {
        return false; // the emulator runs a chunk per process; progress is the CUDA trainer's, checked on a device
    }

    @Override
    protected float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer) {
        FusedLayout fl = new FusedLayout(layout.architecture(), task.samples(), OptimizerKind.GD, 4, 1, 2, Placement.ON_CHIP);
        return build().forward(fl, params, members, task, layer, 2);
    }

    @Override
    protected float[] initialParams(ParamLayout layout, long[] seeds, double[] scales) {
        return build().init(new FusedLayout(layout.architecture(), 4, OptimizerKind.GD, 1, 1, 1, Placement.ON_CHIP), seeds,
                scales);
    }

    /**
     * Where the arrays live, how many threads share a member, how many teams share a block, how many
     * blocks share the counter and how the group is chunked change nothing: every output of every
     * GEMM is accumulated by one thread in the same order whoever it is, so the parameters agree bit
     * for bit. (Losses are sums over threads and may differ in their last bits between team sizes.)
     */
    @Test
    void resultsDoNotDependOnPlacementTeamsBlocksOrChunks() {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.TANH, true);
        TrainRequest req = request(arch, 5, 5e-4, OptimizerSettings.adam(0.5), new StopRule(60, 0, 20, 10));
        TrainResult base = emulate(req, task, Placement.ON_CHIP);
        for (Placement p : Placement.values()) {
            TrainResult r = emulate(req, task, p);
            assertArrayEquals(base.params(), r.params(), "placement " + p);
            assertArrayEquals(base.lossTrace(), r.lossTrace(), "placement " + p);
            assertArrayEquals(base.finalLoss(), r.finalLoss(), "placement " + p);
        }
        for (int[] shape : new int[][] {{1, 1, 1, 5}, {4, 3, 1, 2}, {8, 1, 3, 5}, {2, 5, 2, 1}, {5, 2, 1, 3}}) {
            FusedLayout layout = build().layout(req, task, shape[0], shape[1], Placement.ON_CHIP);
            TrainResult r = build().train(req, task, layout, shape[2], shape[3]);
            String what = "T=" + shape[0] + ", teams/block " + shape[1] + ", blocks " + shape[2] + ", chunk " + shape[3];
            assertArrayEquals(base.params(), r.params(), what);
            assertArrayEquals(base.steps(), r.steps(), what);
            for (int i = 0; i < base.lossTrace().length; i++) {
                assertEquals(base.lossTrace()[i], r.lossTrace()[i], 1e-6 * Math.abs(base.lossTrace()[i]), what);
            }
            for (int e = 0; e < 5; e++) assertEquals(base.gradNorm()[e], r.gradNorm()[e], 1e-9 * base.gradNorm()[e], what);
        }
    }

    /**
     * rnn_train_fused likewise: on chip or all global, any team size, teams per block, blocks and chunks give
     * the same parameters bit for bit (every GEMM output, the bias sums and the input-gradient sums are
     * each accumulated by one thread in a fixed order); widths 7 and P = 12 leave tile remainders, and
     * T = 4 with the input at the first step only exercises the steps without input.
     */
    @Test
    void recurrentResultsDoNotDependOnPlacementTeamsBlocksOrChunks() {
        Task task = smallTask();
        for (Recurrence rec : new Recurrence[] {new Recurrence(4, Recurrence.Input.FIRST), new Recurrence(3, Recurrence.Input.EVERY)}) {
            Architecture arch = Architecture.recurrent(6, 7, 2, Activation.TANH, rec);
            TrainRequest req = request(arch, 5, 1e-3, OptimizerSettings.adam(0.5), new StopRule(40, 0, 20, 10));
            TrainResult base = emulate(req, task, Placement.ON_CHIP);
            String input = rec.input().id();
            TrainResult global = emulate(req, task, Placement.ALL_GLOBAL);
            assertArrayEquals(base.params(), global.params(), input + ": all global");
            assertArrayEquals(base.finalLoss(), global.finalLoss(), input + ": all global");
            for (int[] shape : new int[][] {{1, 1, 1, 5}, {4, 3, 1, 2}, {8, 1, 3, 5}, {5, 2, 1, 3}}) {
                KernelLayout layout = layout(req, task, shape[0], shape[1], Placement.ON_CHIP);
                TrainResult r = build().train(req, task, layout, shape[2], shape[3]);
                String what = input + ": T=" + shape[0] + ", teams/block " + shape[1] + ", blocks " + shape[2] + ", chunk " + shape[3];
                assertArrayEquals(base.params(), r.params(), what);
                assertArrayEquals(base.steps(), r.steps(), what);
                for (int e = 0; e < 5; e++) assertEquals(base.gradNorm()[e], r.gradNorm()[e], 1e-9 * base.gradNorm()[e], what);
            }
        }
    }

    @Test
    void hiddenLayersWithArraysInGlobalMemory() {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.GELU, true);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = forwardParams(layout, 3);
        FusedLayout fl = new FusedLayout(arch, task.samples(), OptimizerKind.GD, 2, 1, 1, Placement.ALL_GLOBAL);
        for (int layer = 0; layer < 2; layer++) {
            assertHiddenMatches(layout, p, 3, task, layer, build().forward(fl, p, 3, task, layer, 3), "layer " + layer);
        }
    }
}
