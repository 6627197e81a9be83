package org.repgeom.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;

/**
 * The launch planner's choice between the fused kernel and the library path by shape
 * ({@link TrainingPath}), the override, and the library path's chunk sizes against device memory.
 */
class TrainingPathTest {
    private static final Supplier<String> LOADS = () -> null;

    /** Workload W (bench/WORKLOAD.md): dX = 64, one hidden ReLU layer of the given width, dY = 3. */
    private static Architecture w(int width) {
        return Architecture.twoLayer(64, width, 3, Activation.RELU);
    }

    private static TrainingPath auto(int width, OptimizerKind k, DeviceLimits d, Supplier<String> library) {
        return TrainingPath.choose(w(width), 64, k, d, 120, null, library);
    }

    @Test
    void onChipShapesStayFusedAndTheLibraryIsNotEvenLookedFor() {
        AtomicInteger asked = new AtomicInteger();
        Supplier<String> counting = () -> {
            asked.incrementAndGet();
            return null;
        };
        for (int width : new int[] {16, 64, 256}) {
            for (OptimizerKind k : OptimizerKind.values()) {
                assertEquals(TrainingPath.FUSED, auto(width, k, DeviceLimits.h100(), counting), "W" + width + " " + k + " on an H100");
            }
        }
        assertEquals(0, asked.get(), "cuBLAS is searched for only where the rule could pick it");
    }

    @Test
    void parametersOffChipGoToTheLibraryWhereCublasLoads() {
        for (DeviceLimits d : new DeviceLimits[] {DeviceLimits.h100(), DeviceLimits.a100(), DeviceLimits.rtx4090()}) {
            for (OptimizerKind k : OptimizerKind.values()) {
                assertEquals(FusedLayout.Placement.HIDDEN_GLOBAL, CudaLaunchPlan.chooseLayout(w(1024), 64, k, d, 120).placement());
                assertEquals(TrainingPath.LIBRARY, auto(1024, k, d, LOADS), "W1024 " + k + " on " + d.name());
                assertEquals(TrainingPath.FUSED, auto(1024, k, d, () -> "no libcublas.so.13 or .so.12 loads"),
                        "without cuBLAS the fused kernel's global-memory fallback trains it");
            }
        }
        // activations off chip but parameters on chip (W256 on an A100): still fused
        assertEquals(FusedLayout.Placement.HIDDEN_ACTIVATIONS_GLOBAL,
                CudaLaunchPlan.chooseLayout(w(256), 64, OptimizerKind.GD, DeviceLimits.a100(), 120).placement());
        assertEquals(TrainingPath.FUSED, auto(256, OptimizerKind.GD, DeviceLimits.a100(), LOADS));
    }

    @Test
    void theOverrideForcesEitherPathAndSaysWhyTheLibraryCannot() {
        DeviceLimits h = DeviceLimits.h100();
        assertEquals(TrainingPath.LIBRARY, TrainingPath.choose(w(16), 64, OptimizerKind.GD, h, 120, "library", LOADS));
        assertEquals(TrainingPath.FUSED, TrainingPath.choose(w(1024), 64, OptimizerKind.GD, h, 120, " Fused ", LOADS));
        assertEquals(TrainingPath.LIBRARY, TrainingPath.choose(w(1024), 64, OptimizerKind.GD, h, 120, "auto", LOADS));
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> TrainingPath.choose(w(16), 64, OptimizerKind.GD, h, 120, "library", () -> "no libcublas.so.13 or .so.12 loads"));
        assertTrue(missing.getMessage().contains("repgeom.cuda.path=library: no libcublas"), missing.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> TrainingPath.choose(w(16), 64, OptimizerKind.GD, h, 120, "cublas", LOADS));
        assertTrue(bad.getMessage().contains("repgeom.cuda.path") && bad.getMessage().contains("'cublas'"), bad.getMessage());
    }

    @Test
    void aShapeTheFusedKernelCannotPlanAtAllGoesToTheLibrary() {
        // shared memory too small even for the fused kernel's reduction buffer
        DeviceLimits tiny = new DeviceLimits("tiny", 8, 0, 4, 128, 1024, 0, 1024, 8, 65_536, 1L << 30);
        assertEquals(TrainingPath.LIBRARY, TrainingPath.choose(w(16), 64, OptimizerKind.GD, tiny, 0, null, LOADS));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingPath.choose(w(16), 64, OptimizerKind.GD, tiny, 0, null, () -> "no cuBLAS"));
    }

    @Test
    void libraryChunksFitTheFreeMemory() {
        OptimizerSettings adam = OptimizerSettings.adam(0.1);
        Architecture arch = w(1024);
        int stride = new ParamLayout(arch).stride();
        long per = LibraryTrainer.perMemberBytes(arch, 64, adam, stride, 11);
        // θ, θ_prev, gradient, two moments; Z, A, F, the hidden-error buffer
        long floats = 5L * stride + 2L * 1024 * 64 + 3 * 64 + 1024 * 64;
        assertTrue(per >= 4 * floats && per <= 4 * floats + 16384, "per-member bytes " + per + " vs " + 4 * floats);
        long free = 80_000_000_000L;
        int chunk = TrainingPath.libraryChunk(arch, 64, adam, stride, 11, 1024, free);
        assertEquals(1024, chunk, "W1024's 1024 members fit an H100 at once");
        long small = 2_000_000_000L;
        int c2 = TrainingPath.libraryChunk(arch, 64, adam, stride, 11, 1024, small);
        assertTrue(c2 < 1024 && c2 >= 1 && (long) c2 * per <= small * (1 - CudaLaunchPlan.HEADROOM), "chunk " + c2);
        assertEquals(LibraryTrainer.MAX_BATCH, TrainingPath.libraryChunk(w(16), 64, adam, new ParamLayout(w(16)).stride(), 11,
                1_000_000, free), "cuBLAS's batch count caps a chunk");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> TrainingPath.libraryChunk(arch, 64, adam, stride, 11, 1024, 1_000_000));
        assertTrue(none.getMessage().contains("not even one member"), none.getMessage());
    }
}
