package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;
import org.repgeom.train.TrainState;

/**
 * The native backend's second training layout, members interleaved across the vector lanes (one
 * member per lane, {@code native/repgeom_soa.c}), forced on and checked against the Java reference
 * member by member with {@link NativeBackendTest}'s tolerances; and that the layout is chosen by shape.
 * 19 members: more than one group of lanes on every instruction-set variant, the last one partial.
 */
class NativeLanesTest {
    private int oldMode;

    @BeforeAll
    static void nativeLoads() {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
    }

    @BeforeEach
    void lanes() {
        oldMode = NativeKernels.forceLayout(2);
    }

    @AfterEach
    void restore() {
        NativeKernels.forceLayout(oldMode);
    }

    private static int[] shape(int samples, int... dims) {
        int[] s = new int[4 + dims.length];
        s[0] = dims.length - 2;
        s[3] = samples;
        System.arraycopy(dims, 0, s, 4, dims.length);
        return s;
    }

    @Test
    void theLayoutIsChosenByShape() {
        NativeKernels.forceLayout(0);
        // the seeds' shapes (P = 8, dX = 8, widths 4 ... 64) across the lanes; workload W (P = 64) padded
        for (int width : new int[] {4, 16, 64}) assertEquals(2, NativeKernels.layout(shape(8, 8, width, 3)), "P = 8, width " + width);
        assertEquals(2, NativeKernels.layout(shape(16, 8, 16, 16, 4)), "P = 16, depth 2");
        assertEquals(1, NativeKernels.layout(shape(64, 64, 64, 3)), "workload W64");
        assertEquals(1, NativeKernels.layout(shape(64, 64, 16, 3)), "workload W16");
        NativeKernels.forceLayout(1);
        assertEquals(1, NativeKernels.layout(shape(8, 8, 16, 3)), "forced padded");
        NativeKernels.forceLayout(2);
        assertEquals(2, NativeKernels.layout(shape(64, 64, 64, 3)), "forced lanes");
    }

