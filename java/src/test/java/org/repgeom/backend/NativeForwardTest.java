package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * What only the native forward pass ({@code mlp_forward}, {@link NativeBackend#hiddenRepresentations})
 * has beyond the conformance suite's hidden-layer cases ({@link BackendConformanceTest}): its
 * instruction-set variants, thread counts, member ranges and argument checks.
 */
class NativeForwardTest {

    @BeforeAll
    static void nativeLoads() {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
    }

    @Test
    void everyInstructionSetVariantMatches() {
        Task task = BackendConformanceTest.raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33, 17}, 3, Activation.TANH, true);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = BackendConformanceTest.forwardParams(layout, 4);
        int old = NativeKernels.limitIsa(2);
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                String isa = NativeKernels.currentInstructionSet();
                for (int layer = 0; layer < 3; layer++) {
                    float[] nat = new NativeBackend(2).hiddenRepresentations(layout, p, 4, task, layer);
                    BackendConformanceTest.assertHiddenMatches(layout, p, 4, task, layer, nat, "variant " + isa + " layer " + layer);
                }
            }
            assertEquals("generic", NativeKernels.currentInstructionSet());
        } finally {
            NativeKernels.limitIsa(old);
        }
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunksAndParamsAreUntouched() {
        Task task = BackendConformanceTest.raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.RELU, false);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = BackendConformanceTest.forwardParams(layout, 13);
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
        Task task = BackendConformanceTest.raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.LEAKY_RELU, true);
        ParamLayout layout = new ParamLayout(arch);
        int members = 4, P = task.samples(), width = 33, block = width * P;
        double[] p = BackendConformanceTest.forwardParams(layout, members);
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
        Task task = BackendConformanceTest.raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.RELU, false);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = BackendConformanceTest.forwardParams(layout, 2);
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
