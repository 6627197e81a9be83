package org.repgeom.backend.cuda;

import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.task.Task;

/**
 * What a caller that trains on the fused path again and again (a benchmark) keeps between calls: the
 * two chunk slots (streams, timing events, device buffers, page-locked host staging buffers), reused
 * while they are large enough, and the arrays of the previous result, which the next call overwrites;
 * and the last call's kernel time, measured with CUDA events around each launch. One thread at a time;
 * {@link #close()} frees everything.
 */
public final class CudaWorkspace implements AutoCloseable {
    private final CudaDriver driver;
    private final Object lock;
    private final Runnable enter;
    private final CudaTrainer.Resources held;
    private CudaTrainer.Slot[] slots = new CudaTrainer.Slot[0];
    TrainResult previous;
    private double kernelSeconds = Double.NaN;
    private double wallSeconds = Double.NaN;
    private int launches;

    /** {@code enter} runs under {@code lock} before every use of the driver (makes the context current). */
    CudaWorkspace(CudaDriver driver, Object lock, Runnable enter) {
        this.driver = driver;
        this.lock = lock;
        this.enter = enter;
        this.held = new CudaTrainer.Resources(driver);
    }

    /** A workspace on a GPU. */
    static CudaWorkspace open(CudaDevice dev) {
        return new CudaWorkspace(new JCudaDriverApi(dev), dev, dev::makeCurrent);
    }

    /** Trains the request on the fused path; with {@code reuseResult} into the previous result's arrays. */
    TrainResult train(TrainRequest req, Task task, ProgressListener progress, boolean reuseResult) {
        synchronized (lock) {
            enter.run();
            return CudaTrainer.train(driver, req, task, progress, this, reuseResult);
        }
    }

    /** Device bytes the slots hold (free for the planner: they are reused or replaced). */
    long slotBytes() {
        return held.deviceBytes();
    }

    /** {@code count} slots with buffers of at least these sizes: the held ones when they fit, else new ones. */
    CudaTrainer.Slot[] slots(int count, long[] bytes, long scratchBytes) {
        boolean fit = slots.length >= count;
        for (int k = 0; fit && k < count; k++) fit = slots[k].fits(bytes, scratchBytes);
        if (!fit) {
            held.close();
            slots = new CudaTrainer.Slot[0]; // nothing held if an allocation below fails
            CudaTrainer.Slot[] fresh = new CudaTrainer.Slot[count];
            for (int k = 0; k < count; k++) fresh[k] = CudaTrainer.newSlot(held, k, bytes, scratchBytes);
            slots = fresh;
        }
        return java.util.Arrays.copyOf(slots, count);
    }

    void finished(TrainResult result, double kernelSeconds, int launches, double wallSeconds) {
        this.previous = result;
        this.kernelSeconds = kernelSeconds;
        this.launches = launches;
        this.wallSeconds = wallSeconds;
    }

    /** Seconds the last call's kernels ran (CUDA events around each launch, summed over its chunks); NaN before one. */
    public double lastKernelSeconds() {
        return kernelSeconds;
    }

    /** Seconds the last call took from planning to its result (host work and transfers included); NaN before one. */
    public double lastWallSeconds() {
        return wallSeconds;
    }

    /** Kernel launches (chunks) of the last call. */
    public int lastLaunches() {
        return launches;
    }

    @Override
    public void close() {
        synchronized (lock) {
            enter.run();
            held.close();
            slots = new CudaTrainer.Slot[0];
            previous = null;
        }
    }
}
