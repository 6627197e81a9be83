package org.repgeom.io;

import java.util.Arrays;

/**
 * An n-dimensional array read from (or destined for) a {@code .npy} file. {@code data} is always in
 * C (row-major) order: element {@code (i0, …, i_{k-1})} sits at
 * {@code ((i0·d1 + i1)·d2 + i2)…}. A 0-d array (shape {@code []}) holds one scalar.
 */
public record NpyArray(int[] shape, double[] data) {

    public NpyArray {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            // saturate past int range (no Java array is that long) so the product cannot overflow
            n = n > Integer.MAX_VALUE && d != 0 ? n : n * d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but data has " + data.length);
        }
    }

    /** Number of dimensions (0 for a scalar). */
    public int ndim() {
        return shape.length;
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public int size() {
        return data.length;
    }

    /** Length of axis {@code axis}. */
    public int dim(int axis) {
        return shape[axis];
    }

    /** A copy of the shape (the record accessor hands out the backing array). */
    public int[] shapeCopy() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && Arrays.equals(a.shape, shape) && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[shape=" + Arrays.toString(shape) + ", size=" + data.length + "]";
    }
}
