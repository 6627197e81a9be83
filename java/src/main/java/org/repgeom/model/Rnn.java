package org.repgeom.model;

import java.util.Arrays;
import org.repgeom.task.Task;

/**
 * The reference forward pass and backpropagation through time of one vanilla recurrent member, in
 * double precision, as plain loops: the native kernel is tested against it.
 *
 * <p>With the weight groups of {@link Architecture} (layer 0 = input {@code [U, b]}, 1 = recurrent
 * {@code W}, 2 = readout {@code W_out}): {@code H_0 = 0}, {@code Z_t = W H_t + U X_t + b 1ᵀ},
 * {@code H_{t+1} = φ(Z_t)} for t = 0…T−1, {@code F = W_out H_T}, where {@code X_t = X} at every step
 * or only at t = 0 ({@link Recurrence.Input}). The loss is the MLPs' (no 1/2, no 1/P):
 * {@code L = ‖Y − F‖_F² + λ_in ‖[U, b]‖_F² + λ_rec ‖W‖_F² + λ_out ‖W_out‖_F²}. Matrices are
 * unit-major with the sample axis contiguous ({@code H[i·P + s]}), as in {@link Mlp}.
 */
public final class Rnn extends ReferenceNetwork {
    private final Recurrence recurrence;
    private final int steps;
    private final int width;
    private final int inputDim;
    private final int outputDim;
    /** z[t]: pre-activations of step t (width × P), t = 0…T−1. */
    private final double[][] z;
    /** h[t]: hidden state after t steps (width × P), h[0] = 0. */
    private final double[][] h;
    private final double[] gradH;
    private final double[] gradZ;

    public Rnn(ParamLayout layout, Task task) {
        super(layout, task);
        if (!arch.isRecurrent()) throw new IllegalArgumentException(arch + " is not recurrent");
        this.recurrence = arch.recurrence();
        this.steps = recurrence.timeSteps();
        this.width = arch.width(0);
        this.inputDim = arch.inputDim();
        this.outputDim = arch.outputDim();
        z = new double[steps][width * samples];
        h = new double[steps + 1][width * samples];
        gradH = new double[width * samples];
        gradZ = new double[Math.max(width, outputDim) * samples];
    }

    /** T. */
    public int timeSteps() {
        return steps;
    }

    /** Runs the forward pass of the member at {@code params[off …]}; fills z, h and out. */
    @Override
    public void forward(double[] params, int off) {
        int p = samples;
        int u = off + layout.weight(0), b = off + layout.bias(0), w = off + layout.weight(1);
        for (int t = 0; t < steps; t++) {
            double[] zt = z[t], prev = h[t];
            boolean input = recurrence.inputAt(t);
            for (int i = 0; i < width; i++) {
                int row = i * p;
                Arrays.fill(zt, row, row + p, params[b + i]);
                if (input) {
                    for (int c = 0; c < inputDim; c++) {
                        double uic = params[u + i * inputDim + c];
                        for (int s = 0; s < p; s++) zt[row + s] += uic * x[c * p + s];
                    }
                }
                if (t > 0) { // h_0 = 0
                    for (int c = 0; c < width; c++) {
                        double wic = params[w + i * width + c];
                        for (int s = 0; s < p; s++) zt[row + s] += wic * prev[c * p + s];
                    }
                }
            }
            double[] next = h[t + 1];
            for (int i = 0; i < zt.length; i++) next[i] = phi.apply(zt[i]);
        }
        int v = off + layout.weight(2);
        double[] last = h[steps];
        Arrays.fill(out, 0.0);
        for (int i = 0; i < outputDim; i++) {
            for (int c = 0; c < width; c++) {
                double vic = params[v + i * width + c];
                for (int s = 0; s < p; s++) out[i * p + s] += vic * last[c * p + s];
            }
        }
    }

    /**
     * Loss and gradient by backpropagation through time: {@code G_F = 2(F − Y)},
     * {@code ∇W_out = G_F H_Tᵀ}, {@code G_H = W_outᵀ G_F}; then for t = T−1 … 0:
     * {@code G_Z = G_H ⊙ φ'(Z_t)}, {@code ∇W += G_Z H_tᵀ}, {@code ∇U += G_Z X_tᵀ}, {@code ∇b += G_Z 1},
     * {@code G_H ← Wᵀ G_Z}; finally each group gains {@code 2λ} times its weights.
     */
    @Override
    public double lossAndGradient(double[] params, int off, double[] lambdas, int lambdaOff, double[] grad, int gOff) {
        forward(params, off);
        int p = samples;
        double loss = dataLoss() + penalty(params, off, lambdas, lambdaOff);
        int w = off + layout.weight(1), v = off + layout.weight(2);
        int gu = gOff + layout.weight(0), gb = gOff + layout.bias(0), gw = gOff + layout.weight(1);
        int gv = gOff + layout.weight(2);
        Arrays.fill(grad, gOff, gOff + layout.stride(), 0.0);
        double[] gOut = gradZ;
        for (int i = 0; i < out.length; i++) gOut[i] = 2.0 * (out[i] - y[i]);
        double[] last = h[steps];
        for (int i = 0; i < outputDim; i++) {
            for (int c = 0; c < width; c++) {
                double s = 0;
                for (int k = 0; k < p; k++) s += gOut[i * p + k] * last[c * p + k];
                grad[gv + i * width + c] = s;
            }
        }
        Arrays.fill(gradH, 0.0);
        for (int i = 0; i < outputDim; i++) {
            for (int c = 0; c < width; c++) {
                double vic = params[v + i * width + c];
                for (int k = 0; k < p; k++) gradH[c * p + k] += vic * gOut[i * p + k];
            }
        }
        double[] gz = gradZ;
        for (int t = steps - 1; t >= 0; t--) {
            double[] zt = z[t], prev = h[t];
            for (int i = 0; i < width * p; i++) gz[i] = gradH[i] * phi.derivative(zt[i]);
            boolean input = recurrence.inputAt(t);
            for (int i = 0; i < width; i++) {
                int row = i * p;
                double sb = 0;
                for (int k = 0; k < p; k++) sb += gz[row + k];
                grad[gb + i] += sb;
                if (input) {
                    for (int c = 0; c < inputDim; c++) {
                        double s = 0;
                        for (int k = 0; k < p; k++) s += gz[row + k] * x[c * p + k];
                        grad[gu + i * inputDim + c] += s;
                    }
                }
                if (t > 0) {
                    for (int c = 0; c < width; c++) {
                        double s = 0;
                        for (int k = 0; k < p; k++) s += gz[row + k] * prev[c * p + k];
                        grad[gw + i * width + c] += s;
                    }
                }
            }
            if (t > 0) {
                Arrays.fill(gradH, 0.0);
                for (int i = 0; i < width; i++) {
                    for (int c = 0; c < width; c++) {
                        double wic = params[w + i * width + c];
                        for (int k = 0; k < p; k++) gradH[c * p + k] += wic * gz[i * p + k];
                    }
                }
            }
        }
        for (int l = 0; l < 3; l++) {
            double lam2 = 2.0 * lambdas[lambdaOff + l];
            int start = layout.weight(l);
            for (int i = 0; i < layout.augmentedSize(l); i++) grad[gOff + start + i] += lam2 * params[off + start + i];
        }
        return loss;
    }

    /** Copy of the hidden state h_t (width × P) after {@link #forward}, t = 1…T. */
    public double[] hidden(int t) {
        if (t < 1 || t > steps) throw new IllegalArgumentException("time step " + t + " out of range [1, " + steps + "]");
        return h[t].clone();
    }
}
