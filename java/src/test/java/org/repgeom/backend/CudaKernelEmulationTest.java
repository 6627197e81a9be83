package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.backend.cuda.FusedLayout;
import org.repgeom.backend.cuda.FusedLayout.Placement;
import org.repgeom.backend.cuda.KernelEmulator;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The CUDA kernels' own code (cuda/repgeom_train.cu), run on the CPU by the host emulator with
 * arguments packed by the CUDA backend's Java code, against the Java reference member by member —
 * the same comparisons and tolerances as {@link NativeBackendTest} (see its javadoc for why they
 * are what they are). Teams are a few host threads that meet at real barriers, so the split of every
 * GEMM, loop and reduction across threads, the shared-memory layout and the team/block structure are
 * exercised; what the emulation cannot check (warp shuffles, named barriers, races under the GPU's
 * memory model) is left to {@link CudaBackendTest} on a device.
 */
class CudaKernelEmulationTest {

    @BeforeAll
    static void emulatorBuilt() {
        assumeTrue(KernelEmulator.available(), () -> "CUDA host emulator not built (no C++ compiler?): " + KernelEmulator.binary());
    }

    /** Emulated run: teams of 3 threads, 2 teams per block, 2 blocks, given placement. */
    static TrainResult emulate(TrainRequest req, Task task, Placement placement) {
        return KernelEmulator.train(req, task, KernelEmulator.layout(req, task, 3, 2, placement), 2, req.members());
    }

    static TrainResult emulate(TrainRequest req, Task task) {
        return emulate(req, task, Placement.ON_CHIP);
    }

    @ParameterizedTest(name = "{0}, depth {1}, {2}")
    @MethodSource("org.repgeom.backend.NativeBackendTest#everyActivationDepthOptimizer")
    void matchesTheReference(Activation act, int depth, OptimizerKind kind) {
        Task task = Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
        int[] widths = Arrays.copyOf(new int[] {7, 5, 6}, depth);
        Architecture arch = new Architecture(6, widths, 2, act, false);
        double lr = switch (kind) {
            case GD -> 2e-3;
            case MOMENTUM -> 2e-4;
            case ADAM -> 1e-3;
        };
        int steps = kind == OptimizerKind.ADAM ? 150 : 300;
        TrainRequest req = NativeBackendTest.request(arch, 3, lr, NativeBackendTest.settings(kind), new StopRule(steps, 0, 50, 10));
        TrainResult ref = NativeBackendTest.reference(req, task);
        TrainResult emu = emulate(req, task);
        double traceTol = act.isThresholdClass() ? 1e-3 : 1e-4;
        double paramTol = act.isThresholdClass() ? 2e-3 : kind == OptimizerKind.ADAM ? 1e-3 : 1e-4;
        NativeBackendTest.assertMatches(req, task, ref, emu, traceTol, paramTol, act + " depth " + depth + " " + kind);
    }
}
