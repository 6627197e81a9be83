package org.repgeom.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.repgeom.backend.cuda.CudaWorkspace;

/**
 * The fused kernel's own time beside JMH's wall time: per iteration (one call in single-shot mode) the
 * seconds the call's mlp_train_fused launches ran between their CUDA events, and the launches (chunks).
 * JMH reports them as the secondary results {@code kernelSeconds} and {@code launches}; the primary score
 * minus kernelSeconds is the host's share (planning, packing, transfers not hidden by the other slot).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CudaKernelTime {
    public double kernelSeconds;
    public long launches;

    @Setup(Level.Iteration)
    public void reset() {
        kernelSeconds = 0;
        launches = 0;
    }

    /** Adds the last call of {@code ws} (nothing where it did not run the fused kernel). */
    void add(CudaWorkspace ws) {
        if (!Double.isNaN(ws.lastKernelSeconds())) kernelSeconds += ws.lastKernelSeconds();
        launches += ws.lastLaunches();
    }
}
