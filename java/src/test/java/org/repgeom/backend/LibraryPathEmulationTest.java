package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.repgeom.backend.cuda.CublasShim;
import org.repgeom.backend.cuda.HostLibraryDevice;
import org.repgeom.backend.cuda.LibraryArgs;
import org.repgeom.backend.cuda.LibraryDevice;
import org.repgeom.backend.cuda.LibraryKernel;
import org.repgeom.backend.cuda.LibraryTrainer;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * The CUDA library path ({@link LibraryTrainer}: batched SGEMMs + cuda/repgeom_library.cu's elementwise
 * kernels) run on the host against the Java reference through the whole conformance suite
 * ({@link BackendConformanceTest}). What runs is the path's own sequence of calls — every layout,
 * transpose, leading dimension, batch stride and kernel argument — with the GEMMs going through the
 * real cuBLAS bridge (librepgeom_cublas, dlopen, cuBLAS's C signature) into a host stand-in of
 * libcublas that checks its arguments as cuBLAS does, and the elementwise kernels' own code run on host
 * memory. Not covered here: cuBLAS's own arithmetic and the device launches ({@code CudaBackendTest}
 * with {@code -Drepgeom.cuda.path=library} on a GPU).
 */
class LibraryPathEmulationTest extends BackendConformanceTest {
    private static CublasShim blas;

    @BeforeAll
    static void built() {
        assumeTrue(HostLibraryDevice.unavailableReason() == null, HostLibraryDevice::unavailableReason);
        blas = HostLibraryDevice.cublas();
    }

    @AfterAll
    static void close() {
        if (blas != null) blas.close();
    }

    private static TrainResult library(TrainRequest req, Task task, int chunk, ProgressListener progress) {
        try (HostLibraryDevice dev = new HostLibraryDevice()) {
            return LibraryTrainer.train(req, task, dev, blas, chunk, progress);
        }
    }

    @Override
    protected TrainResult train(TrainRequest req, Task task, ProgressListener progress) {
        return library(req, task, req.members(), progress);
    }

    /** Kernel traces are recorded by the fused kernel; the planner never sends a traced request here. */
    @Override
    protected boolean recordsKernelTrace() {
        return false;
    }

    /** Recurrent networks are not on any CUDA path yet. */
    @Override
    protected boolean trainsRecurrent() {
        return false;
    }

    /** Chunks of 2 members: each GEMM and kernel sees another batch, every member the same arithmetic. */
    @Override
    protected TrainResult trainSplitDifferently(TrainRequest req, Task task, ProgressListener progress) {
        return library(req, task, 2, progress);
    }

    @Override
    protected float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer) {
        try (HostLibraryDevice dev = new HostLibraryDevice()) {
            return LibraryTrainer.hidden(layout, params, members, task, layer, dev, blas, 2);
        }
    }

    /**
     * Members that stop early are frozen, and the loop ends at the first check (every
     * {@code CHECK_EVERY} = 32 steps) after the last one stopped: a group whose members all converge
     * long before the budget runs at most 32 steps past the latest stop, and each member's result is
     * the one it gets trained alone (frozen members do not move).
     */
    @Test
    void aGroupThatStopsEarlyEndsTheLoopAndMatchesMembersAlone() {
        Task task = smallTask();
        Architecture arch = new Architecture(6, new int[] {9}, 2, Activation.TANH, true);
        StopRule stop = new StopRule(4000, 1e-3, 20, 50);
        TrainRequest req = request(arch, 3, 5e-3, OptimizerSettings.gd(), stop);
        AtomicInteger stepsRun = new AtomicInteger();
        TrainResult all;
        try (HostLibraryDevice host = new HostLibraryDevice()) {
            LibraryDevice counting = new LibraryDevice() {
                public long alloc(long bytes, String what) { return host.alloc(bytes, what); }
                public void upload(long dst, ByteBuffer src, long bytes) { host.upload(dst, src, bytes); }
                public void download(ByteBuffer dst, long src, long bytes) { host.download(dst, src, bytes); }
                public void copy(long dst, long src, long bytes) { host.copy(dst, src, bytes); }
                public void zero(long dst, long bytes) { host.zero(dst, bytes); }
                public void close() { host.close(); }
                public void launch(LibraryKernel kernel, LibraryArgs args) {
                    if (kernel == LibraryKernel.STEP_CONTROL) stepsRun.incrementAndGet();
                    host.launch(kernel, args);
                }
            };
            all = LibraryTrainer.train(req, task, counting, blas, 3, ProgressListener.NONE);
        }
        int latest = 0;
        for (int e = 0; e < 3; e++) {
            assertTrue(all.steps()[e] < stop.maxSteps() - 64, "member " + e + " should converge early, took " + all.steps()[e]);
            latest = Math.max(latest, all.steps()[e]);
            TrainResult alone = train(memberAlone(req, e, stop), task, ProgressListener.NONE);
            assertEquals(alone.steps()[0], all.steps()[e], "member " + e + ": steps");
            assertEquals(alone.status()[0], all.status()[e], "member " + e + ": status");
            assertEquals(alone.finalLoss()[0], all.finalLoss()[e], "member " + e + ": final loss");
            assertArrayEquals(alone.params(), memberParams(all, req.layout(), e), "member " + e + ": parameters");
        }
        int expected = (latest / 32 + 1) * 32; // the first check after the step at which the last member stopped
        assertEquals(expected, stepsRun.get(), "steps the loop ran (latest stop at step " + latest + ")");
    }
}
