package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PowerShrinkageTest {

    /** Brute-force minimum of (s − σ)² + μ σ^q over a fine grid of [0, s]. */
    private static double[] gridMin(double s, double mu, double q) {
        int n = 200_000;
        double best = PowerShrinkage.value(0, s, mu, q), arg = 0;
        for (int i = 1; i <= n; i++) {
            double sigma = s * i / n;
            double v = PowerShrinkage.value(sigma, s, mu, q);
            if (v < best) {
                best = v;
                arg = sigma;
            }
        }
        return new double[] {arg, best};
    }

    @Test
    void convexCaseIsSoftThresholding() {
        assertEquals(2.5, PowerShrinkage.argmin(3, 1, 1), 1e-15);
        assertEquals(0.0, PowerShrinkage.argmin(0.4, 1, 1), 0.0);
    }

    @ParameterizedTest
    @CsvSource({"3.0, 0.3, 0.6666666666666666", "1.5, 0.3, 0.6666666666666666", "0.3, 0.3, 0.6666666666666666",
            "0.35, 0.3, 0.6666666666666666", "2.0, 1.0, 0.5", "0.9, 1.0, 0.5", "1.2, 0.8, 0.4"})
    void nonconvexCaseMatchesBruteForce(double s, double mu, double q) {
        double sigma = PowerShrinkage.argmin(s, mu, q);
        double[] grid = gridMin(s, mu, q);
        assertEquals(grid[1], PowerShrinkage.value(sigma, s, mu, q), 1e-9, "minimum value");
        assertEquals(grid[0], sigma, 1e-4 * s, "minimiser");
    }

    @Test
    void minimiserJumpsFromZeroAtTheThreshold() {
        // L = 3 (q = 2/3): scan s; σ*(s) is 0 up to a threshold and then jumps to a finite value
        double mu = 0.3, q = 2.0 / 3;
        double previous = 0, jump = Double.NaN;
        for (double s = 0.2; s < 0.6; s += 1e-4) {
            double sigma = PowerShrinkage.argmin(s, mu, q);
            if (previous == 0 && sigma > 0) {
                jump = sigma;
                // the interior root exists before the jump: two local minima, 0 still wins
                assertTrue(!Double.isNaN(PowerShrinkage.interiorRoot(s - 2e-4, mu, q)));
                break;
            }
            previous = sigma;
        }
        assertTrue(jump > 0.1, "σ jumps to a finite value, got " + jump);
    }
}
