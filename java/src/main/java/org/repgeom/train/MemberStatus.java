package org.repgeom.train;

/** How a member's training ended. */
public enum MemberStatus {
    /**
     * Stationary: the training loop's loss-window rule fired, or — for studies, after a short
     * double-precision polish — the member is stationary to the precision of its arithmetic
     * ({@code analysis.Stationarity}; members.csv {@code stop_criterion} says which).
     */
    CONVERGED,
    /** The step budget ran out while the member was still moving. */
    MAX_STEPS,
    /**
     * The loss or a gradient entry became NaN or larger than float32 can hold (|x| > 3.4e38, on every
     * backend: {@code JavaBackend.representable}); only this member stopped, at its last finite parameters.
     */
    DIVERGED;

    public byte code() {
        return (byte) ordinal();
    }
}
