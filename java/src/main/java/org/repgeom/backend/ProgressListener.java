package org.repgeom.backend;

/** Told as members finish; may be called from several threads at once. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = done -> { };

    /** {@code done} more members have finished. */
    void membersDone(int done);
}
