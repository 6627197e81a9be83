package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.task.Task;

class KernelsTest {

    @Test
    void representationKernelIsRtR() {
        // R = [[1, 2, 0], [0, 1, 3]] (M = 2, P = 3)
        double[] r = {1, 2, 0, 0, 1, 3};
        double[] k = RepresentationKernel.of(r, 2, 3);
        assertArrayEquals(new double[] {1, 2, 0, 2, 5, 3, 0, 3, 9}, k, 0.0);
    }

    @Test
    void representationKernelChecksShape() {
        assertThrows(IllegalArgumentException.class, () -> RepresentationKernel.of(new double[5], 2, 3));
    }

    @Test
    void taskKernels() {
        // X = [[1, 0], [0, 2]], Y = [[1, -1]]
        Task task = new Task("t", 2, 1, 2, new double[] {1, 0, 0, 2}, new double[] {1, -1});
        assertArrayEquals(new double[] {1, -1, -1, 1}, Kernels.outputKernel(task), 0.0);
        assertArrayEquals(new double[] {2, 1, 1, 5}, Kernels.augmentedInputKernel(task), 0.0);
    }

    @Test
    void relativeDistance() {
        double[] kStar = {3, 0, 0, 4}; // ‖K*‖ = 5
        double[] k = {3, 0, 0, 1};
        assertEquals(3.0 / 5.0, KernelDistance.relative(k, kStar), 1e-15);
        assertEquals(0.0, KernelDistance.relative(kStar, kStar), 0.0);
        // zero reference: absolute norm of K
        assertEquals(Math.sqrt(10), KernelDistance.relative(k, new double[4]), 1e-15);
    }

    @Test
    void scaleFreeDistanceIgnoresScale() {
        double[] t = {1, 1, 1, 1};
        assertEquals(0.0, KernelDistance.scaleFree(new double[] {7, 7, 7, 7}, t), 1e-15);
        // K = I, T = 11ᵀ: c = 2/4, ‖I − 11ᵀ/2‖² = 4·(1/4) = 1, ‖I‖ = √2
        assertEquals(1 / Math.sqrt(2), KernelDistance.scaleFree(new double[] {1, 0, 0, 1}, t), 1e-15);
        assertEquals(0.5, KernelDistance.bestScale(new double[] {1, 0, 0, 1}, t), 1e-15);
        // negative correlation: best c is 0, the mismatch is total
        assertEquals(1.0, KernelDistance.scaleFree(new double[] {-1, 0, 0, -1}, t), 1e-15);
        assertEquals(0.0, KernelDistance.scaleFree(new double[4], t), 0.0);
        assertEquals(1.0, KernelDistance.scaleFree(t, new double[4]), 0.0);
    }

    @Test
    void alignment() {
        double[] i2 = {1, 0, 0, 1};
        assertEquals(1.0, KernelDistance.alignment(i2, new double[] {5, 0, 0, 5}), 1e-15);
        assertEquals(2 / (Math.sqrt(2) * 2), KernelDistance.alignment(i2, new double[] {1, 1, 1, 1}), 1e-15);
        assertEquals(0.0, KernelDistance.alignment(i2, new double[] {0, 1, 1, 0}), 0.0);
        assertTrue(Double.isNaN(KernelDistance.alignment(i2, new double[4])));
    }
}
