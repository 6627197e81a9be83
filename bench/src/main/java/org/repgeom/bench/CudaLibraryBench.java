package org.repgeom.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.repgeom.backend.CudaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.backend.cuda.CudaBackendOps;
import org.repgeom.backend.cuda.CudaWorkspace;
import org.repgeom.backend.cuda.TrainingPath;
import org.repgeom.task.Task;

/**
 * The CUDA backend's two paths on the same workload W case, side by side: {@code path=library} (cuBLAS
 * batched SGEMM + elementwise kernels, {@link TrainingPath#LIBRARY}) and {@code path=fused} (the fused
 * kernel with whatever placement its planner picks), forced with {@code -Drepgeom.cuda.path}. Defaults:
 * W256 with its GPU size (E = 4096), 1000 plain GD steps; W1024 is
 * {@code -p width=1024 -p members=1024}. Scores as {@link CudaBackendBench} (seconds per call of E
 * members; member-steps/s = E·steps / score). The fused path's calls reuse one {@link CudaWorkspace}
 * and report {@code kernelSeconds} from CUDA events ({@link CudaKernelTime}); the library path allocates
 * per call and reports no kernel time (0). Without a CUDA device or without cuBLAS the trial stops
 * with the one-line reason.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class CudaLibraryBench {
    @Param({"library", "fused"})
    public String path;

    @Param({"256"})
    public int width;

    @Param({"4096"})
    public int members;

    @Param({"1000"})
    public int steps;

    private Task task;
    private TrainRequest request;
    private CudaBackend backend;
    private CudaWorkspace workspace;

    @Setup(Level.Trial)
    public void setUp() {
        if (!CudaBackend.isAvailable()) throw new CudaBackendBench.NoDevice(CudaBackend.unavailableReason());
        Workload.Shape s = Workload.Shape.of("W");
        task = Workload.task(s);
        request = Workload.request(s, members, width, steps);
        backend = new CudaBackend();
        System.setProperty(TrainingPath.PROPERTY, path);
        // fails here, with the reason, when the library path cannot run on this machine
        TrainingPath chosen = CudaBackendOps.path(backend.device(), request, task);
        System.out.println("# path: " + chosen + (chosen == TrainingPath.FUSED ? ", plan: " + backend.plan(request, task) : "")
                + "; " + backend.device().describe());
        workspace = CudaBackendOps.workspace(backend.device());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.clearProperty(TrainingPath.PROPERTY);
        if (workspace != null) workspace.close();
    }

    @Benchmark
    public TrainResult train(CudaKernelTime time) {
        TrainResult r = CudaBackendOps.train(backend.device(), request, task, ProgressListener.NONE, workspace);
        time.add(workspace);
        return r;
    }
}
