package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * The native forward pass ({@code mlp_forward}, {@link NativeBackend#hiddenRepresentations}) against
 * the reference {@link Mlp#forward} + {@link Mlp#hidden}, every hidden layer of every member.
 *
 * <p>Tolerance: |R_native − R_ref| ≤ 1e-5·(1 + |R_ref|) elementwise. Native rounds inputs and
 * parameters to float32 (relative error u = 2⁻²⁴ ≈ 6e-8) and accumulates each pre-activation, a dot
 * product of K ≤ 33 terms plus a bias, in float32: at most about K·u·Σ|w·a| ≈ 2e-6·Σ|w·a| per layer.
 * At these inits (weights ~ scale/√fanIn, scale ≤ 1.5, unit-variance inputs) Σ|w·a| is a few times
 * (1 + |z|), the activations are at most 1.13-Lipschitz and three layers add their errors, so the
 * worst case is a few 1e-6·(1 + |R|); typical errors (random-walk rounding) are ~1e-7. Near a kink
 * (ReLU at 0, clipped ReLU at 1) float and double may fall on different sides, but φ is continuous
 * there, so the difference is bounded by |z − kink| ≲ the same rounding. The absolute 1 covers
 * entries whose |R| is small by cancellation. Measured (AVX-512, all cases of
 * {@link #everyLayerMatchesTheReference}): at most 5.0e-7·(1 + |R|), 20× inside the bound.
 */
class NativeForwardTest {
    static final double TOL = 1e-5;

    @BeforeAll
    static void nativeLoads() {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
    }

    /** members × stride parameters, member e from seed e at init scale 0.6 … 1.5 (biases are random too). */
    static double[] params(ParamLayout layout, int members) {
        double[] p = new double[members * layout.stride()];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, 100 + e, 0.6 + 0.9 * e / Math.max(1, members - 1), p, e * layout.stride());
        }
        return p;
    }

    /** Compares every member's block of {@code nat} with the reference; returns max |Δ| / (1 + |R|). */
    static double assertMatches(ParamLayout layout, double[] params, int members, Task task, int layer, float[] nat,
                                String what) {
        Mlp mlp = new Mlp(layout, task);
        int block = layout.architecture().width(layer) * task.samples();
        assertEquals((long) members * block, nat.length, what + ": length");
        double worst = 0;
        for (int e = 0; e < members; e++) {
            mlp.forward(params, e * layout.stride());
            double[] ref = mlp.hidden(layer);
            assertEquals(block, ref.length);
            for (int i = 0; i < block; i++) {
                double r = ref[i], q = nat[e * block + i];
                double rel = Math.abs(q - r) / (1 + Math.abs(r));
                worst = Math.max(worst, rel);
                if (!(rel <= TOL)) {
                    throw new AssertionError(what + ", member " + e + ", unit " + i / task.samples() + ", sample "
                            + i % task.samples() + ": native " + q + " vs reference " + r);
                }
            }
        }
        return worst;
    }

    /** dX = 19, P = 24, dY = 3: nothing a multiple of the SIMD width. */
    static Task raggedTask() {
        return Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
    }

    static Stream<Arguments> everyActivationDepthBias() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (int depth = 1; depth <= 3; depth++) {
                for (boolean biasAll : new boolean[] {false, true}) out.add(Arguments.of(a, depth, biasAll));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, depth {1}, bias on all {2}")
    @MethodSource("everyActivationDepthBias")
    void everyLayerMatchesTheReference(Activation act, int depth, boolean biasAll) {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, Arrays.copyOf(new int[] {20, 33, 17}, depth), 3, act, biasAll);
        ParamLayout layout = new ParamLayout(arch);
        int members = 7;
        double[] p = params(layout, members);
        NativeBackend backend = new NativeBackend(2);
        for (int layer = 0; layer < depth; layer++) {
            float[] nat = backend.hiddenRepresentations(layout, p, members, task, layer);
            assertMatches(layout, p, members, task, layer, nat, act + " depth " + depth + " layer " + layer);
        }
    }

    @Test
    void smallShapesAndWideLayers() {
        // P = 12, dX = 6 (the training test's task) and a 70-wide layer (register-block remainders)
        Task task = Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
        for (int[] widths : new int[][] {{1}, {7, 5}, {70, 3, 16}}) {
            Architecture arch = new Architecture(6, widths, 2, Activation.GELU, true);
            ParamLayout layout = new ParamLayout(arch);
            double[] p = params(layout, 3);
            for (int layer = 0; layer < widths.length; layer++) {
                float[] nat = new NativeBackend(1).hiddenRepresentations(layout, p, 3, task, layer);
                assertMatches(layout, p, 3, task, layer, nat, Arrays.toString(widths) + " layer " + layer);
            }
        }
    }

    @Test
    void everyInstructionSetVariantMatches() {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33, 17}, 3, Activation.TANH, true);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = params(layout, 4);
        int old = NativeKernels.limitIsa(2);
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                String isa = NativeKernels.currentInstructionSet();
                for (int layer = 0; layer < 3; layer++) {
                    float[] nat = new NativeBackend(2).hiddenRepresentations(layout, p, 4, task, layer);
                    assertMatches(layout, p, 4, task, layer, nat, "variant " + isa + " layer " + layer);
                }
            }
            assertEquals("generic", NativeKernels.currentInstructionSet());
        } finally {
            NativeKernels.limitIsa(old);
        }
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunksAndParamsAreUntouched() {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.RELU, false);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = params(layout, 13);
        double[] copy = p.clone();
        float[] one = new NativeBackend(1).hiddenRepresentations(layout, p, 13, task, 1);
        float[] three = new NativeBackend(3).hiddenRepresentations(layout, p, 13, task, 1);
        assertArrayEquals(one, three);
        assertArrayEquals(copy, p);
        // fewer members than the array holds: the first ones only
        float[] five = new NativeBackend(2).hiddenRepresentations(layout, p, 5, task, 1);
        assertArrayEquals(Arrays.copyOf(one, five.length), five);
        assertEquals(0, new NativeBackend(2).hiddenRepresentations(layout, p, 0, task, 1).length);
    }

    static FloatBuffer direct(int n, float fill) {
        FloatBuffer f = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) f.put(i, fill);
        return f;
    }

    @Test
    void aMemberRangeWritesOnlyItsOwnBlocks() {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.LEAKY_RELU, true);
        ParamLayout layout = new ParamLayout(arch);
        int members = 4, P = task.samples(), width = 33, block = width * P;
        double[] p = params(layout, members);
        int[] shape = {2, Activation.LEAKY_RELU.ordinal(), 1, P, 19, 20, 33, 3};
        FloatBuffer out = direct(members * block, Float.NaN);
        assertEquals(0, NativeKernels.mlp_forward(shape, NativeBackend.floats(task.xData()), NativeBackend.floats(p), 1,
                out, 1, 2));
        float[] all = new NativeBackend(2).hiddenRepresentations(layout, p, members, task, 1);
        for (int i = 0; i < members * block; i++) {
            int e = i / block;
            if (e == 1 || e == 2) assertEquals(all[i], out.get(i), 0.0f, "member " + e);
            else assertTrue(Float.isNaN(out.get(i)), "member " + e + " untouched");
        }
    }

    @Test
    void badArgumentsThrow() {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.RELU, false);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = params(layout, 2);
        NativeBackend backend = new NativeBackend(2);
        // Java-facing checks
        assertThrows(IllegalArgumentException.class, () -> backend.hiddenRepresentations(layout, p, 2, task, -1));
        assertThrows(IllegalArgumentException.class, () -> backend.hiddenRepresentations(layout, p, 2, task, 2));
        assertThrows(IllegalArgumentException.class, () -> backend.hiddenRepresentations(layout, p, 3, task, 0));
        assertThrows(IllegalArgumentException.class, () -> backend.hiddenRepresentations(layout, p, -1, task, 0));
        Task other = Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
        assertThrows(IllegalArgumentException.class, () -> backend.hiddenRepresentations(layout, p, 2, other, 0));
        // the native entry point checks on its own (a wrong call throws, never corrupts memory)
        int P = task.samples();
        int[] shape = {2, Activation.RELU.ordinal(), 0, P, 19, 20, 33, 3};
        FloatBuffer x = NativeBackend.floats(task.xData());
        FloatBuffer params = NativeBackend.floats(p);
        FloatBuffer out = direct(2 * 33 * P, 0f);
        assertEquals(0, NativeKernels.mlp_forward(shape, x, params, 1, out, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.mlp_forward(shape, x, params, 2, out, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.mlp_forward(shape, x, params, -1, out, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.mlp_forward(shape, x, params, 1, out, 0, 3),
                "out and params too small for 3 members");
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.mlp_forward(shape, x, params, 1, out, -1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.mlp_forward(shape, x, params, 1, direct(33 * P, 0f), 0, 2), "out too small");
        assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.mlp_forward(shape, direct(19, 0f), params, 1, out, 0, 2), "x too small");
        assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.mlp_forward(Arrays.copyOf(shape, 7), x, params, 1, out, 0, 2), "shape/depth mismatch");
        int[] badAct = shape.clone();
        badAct[1] = 99;
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.mlp_forward(badAct, x, params, 0, out, 0, 2));
        int[] zeroWidth = shape.clone();
        zeroWidth[5] = 0;
        assertThrows(IllegalArgumentException.class, () -> NativeKernels.mlp_forward(zeroWidth, x, params, 0, out, 0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> NativeKernels.mlp_forward(shape, x, params, 1, FloatBuffer.allocate(2 * 33 * P), 0, 2), "heap buffer");
        assertEquals(0, NativeKernels.mlp_forward(shape, x, params, 1, out, 2, 0), "an empty range is fine");
    }
}
