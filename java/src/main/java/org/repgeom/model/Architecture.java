package org.repgeom.model;

import java.util.Arrays;

/**
 * The shape of an MLP {@code f(x) = W_{L+1} φ(W_L ⋯ φ(W_1 x + b_1) ⋯ + b_L)}: input dimension,
 * L ≥ 1 hidden widths, output dimension, activation and which hidden layers carry a bias.
 *
 * <p>Layers are numbered 0…L (0-based): layer l maps width {@link #fanIn(int)} to
 * {@link #fanOut(int)}; layer L is the linear readout and never has a bias. The first hidden
 * {@link Bias} says which hidden layers have a bias: the first (default), all, or none.
 *
 * <p>With a {@link Recurrence} (else null) the architecture is a vanilla RNN of one hidden state of
 * width {@code hiddenWidths[0]}: its three weight groups are numbered as layers 0 = input
 * {@code [U, b]} (width × dX, with the bias), 1 = recurrent {@code W} (width × width), 2 = readout
 * {@code W_out} (dY × width), so λ, {@link ParamLayout} and {@link InitialWeights} treat them like the
 * three layers of an MLP of hidden widths (width, width) with a bias on the first only.
 */
public record Architecture(int inputDim, int[] hiddenWidths, int outputDim, Activation activation, Bias bias,
                           Recurrence recurrence) {

    /** A feedforward network. */
    public Architecture(int inputDim, int[] hiddenWidths, int outputDim, Activation activation, Bias bias) {
        this(inputDim, hiddenWidths, outputDim, activation, bias, null);
    }

    /** A vanilla RNN of hidden width {@code width} unrolled for {@code recurrence.timeSteps()} steps. */
    public static Architecture recurrent(int inputDim, int width, int outputDim, Activation activation,
                                         Recurrence recurrence) {
        if (recurrence == null) throw new IllegalArgumentException("recurrence is required");
        return new Architecture(inputDim, new int[] {width}, outputDim, activation, Bias.FIRST, recurrence);
    }

    /** True for a recurrent network ({@link #recurrence()} not null). */
    public boolean isRecurrent() {
        return recurrence != null;
    }

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
        if (recurrence != null && (hiddenWidths.length != 1 || bias != Bias.FIRST)) {
            throw new IllegalArgumentException("a recurrent network has one hidden state and its bias in the input group");
        }
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

    /** Number of weight layers, L + 1 (3 weight groups for a recurrent network: input, recurrent, readout). */
    public int layerCount() {
        return isRecurrent() ? 3 : hiddenWidths.length + 1;
    }

    public int fanIn(int layer) {
        if (isRecurrent()) return layer == 0 ? inputDim : hiddenWidths[0];
        return layer == 0 ? inputDim : hiddenWidths[layer - 1];
    }

    public int fanOut(int layer) {
        if (isRecurrent()) return layer == 2 ? outputDim : hiddenWidths[0];
        return layer == hiddenWidths.length ? outputDim : hiddenWidths[layer];
    }

    public boolean hasBias(int layer) {
        if (isRecurrent()) return layer == 0;
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
                && bias == a.bias && Arrays.equals(hiddenWidths, a.hiddenWidths)
                && java.util.Objects.equals(recurrence, a.recurrence);
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(hiddenWidths) * 31 + inputDim) * 31 + outputDim * 7 + activation.hashCode()
                + bias.ordinal() + java.util.Objects.hashCode(recurrence) * 17;
    }

    @Override
    public String toString() {
        if (isRecurrent()) {
            return "Architecture[rnn " + inputDim + " -> " + hiddenWidths[0] + " x T=" + recurrence.timeSteps()
                    + " (input at " + recurrence.input().id() + " step) -> " + outputDim + ", " + activation.id() + "]";
        }
        return "Architecture[" + inputDim + " -> " + widthsLabel() + " -> " + outputDim + ", " + activation.id()
                + (bias == Bias.FIRST ? "" : bias == Bias.ALL ? ", bias on all hidden" : ", no bias") + "]";
    }
}
