package org.repgeom.model;

import java.util.Locale;

/**
 * Which hidden layers of an MLP carry a bias ({@code model.bias} in a spec); the linear readout
 * never does. {@link #code()} is the value the native and CUDA kernels read
 * ({@code RG_BIAS_FIRST / RG_BIAS_ALL / RG_BIAS_NONE}).
 */
public enum Bias {
    /** Only the first hidden layer: {@code W̃1 = [W1, b]} acts on {@code X̃ = [X; 1ᵀ]}. */
    FIRST,
    /** Every hidden layer. */
    ALL,
    /** No layer: the first layer sees {@code K_X = XᵀX} without the constant. */
    NONE;

    /** The spec name ({@code first | all | none}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The native code (0, 1, 2). */
    public int code() {
        return ordinal();
    }

    /** Whether hidden layer {@code layer} (0-based) of a network with {@code depth} hidden layers has a bias. */
    public boolean onLayer(int layer, int depth) {
        if (layer >= depth) return false;
        return switch (this) {
            case FIRST -> layer == 0;
            case ALL -> true;
            case NONE -> false;
        };
    }
}
