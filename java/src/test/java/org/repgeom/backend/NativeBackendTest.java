package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.rng.Philox4x32;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The native backend: the conformance suite ({@link BackendConformanceTest}) with 2 worker threads,
 * split differently on 1; plus what only the native library has (its Philox through JNI, the
 * instruction-set variants, its place in backend selection).
 */
class NativeBackendTest extends BackendConformanceTest {

    @BeforeAll
    static void nativeLoads() {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
    }

    @Override
    protected TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        return new NativeBackend(2).train(req, task, progress);
    }

    @Override
    protected TrainResult trainSplitDifferently(TrainRequest req, Task task, ProgressListener progress) {
        return new NativeBackend(1).train(req, task, progress);
    }

    @Override
    protected float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer) {
        return new NativeBackend(2).hiddenRepresentations(layout, params, members, task, layer);
    }

    @Override
    protected Backend segmentedBackend() {
        return new NativeBackend(2);
    }

    /** Both training layouts (one member at a time, across the lanes) on every instruction-set variant. */
    @Override
    protected Map<String, TrainResult> trainEveryVariant(TrainRequest req, Task task) {
        Map<String, TrainResult> out = new LinkedHashMap<>();
        boolean rnn = req.architecture().isRecurrent();
        int oldIsa = NativeKernels.limitIsa(2);
        int oldLayout = rnn ? NativeKernels.forceRnnLayout(0) : NativeKernels.forceLayout(0);
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                for (int layout = 1; layout <= 2; layout++) {
                    if (rnn) NativeKernels.forceRnnLayout(layout);
                    else NativeKernels.forceLayout(layout);
                    out.put((layout == 1 ? "one member at a time" : "across the lanes") + ", variant "
                            + NativeKernels.currentInstructionSet(), train(req, task, ProgressListener.NONE));
                }
            }
        } finally {
            NativeKernels.limitIsa(oldIsa);
            if (rnn) NativeKernels.forceRnnLayout(oldLayout);
            else NativeKernels.forceLayout(oldLayout);
        }
        return out;
    }

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

    @Test
    void everyInstructionSetVariantMatches() {
        // the library carries AVX-512, AVX2 and baseline variants; this machine runs the best one, so
        // force the others too: the GPU machine or a laptop may run them
        Task task = raggedTask();
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.TANH, true);
        assertEveryVariantMatches(arch, task);
    }

    /** Trains 3 members of arch with Adam on every instruction-set variant and compares each with the reference. */
    private void assertEveryVariantMatches(Architecture arch, Task task) {
        TrainRequest req = request(arch, 3, 5e-4, OptimizerSettings.adam(0.5), new StopRule(100, 0, 50, 20));
        TrainResult ref = reference(req, task);
        Activation act = arch.activation();
        int old = NativeKernels.limitIsa(2);
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                String isa = NativeKernels.currentInstructionSet();
                assertMatches(req, task, ref, train(req, task, ProgressListener.NONE),
                        traceTolerance(act), paramTolerance(act, req.optimizer().kind()), act + ", variant " + isa);
            }
            assertEquals("generic", NativeKernels.currentInstructionSet());
        } finally {
            NativeKernels.limitIsa(old);
        }
    }

    @Test
    void fewOutputsAtManySamplesOnEveryVariant() {
        // P = 72 (padded to 80, so padding samples): layers with at most 8 outputs take their weight gradient
        // as batched dot products over the samples (grad_dot), here the second hidden layer (6 units, 37
        // inputs: a partial block of inputs) and the readout (3 outputs, 6 inputs); biases on every layer
        Task task = Tasks.hypercube(3, 9, InputSpec.of("gaussian", 9).withDim(19));
        assertEquals(1, NativeKernels.layout(new int[] {2, 0, 1, 72, 19, 37, 6, 3}), "the padded layout");
        for (Activation act : new Activation[] {Activation.TANH, Activation.RELU}) {
            assertEveryVariantMatches(new Architecture(19, new int[] {37, 6}, 3, act, true), task);
        }
    }

    @Test
    void nativeIsSurveyedAvailableAndPreferredOverJava() {
        Backends.Availability nat = Backends.survey().stream().filter(a -> a.name().equals("native")).findFirst().orElseThrow();
        assertTrue(nat.available(), nat.reason());
        assertTrue(nat.reason().contains(NativeKernels.instructionSet()), nat.reason());
        assertEquals("native", Backends.byName("native").name());
        assertEquals(CudaBackend.isAvailable() ? "cuda" : "native", Backends.auto().name()); // CUDA first where it runs
        assertFalse(NativeKernels.instructionSet().isEmpty());
    }

    /**
     * The backend keeps its parameter buffer from one call to the next: a larger group, then a smaller one in
     * the same (larger) buffer, then the larger again train exactly as on backends that start fresh.
     */
    @Test
    void aKeptParameterBufferTrainsAsAFreshOne() {
        Task task = raggedTask();
        Architecture arch = new Architecture(task.inputDim(), new int[] {20}, task.outputDim(), Activation.RELU, true);
        StopRule stop = new StopRule(30, 0.0, 30, 10);
        TrainRequest large = request(arch, 9, 0.05, OptimizerSettings.gd(), stop);
        TrainRequest small = request(arch, 4, 0.02, OptimizerSettings.momentum(0.9, 0.1), stop);
        NativeBackend kept = new NativeBackend(2);
        TrainResult first = kept.train(large, task, ProgressListener.NONE);
        TrainResult second = kept.train(small, task, ProgressListener.NONE);
        TrainResult third = kept.train(large, task, ProgressListener.NONE);
        assertArrayEquals(new NativeBackend(2).train(small, task, ProgressListener.NONE).params(), second.params());
        assertArrayEquals(first.params(), third.params());
        assertArrayEquals(first.finalLoss(), third.finalLoss());
        assertFalse(Arrays.equals(large.initialParams(), third.params()), "the members trained");
    }
}
