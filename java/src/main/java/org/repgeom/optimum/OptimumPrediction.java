package org.repgeom.optimum;

import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * The optimal network of an {@link Optimum} run on inputs: {@code F(x) = W2 φ(W̃1 x̃)}. Its first-layer
 * weights are the smallest with the optimal preactivations on the training samples,
 * {@code w = X̃ K_X⁺ h} for each neuron h, so at a new input x the neuron's preactivation is
 * {@code x̃ᵀ X̃ K_X⁺ h}: the optimal measure over preactivations, carried to a new point through the
 * input kernel between it and the training samples.
 *
 * @param hidden hidden layer φ(W̃1 X̃) on the inputs, width × Q row-major
 * @param output the network's output W2·hidden, dY × Q row-major
 * @param width  neurons of the optimal network
 */
public record OptimumPrediction(double[] hidden, double[] output, int width) {

    /**
     * The optimum's network on the inputs of {@code inputs} (its X only; dX must be the training dX).
     *
     * @param activation the activation the optimum was solved for
     * @param bias       whether it was solved with a first-layer bias
     */
    public static OptimumPrediction of(Optimum o, Activation activation, boolean bias, Task inputs) {
        int w = o.width(), dX = inputs.inputDim(), q = inputs.samples(), rows = dX + (bias ? 1 : 0);
        if (w > 0 && o.w1().length != w * rows) {
            throw new IllegalArgumentException("the optimum's first layer has " + o.w1().length / Math.max(w, 1)
                    + " inputs per neuron, the inputs have " + rows + (bias ? " with the bias" : ""));
        }
        int dY = w == 0 ? 0 : o.w2().length / w;
        double[] x = inputs.xData();
        double[] hidden = new double[w * q];
        for (int i = 0; i < w; i++) {
            for (int s = 0; s < q; s++) {
                double h = bias ? o.w1()[i * rows + dX] : 0;
                for (int c = 0; c < dX; c++) h += o.w1()[i * rows + c] * x[c * q + s];
                hidden[i * q + s] = activation.apply(h);
            }
        }
        if (w == 0) dY = inputs.outputDim(); // the empty network predicts 0
        double[] out = new double[dY * q];
        for (int k = 0; k < dY && w > 0; k++) {
            for (int i = 0; i < w; i++) {
                double a = o.w2()[k * w + i];
                for (int s = 0; s < q; s++) out[k * q + s] += a * hidden[i * q + s];
            }
        }
        return new OptimumPrediction(hidden, out, w);
    }
}