    static Stream<Arguments> everyActivationOptimizerDepthBias() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (OptimizerKind k : OptimizerKind.values()) {
                for (int depth = 1; depth <= 2; depth++) {
                    for (boolean all : new boolean[] {false, true}) {
                        if (depth == 1 && all) continue; // one hidden layer: first = all
                        out.add(Arguments.of(a, k, depth, all));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, depth {2}, bias on all {3}")
    @MethodSource("everyActivationOptimizerDepthBias")
    void matchesTheReferenceMemberByMember(Activation act, OptimizerKind kind, int depth, boolean biasAll) {
        // P = 12, dX = 6, dY = 2; widths 7, 5: none a multiple of a vector
        Task task = Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = new Architecture(6, Arrays.copyOf(new int[] {7, 5}, depth), 2, act, biasAll);
        double lr = switch (kind) {
            case GD -> 2e-3;
            case MOMENTUM -> 2e-4;
            case ADAM -> 1e-3;
        };
        int steps = kind == OptimizerKind.ADAM ? 150 : 300;
        TrainRequest req = BackendConformanceTest.request(arch, 19, lr, BackendConformanceTest.settings(kind), new StopRule(steps, 0, 50, 10));
        TrainResult ref = BackendConformanceTest.reference(req, task);
        TrainResult nat = nativeRun(req, task);
        double traceTol = act.isThresholdClass() ? 1e-3 : 1e-4;
        double paramTol = act.isThresholdClass() ? 2e-3 : kind == OptimizerKind.ADAM ? 1e-3 : 1e-4;
        BackendConformanceTest.assertMatches(req, task, ref, nat, traceTol, paramTol,
                "lanes, " + act + " " + kind + " depth " + depth + (biasAll ? " bias all" : " bias first"));
    }

    @Test
    void everyInstructionSetVariantAcrossTheLanes() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 8));
        Architecture arch = Architecture.twoLayer(8, 16, 3, Activation.TANH);
        TrainRequest req = BackendConformanceTest.request(arch, 19, 1e-2, OptimizerSettings.adam(0.1), new StopRule(200, 0, 50, 10));
        TrainResult ref = BackendConformanceTest.reference(req, task);
        int old = NativeKernels.limitIsa(2);
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                BackendConformanceTest.assertMatches(req, task, ref, nativeRun(req, task), 1e-4, 1e-3,
                        "lanes, variant " + NativeKernels.currentInstructionSet());
            }
        } finally {
            NativeKernels.limitIsa(old);
        }
    }

    @Test
    void eachLaneStopsOnItsOwn() {
        // Adam with a loose stop rule (clear-cut in both precisions, as in NativeBackendTest): members stop at
        // their own windows while member 1 diverges (lr 1e200 overflows float and double alike)
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        StopRule stop = new StopRule(2000, 3e-2, 100, 100);
        TrainRequest base = BackendConformanceTest.request(arch, 6, 1e-2, OptimizerSettings.adam(1.0), stop);
        double[] lrs = base.learningRates().clone();
        lrs[1] = 1e200;
        TrainRequest req = new TrainRequest(base.layout(), 6, base.initialParams(), base.lambdas(), lrs, base.optimizer(), stop);
        TrainResult ref = BackendConformanceTest.reference(req, task);
        TrainResult nat = nativeRun(req, task);
        assertEquals(MemberStatus.DIVERGED, nat.status()[1]);
        assertEquals(MemberStatus.DIVERGED, ref.status()[1]);
        int stride = req.layout().stride();
        for (int i = 0; i < stride; i++) assertTrue(Double.isFinite(nat.params()[stride + i]), "last finite parameters kept");
        assertTrue(Double.isFinite(nat.finalLoss()[1]));
        java.util.Set<Integer> stopSteps = new java.util.HashSet<>();
        stopSteps.add(nat.steps()[1]);
        for (int e = 0; e < 6; e++) {
            if (e == 1) continue;
            assertEquals(ref.status()[e], nat.status()[e], "member " + e + ": status");
            assertEquals(ref.steps()[e], nat.steps()[e], "member " + e + ": steps");
            assertEquals(ref.finalLoss()[e], nat.finalLoss()[e], 1e-3 * ref.finalLoss()[e], "member " + e + ": final loss");
            stopSteps.add(nat.steps()[e]);
            // a lane's result does not depend on its neighbours: the member trained alone ends bit for bit the same
            TrainRequest alone = new TrainRequest(req.layout(), 1,
                    Arrays.copyOfRange(req.initialParams(), e * stride, (e + 1) * stride),
                    Arrays.copyOfRange(req.lambdas(), e * 2, e * 2 + 2), new double[] {lrs[e]}, req.optimizer(), stop);
            TrainResult one = new NativeBackend(1).train(alone, task, ProgressListener.NONE);
            assertEquals(one.status()[0], nat.status()[e]);
            assertEquals(one.steps()[0], nat.steps()[e]);
            assertEquals(one.finalLoss()[0], nat.finalLoss()[e], 0.0);
            assertArrayEquals(one.params(), Arrays.copyOfRange(nat.params(), e * stride, (e + 1) * stride));
            assertArrayEquals(Arrays.copyOfRange(one.lossTrace(), 0, one.traceLength()),
                    Arrays.copyOfRange(nat.lossTrace(), e * nat.traceLength(), (e + 1) * nat.traceLength()));
        }
        assertTrue(stopSteps.size() >= 2, "members stop at different steps: " + stopSteps);
    }

    /**
     * A lane takes the next member of its chunk as soon as its member stops. 70 members on one thread make
     * chunks of 32 ({@link NativeBackend#inChunks}), so on every instruction-set variant (16, 8 or 4 lanes)
     * each lane trains several members in turn: learning rates 4x apart make members converge at windows
     * spread over the budget (at least 8 different stop steps), and members 3, 20 and 45 diverge at their first
     * step. Each member matches the reference (status, steps, every trace row, final loss, parameters), and
     * bit for bit the member trained alone; training in segments joins up bit for bit with the refilled lanes.
     */
    @Test
    void lanesAreRefilledAsMembersStop() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        StopRule stop = new StopRule(2000, 3e-2, 100, 100);
        int members = 70, stride;
        TrainRequest base = BackendConformanceTest.request(arch, members, 1e-2, OptimizerSettings.adam(1.0), stop);
        double[] lrs = base.learningRates().clone();
        for (int e = 0; e < members; e++) lrs[e] *= 0.25 * (1 << (e * 7 % 3)); // 0.25x, 0.5x, 1x, scattered over the chunk
        lrs[3] = lrs[20] = lrs[45] = 1e200; // overflows float and double alike
        TrainRequest req = new TrainRequest(base.layout(), members, base.initialParams(), base.lambdas(), lrs,
                base.optimizer(), stop).withKernelTrace(new KernelTraceRequest(300, new int[] {1, 3, 17, 40, 69}));
        stride = req.layout().stride();
        TrainResult ref = BackendConformanceTest.reference(req, task);
        java.util.Set<Integer> stopSteps = new java.util.TreeSet<>();
        for (int e = 0; e < members; e++) stopSteps.add(ref.steps()[e]);
        assertTrue(stopSteps.size() >= 8, "members stop at many different steps: " + stopSteps);
        for (int e : new int[] {3, 20, 45}) assertEquals(MemberStatus.DIVERGED, ref.status()[e]);
        int old = NativeKernels.limitIsa(2);
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                String variant = "refilled lanes, variant " + NativeKernels.currentInstructionSet();
                TrainResult nat = new NativeBackend(1).train(req, task, ProgressListener.NONE);
                for (int e = 0; e < members; e++) {
                    TrainRequest alone = new TrainRequest(req.layout(), 1,
                            Arrays.copyOfRange(req.initialParams(), e * stride, (e + 1) * stride),
                            Arrays.copyOfRange(req.lambdas(), e * 2, e * 2 + 2), new double[] {lrs[e]}, req.optimizer(), stop);
                    TrainResult one = new NativeBackend(1).train(alone, task, ProgressListener.NONE);
                    String m = variant + ", member " + e + " against itself trained alone";
                    assertEquals(one.status()[0], nat.status()[e], m);
                    assertEquals(one.steps()[0], nat.steps()[e], m);
                    assertEquals(one.finalLoss()[0], nat.finalLoss()[e], 0.0, m);
                    assertEquals(one.gradNorm()[0], nat.gradNorm()[e], 0.0, m);
                    assertArrayEquals(one.params(), Arrays.copyOfRange(nat.params(), e * stride, (e + 1) * stride), m);
                    assertArrayEquals(Arrays.copyOfRange(one.lossTrace(), 0, one.traceLength()),
                            Arrays.copyOfRange(nat.lossTrace(), e * nat.traceLength(), (e + 1) * nat.traceLength()), m);
                }
                BackendConformanceTest.assertMatches(req, task, ref, nat, 1e-4, 1e-3, variant);
                for (int segment : new int[] {7, 250}) {
                    NativeBackend backend = new NativeBackend(1);
                    TrainState st = TrainState.initial(req.optimizer().kind(), members, stride, stop.traceLength(),
                            req.initialParams()).withKernelTrace(req.kernelTraceFloats(task.samples()));
                    for (int until = segment; !st.finished(); until += segment) {
                        st = backend.trainSegment(req, st, Math.min(until, stop.maxSteps()), task, ProgressListener.NONE);
                    }
                    TrainResult seg = TrainResult.of(st);
                    String m = variant + ", in segments of " + segment;
                    assertArrayEquals(nat.params(), seg.params(), m + ": params");
                    assertArrayEquals(nat.lossTrace(), seg.lossTrace(), m + ": trace");
                    assertArrayEquals(nat.finalLoss(), seg.finalLoss(), m + ": final loss");
                    assertArrayEquals(nat.gradNorm(), seg.gradNorm(), m + ": grad norm");
                    assertArrayEquals(nat.steps(), seg.steps(), m + ": steps");
                    assertArrayEquals(nat.status(), seg.status(), m + ": status");
                    assertArrayEquals(nat.kernelTrace(), seg.kernelTrace(), m + ": kernel trace");
                }
            }
        } finally {
            NativeKernels.limitIsa(old);
        }
    }

    /** The conformance suite's kernel-trace cases and checkpointed training in each layout (the suite's shapes pick the lanes). */
    @ParameterizedTest(name = "layout {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void kernelTraceInBothLayouts(int layout) {
        NativeKernels.forceLayout(layout);
        BackendConformanceTest.assertKernelTraceCases(NativeLanesTest::nativeRun, Activation.RELU);
        BackendConformanceTest.assertSegmentsJoinUp(new NativeBackend(2), OptimizerSettings.momentum(0.9, 0.1));
    }

    private static TrainResult nativeRun(TrainRequest req, Task task) {
        return new NativeBackend(2).train(req, task, ProgressListener.NONE);
    }
}
