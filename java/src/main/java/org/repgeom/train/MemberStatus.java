package org.repgeom.train;

/** How a member's training ended. */
public enum MemberStatus {
    /** The relative loss change over a window fell below the tolerance. */
    CONVERGED,
    /** The step budget ran out first. */
    MAX_STEPS,
    /** The loss or a parameter became NaN or infinite; only this member stopped. */
    DIVERGED;

    public byte code() {
        return (byte) ordinal();
    }
}
