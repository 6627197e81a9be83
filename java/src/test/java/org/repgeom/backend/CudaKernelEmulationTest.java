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

    @Test
    void biasOnAllHiddenLayersWideLayersAndPaddedShapes() {
        // dX = 19, P = 24, widths 20, 33, 17: tile remainders in every GEMM, several tiles per thread
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH, Activation.GELU}) {
            for (int depth = 2; depth <= 3; depth++) {
                Architecture arch = new Architecture(19, Arrays.copyOf(new int[] {20, 33, 17}, depth), 3, act, true);
                int steps = act.isThresholdClass() ? 100 : 200;
                TrainRequest req = NativeBackendTest.request(arch, 4, 5e-4, OptimizerSettings.momentum(0.8, 0.5),
                        new StopRule(steps, 0, 50, 20));
                double tol = act.isThresholdClass() ? 1e-3 : 1e-4;
                NativeBackendTest.assertMatches(req, task, NativeBackendTest.reference(req, task), emulate(req, task), tol,
                        2 * tol, act + " depth " + depth + " bias on all");
            }
        }
    }

    @Test
    void noBiasOnAnyLayer() {
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        for (Activation act : new Activation[] {Activation.RELU, Activation.LINEAR}) {
            for (int depth = 1; depth <= 2; depth++) {
                Architecture arch = new Architecture(19, Arrays.copyOf(new int[] {20, 33}, depth), 3, act,
                        org.repgeom.model.Bias.NONE);
                int steps = act.isThresholdClass() ? 100 : 200;
                TrainRequest req = NativeBackendTest.request(arch, 4, 5e-4, OptimizerSettings.momentum(0.8, 0.5),
                        new StopRule(steps, 0, 50, 20));
                double tol = act.isThresholdClass() ? 1e-3 : 1e-4;
                NativeBackendTest.assertMatches(req, task, NativeBackendTest.reference(req, task), emulate(req, task), tol,
                        2 * tol, act + " depth " + depth + " no bias");
            }
        }
    }

    @Test
    void wideOutputLayer() {
        Task task = Tasks.oneHot(10, 2, InputSpec.of("gaussian", 5).withDim(12));
        Architecture arch = Architecture.twoLayer(12, 24, 10, Activation.GELU);
        TrainRequest req = NativeBackendTest.request(arch, 3, 5e-3, OptimizerSettings.gd(), new StopRule(200, 0, 50, 25));
        NativeBackendTest.assertMatches(req, task, NativeBackendTest.reference(req, task), emulate(req, task), 1e-4, 1e-4,
                "one-hot, dY = 10");
    }

    /**
     * Where the arrays live, how many threads share a member, how many teams share a block, how many
     * blocks share the counter and how the group is chunked change nothing: every output of every
     * GEMM is accumulated by one thread in the same order whoever it is, so the parameters agree bit
     * for bit. (Losses are sums over threads and may differ in their last bits between team sizes.)
     */
    @Test
    void resultsDoNotDependOnPlacementTeamsBlocksOrChunks() {
        Task task = Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.TANH, true);
        TrainRequest req = NativeBackendTest.request(arch, 5, 5e-4, OptimizerSettings.adam(0.5), new StopRule(60, 0, 20, 10));
        TrainResult base = emulate(req, task);
        for (Placement p : Placement.values()) {
            TrainResult r = emulate(req, task, p);
            assertArrayEquals(base.params(), r.params(), "placement " + p);
            assertArrayEquals(base.lossTrace(), r.lossTrace(), "placement " + p);
            assertArrayEquals(base.finalLoss(), r.finalLoss(), "placement " + p);
        }
        for (int[] shape : new int[][] {{1, 1, 1, 5}, {4, 3, 1, 2}, {8, 1, 3, 5}, {2, 5, 2, 1}, {5, 2, 1, 3}}) {
            FusedLayout layout = KernelEmulator.layout(req, task, shape[0], shape[1], Placement.ON_CHIP);
            TrainResult r = KernelEmulator.train(req, task, layout, shape[2], shape[3]);
            String what = "T=" + shape[0] + ", teams/block " + shape[1] + ", blocks " + shape[2] + ", chunk " + shape[3];
            assertArrayEquals(base.params(), r.params(), what);
            assertArrayEquals(base.steps(), r.steps(), what);
            for (int i = 0; i < base.lossTrace().length; i++) {
                assertEquals(base.lossTrace()[i], r.lossTrace()[i], 1e-6 * Math.abs(base.lossTrace()[i]), what);
            }
            for (int e = 0; e < 5; e++) assertEquals(base.gradNorm()[e], r.gradNorm()[e], 1e-9 * base.gradNorm()[e], what);
        }
    }

    @Test
    void convergedStatusAndStepsAgreeWithTheReference() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        TrainRequest req = NativeBackendTest.request(arch, 4, 1e-2, OptimizerSettings.adam(1.0), new StopRule(2000, 3e-2, 100, 100));
        TrainResult ref = NativeBackendTest.reference(req, task);
        for (int e = 0; e < 4; e++) assertEquals(MemberStatus.CONVERGED, ref.status()[e]);
        NativeBackendTest.assertMatches(req, task, ref, emulate(req, task), 1e-4, 1e-3, "converging Adam");
        // tol = 0: the whole budget, final trace entry at maxSteps; end-of-budget convergence check
        TrainRequest full = NativeBackendTest.request(arch, 2, 1e-2, OptimizerSettings.gd(), new StopRule(200, 0, 100, 50));
        TrainResult f = emulate(full, task);
        for (int e = 0; e < 2; e++) {
            assertEquals(MemberStatus.MAX_STEPS, f.status()[e]);
            assertEquals(200, f.steps()[e]);
            float last = f.lossTrace()[e * f.traceLength() + 4];
            assertEquals(f.finalLoss()[e], last, 1e-6 * last);
        }
        TrainRequest loose = NativeBackendTest.request(arch, 2, 1e-2, OptimizerSettings.gd(), new StopRule(200, 0.5, 100, 50));
        NativeBackendTest.assertMatches(loose, task, NativeBackendTest.reference(loose, task), emulate(loose, task), 1e-4, 1e-4,
                "end-of-budget check");
    }

    /**
     * A member whose loss blows up stops as DIVERGED with the parameters of the step before, which
     * the kernel restores by replaying from the initial parameters: they must equal, bit for bit,
     * those of a run that simply stops there; the other members are untouched.
     */
    @Test
    void aDivergingMemberIsReplayedToItsLastFiniteStepAndTouchesNoOther() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.LINEAR); // (ReLU would die, not diverge)
        StopRule stop = new StopRule(300, 0, 100, 1);
        TrainRequest req = NativeBackendTest.request(arch, 3, 1e-3, OptimizerSettings.gd(), stop);
        double[] lrs = req.learningRates().clone();
        lrs[1] = 0.1; // grows geometrically: overflows after a few steps
        TrainRequest withBad = new TrainRequest(req.layout(), 3, req.initialParams(), req.lambdas(), lrs, req.optimizer(), stop);
        TrainResult emu = emulate(withBad, task);
        TrainResult ref = NativeBackendTest.reference(withBad, task);
        assertEquals(MemberStatus.DIVERGED, emu.status()[1]);
        assertEquals(MemberStatus.DIVERGED, ref.status()[1]);
        int s = emu.steps()[1];
        assertTrue(s >= 3, "diverges after a few steps, at " + s);
        int stride = req.layout().stride();
        double[] mine = Arrays.copyOfRange(emu.params(), stride, 2 * stride);
        for (double v : mine) assertTrue(Double.isFinite(v));
        assertTrue(Double.isFinite(emu.finalLoss()[1]), "last finite parameters are kept");
        int tl = emu.traceLength();
        for (int k = 0; k < tl; k++) {
            float v = emu.lossTrace()[tl + k];
            assertEquals(k < s, !Float.isNaN(v), "trace[" + k + "] recorded only before the divergence");
        }
        // the same member stopped at s - 1 steps has exactly these parameters
        TrainRequest stopped = new TrainRequest(req.layout(), 1, Arrays.copyOfRange(req.initialParams(), stride, 2 * stride),
                Arrays.copyOfRange(req.lambdas(), 2, 4), new double[] {lrs[1]}, req.optimizer(), new StopRule(s - 1, 0, 100, 1));
        TrainResult upTo = emulate(stopped, task);
        assertArrayEquals(upTo.params(), mine);
        assertEquals(upTo.finalLoss()[0], emu.finalLoss()[1], 0.0);
        for (int e : new int[] {0, 2}) {
            TrainRequest alone = new TrainRequest(req.layout(), 1, Arrays.copyOfRange(req.initialParams(), e * stride, (e + 1) * stride),
                    Arrays.copyOfRange(req.lambdas(), 2 * e, 2 * e + 2), new double[] {lrs[e]}, req.optimizer(), stop);
            TrainResult one = emulate(alone, task);
            assertEquals(MemberStatus.MAX_STEPS, emu.status()[e]);
            assertArrayEquals(one.params(), Arrays.copyOfRange(emu.params(), e * stride, (e + 1) * stride));
            assertEquals(ref.finalLoss()[e], emu.finalLoss()[e], 1e-3 * ref.finalLoss()[e]);
        }
        // and at once: lr 1000 overflows within a few steps; status, finiteness as the reference
        lrs[1] = 1e3;
        TrainRequest wild = new TrainRequest(req.layout(), 3, req.initialParams(), req.lambdas(), lrs, req.optimizer(), stop);
        TrainResult w = emulate(wild, task);
        assertEquals(MemberStatus.DIVERGED, w.status()[1]);
        assertTrue(Double.isFinite(w.finalLoss()[1]));
    }

    /**
     * A finite loss with a gradient that overflows float32 (first-layer weights ~1e18, readout ~1e3:
     * the readout gradient ~1e41) is a divergence at step 0: status DIVERGED, 0 steps, the initial
     * parameters kept, and no trace entry — the reference checks the gradient before recording.
     */
    @Test
    void aNonFiniteGradientStopsBeforeTheStepIsRecorded() {
        Task task = Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 7, 2, Activation.LINEAR);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = InitialWeights.of(layout, 7, 1.0);
        for (int i = 0; i < layout.augmentedSize(0); i++) p[i] *= 1e18;
        for (int i = layout.weight(1); i < p.length; i++) p[i] *= 1e3;
        TrainRequest req = new TrainRequest(layout, 1, p, new double[] {1e-3, 1e-3}, new double[] {1e-30}, OptimizerSettings.gd(),
                new StopRule(50, 0, 10, 1));
        TrainResult r = emulate(req, task);
        assertEquals(MemberStatus.DIVERGED, r.status()[0]);
        assertEquals(0, r.steps()[0]);
        for (int i = 0; i < p.length; i++) assertEquals((float) p[i], (float) r.params()[i], 0.0f);
        for (float v : r.lossTrace()) assertTrue(Float.isNaN(v));
        assertTrue(Double.isFinite(r.finalLoss()[0]) && r.finalLoss()[0] > 1e30, "finite loss at the kept parameters");
        assertTrue(Double.isInfinite(r.gradNorm()[0]) || Double.isNaN(r.gradNorm()[0]) || r.gradNorm()[0] > 1e38);
    }

    // ---------------------------------------------------------------------------------------------
    // mlp_forward and philox_init

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> everyActivationDepthBias() {
        return NativeForwardTest.everyActivationDepthBias();
    }

    @ParameterizedTest(name = "{0}, depth {1}, bias on all {2}")
    @MethodSource("everyActivationDepthBias")
    void forwardMatchesTheReference(Activation act, int depth, boolean biasAll) {
        Task task = NativeForwardTest.raggedTask();
        Architecture arch = new Architecture(19, Arrays.copyOf(new int[] {20, 33, 17}, depth), 3, act, biasAll);
        ParamLayout layout = new ParamLayout(arch);
        int members = 5;
        double[] p = NativeForwardTest.params(layout, members);
        FusedLayout fl = new FusedLayout(arch, task.samples(), OptimizerKind.GD, 4, 1, 2, Placement.ON_CHIP);
        for (int layer = 0; layer < depth; layer++) {
            float[] out = KernelEmulator.forward(fl, p, members, task, layer, 2);
            NativeForwardTest.assertMatches(layout, p, members, task, layer, out, act + " depth " + depth + " layer " + layer);
        }
    }

    @Test
    void forwardInGlobalMemoryMatchesToo() {
        Task task = NativeForwardTest.raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.GELU, true);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = NativeForwardTest.params(layout, 3);
        FusedLayout fl = new FusedLayout(arch, task.samples(), OptimizerKind.GD, 2, 1, 1, Placement.ALL_GLOBAL);
        for (int layer = 0; layer < 2; layer++) {
            NativeForwardTest.assertMatches(layout, p, 3, task, layer, KernelEmulator.forward(fl, p, 3, task, layer, 3), "layer " + layer);
        }
    }

    /**
     * philox_init against InitialWeights: the Philox words and uniforms are exact, so every value
     * agrees with the reference rounded to float except where log/cos (not correctly rounded in
     * glibc, Java or CUDA) move a value across a float rounding boundary: at most one float ulp, and
     * rarely (the double error is a few 1e-16 relative, a float ulp 6e-8: ~1e-8 of the values).
     */
    @Test
    void philoxInitMatchesInitialWeights() {
        Architecture arch = new Architecture(37, new int[] {64, 50}, 5, Activation.RELU, true);
        ParamLayout layout = new ParamLayout(arch);
        long[] seeds = {0, 1, 42, -1, 0x123456789abcdefL, Long.MIN_VALUE, 1L << 32, 7};
        double[] scales = {1.0, 0.5, 2.0, 1.0, 0.1, 1.0, 3.0, 1e-3};
        FusedLayout fl = new FusedLayout(arch, 4, OptimizerKind.GD, 1, 1, 1, Placement.ON_CHIP);
        float[] dev = KernelEmulator.init(fl, seeds, scales);
        int stride = layout.stride(), exact = 0;
        for (int e = 0; e < seeds.length; e++) {
            double[] ref = InitialWeights.of(layout, seeds[e], scales[e]);
            for (int i = 0; i < stride; i++) {
                float want = (float) ref[i], got = dev[e * stride + i];
                if (want == got) {
                    exact++;
                } else {
                    assertTrue(Math.abs(want - got) <= Math.ulp(want), "seed " + seeds[e] + " entry " + i + ": " + got + " vs " + want);
                }
            }
        }
        assertTrue(exact >= seeds.length * stride - 2, exact + " of " + seeds.length * stride + " exact");
    }
}
