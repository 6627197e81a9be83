package org.repgeom.task;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Target matrices Y (dY × P, row-major, columns are samples) and the classes they induce. Samples
 * are ordered class-major: sample p = c·n + j is the j-th of the n samples of class c.
 */
public final class Labels {

    /** Largest number of hypercube labels: 2^16 classes is already far beyond the studied tasks. */
    public static final int MAX_HYPERCUBE_LABELS = 16;

    private Labels() {
    }

    /**
     * Hypercube (abstract) task labels: dY = {@code labels} binary labels over all 2^dY classes,
     * n = {@code perClass} samples each, P = n·2^dY, with
     * <b>Y[k][c·n + j] = +1 if bit k of c is set, else −1</b>. Row k is label k over all samples;
     * the labels are balanced and mutually orthogonal (Y Yᵀ = P·I).
     *
     * @throws IllegalArgumentException unless 1 ≤ labels ≤ 16 and perClass ≥ 1
     */
    public static double[] hypercube(int labels, int perClass) {
        if (labels < 1 || labels > MAX_HYPERCUBE_LABELS) {
            throw new IllegalArgumentException("hypercube labels (dY) must be in 1.." + MAX_HYPERCUBE_LABELS
                    + ", got " + labels);
        }
        requirePerClass(perClass);
        int classes = 1 << labels;
        int p = samples(classes, perClass, labels);
        double[] y = new double[labels * p];
        for (int k = 0; k < labels; k++) {
            for (int c = 0; c < classes; c++) {
                double v = ((c >>> k) & 1) == 1 ? 1.0 : -1.0;
                Arrays.fill(y, k * p + c * perClass, k * p + (c + 1) * perClass, v);
            }
        }
        return y;
    }

    /**
     * One-hot labels for C = {@code classes} balanced classes of n = {@code perClass} samples,
     * P = n·C: <b>Y[k][c·n + j] = 1 if k = c, else 0</b> (dY = C).
     *
     * @throws IllegalArgumentException unless classes ≥ 2 and perClass ≥ 1
     */
    public static double[] oneHot(int classes, int perClass) {
        if (classes < 2) {
            throw new IllegalArgumentException("one-hot task needs at least 2 classes, got " + classes);
        }
        requirePerClass(perClass);
        int p = samples(classes, perClass, classes);
        double[] y = new double[classes * p];
        for (int c = 0; c < classes; c++) {
            Arrays.fill(y, c * p + c * perClass, c * p + (c + 1) * perClass, 1.0);
        }
        return y;
    }

    /** {@link #classOf(double[], int, int)} of the task's Y. */
    public static int[] classOf(Task task) {
        return classOf(task.yData(), task.outputDim(), task.samples());
    }

    /**
     * The class index of every sample: samples with identical target columns y_p share a class,
     * classes numbered 0, 1, … in order of first appearance. For the class-major tasks built here
     * this gives back c = p / n. (−0.0 and 0.0 count as equal.)
     */
    public static int[] classOf(double[] y, int dY, int P) {
        if (y.length != (long) dY * P) {
            throw new IllegalArgumentException("Y has " + y.length + " entries, expected dY*P = " + dY + "*" + P);
        }
        Map<Column, Integer> index = new HashMap<>();
        int[] classes = new int[P];
        for (int p = 0; p < P; p++) {
            double[] col = new double[dY];
            for (int k = 0; k < dY; k++) {
                col[k] = y[k * P + p] + 0.0; // folds -0.0 into 0.0
            }
            Integer c = index.putIfAbsent(new Column(col), index.size());
            classes[p] = c == null ? index.size() - 1 : c;
        }
        return classes;
    }

    /** Number of distinct target columns of the task (the number of classes). */
    public static int classCount(Task task) {
        return classCount(classOf(task));
    }

    /** Number of classes in a {@link #classOf} result: max + 1 (0 for no samples). */
    public static int classCount(int[] classOf) {
        int max = -1;
        for (int c : classOf) {
            max = Math.max(max, c);
        }
        return max + 1;
    }

    /** A target column with value semantics, as a hash key. */
    private record Column(double[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Column c && Arrays.equals(c.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }

    private static void requirePerClass(int perClass) {
        if (perClass < 1) {
            throw new IllegalArgumentException("samples per class must be >= 1, got " + perClass);
        }
    }

    /** P = classes·perClass, checked so that the dY × P matrix fits in a Java array. */
    private static int samples(int classes, int perClass, int rows) {
        long p = (long) classes * perClass;
        if (p * rows > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("task too large: " + rows + " x " + p + " targets");
        }
        return (int) p;
    }
}
