package org.repgeom.backend.cuda;

/**
 * How the fused kernels' layouts ({@link FusedLayout}, {@link RnnLayout}) hand out a team's arrays: each
 * array goes to one of two regions, the team's shared memory or its global scratch ({@code region[0]},
 * {@code region[1]}, in floats), at the region's end, which then moves on to a multiple of 4 floats so
 * every array starts 16-byte aligned.
 */
final class TeamRegions {
    private TeamRegions() {
    }

    /** {@code floats} rounded up to a multiple of 4 (16 bytes). */
    static long align(long floats) {
        return (floats + 3) & ~3L;
    }

    /** Places {@code floats} floats at the end of the shared ({@code global} false) or global region; returns its offset. */
    static int place(long[] region, boolean global, long floats) {
        int which = global ? 1 : 0;
        long at = region[which];
        region[which] = align(at + floats);
        return checkedInt(at, "offset");
    }

    /** {@code v} as an int offset, with room to add to it; a network too large for the kernels' int offsets is refused. */
    static int checkedInt(long v, String what) {
        if (v > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("network too large for the CUDA kernels (" + what + ")");
        return (int) v;
    }
}
