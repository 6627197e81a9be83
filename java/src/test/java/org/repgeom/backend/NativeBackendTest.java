package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.repgeom.rng.Philox4x32;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The native backend against the Java reference, member by member, from the same Philox init
 * (the reference trains in double from the double init; native gets the same numbers rounded to
 * float and trains in float32).
 *
 * <p>Tolerances. One float32 loss evaluation here carries a relative error of about 1e-6 (unit
 * roundoff 6e-8 times sums of a few dozen terms). With step sizes well inside the stable range
 * (lr·‖H‖ &lt; 1, losses falling monotonically), a perturbation of the parameters is not amplified
 * by the update map, so after T steps the accumulated difference is at most about T·1e-7 ≈ 3e-5
 * relative for T = 300: we allow 1e-4 on every trace entry and the final loss, and 1e-4 of the
 * member's largest parameter on every parameter. Adam normalises each step, which amplifies
 * rounding where a gradient entry is tiny; its runs are shorter and its parameter tolerance is
 * 1e-3. ReLU-like activations (threshold class) get 1e-3 on the trace and 2e-3 on parameters: when a
 * pre-activation passes within rounding (~1e-6) of the kink, float and double can put that sample on
 * different sides for one step; φ' jumps by O(1) there, so that one step's gradient differs by O(1)
 * and the parameters by O(lr) (times 1/(1−μ) with momentum), i.e. ~1e-4 … 1e-3 at these step sizes.
 * The smooth activations (linear, tanh, GELU) exercise the same arithmetic at the strict tolerance.
 */
class NativeBackendTest {

    @BeforeAll
    static void nativeLoads() {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
    }

    // ---------------------------------------------------------------------------------------------
    // helpers

