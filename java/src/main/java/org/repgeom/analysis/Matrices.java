package org.repgeom.analysis;

import org.ejml.data.DMatrixRMaj;

/** Small shared checks and conversions between the {@code double[]} row-major convention and EJML. */
final class Matrices {
    private Matrices() {
    }

    /** Validates {@code a.length == rows*cols} and positive dimensions. */
    static void checkShape(String what, double[] a, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(what + " dimensions must be positive: " + rows + "x" + cols);
        }
        if (a.length != (long) rows * cols) {
            throw new IllegalArgumentException(what + " has " + a.length + " entries, expected " + rows + "x" + cols);
        }
    }

    /** An EJML copy: decompositions may overwrite their input, callers' arrays must stay intact. */
    static DMatrixRMaj copyOf(double[] a, int rows, int cols) {
        return new DMatrixRMaj(rows, cols, true, a.clone());
    }

    /** An EJML view sharing {@code a}; only for read-only operands. */
    static DMatrixRMaj view(double[] a, int rows, int cols) {
        return DMatrixRMaj.wrap(rows, cols, a);
    }

    static double frobeniusNorm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    static double frobeniusInner(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("shape mismatch: " + a.length + " vs " + b.length + " entries");
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
