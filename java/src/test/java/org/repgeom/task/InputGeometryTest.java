package org.repgeom.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InputGeometryTest {

    /** K = XᵀX for row-major X (rows × cols). */
    static double[][] gram(double[] x, int rows, int cols) {
        double[][] k = new double[cols][cols];
        for (int i = 0; i < rows; i++)
            for (int p = 0; p < cols; p++)
                for (int q = 0; q < cols; q++) k[p][q] += x[i * cols + p] * x[i * cols + q];
        return k;
    }

    static void assertGram(double[][] expected, double[] x, int rows, int cols, double tol) {
        assertEquals(rows * cols, x.length);
        double[][] k = gram(x, rows, cols);
        for (int p = 0; p < cols; p++)
            for (int q = 0; q < cols; q++)
                assertEquals(expected[p][q], k[p][q], tol, "K[" + p + "][" + q + "]");
    }

    static double[][] identity(int n) {
        double[][] id = new double[n][n];
        for (int i = 0; i < n; i++) id[i][i] = 1;
        return id;
    }

    // ------------------------------------------------------------------ whitened

    @Test
    void whitenedHasOrthonormalColumns() {
        assertGram(identity(8), InputGeometry.whitened(12, 8, 1), 12, 8, 1e-12);
        assertGram(identity(16), InputGeometry.whitened(16, 16, 2), 16, 16, 1e-12);
        assertGram(identity(1), InputGeometry.whitened(5, 1, 3), 5, 1, 1e-12);
    }

    @Test
    void whitenedIsDeterministicPerSeedAndNested() {
        double[] a = InputGeometry.whitened(10, 6, 42);
        assertArrayEquals(a, InputGeometry.whitened(10, 6, 42), 0.0);
        assertFalse(Arrays.equals(a, InputGeometry.whitened(10, 6, 43)));
        // more samples keep the earlier columns (QR is nested in the columns)
        double[] wider = InputGeometry.whitened(10, 8, 42);
        for (int i = 0; i < 10; i++)
            for (int p = 0; p < 6; p++) assertEquals(a[i * 6 + p], wider[i * 8 + p], 1e-12);
    }

    @Test
    void whitenedNeedsEnoughDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InputGeometry.whitened(4, 8, 0));
        assertTrue(e.getMessage().contains("dX >= P"), e.getMessage());
    }

    @Test
    void identityIsTheIdentity() {
        double[] x = InputGeometry.identity(3);
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, x, 0.0);
    }

    // ------------------------------------------------------------------ gaussian

    @Test
    void gaussianColumnsHaveNormNearOne() {
        int dX = 400;
        int p = 50;
        double[] x = InputGeometry.gaussian(dX, p, 7);
        double[][] k = gram(x, dX, p);
        double meanNorm2 = 0;
        double maxOff = 0;
        for (int s = 0; s < p; s++) {
            // ||x_p||^2 ~ chi^2_dX / dX: mean 1, sd sqrt(2/dX) = 0.07
            assertEquals(1.0, k[s][s], 0.35, "norm^2 of column " + s);
            meanNorm2 += k[s][s] / p;
            for (int q = 0; q < s; q++) maxOff = Math.max(maxOff, Math.abs(k[s][q]));
        }
        assertEquals(1.0, meanNorm2, 0.05);
        assertTrue(maxOff < 0.3, "columns nearly orthogonal, max |cos| ~ 0.05..0.2: " + maxOff);
        assertTrue(maxOff > 1e-3, "but not exactly: " + maxOff);
        double mean = Arrays.stream(x).average().orElseThrow();
        assertEquals(0.0, mean, 4.0 / Math.sqrt(x.length) / Math.sqrt(dX));
        assertArrayEquals(x, InputGeometry.gaussian(dX, p, 7), 0.0);
        assertFalse(Arrays.equals(x, InputGeometry.gaussian(dX, p, 8)));
    }

    // ------------------------------------------------------------------ within class

    static double[][] withinClassKernel(int classes, int n, double rho) {
        int p = classes * n;
        double[][] k = new double[p][p];
        for (int a = 0; a < p; a++)
            for (int b = 0; b < p; b++)
                if (a / n == b / n) k[a][b] = a == b ? 1 : rho;
        return k;
    }

    @Test
    void withinClassHasKroneckerKernel() {
        assertGram(withinClassKernel(3, 4, 0.3), InputGeometry.withinClassCorrelated(20, 3, 4, 0.3, 5), 20, 12, 1e-12);
        assertGram(withinClassKernel(2, 5, 0.9), InputGeometry.withinClassCorrelated(10, 2, 5, 0.9, 6), 10, 10, 1e-12);
        assertGram(withinClassKernel(4, 1, 0.5), InputGeometry.withinClassCorrelated(4, 4, 1, 0.5, 6), 4, 4, 1e-12);
        assertGram(identity(6), InputGeometry.withinClassCorrelated(8, 3, 2, 0.0, 9), 8, 6, 1e-12);
    }

    @Test
    void withinClassIsDeterministicAndValidates() {
        double[] a = InputGeometry.withinClassCorrelated(12, 2, 3, 0.4, 1);
        assertArrayEquals(a, InputGeometry.withinClassCorrelated(12, 2, 3, 0.4, 1), 0.0);
        assertFalse(Arrays.equals(a, InputGeometry.withinClassCorrelated(12, 2, 3, 0.4, 2)));
        assertThrows(IllegalArgumentException.class, () -> InputGeometry.withinClassCorrelated(12, 2, 3, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> InputGeometry.withinClassCorrelated(12, 2, 3, -0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> InputGeometry.withinClassCorrelated(12, 2, 3, Double.NaN, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InputGeometry.withinClassCorrelated(5, 2, 3, 0.4, 1));
        assertTrue(e.getMessage().contains("dX >= P"), e.getMessage());
    }

    // ------------------------------------------------------------------ target aligned

    @Test
    void targetAlignedKernelIsASquaredKyPlusBSquaredI() {
        int dY = 2;
        int p = 8;
        double[] y = Labels.hypercube(dY, 2);
        double a = 0.7;
        double b = 1.3;
        double[][] expected = gram(y, dY, p);
        for (int s = 0; s < p; s++) {
            for (int q = 0; q < p; q++) expected[s][q] *= a * a;
            expected[s][s] += b * b;
        }
        assertGram(expected, InputGeometry.targetAligned(12, y, dY, p, a, b, 3), 12, p, 1e-12);
        assertGram(expected, InputGeometry.targetAligned(10, y, dY, p, a, b, 4), 10, p, 1e-12);
    }

    @Test
    void targetAlignedWithoutOrthogonalPartHasRankDy() {
        double[] y = Labels.hypercube(2, 2);
        double[] x = InputGeometry.targetAligned(10, y, 2, 8, 1.0, 0.0, 3);
        double[][] ky = gram(y, 2, 8);
        assertGram(ky, x, 10, 8, 1e-12);
        double[] again = InputGeometry.targetAligned(10, y, 2, 8, 1.0, 0.0, 3);
        assertArrayEquals(x, again, 0.0);
        assertFalse(Arrays.equals(x, InputGeometry.targetAligned(10, y, 2, 8, 1.0, 0.0, 4)));
    }

    @Test
    void targetAlignedValidates() {
        double[] y = Labels.hypercube(2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InputGeometry.targetAligned(5, y, 2, 4, 1, 1, 0));
        assertTrue(e.getMessage().contains("dX >= dY + P"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InputGeometry.targetAligned(6, y, 2, 4, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> InputGeometry.targetAligned(6, y, 2, 4, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> InputGeometry.targetAligned(6, y, 2, 4, Double.NaN, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> InputGeometry.targetAligned(6, y, 2, 3, 1, 1, 0));
    }

    @Test
    void geometriesUseDistinctStreams() {
        // the same seed must not give the same frame to two geometries
        double[] w = InputGeometry.whitened(6, 6, 11);
        double[] c = InputGeometry.withinClassCorrelated(6, 6, 1, 0.0, 11);
        assertFalse(Arrays.equals(w, c));
    }
}
