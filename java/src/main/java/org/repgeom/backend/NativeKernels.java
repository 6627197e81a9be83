package org.repgeom.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The C kernels of {@code native/} (librepgeom), under the same names as their Java twins.
 *
 * <p>The build (native/build.sh, run by Maven) puts {@code native/<os>-<arch>/librepgeom.so} on the
 * class path, i.e. inside the jar. On first use it is copied to a temporary file and loaded with
 * {@link System#load}; the system property {@code repgeom.native.lib} names a library file to load
 * instead. Where no library fits this OS/architecture or loading fails, {@link #isAvailable()} is
 * false and {@link #unavailableReason()} says why; nothing else in the engine needs it.
 */
public final class NativeKernels {
    private static final String LIB = "librepgeom";
    private static final String REASON;
    private static final String ISA;

    static {
        String reason = null;
        String isa = null;
        try {
            load();
            int kat = philox4x32_kat();
            if (kat != 0) {
                reason = "native library loaded but its Philox known-answer check failed (mask " + kat + ")";
            } else {
                isa = isa();
            }
        } catch (Throwable t) { // UnsatisfiedLinkError, IOException, SecurityException ...
            reason = t.getMessage() == null ? t.toString() : t.getMessage();
        }
        REASON = reason;
        ISA = isa;
    }

    private NativeKernels() {
    }

    /** True when librepgeom loaded and passed its known-answer check. */
    public static boolean isAvailable() {
        return REASON == null;
    }

    /** Why the native kernels cannot run here, or null when they can. */
    public static String unavailableReason() {
        return REASON;
    }

    /** The instruction-set variant the library dispatches to here ("avx512", "avx2", "generic"), or null. */
    public static String instructionSet() {
        return ISA;
    }

    /** {@code <os>-<arch>} as used in the resource path, e.g. {@code linux-x86_64}, or null if unknown. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos" : null;
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        return o == null || a == null ? null : o + "-" + a;
    }

    private static void load() throws IOException {
        String override = System.getProperty("repgeom.native.lib");
        if (override != null && !override.isBlank()) {
            System.load(Path.of(override).toAbsolutePath().toString());
            return;
        }
        loadBundled(LIB);
    }

    /**
     * Loads {@code native/<os>-<arch>/<lib>.so} (or .dylib) from the class path, i.e. from the jar, through a
     * temporary copy; throws {@link UnsatisfiedLinkError} naming the problem where there is none for this platform.
     */
    public static void loadBundled(String lib) throws IOException {
        String platform = platform();
        if (platform == null) {
            throw new UnsatisfiedLinkError("no native library for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch"));
        }
        String ext = platform.startsWith("macos") ? ".dylib" : ".so";
        String resource = "/native/" + platform + "/" + lib + ext;
        try (InputStream in = NativeKernels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("native library " + resource + " is not in this build (no C compiler or"
                        + " JDK headers when it was built? see native/README.md)");
            }
            Path tmp = Files.createTempFile(lib + "-", ext);
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            System.load(tmp.toAbsolutePath().toString());
        }
    }

    /** Bit mask of failed Random123 known-answer vectors (0 = all three pass), computed in C. */
    public static native int philox4x32_kat();

    /** The C Philox4x32-10: {@code ctr} (4 words) is overwritten with the output under key (k0, k1). */
    public static native void philox4x32_10(int[] ctr, int k0, int k1);

    private static native String isa();

    /**
     * Caps the instruction-set variant used from now on (2 = best available, 1 = at most AVX2,
     * 0 = generic baseline) and returns the previous cap; {@link #currentInstructionSet()} then says
     * which runs. For tests of the lower variants on a machine that has AVX-512; not for concurrent use.
     */
    static native int limitIsa(int limit);

    /**
     * Forces the training layout of {@code mlp_train_fused} from now on (0 = chosen by shape, 1 = one
     * member at a time, padded, 2 = members interleaved across the vector lanes) and returns the
     * previous mode. For tests of both layouts on any shape; not for concurrent use.
     */
    static native int forceLayout(int mode);

    /**
     * The layout {@code mlp_train_fused} trains a shape in here: 1 = one member at a time, 2 = members
     * across the vector lanes. {@code shape} as {@link #mlp_forward}'s: depth, activation ordinal,
     * biasOnAllHidden, samples, then the L + 2 layer widths.
     */
    static native int layout(int[] shape);

    /** The variant {@code mlp_train_fused} dispatches to now (see {@link #limitIsa}). */
    static String currentInstructionSet() {
        return isa();
    }

    /**
     * The C twin of {@link JavaBackend#mlp_train_fused}: trains members {@code [first, first+count)} of
     * one group in place, all steps inside this call, float32. Buffers are direct and in native byte
     * order, indexed by absolute member. {@code shape} = depth, activation ordinal, biasOnAllHidden
     * (0/1), samples, optimizer ordinal, maxSteps, window, traceEvery, then the L + 2 layer widths
     * (dX, hidden…, dY); {@code hyper} = finalLrRatio, momentum, beta1, beta2, eps, tol. The kernel trace
     * ({@link KernelTraceRequest}): {@code kernelEvery} 0 for none, else {@code kernelRows} holds each
     * member's row of {@code kernelTrace} (-1: not traced) and {@code kernelTrace} rows × depth × T × P × P
     * floats. Returns 0.
     */
    public static native int mlp_train_fused(int[] shape, double[] hyper, FloatBuffer x, FloatBuffer y,
                                             FloatBuffer params, FloatBuffer lambdas, DoubleBuffer lrs,
                                             FloatBuffer trace, DoubleBuffer finalLoss, DoubleBuffer gradNorm,
                                             IntBuffer steps, IntBuffer status, int first, int count, int kernelEvery,
                                             IntBuffer kernelRows, FloatBuffer kernelTrace);

    /**
     * {@link #mlp_train_fused} continued from a {@link org.repgeom.train.TrainState} in segments
     * (C {@code mlp_train_fused_resume}): members whose {@code status} is
     * {@link org.repgeom.train.TrainState#RUNNING} go on from {@code steps}, the trace so far, and
     * the rest of their state until {@code untilStep} steps or until they stop; one still running
     * afterwards has status RUNNING and its state written back. {@code lastFinite}, {@code moment1}
     * (null for GD) and {@code moment2} (null unless Adam) are members × stride floats in ParamLayout
     * order; {@code beta1Pow}, {@code beta2Pow}, {@code windowStart} and {@code penalty} are per member;
     * the kernel trace as {@link #mlp_train_fused}'s, continued in place.
     */
    public static native int mlp_train_fused_resume(int[] shape, double[] hyper, FloatBuffer x, FloatBuffer y,
                                                    FloatBuffer params, FloatBuffer lambdas, DoubleBuffer lrs,
                                                    FloatBuffer trace, DoubleBuffer finalLoss, DoubleBuffer gradNorm,
                                                    IntBuffer steps, IntBuffer status, int first, int count,
                                                    int untilStep, FloatBuffer lastFinite, FloatBuffer moment1,
                                                    FloatBuffer moment2, DoubleBuffer beta1Pow, DoubleBuffer beta2Pow,
                                                    DoubleBuffer windowStart, DoubleBuffer penalty, int kernelEvery,
                                                    IntBuffer kernelRows, FloatBuffer kernelTrace);

    /**
     * The C twin of {@link org.repgeom.model.Mlp#forward} followed by {@link org.repgeom.model.Mlp#hidden}:
     * writes the post-activation representation φ(Z_layer) of hidden layer {@code layer} (0-based,
     * {@code < depth}) of members {@code [first, first+count)} into {@code out} at
     * {@code out[(e·width + unit)·P + sample]} (absolute member e, width = the layer's width), float32.
     * {@code params} is read only. {@code shape} = depth, activation ordinal, biasOnAllHidden (0/1),
     * samples, then the L + 2 layer widths (dX, hidden…, dY). Buffers are direct, native byte order.
     * Returns 0; a bad shape, layer index, member range or a too-small buffer throws
     * {@link IllegalArgumentException}.
     */
    public static native int mlp_forward(int[] shape, FloatBuffer x, FloatBuffer params, int layer, FloatBuffer out,
                                         int first, int count);

    /**
     * Forces the layout of {@code rnn_train_fused} from now on (0 = chosen by shape, 1 = one member at
     * a time, 2 = members interleaved across the vector lanes) and returns the previous mode. For tests
     * of both layouts on any shape; not for concurrent use.
     */
    static native int forceRnnLayout(int mode);

    /**
     * The layout {@code rnn_train_fused} trains a recurrent shape in here: 1 = one member at a time,
     * 2 = members across the vector lanes; -1 for an invalid shape. {@code shape} as
     * {@link #rnn_train_fused}'s.
     */
    static native int rnnLayout(int[] shape);

    /**
     * The C twin of {@link JavaBackend#rnn_train_fused} ({@code native/repgeom_rnn.c}): continues members
     * {@code [first, first+count)} of a group of vanilla RNNs from a {@link org.repgeom.train.TrainState}
     * (buffers as {@link #mlp_train_fused_resume}'s, without the penalty cache) until {@code untilStep}
     * steps or until they stop, float32. {@code shape} = inputDim, width, outputDim, timeSteps, inputEvery
     * (1 = x at every step, 0 = first step only), activation ordinal, samples, optimizer ordinal, maxSteps,
     * window, traceEvery; {@code hyper} as {@link #mlp_train_fused}'s; 3 λ per member (input, recurrent,
     * readout). Returns 0.
     */
    public static native int rnn_train_fused(int[] shape, double[] hyper, FloatBuffer x, FloatBuffer y,
                                             FloatBuffer params, FloatBuffer lambdas, DoubleBuffer lrs,
                                             FloatBuffer trace, DoubleBuffer finalLoss, DoubleBuffer gradNorm,
                                             IntBuffer steps, IntBuffer status, int first, int count, int untilStep,
                                             FloatBuffer lastFinite, FloatBuffer moment1, FloatBuffer moment2,
                                             DoubleBuffer beta1Pow, DoubleBuffer beta2Pow, DoubleBuffer windowStart);

    /**
     * The C twin of {@link JavaBackend#mlp_train_fused} in double precision, bit for bit
     * ({@code native/repgeom_train_f64.c}): trains the one member at {@code params[paramsOff …]} in place.
     * {@code shape} = depth, activation ordinal, samples, optimizer ordinal, maxSteps, window, traceEvery,
     * then the L + 2 layer widths, the L + 1 weight offsets and the L + 1 bias offsets (-1: none) of its
     * {@link org.repgeom.model.ParamLayout}; {@code hyper} = momentum, beta1, beta2, eps, tol; {@code lrs}
     * one learning rate per step; {@code grad} (stride) ends with the final gradient, {@code trace} from
     * {@code traceOff} as the Java loop's; {@code outcome} = loss, gradient norm, steps, status ordinal.
     * Use through {@link MlpTrainF64}, which checks that tanh members may come here. Returns 0.
     */
    static native int mlp_train_fused_f64(int[] shape, double[] hyper, double[] x, double[] y, double[] params,
                                          int paramsOff, double[] lambdas, int lambdaOff, double[] lrs,
                                          double[] grad, float[] trace, int traceOff, double[] outcome);

    /** The C tanh of {@link #mlp_train_fused_f64} (fdlibm's, as {@link StrictMath#tanh}) of each x into out. */
    static native void tanh_f64(double[] xs, double[] out);

    /**
     * The float tanh that {@link #mlp_train_fused} and {@link #mlp_forward} use, in the variant
     * {@link #currentInstructionSet()} names, of each x into out (the table of polynomials on AVX-512, the
     * exp form below it; see native/README.md). For its accuracy tests.
     */
    static native void tanh_f32(float[] xs, float[] out);
}
