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
 * One backend on a workload of bench/WORKLOAD.md, case W16 by default ({@code -p width=64} for
 * W64, …; {@code -p shape=Wsmall -p width=16 -p members=16384} for Wsmall, {@code -p shape=Wlong
 * -p width=64 -p members=64 -p steps=60000} (and 3000) for the long run): one invocation trains E
 * members for {@code steps} steps. The score is time per invocation; member-steps/s = E·steps / score
 * and GFLOP/s = member-steps/s · {@link Workload#flopsPerMemberStep(Workload.Shape, int)} / 1e9
 * (17,792·M on W). Each backend is a subclass naming only its backend, so all are measured the same way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public abstract class BackendBench {
    /** W (P = 64, dX = 64, GD), Wsmall (P = 8, dX = 8, GD) or Wlong (P = 8, dX = 8, Adam with decay). */
    @Param({"W"})
    public String shape;

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
        Workload.Shape s = Workload.Shape.of(shape);
        task = Workload.task(s);
        request = Workload.request(s, members, width, steps);
        backend = backend();
    }

    @Benchmark
    public TrainResult trainW() {
        return backend.train(request, task, ProgressListener.NONE);
    }
}
