package org.repgeom.model;

import java.util.Arrays;

/**
 * The shape of an MLP {@code f(x) = W_{L+1} φ(W_L ⋯ φ(W_1 x + b_1) ⋯ + b_L)}: input dimension,
 * L ≥ 1 hidden widths, output dimension, activation and which hidden layers carry a bias.
 *
 * <p>Layers are numbered 0…L (0-based): layer l maps width {@link #fanIn(int)} to
 * {@link #fanOut(int)}; layer L is the linear readout and never has a bias. The first hidden
 * {@link Bias} says which hidden layers have a bias: the first (default), all, or none.
 */
public record Architecture(int inputDim, int[] hiddenWidths, int outputDim, Activation activation, Bias bias) {

    /** {@code biasOnAllHidden}: {@link Bias#ALL}, else {@link Bias#FIRST}. */
    public Architecture(int inputDim, int[] hiddenWidths, int outputDim, Activation activation,
                        boolean biasOnAllHidden) {
        this(inputDim, hiddenWidths, outputDim, activation, biasOnAllHidden ? Bias.ALL : Bias.FIRST);
    }

    public Architecture {
        if (inputDim <= 0) throw new IllegalArgumentException("input dimension must be positive, got " + inputDim);
        if (outputDim <= 0) throw new IllegalArgumentException("output dimension must be positive, got " + outputDim);
        if (hiddenWidths == null || hiddenWidths.length == 0) {
            throw new IllegalArgumentException("at least one hidden layer is required");
        }
        for (int w : hiddenWidths) {
            if (w <= 0) throw new IllegalArgumentException("hidden widths must be positive, got " + w);
        }
        hiddenWidths = hiddenWidths.clone();
        if (activation == null) throw new IllegalArgumentException("activation is required");
        if (bias == null) throw new IllegalArgumentException("bias is required");
    }

    /** True for {@link Bias#ALL}. */
    public boolean biasOnAllHidden() {
        return bias == Bias.ALL;
    }

    /** Two-layer network {@code W2 φ(W1 x + b)}. */
    public static Architecture twoLayer(int inputDim, int width, int outputDim, Activation activation) {
        return new Architecture(inputDim, new int[] {width}, outputDim, activation, false);
    }

    /** Number of hidden layers L. */
    public int depth() {
        return hiddenWidths.length;
    }

    /** Number of weight layers, L + 1. */
    public int layerCount() {
        return hiddenWidths.length + 1;
    }

    public int fanIn(int layer) {
        return layer == 0 ? inputDim : hiddenWidths[layer - 1];
    }

    public int fanOut(int layer) {
        return layer == hiddenWidths.length ? outputDim : hiddenWidths[layer];
    }

    public boolean hasBias(int layer) {
        return bias.onLayer(layer, hiddenWidths.length);
    }

    public int width(int hiddenLayer) {
        return hiddenWidths[hiddenLayer];
    }

    @Override
    public int[] hiddenWidths() {
        return hiddenWidths.clone();
    }

    /** Widths joined by 'x', e.g. "64x64": used in file names and CSV columns. */
    public String widthsLabel() {
        return widthsLabel(hiddenWidths);
    }

    /** {@code widths} joined by 'x', e.g. "64x64". */
    public static String widthsLabel(int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) sb.append('x');
            sb.append(widths[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Architecture a)) return false;
        return inputDim == a.inputDim && outputDim == a.outputDim && activation == a.activation
                && bias == a.bias && Arrays.equals(hiddenWidths, a.hiddenWidths);
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(hiddenWidths) * 31 + inputDim) * 31 + outputDim * 7 + activation.hashCode()
                + bias.ordinal();
    }

    @Override
    public String toString() {
        return "Architecture[" + inputDim + " -> " + widthsLabel() + " -> " + outputDim + ", " + activation.id()
                + (bias == Bias.FIRST ? "" : bias == Bias.ALL ? ", bias on all hidden" : ", no bias") + "]";
    }
}
