package org.repgeom.model;

import java.util.Locale;

/**
 * Pointwise nonlinearities φ and their derivatives φ'.
 *
 * <p>At a kink the derivative takes the left value (ReLU'(0) = 0, clipped ReLU'(0) = 0 and
 * '(1) = 1), the convention of PyTorch; the native and CUDA kernels use the same one so that
 * backends agree bit for bit on where a neuron is "on". GELU is the tanh approximation
 * {@code 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³)))}: it needs no erf, so Java, C and CUDA
 * compute the same function, and its derivative is exact for it.
 */
public enum Activation {
    RELU("relu"),
    LEAKY_RELU("leaky_relu"),
    CLIPPED_RELU("clipped_relu"),
    LINEAR("linear"),
    TANH("tanh"),
    GELU("gelu");

    /** Negative-side slope of {@link #LEAKY_RELU}. */
    public static final double LEAKY_SLOPE = 0.01;
    private static final double GELU_C = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_A = 0.044715;

    private final String id;

    Activation(String id) {
        this.id = id;
    }

    /** The name used in specs, output files and the CLI. */
    public String id() {
        return id;
    }

    public double apply(double x) {
        switch (this) {
            case RELU: return x > 0 ? x : 0.0;
            case LEAKY_RELU: return x > 0 ? x : LEAKY_SLOPE * x;
            case CLIPPED_RELU: return x <= 0 ? 0.0 : (x >= 1 ? 1.0 : x);
            case LINEAR: return x;
            case TANH: return Math.tanh(x);
            case GELU: return 0.5 * x * (1.0 + Math.tanh(GELU_C * (x + GELU_A * x * x * x)));
            default: throw new AssertionError(this);
        }
    }

    /** φ'(x), with the left derivative at kinks (see class comment). */
    public double derivative(double x) {
        switch (this) {
            case RELU: return x > 0 ? 1.0 : 0.0;
            case LEAKY_RELU: return x > 0 ? 1.0 : LEAKY_SLOPE;
            case CLIPPED_RELU: return (x > 0 && x <= 1) ? 1.0 : 0.0;
            case LINEAR: return 1.0;
            case TANH: {
                double t = Math.tanh(x);
                return 1.0 - t * t;
            }
            case GELU: {
                double u = GELU_C * (x + GELU_A * x * x * x);
                double t = Math.tanh(u);
                double du = GELU_C * (1.0 + 3.0 * GELU_A * x * x);
                return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
            }
            default: throw new AssertionError(this);
        }
    }

    /** True for φ with a kink at 0 whose optimum sits on it (ReLU-like, docs/science.md §5.2). */
    public boolean isThresholdClass() {
        return this == RELU || this == LEAKY_RELU || this == CLIPPED_RELU;
    }

    public static Activation parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Activation a : values()) {
            if (a.id.equals(n)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name
                + "' (expected one of relu, leaky_relu, clipped_relu, linear, tanh, gelu)");
    }
}
