package org.repgeom.task;

import java.util.Arrays;

/**
 * A fixed data set: inputs X (dX × P) and targets Y (dY × P), columns are samples, both stored
 * row-major in {@code double[]} ({@code x[i * P + p]} is feature i of sample p).
 *
 * <p>Immutable: accessors that return arrays return copies except {@link #xData()} and
 * {@link #yData()}, which hand out the backing arrays for hot loops and must not be written.
 */
public final class Task {
    private final String name;
    private final int inputDim;
    private final int outputDim;
    private final int samples;
    private final double[] x;
    private final double[] y;

    public Task(String name, int inputDim, int outputDim, int samples, double[] x, double[] y) {
        if (inputDim <= 0 || outputDim <= 0 || samples <= 0) {
            throw new IllegalArgumentException("task dimensions must be positive: dX=" + inputDim + ", dY="
                    + outputDim + ", P=" + samples);
        }
        if (x.length != (long) inputDim * samples) {
            throw new IllegalArgumentException("X has " + x.length + " entries, expected dX*P = " + inputDim + "*" + samples);
        }
        if (y.length != (long) outputDim * samples) {
            throw new IllegalArgumentException("Y has " + y.length + " entries, expected dY*P = " + outputDim + "*" + samples);
        }
        checkFinite("X", x);
        checkFinite("Y", y);
        this.name = name;
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        this.samples = samples;
        this.x = x.clone();
        this.y = y.clone();
    }

    private static void checkFinite(String what, double[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException(what + " contains a non-finite value (" + a[i] + ") at flat index " + i);
            }
        }
    }

    public String name() { return name; }
    /** dX. */
    public int inputDim() { return inputDim; }
    /** dY. */
    public int outputDim() { return outputDim; }
    /** P. */
    public int samples() { return samples; }

    public double x(int feature, int sample) { return x[feature * samples + sample]; }
    public double y(int label, int sample) { return y[label * samples + sample]; }

    /** Backing row-major X; read only. */
    public double[] xData() { return x; }
    /** Backing row-major Y; read only. */
    public double[] yData() { return y; }

    public double[] xCopy() { return x.clone(); }
    public double[] yCopy() { return y.clone(); }

    /** Column p of Y (the label vector of sample p). */
    public double[] targetOf(int sample) {
        double[] col = new double[outputDim];
        for (int k = 0; k < outputDim; k++) col[k] = y(k, sample);
        return col;
    }

    @Override
    public String toString() {
        return "Task[" + name + ", dX=" + inputDim + ", dY=" + outputDim + ", P=" + samples + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Task t && t.inputDim == inputDim && t.outputDim == outputDim && t.samples == samples
                && Arrays.equals(t.x, x) && Arrays.equals(t.y, y);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(x) * 31 + Arrays.hashCode(y);
    }
}
