package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.repgeom.backend.cuda.FusedLayout.Placement;
import org.repgeom.backend.cuda.KernelEmulator.Build;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The conformance suite and the bit-identity checks of {@link CudaKernelEmulationTest} on the
 * contracting emulator build ({@link Build#SINGLE_LANE_FMA}: g++ {@code -mfma -ffp-contract=fast}),
 * which fuses a*b+c into one correctly rounded fma wherever nvcc's default {@code -fmad=true} may
 * (the loss and penalty sums, the optimiser updates, GELU and tanh derivatives; cuda/README.md lists
 * them). Placement, team and chunk independence must survive contraction, and the results must stay
 * within the suite's tolerances of the Java reference, which never contracts.
 */
class CudaFmaEmulationTest extends CudaKernelEmulationTest {

    @BeforeAll
    static void contractingBuildPresent() {
        assumeTrue(Build.SINGLE_LANE_FMA.available(),
                () -> "contracting emulator build not present (no FMA on this CPU?): " + Build.SINGLE_LANE_FMA.binary());
    }

    @Override
    protected Build build() {
        return Build.SINGLE_LANE_FMA;
    }

    /** Contraction is really on: the same run differs from the plain build in its last bits, and only there. */
    @Test
    void contractionChangesOnlyTheLastBits() {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.GELU, true);
        TrainRequest req = request(arch, 4, 5e-4, OptimizerSettings.adam(0.5), new StopRule(80, 0, 20, 10));
        TrainResult plain = Build.SINGLE_LANE.train(req, task, Build.SINGLE_LANE.layout(req, task, 3, 2, Placement.ON_CHIP), 2, 4);
        TrainResult fused = build().train(req, task, build().layout(req, task, 3, 2, Placement.ON_CHIP), 2, 4);
        assertFalse(Arrays.equals(plain.params(), fused.params()), "the fma build gave the plain build's bits: is it contracting?");
        assertMatches(req, task, plain, fused, 1e-4, 2e-4, "fma build against the plain build");
    }
}
