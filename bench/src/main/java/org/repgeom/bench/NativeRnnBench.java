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
import org.repgeom.backend.NativeBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.task.Task;

/**
 * The native recurrent loop ({@code rnn_train_fused}) on workload Wrnn ({@link RnnWorkload}): one
 * invocation trains E members for {@code steps} GD steps. member-steps/s = E·steps / score. Run:
 * {@code java -jar bench/target/benchmarks.jar NativeRnnBench -p members=4096 -p width=16 -p timeSteps=3};
 * bench/rnn.sh runs it beside the numpy peer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public class NativeRnnBench {
    @Param({"16"})
    public int width;

    @Param({"3"})
    public int timeSteps;

    @Param({"4096"})
    public int members;

    @Param({"200"})
    public int steps;

    private Task task;
    private TrainRequest request;
    private NativeBackend backend;

    @Setup(Level.Trial)
    public void setUp() {
        task = RnnWorkload.task();
        request = RnnWorkload.request(members, width, timeSteps, steps);
        backend = new NativeBackend();
    }

    @Benchmark
    public TrainResult trainWrnn() {
        return backend.train(request, task, ProgressListener.NONE);
    }
}
