package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.stream.Stream;
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
 * Training in segments ({@link Backend#trainSegment}) joins up bit for bit to one uninterrupted
 * {@link Backend#train}, on every backend that supports it: GD, momentum and Adam with a decaying
 * schedule, members that diverge or converge before, at and after segment boundaries.
 */
class SegmentedTrainingTest {

    static Stream<Arguments> cases() {
        return Stream.of("java", "native").flatMap(b -> Stream.of(
                Arguments.of(b, "gd", new OptimizerSettings(OptimizerKind.GD, 0.02, 0.9, 0.9, 0.999, 1e-8)),
                Arguments.of(b, "momentum", OptimizerSettings.momentum(0.9, 0.1)),
                Arguments.of(b, "adam", OptimizerSettings.adam(0.1))));
    }

    static Backend backend(String name) {
        if (name.equals("native")) {
            assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
            return new NativeBackend(2);
        }
        return new JavaBackend(2);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void segmentsJoinUpToOneUninterruptedRun(String backendName, String optName, OptimizerSettings opt) {
        Backend backend = backend(backendName);
        assertTrue(backend.supportsSegments());
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 7, 2, Activation.TANH);
        StopRule stop = new StopRule(240, 1e-2, 20, 10);
        int members = 6;
        double lr = switch (opt.kind()) {
            case GD -> 0.1;
            case MOMENTUM -> 3e-2;
            case ADAM -> 1e-2;
        };
        TrainRequest base = NativeBackendTest.request(arch, members, lr, opt, stop);
        double[] lrs = base.learningRates().clone();
        lrs[1] = opt.kind() == org.repgeom.train.OptimizerKind.ADAM ? 1e6 : 1e4; // diverges early
        lrs[4] = lr * 0.05; // slow: runs the whole budget or converges late
        TrainRequest req = new TrainRequest(base.layout(), members, base.initialParams(), base.lambdas(), lrs, opt, stop);

        TrainResult whole = backend.train(req, task, ProgressListener.NONE);
        for (int segment : new int[] {2, 4, 7, 20, 50, 240, 1000}) {
            TrainState st = TrainState.initial(opt.kind(), members, req.layout().stride(), stop.traceLength(),
                    req.initialParams());
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            int calls = 0;
            for (int until = segment; !st.finished(); until += segment) {
                TrainState given = st, before = st.copy();
                st = backend.trainSegment(req, given, Math.min(until, stop.maxSteps()), task, done::addAndGet);
                assertTrue(given.sameAs(before), "the given state is left unchanged");
                calls++;
                for (int e = 0; e < members; e++) {
                    if (st.status()[e] == TrainState.RUNNING) assertEquals(Math.min(until, stop.maxSteps()), st.step()[e]);
                }
            }
            assertEquals(members, done.get(), "every member is reported once, when it stops");
            assertTrue(calls <= (stop.maxSteps() + segment - 1) / segment, "no call after everyone stopped");
            TrainResult seg = TrainResult.of(st);
            String what = backendName + " " + optName + " in segments of " + segment;
            assertArrayEquals(whole.params(), seg.params(), what + ": params");
            assertArrayEquals(whole.lossTrace(), seg.lossTrace(), what + ": trace");
            assertArrayEquals(whole.finalLoss(), seg.finalLoss(), what + ": final loss");
            assertArrayEquals(whole.gradNorm(), seg.gradNorm(), what + ": grad norm");
            assertArrayEquals(whole.steps(), seg.steps(), what + ": steps");
            assertArrayEquals(whole.status(), seg.status(), what + ": status");
        }
        // the group really has a diverging, a converged and a budget-limited or late member
        // (Adam's normalised steps grow the parameters only linearly: no overflow to diverge on)
        if (opt.kind() != org.repgeom.train.OptimizerKind.ADAM) {
            assertEquals(MemberStatus.DIVERGED, whole.status()[1], Arrays.toString(whole.status()));
        }
        assertTrue(Arrays.asList(whole.status()).contains(MemberStatus.CONVERGED), Arrays.toString(whole.status()));
        assertTrue(Arrays.stream(whole.steps()).anyMatch(s -> s > 20 && s % 7 != 0), Arrays.toString(whole.steps()));
        assertFalse(Arrays.stream(whole.steps()).allMatch(s -> s == whole.steps()[0]), Arrays.toString(whole.steps()));
    }
}
