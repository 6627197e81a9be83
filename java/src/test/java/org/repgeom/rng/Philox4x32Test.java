package org.repgeom.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Known-answer vectors of Philox4x32-10 as published with Random123 (kat_vectors). */
class Philox4x32Test {

    private static int[] run(long c0, long c1, long c2, long c3, long k0, long k1) {
        int[] ctr = {(int) c0, (int) c1, (int) c2, (int) c3};
        Philox4x32.philox4x32_10(ctr, (int) k0, (int) k1);
        return ctr;
    }

    private static int[] words(long a, long b, long c, long d) {
        return new int[] {(int) a, (int) b, (int) c, (int) d};
    }

    @Test
    void zeroCounterZeroKey() {
        assertArrayEquals(words(0x6627e8d5L, 0xe169c58dL, 0xbc57ac4cL, 0x9b00dbd8L), run(0, 0, 0, 0, 0, 0));
    }

    @Test
    void allOnes() {
        long f = 0xffffffffL;
        assertArrayEquals(words(0x408f276dL, 0x41c83b0eL, 0xa20bc7c6L, 0x6d5451fdL), run(f, f, f, f, f, f));
    }

    @Test
    void piDigits() {
        assertArrayEquals(words(0xd16cfe09L, 0x94fdccebL, 0x5001e420L, 0x24126ea1L),
                run(0x243f6a88L, 0x85a308d3L, 0x13198a2eL, 0x03707344L, 0xa4093822L, 0x299f31d0L));
    }

    @Test
    void gaussianIsPureAndStandard() {
        assertEquals(Philox4x32.gaussian(7, 1, 12345), Philox4x32.gaussian(7, 1, 12345));
        int n = 200_000;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            double g = Philox4x32.gaussian(42, 3, i);
            s += g;
            s2 += g * g;
        }
        double mean = s / n, var = s2 / n - mean * mean;
        assertTrue(Math.abs(mean) < 0.01, "mean " + mean);
        assertTrue(Math.abs(var - 1) < 0.01, "variance " + var);
        // different streams and seeds decorrelate
        double cross = 0;
        for (int i = 0; i < n; i++) cross += Philox4x32.gaussian(42, 3, i) * Philox4x32.gaussian(43, 3, i);
        assertTrue(Math.abs(cross / n) < 0.01, "cross-correlation " + cross / n);
    }
}
