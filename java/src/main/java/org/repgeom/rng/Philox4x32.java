package org.repgeom.rng;

/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3" (SC'11). A 128-bit counter and a 64-bit key map to 128 random bits
 * through ten rounds of multiply-xor; there is no state to carry, so any value can be computed on
 * its own. The C ({@code native/}) and CUDA ({@code cuda/}) twins of this class use the same
 * function names and are checked against the same published known-answer vectors.
 */
public final class Philox4x32 {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9; // golden ratio
    private static final int W1 = 0xBB67AE85; // sqrt(3) - 1
    public static final int ROUNDS = 10;

    private Philox4x32() {
    }

    /**
     * Applies the ten rounds to {@code ctr} (4 words, overwritten with the output) under key
     * {@code (k0, k1)}.
     */
    public static void philox4x32_10(int[] ctr, int k0, int k1) {
        int c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
        }
        ctr[0] = c0;
        ctr[1] = c1;
        ctr[2] = c2;
        ctr[3] = c3;
    }

    /** Maps 32 random bits to a uniform double in the open interval (0, 1). */
    public static double uniformOpen(int bits) {
        return ((bits & 0xFFFFFFFFL) + 0.5) * 0x1.0p-32;
    }

    /**
     * A standard normal draw that is a pure function of {@code (seed, stream, index)}: counter
     * {@code (index_lo, index_hi, stream, 0)}, key {@code (seed_lo, seed_hi)}, then Box–Muller on
     * the first two output words. Used for initial weights (stream = layer) and task generation.
     */
    public static double gaussian(long seed, int stream, long index) {
        int[] ctr = {(int) index, (int) (index >>> 32), stream, 0};
        philox4x32_10(ctr, (int) seed, (int) (seed >>> 32));
        double u1 = uniformOpen(ctr[0]);
        double u2 = uniformOpen(ctr[1]);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A uniform draw in (0, 1) that is a pure function of {@code (seed, stream, index)}. */
    public static double uniform(long seed, int stream, long index) {
        int[] ctr = {(int) index, (int) (index >>> 32), stream, 0};
        philox4x32_10(ctr, (int) seed, (int) (seed >>> 32));
        return uniformOpen(ctr[0]);
    }
}
