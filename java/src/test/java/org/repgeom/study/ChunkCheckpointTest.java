package org.repgeom.study;

import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.Backend;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;
import org.repgeom.train.TrainState;

/** The checkpoint file round-trips a state exactly and is refused for another chunk or backend. */
class ChunkCheckpointTest {

    @Test
    void aMidTrainingStateRoundTripsExactlyAndOnlyForItsChunkAndBackend(@TempDir Path work) throws Exception {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        ParamLayout layout = new ParamLayout(arch);
        int stride = layout.stride();
        double[] init = new double[3 * stride];
        for (int e = 0; e < 3; e++) InitialWeights.fill(layout, e, 1.0, init, e * stride);
        TrainRequest req = new TrainRequest(layout, 3, init, new double[] {1e-3, 1e-3, 2e-3, 2e-3, 3e-3, 3e-3},
                new double[] {1e-2, 2e-2, 5e-3}, OptimizerSettings.adam(0.1), new StopRule(100, 1e-3, 10, 10),
                new org.repgeom.backend.KernelTraceRequest(20, new int[] {0, 2}));
        int kernels = req.kernelTraceFloats(task.samples());
        TrainState st = new JavaBackend(1).trainSegment(req, TrainState.initial(req.optimizer().kind(), 3, stride,
                req.stop().traceLength(), req.initialParams()).withKernelTrace(kernels), 30, task, ProgressListener.NONE);
        assertFalse(st.finished());
        StudyPlan.Chunk c = new StudyPlan.Chunk(4, 0, 9, 3, 0);

        ChunkCheckpoint.write(work, c, "java", 30, st);
        ChunkCheckpoint.Saved back = ChunkCheckpoint.read(work, c, "java", stride, req.stop().traceLength(), kernels);
        assertEquals(30, back.step());
        assertTrue(st.sameAs(back.state()), "every array comes back bit for bit");
        assertTrue(Float.isFinite(back.state().kernelTrace()[0]) && Float.isNaN(back.state().kernelTrace()[kernels - 1]),
                "the kernel trace so far: step 0 recorded, the end not yet");
        assertNull(ChunkCheckpoint.read(work, c, "native", stride, req.stop().traceLength(), kernels), "another backend");
        assertNull(ChunkCheckpoint.read(work, new StudyPlan.Chunk(4, 0, 12, 3, 0), "java", stride, req.stop().traceLength(),
                kernels), "another chunk");
        assertNull(ChunkCheckpoint.read(work, c, "java", stride, req.stop().traceLength(), 0), "another kernel trace");
        StudyPlan plan = new StudyPlan(StudySpec.parse(StudyRunnerProtectionTest.SPEC, null, "guarded"), 2, 1, 3);
        StudyPlan.Chunk first = plan.chunks().get(0);
        long planned = ChunkCheckpoint.bytes(plan, first, req.optimizer().kind(), task.samples());
        ChunkCheckpoint.write(work, first, "java", 30, TrainState.initial(req.optimizer().kind(), first.size(),
                new ParamLayout(plan.groupArchitecture(0)).stride(), plan.traceLength(), new double[first.size()
                        * new ParamLayout(plan.groupArchitecture(0)).stride()]));
        long actual = Files.size(ChunkCheckpoint.file(work, first.index()));
        assertTrue(actual <= planned && actual > planned / 2, "size estimate " + planned + " for " + actual + " bytes");
        ChunkCheckpoint.delete(work, first.index());
        try (var files = Files.list(work.resolve(ChunkCheckpoint.DIR))) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
        ChunkCheckpoint.delete(work, c.index());
        assertNull(ChunkCheckpoint.read(work, c, "java", stride, req.stop().traceLength(), kernels));
    }

    @Test
    void aBackendWithoutSegmentsTrainsTheChunkWholeAndGivesTheSameStudy(@TempDir Path tmp) throws Exception {
        JavaBackend java = new JavaBackend(1);
        Backend plainOnly = new Backend() { // the situation of the cuda backend
            public String name() {
                return "java";
            }

            public TrainResult train(TrainRequest request, Task task, ProgressListener progress) {
                return java.train(request, task, progress);
            }
        };
        StudySpec spec = StudySpec.parse(StudyRunnerProtectionTest.SPEC, null, "guarded");
        StudyRunner.Outcome a = new StudyRunner(spec, plainOnly).run(tmp.resolve("a"), null,
                new StudyRunner.Options(false, false, Shard.WHOLE, 3, 50), n -> ProgressListener.NONE);
        StudyRunner.Outcome b = new StudyRunner(spec, java).run(tmp.resolve("b"), null,
                new StudyRunner.Options(false, false, Shard.WHOLE, 3, 50), n -> ProgressListener.NONE);
        StudyRunner.Outcome plain = new StudyRunner(spec, java).run(tmp.resolve("plain"), null,
                new StudyRunner.Options(false, false, Shard.WHOLE, 3), n -> ProgressListener.NONE);
        for (Path dir : new Path[] {a.directory(), b.directory()}) {
            assertArrayEquals(Files.readAllBytes(plain.directory().resolve("params_group0.npy")),
                    Files.readAllBytes(dir.resolve("params_group0.npy")));
            assertArrayEquals(Files.readAllBytes(plain.directory().resolve("members.csv")),
                    Files.readAllBytes(dir.resolve("members.csv")));
            assertArrayEquals(Files.readAllBytes(plain.directory().resolve("loss_curves.npy")),
                    Files.readAllBytes(dir.resolve("loss_curves.npy")));
            assertFalse(Files.exists(dir.resolve(ChunkCheckpoint.DIR)));
        }
    }
}
