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
import org.openjdk.jmh.annotations.Warmup;
import org.repgeom.backend.Backend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.task.Task;

/**
 * One backend on workload W (shared/WORKLOAD.md), case W16 by default ({@code -p width=64} for
 * W64, …): one invocation trains E members for {@code steps} plain GD steps. The score is time per
 * invocation; member-steps/s = E·steps / score and GFLOP/s = member-steps/s · 17,792·M / 1e9
 * ({@link Workload#flopsPerMemberStep}). Each backend is a subclass naming only its backend, so
 * all are measured the same way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public abstract class BackendBench {
    @Param({"16"})
    public int width;

    @Param({"1024"})
    public int members;

    @Param({"200"})
    public int steps;

    private Task task;
    private TrainRequest request;
    private Backend backend;

    /** The backend under test. */
    protected abstract Backend backend();

    @Setup(Level.Trial)
    public void setUp() {
        task = Workload.task();
        request = Workload.request(members, width, steps);
        backend = backend();
    }

    @Benchmark
    public TrainResult trainW() {
        return backend.train(request, task, ProgressListener.NONE);
    }
}
