package org.repgeom.backend;

import org.repgeom.task.Task;

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
}
