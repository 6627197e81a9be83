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
import org.repgeom.task.Task;

/**
 * The CUDA backend on workload W (bench/WORKLOAD.md) with its GPU sizes: E = 65536 / 16384 /
 * 4096 / 1024 members for W16 / W64 / W256 / W1024 (262144 for {@code -p shape=Wsmall -p width=16}),
 * 1000 plain GD steps per invocation. The same
 * body as {@link BackendBench} (one call trains E members; member-steps/s = E·steps / score,
 * GFLOP/s = member-steps/s · {@link Workload#flopsPerMemberStep}), with the GPU's defaults, which
 * JMH cannot override in a subclass. One case per run, e.g.
 * {@code java -jar bench/target/benchmarks.jar CudaBackendBench -p width=64 -p members=16384}.
 *
 * <p>Calls go through one {@link CudaWorkspace}: the chunk slots (device buffers, page-locked staging
 * buffers, streams) and the result arrays are allocated by the first call and reused, so a score is
 * training, not allocation. Beside the score (wall seconds per call) JMH reports {@code kernelSeconds},
 * the kernels' time from CUDA events, and {@code launches} ({@link CudaKernelTime}).
 *
 * <p>Without a CUDA device the trial's setup stops with the backend's one-line reason (no stack
 * trace) and nothing is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public class CudaBackendBench {
    /** W (P = 64, dX = 64) or Wsmall (P = 8, dX = 8), both plain GD; Wlong is a CPU case. */
    @Param({"W"})
    public String shape;

    @Param({"16"})
    public int width;

    @Param({"65536"})
    public int members;

    @Param({"1000"})
    public int steps;

    private Task task;
    private TrainRequest request;
    private CudaBackend backend;
    private CudaWorkspace workspace;

    /** Ends the trial without a device: the reason, no stack trace. */
    static final class NoDevice extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoDevice(String reason) {
            super("CUDA backend not available, nothing measured: " + reason);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (!CudaBackend.isAvailable()) throw new NoDevice(CudaBackend.unavailableReason());
        Workload.Shape s = Workload.Shape.of(shape);
        task = Workload.task(s);
        request = Workload.request(s, members, width, steps);
        backend = new CudaBackend();
        System.out.println("# plan: " + backend.plan(request, task) + "; " + backend.device().describe());
        workspace = CudaBackendOps.workspace(backend.device());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (workspace != null) workspace.close();
    }

    @Benchmark
    public TrainResult trainW(CudaKernelTime time) {
        TrainResult r = CudaBackendOps.train(backend.device(), request, task, ProgressListener.NONE, workspace);
        time.add(workspace);
        return r;
    }
}
