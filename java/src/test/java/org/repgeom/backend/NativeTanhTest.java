package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The float tanh of the native training (rg_tanh_v: a table of polynomials on AVX-512, the exp form on
 * AVX2 and the baseline) on every instruction-set variant this CPU has: its distance from tanh in double
 * on a dense sample of floats, and its special values. A broken table slot shows here before it shows in
 * a trained network.
 */
class NativeTanhTest {
    /** Every STRIDE-th float from the smallest normal float to 12: every table slot gets thousands. */
    private static final int STRIDE = 521;
    /** The exp form's bound: measured over every float in [0, 12], 1.3707 ulp (AVX2, AVX-512), 1.343 (baseline). */
    private static final double EXP_FORM_ULPS = 1.375;
    /** The table's: 0.9941 ulp over every float in [0, 12]. */
    private static final double TABLE_ULPS = 1.0;

    @BeforeAll
    static void native_() {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
    }

    /** Distance of y from t in units of the float spacing at t (2^(e - 23) for t in [2^e, 2^(e+1))). */
    static double ulps(float y, double t) {
        int e = Math.max(Math.getExponent(t), Float.MIN_EXPONENT);
        return Math.abs(y - t) / Math.scalb(1.0, e - 23);
    }

    /** The distinct variants reachable here, best first, each run with its cap; the cap is restored. */
    private interface PerVariant {
        void run(String isa);
    }

    private static void forEachVariant(PerVariant body) {
        int old = NativeKernels.limitIsa(2);
        Set<String> seen = new LinkedHashSet<>();
        try {
            for (int limit = 2; limit >= 0; limit--) {
                NativeKernels.limitIsa(limit);
                String isa = NativeKernels.currentInstructionSet();
                if (seen.add(isa)) {
                    body.run(isa);
                }
            }
        } finally {
            NativeKernels.limitIsa(old);
        }
        assertTrue(seen.contains("generic"), "the baseline variant ran: " + seen);
    }

    @Test
    void withinItsBoundOfDoubleTanhOnADenseSample() {
        int from = Float.floatToIntBits(Float.MIN_NORMAL), to = Float.floatToIntBits(12.0f);
        int n = (to - from) / STRIDE + 1;
        float[] xs = new float[2 * n];
        for (int i = 0; i < n; i++) {
            xs[2 * i] = Float.intBitsToFloat(from + i * STRIDE);
            xs[2 * i + 1] = -xs[2 * i];
        }
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = StrictMath.tanh(xs[2 * i]);
        }
        forEachVariant(isa -> {
            float[] ys = new float[xs.length];
            NativeKernels.tanh_f32(xs, ys);
            double bound = isa.equals("avx512") ? TABLE_ULPS : EXP_FORM_ULPS;
            double worst = 0;
            float worstX = 0;
            for (int i = 0; i < n; i++) {
                float x = xs[2 * i], y = ys[2 * i];
                assertEquals(Float.floatToRawIntBits(-y), Float.floatToRawIntBits(ys[2 * i + 1]), isa + ": tanh is odd at " + x);
                double e = ulps(y, want[i]);
                if (!(e <= worst)) { // NaN too
                    worst = e;
                    worstX = x;
                }
            }
            assertTrue(worst <= bound, isa + ": " + worst + " ulp from tanh at x = " + worstX + " (bound " + bound + ")");
            assertTrue(worst > 0.3, isa + ": the sample reaches the float rounding (" + worst + " ulp)");
        });
    }

    @Test
    void specialValues() {
        float[] xs = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -Float.NaN, 0.0f, -0.0f, 9.5f, 12.0f,
                      1e30f, -1e30f, Float.MAX_VALUE, 1e-30f, -1e-30f, Float.MIN_NORMAL, 1e-40f, -1e-40f, 0.5f};
        forEachVariant(isa -> {
            float[] ys = new float[xs.length];
            NativeKernels.tanh_f32(xs, ys);
            String at = isa + ": tanh(";
            assertEquals(1.0f, ys[0], at + "inf)");
            assertEquals(-1.0f, ys[1], at + "-inf)");
            assertTrue(Float.isNaN(ys[2]) && Float.isNaN(ys[3]), at + "NaN) is NaN (the divergence check relies on it)");
            assertEquals(0, Float.floatToRawIntBits(ys[4]), at + "0)");
            if (isa.equals("avx512")) {
                assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(ys[5]), at + "-0) keeps the sign");
            } else {
                assertEquals(0.0f, ys[5], at + "-0)"); // the exp form gives +0
            }
            for (int i = 6; i <= 10; i++) {
                assertEquals(Math.signum(xs[i]), ys[i], at + xs[i] + ") saturates");
            }
            assertEquals(1e-30f, ys[11], at + "1e-30) = x");
            assertEquals(-1e-30f, ys[12], at + "-1e-30) = x");
            assertEquals(Float.MIN_NORMAL, ys[13], at + "MIN_NORMAL) = x");
            assertTrue(ys[14] == 0.0f && ys[15] == 0.0f, at + "+-1e-40): subnormals are zero, as in training");
            assertTrue(ulps(ys[16], StrictMath.tanh(0.5)) <= EXP_FORM_ULPS, at + "0.5)");
        });
    }
}