    /** E members of {@code arch}, member e with seed e, λ_l and lr differing across members. */
    static TrainRequest request(Architecture arch, int members, double lr, OptimizerSettings opt, StopRule stop) {
        ParamLayout layout = new ParamLayout(arch);
        int layers = arch.layerCount();
        double[] params = new double[members * layout.stride()];
        double[] lambdas = new double[members * layers];
        double[] lrs = new double[members];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, e, 1.0, params, e * layout.stride());
            for (int l = 0; l < layers; l++) lambdas[e * layers + l] = 1e-3 * (1 + e) * (1 + 0.5 * l);
            lrs[e] = lr * (1.0 - 0.2 * e / Math.max(1, members - 1));
        }
        return new TrainRequest(layout, members, params, lambdas, lrs, opt, stop);
    }

    static void assertMatches(TrainRequest req, Task task, TrainResult ref, TrainResult nat, double traceTol,
                              double paramTol, String what) {
        int stride = req.layout().stride();
        int layers = req.architecture().layerCount();
        Mlp mlp = new Mlp(req.layout(), task);
        double[] grad = new double[stride];
        assertEquals(ref.traceLength(), nat.traceLength());
        for (int e = 0; e < req.members(); e++) {
            String m = what + ", member " + e;
            assertEquals(ref.status()[e], nat.status()[e], m + ": status");
            assertEquals(ref.steps()[e], nat.steps()[e], m + ": steps");
            for (int k = 0; k < ref.traceLength(); k++) {
                float a = ref.lossTrace()[e * ref.traceLength() + k], b = nat.lossTrace()[e * ref.traceLength() + k];
                if (Float.isNaN(a)) {
                    assertTrue(Float.isNaN(b), m + ": trace[" + k + "] should be NaN, is " + b);
                } else {
                    assertEquals(a, b, traceTol * Math.abs(a), m + ": trace[" + k + "]");
                }
            }
            assertEquals(ref.finalLoss()[e], nat.finalLoss()[e], traceTol * Math.abs(ref.finalLoss()[e]), m + ": final loss");
            double scale = 0, diff = 0;
            for (int i = 0; i < stride; i++) {
                double p = ref.params()[e * stride + i], q = nat.params()[e * stride + i];
                scale = Math.max(scale, Math.abs(p));
                diff = Math.max(diff, Math.abs(p - q));
            }
            assertTrue(diff <= paramTol * scale, m + ": parameters differ by " + diff + " (scale " + scale + ")");
            // Final loss and gradient norm are evaluated at native's own final parameters: compare them with the
            // double-precision evaluation there (comparing with the reference's gradient norm would mix in
            // ‖H‖·‖Δθ‖, large near a minimum where the raw gradient is a small difference of large terms).
            double exact = mlp.lossAndGradient(nat.params(), e * stride, req.lambdas(), e * layers, grad, 0);
            assertEquals(exact, nat.finalLoss()[e], 1e-5 * exact, m + ": final loss at the final parameters");
            double norm = 0;
            for (double g : grad) norm += g * g;
            norm = Math.sqrt(norm);
            assertEquals(norm, nat.gradNorm()[e], 1e-3 * norm + 1e-4, m + ": gradient norm at the final parameters");
        }
    }

    static TrainResult reference(TrainRequest req, Task task) {
        return new JavaBackend(2).train(req, task, ProgressListener.NONE);
    }

    static TrainResult nativeRun(TrainRequest req, Task task) {
        return new NativeBackend(2).train(req, task, ProgressListener.NONE);
    }

    // ---------------------------------------------------------------------------------------------
    // Philox through JNI

    @Test
    void philoxKnownAnswersInC() {
        assertEquals(0, NativeKernels.philox4x32_kat(), "C-side Random123 KAT mask");
        long f = 0xffffffffL;
        long[][] kat = {
            {0, 0, 0, 0, 0, 0, 0x6627e8d5L, 0xe169c58dL, 0xbc57ac4cL, 0x9b00dbd8L},
            {f, f, f, f, f, f, 0x408f276dL, 0x41c83b0eL, 0xa20bc7c6L, 0x6d5451fdL},
            {0x243f6a88L, 0x85a308d3L, 0x13198a2eL, 0x03707344L, 0xa4093822L, 0x299f31d0L,
             0xd16cfe09L, 0x94fdccebL, 0x5001e420L, 0x24126ea1L},
        };
        for (long[] v : kat) {
            int[] c = {(int) v[0], (int) v[1], (int) v[2], (int) v[3]};
            int[] j = c.clone();
            NativeKernels.philox4x32_10(c, (int) v[4], (int) v[5]);
            Philox4x32.philox4x32_10(j, (int) v[4], (int) v[5]);
            assertArrayEquals(new int[] {(int) v[6], (int) v[7], (int) v[8], (int) v[9]}, c);
            assertArrayEquals(j, c, "C and Java agree");
        }
        // and on arbitrary counters and keys
        for (int i = 0; i < 1000; i++) {
            int[] c = {i, i * 7919, -i, 12345};
            int[] j = c.clone();
            NativeKernels.philox4x32_10(c, i * 31, ~i);
            Philox4x32.philox4x32_10(j, i * 31, ~i);
            assertArrayEquals(j, c);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // same numbers as the reference

    static Stream<Arguments> everyActivationDepthOptimizer() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (int depth = 1; depth <= 3; depth++) {
                for (OptimizerKind k : OptimizerKind.values()) out.add(Arguments.of(a, depth, k));
            }
        }
        return out.stream();
    }

    static OptimizerSettings settings(OptimizerKind k) {
        return switch (k) {
            case GD -> OptimizerSettings.gd();
            case MOMENTUM -> OptimizerSettings.momentum(0.9, 0.1);
            case ADAM -> OptimizerSettings.adam(0.1);
        };
    }

    @ParameterizedTest(name = "{0}, depth {1}, {2}")
    @MethodSource("everyActivationDepthOptimizer")
    void matchesTheReference(Activation act, int depth, OptimizerKind kind) {
        // P = 12 (not a multiple of the SIMD width), dX = 6, dY = 2; widths 7, 5, 6
        Task task = Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
        int[] widths = java.util.Arrays.copyOf(new int[] {7, 5, 6}, depth);
        Architecture arch = new Architecture(6, widths, 2, act, false);
        // step sizes inside the stable range of these (unnormalised Gaussian) inputs at every depth: the
        // reference loss falls monotonically under GD (asserted below), so rounding is not amplified
        double lr = switch (kind) {
            case GD -> 2e-3;
            case MOMENTUM -> 2e-4;
            case ADAM -> 1e-3;
        };
        int steps = kind == OptimizerKind.ADAM ? 150 : 300;
        TrainRequest req = request(arch, 3, lr, settings(kind), new StopRule(steps, 0, 50, 10));
        TrainResult ref = reference(req, task);
        TrainResult nat = nativeRun(req, task);
        double traceTol = act.isThresholdClass() ? 1e-3 : 1e-4;
        double paramTol = act.isThresholdClass() ? 2e-3 : kind == OptimizerKind.ADAM ? 1e-3 : 1e-4;
        assertMatches(req, task, ref, nat, traceTol, paramTol, act + " depth " + depth + " " + kind);
        for (int e = 0; e < 3; e++) {
            assertTrue(ref.finalLoss()[e] < ref.lossTrace()[e * ref.traceLength()], "the run trains");
            for (int k = 1; kind == OptimizerKind.GD && k < ref.traceLength(); k++) {
                int i = e * ref.traceLength() + k;
                assertTrue(ref.lossTrace()[i] <= ref.lossTrace()[i - 1], "GD in its stable range");
            }
        }
    }

    @Test
    void everyInstructionSetVariantMatches() {
        // the library carries AVX-512, AVX2 and baseline variants; this machine runs the best one, so
        // force the others too: the GPU machine or a laptop may run them
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.TANH, true);
        TrainRequest req = request(arch, 3, 5e-4, OptimizerSettings.adam(0.5), new StopRule(100, 0, 50, 20));
        TrainResult ref = reference(req, task);
        int old = NativeKernels.limitIsa(2);
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                String isa = NativeKernels.currentInstructionSet();
                assertMatches(req, task, ref, nativeRun(req, task), 1e-4, 1e-3, "variant " + isa);
            }
            assertEquals("generic", NativeKernels.currentInstructionSet());
        } finally {
            NativeKernels.limitIsa(old);
        }
    }

    @Test
    void biasOnAllHiddenLayersWideLayersAndPaddedShapes() {
        // dX = 19, P = 24, widths 20 and 33 (register-block remainders, the transposed-gradient path)
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH, Activation.GELU}) {
            for (int depth = 2; depth <= 3; depth++) {
                int[] widths = java.util.Arrays.copyOf(new int[] {20, 33, 17}, depth);
                Architecture arch = new Architecture(19, widths, 3, act, true);
                // ReLU: a shorter horizon, since each kink flip (see class comment) is amplified by later steps
                int steps = act.isThresholdClass() ? 100 : 200;
                TrainRequest req = request(arch, 4, 5e-4, OptimizerSettings.momentum(0.8, 0.5), new StopRule(steps, 0, 50, 20));
                double tol = act.isThresholdClass() ? 1e-3 : 1e-4;
                assertMatches(req, task, reference(req, task), nativeRun(req, task), tol, 2 * tol, act + " depth " + depth + " bias on all");
            }
        }
    }

    @Test
    void noBiasOnAnyLayer() {
        // bias: none (RG_BIAS_NONE): no bias slot in the layout, the kernel trains the same network as Java
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        for (Activation act : new Activation[] {Activation.RELU, Activation.LINEAR, Activation.TANH}) {
            for (int depth = 1; depth <= 3; depth++) {
                int[] widths = java.util.Arrays.copyOf(new int[] {20, 33, 17}, depth);
                Architecture arch = new Architecture(19, widths, 3, act, org.repgeom.model.Bias.NONE);
                assertEquals(-1, new org.repgeom.model.ParamLayout(arch).bias(0));
                int steps = act.isThresholdClass() ? 100 : 200;
                TrainRequest req = request(arch, 4, 5e-4, OptimizerSettings.momentum(0.8, 0.5), new StopRule(steps, 0, 50, 20));
                double tol = act.isThresholdClass() ? 1e-3 : 1e-4;
                assertMatches(req, task, reference(req, task), nativeRun(req, task), tol, 2 * tol, act + " depth " + depth + " no bias");
            }
        }
    }

    @Test
    void wideOutputLayer() {
        // one-hot, 10 classes: dY = 10 takes the transposed readout-gradient path
        Task task = Tasks.oneHot(10, 2, InputSpec.of("gaussian", 5).withDim(12));
        Architecture arch = Architecture.twoLayer(12, 24, 10, Activation.GELU);
        TrainRequest req = request(arch, 3, 5e-3, OptimizerSettings.gd(), new StopRule(200, 0, 50, 25));
        assertMatches(req, task, reference(req, task), nativeRun(req, task), 1e-4, 1e-4, "one-hot, dY = 10");
    }

    @Test
    void mixedWidthsStudyTwoGroups() {
        // one study, two groups (widths 4 and 12) trained by the same backend instance, as the study layer does
        Task task = Tasks.hypercube(2, 4, InputSpec.of("whitened", 2));
        NativeBackend backend = new NativeBackend(2);
        for (int width : new int[] {4, 12}) {
            Architecture arch = Architecture.twoLayer(task.inputDim(), width, 2, Activation.RELU);
            TrainRequest req = request(arch, 5, 1e-2, OptimizerSettings.gd(), new StopRule(300, 0, 100, 30));
            TrainResult nat = backend.train(req, task, ProgressListener.NONE);
            assertMatches(req, task, reference(req, task), nat, 1e-3, 2e-3, "width " + width);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // stop rule, divergence

    @Test
    void aDivergingMemberTouchesNoOther() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.RELU);
        StopRule stop = new StopRule(300, 0, 100, 10);
        TrainRequest req = request(arch, 3, 1e-3, OptimizerSettings.gd(), stop);
        double[] lrs = req.learningRates().clone();
        lrs[1] = 1e3; // plain GD at lr 1000 blows up
        TrainRequest withBad = new TrainRequest(req.layout(), 3, req.initialParams(), req.lambdas(), lrs, req.optimizer(), stop);
        TrainResult nat = nativeRun(withBad, task);
        TrainResult ref = reference(withBad, task);
        assertEquals(MemberStatus.DIVERGED, nat.status()[1]);
        assertEquals(MemberStatus.DIVERGED, ref.status()[1]);
        // (not necessarily at the reference's step: float32 overflows at 3e38, double at 1e308)
        assertTrue(Double.isFinite(nat.finalLoss()[1]), "last finite parameters are kept");
        int stride = req.layout().stride();
        for (int i = 0; i < stride; i++) assertTrue(Double.isFinite(nat.params()[stride + i]));
        // the healthy members end exactly (bit for bit) as when trained without the diverging one
        for (int e : new int[] {0, 2}) {
            TrainRequest alone = new TrainRequest(req.layout(), 1,
                    java.util.Arrays.copyOfRange(req.initialParams(), e * stride, (e + 1) * stride),
                    java.util.Arrays.copyOfRange(req.lambdas(), e * 2, e * 2 + 2), new double[] {lrs[e]}, req.optimizer(), stop);
            TrainResult one = new NativeBackend(1).train(alone, task, ProgressListener.NONE);
            assertEquals(MemberStatus.MAX_STEPS, nat.status()[e]);
            assertEquals(one.finalLoss()[0], nat.finalLoss()[e], 0.0);
            assertArrayEquals(one.params(), java.util.Arrays.copyOfRange(nat.params(), e * stride, (e + 1) * stride));
        }
        // and the healthy ones agree with the reference
        for (int e : new int[] {0, 2}) {
            assertEquals(ref.finalLoss()[e], nat.finalLoss()[e], 1e-4 * ref.finalLoss()[e]);
        }
    }

    @Test
    void convergedStatusAndStepsAgreeWithTheReference() {
        // a loose tolerance: every member stops at a window boundary, clear-cut in both precisions
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        TrainRequest req = request(arch, 4, 1e-2, OptimizerSettings.adam(1.0), new StopRule(2000, 3e-2, 100, 100));
        TrainResult ref = reference(req, task);
        TrainResult nat = nativeRun(req, task);
        for (int e = 0; e < 4; e++) {
            assertEquals(MemberStatus.CONVERGED, ref.status()[e]);
            assertTrue(ref.steps()[e] < 2000);
        }
        assertMatches(req, task, ref, nat, 1e-4, 1e-3, "converging Adam");
        // tol = 0: everyone runs the whole budget, final trace entry at maxSteps
        TrainRequest full = request(arch, 2, 1e-2, OptimizerSettings.gd(), new StopRule(200, 0, 100, 50));
        TrainResult f = nativeRun(full, task);
        for (int e = 0; e < 2; e++) {
            assertEquals(MemberStatus.MAX_STEPS, f.status()[e]);
            assertEquals(200, f.steps()[e]);
            float last = f.lossTrace()[e * f.traceLength() + 4];
            assertEquals(f.finalLoss()[e], last, 1e-6 * last);
        }
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunksAndTheRequestIsUntouched() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 9, 2, Activation.LEAKY_RELU);
        TrainRequest req = request(arch, 11, 1e-2, OptimizerSettings.adam(1e-2), new StopRule(300, 1e-9, 100, 50));
        double[] init = req.initialParams().clone();
        AtomicInteger reported = new AtomicInteger();
        TrainResult one = new NativeBackend(1).train(req, task, ProgressListener.NONE);
        TrainResult two = new NativeBackend(2).train(req, task, reported::addAndGet);
        assertEquals(11, reported.get());
        assertArrayEquals(one.params(), two.params());
        assertArrayEquals(one.lossTrace(), two.lossTrace());
        assertArrayEquals(one.finalLoss(), two.finalLoss());
        assertArrayEquals(init, req.initialParams());
    }

    // ---------------------------------------------------------------------------------------------
    // backend selection

    @Test
    void nativeIsSurveyedAvailableAndPreferredOverJava() {
        Backends.Availability nat = Backends.survey().stream().filter(a -> a.name().equals("native")).findFirst().orElseThrow();
        assertTrue(nat.available(), nat.reason());
        assertTrue(nat.reason().contains(NativeKernels.instructionSet()), nat.reason());
        assertEquals("native", Backends.byName("native").name());
        assertEquals(CudaBackend.isAvailable() ? "cuda" : "native", Backends.auto().name()); // CUDA first where it runs
        assertFalse(NativeKernels.instructionSet().isEmpty());
    }
}
