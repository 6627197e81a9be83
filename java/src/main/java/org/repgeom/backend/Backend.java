package org.repgeom.backend;

import org.repgeom.task.Task;
import org.repgeom.train.TrainState;

/**
 * Trains groups of members. The only layer that knows how numbers sit in memory or on a
 * device; everything above it speaks in groups and members. Implementations: {@link JavaBackend}
 * (the reference), the native CPU backend and the CUDA backend, all tested against the reference.
 */
public interface Backend {

    /** Short name: "java", "native", "cuda". */
    String name();

    /** Trains every member of the request on the full batch of {@code task}. */
    TrainResult train(TrainRequest request, Task task, ProgressListener progress);

    /**
     * How many chunks of at most {@code members} members a study should train at the same time, each on
     * {@link #forConcurrentChunk}; 1 (the default): one chunk at a time on every thread.
     */
    default int chunksAtOnce(int members) {
        return 1;
    }

    /** The backend one of {@code chunksAtOnce} chunks in flight trains on (its share of the threads); this one by default. */
    default Backend forConcurrentChunk(int chunksAtOnce) {
        return this;
    }

    /** CPU seconds this backend's training calls have taken so far, summed over their threads; NaN where not counted. */
    default double trainingCpuSeconds() {
        return Double.NaN;
    }

    /** The most hidden layers an MLP may have on this backend (a native kernel's fixed-size tables); unbounded by default. */
    default int maxHiddenLayers() {
        return Integer.MAX_VALUE;
    }

    /** True when {@link #train} and {@link #trainSegment} record the kernel trace a request asks for. */
    default boolean supportsKernelTrace() {
        return false;
    }

    /** True when {@link #trainSegment} works (checkpointed training). */
    default boolean supportsSegments() {
        return false;
    }

    /**
     * Continues training the request's members from {@code from} (see {@link TrainState}; the
     * request's initial parameters are ignored) until each has taken {@code untilStep} steps in all
     * or stopped, and returns the state reached; {@code from} is left unchanged. Members stopped in
     * {@code from} are left as they are; {@code untilStep = stop.maxSteps()} finishes every member.
     * Training from {@link TrainState#initial} in any sequence of segments gives bit for bit the
     * {@link TrainResult} of {@link #train} ({@link TrainResult#of}). Progress counts members as they stop.
     */
    default TrainState trainSegment(TrainRequest request, TrainState from, int untilStep, Task task,
                                    ProgressListener progress) {
        throw new UnsupportedOperationException("the " + name() + " backend does not support checkpointed training");
    }
}
