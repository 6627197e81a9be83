package org.repgeom.backend.cuda;

import java.util.Locale;
import org.repgeom.model.Architecture;
import org.repgeom.train.OptimizerKind;

/**
 * The two ways the CUDA backend trains a group, and the planner's choice between them by shape.
 *
 * <p><b>FUSED</b>: {@code mlp_train_fused_<placement>}, one launch for every step of every member, a
 * team of threads per member keeping it in shared memory ({@link CudaLaunchPlan}). <b>LIBRARY</b>:
 * {@link LibraryTrainer}, one step of a whole chunk at a time as cuBLAS batched SGEMMs plus
 * elementwise kernels, everything in global memory.
 *
 * <p><b>Rule</b> ({@code auto}): LIBRARY when the fused planner can keep not even the hidden layers'
 * parameters on chip ({@link FusedLayout.Placement#HIDDEN_GLOBAL} or {@link FusedLayout.Placement#ALL_GLOBAL},
 * e.g. W1024 on an H100: θ alone is 276 KiB) and cuBLAS
 * loads; FUSED otherwise. Why: on chip, the fused kernel reads every GEMM operand from shared memory
 * and touches global memory only at the start and the end, which no sequence of library calls can
 * beat (each call reads and writes its operands in global memory, ~10 launches per step). Once θ is
 * in global memory the fused kernel's 4 × 4 register tiles read every operand through L1/L2 with
 * little reuse, while cuBLAS stages tiles of W and A in shared memory and reuses each load many times;
 * the launch overhead (~10 µs per step) is then small against a step of a whole chunk. Where the
 * placement keeps θ on chip but moves activations out (W256 on an A100), FUSED stays: its parameter
 * reads, the bulk of the traffic, stay on chip. The measured crossover on a device may move this
 * line; {@code -Drepgeom.cuda.path=fused|library|auto} overrides it (both paths on the same shape
 * cross-check each other).
 */
public enum TrainingPath {
    FUSED,
    LIBRARY;

    /** System property: auto (default), fused or library. */
    public static final String PROPERTY = "repgeom.cuda.path";

    /**
     * The path for {@code arch} on P samples on device {@code d}.
     *
     * @param override         the property's value (null or "auto": the rule)
     * @param libraryProblem   why cuBLAS or the library kernels cannot run here, or null (asked only when needed)
     * @throws IllegalArgumentException for an unknown override, or when no path can train the shape
     * @throws IllegalStateException    when {@code library} is asked for and cannot run, with the reason
     */
    public static TrainingPath choose(Architecture arch, int samples, OptimizerKind opt, DeviceLimits d, int registers,
                                      String override, java.util.function.Supplier<String> libraryProblem) {
        String o = override == null ? "auto" : override.strip().toLowerCase(Locale.ROOT);
        switch (o) {
            case "fused":
                return FUSED;
            case "library":
                String why = libraryProblem.get();
                if (why != null) throw new IllegalStateException("-D" + PROPERTY + "=library: " + why);
                return LIBRARY;
            case "auto", "":
                break;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + " must be auto, fused or library, got '" + override + "'");
        }
        FusedLayout fused;
        try {
            fused = CudaLaunchPlan.chooseLayout(arch, samples, opt, d, registers);
        } catch (IllegalArgumentException tooLarge) {
            if (libraryProblem.get() == null) return LIBRARY; // the fused kernel cannot run it at all
            throw tooLarge;
        }
        // the library path once even the hidden layers' parameters leave shared memory (HIDDEN_GLOBAL, ALL_GLOBAL)
        return fused.placement().thetaGlobal() && libraryProblem.get() == null ? LIBRARY : FUSED;
    }

    /** The members per chunk of the library path: what fits in the free memory (less headroom), ≤ 65535. */
    public static int libraryChunk(Architecture arch, int samples, org.repgeom.train.OptimizerSettings opt, int stride,
                                   int traceLength, int members, long freeBytes) {
        long perMember = LibraryTrainer.perMemberBytes(arch, samples, opt, stride, traceLength);
        long shared = 4L * samples * (arch.inputDim() + arch.outputDim()) + (1L << 20);
        long budget = (long) (freeBytes * (1 - CudaLaunchPlan.HEADROOM)) - shared;
        long fit = budget / perMember;
        if (fit < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "not even one member of %s fits the library path: it needs %d bytes, %d are free (%.0f%% kept as headroom)",
                    arch, perMember + shared, freeBytes, CudaLaunchPlan.HEADROOM * 100));
        }
        // host staging of one chunk's parameters stays below 1 GiB
        long hostCap = CudaLaunchPlan.HOST_ARRAY_LIMIT / (4L * Math.max(stride, Math.max(1, traceLength)));
        int override = Integer.getInteger(CudaLaunchPlan.CHUNK_PROPERTY, 0);
        long chunk = Math.min(Math.min(fit, hostCap), Math.min(members, LibraryTrainer.MAX_BATCH));
        if (override > 0) chunk = Math.min(chunk, override);
        return (int) Math.max(1, chunk);
    }
}
