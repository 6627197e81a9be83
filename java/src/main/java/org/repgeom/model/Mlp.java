package org.repgeom.model;

import org.repgeom.task.Task;

/**
 * The reference forward and backward pass of one member, in double precision, written as plain
 * loops so that it is obviously right: every fast backend is tested against it.
 *
 * <p>With A_0 = X (dX × P): {@code Z_l = W_l A_l + b_l 1ᵀ}, {@code A_{l+1} = φ(Z_l)} for the hidden
 * layers l = 0…L−1, and {@code F = W_L A_L}. The loss is that of docs/science.md §3.1, no 1/2 and no 1/P:
 * {@code L = ‖Y − F‖_F² + Σ_l λ_l ‖W̃_l‖_F²} with W̃_l = [W_l, b_l]. Inner loops run over the
 * contiguous sample axis. One instance holds the scratch arrays for one architecture and one task,
 * so it is cheap to call many times but not shared between threads.
 */
public final class Mlp extends ReferenceNetwork {
    /** z[l]: pre-activations of hidden layer l (fanOut × P). */
    private final double[][] z;
    /** a[l]: input to layer l (a[0] = X, a[l+1] = φ(z[l])); a[L] feeds the readout. */
    private final double[][] a;
    /** Scratch gradients w.r.t. layer outputs, sized for the widest layer. */
    private final double[] gradA;
    private final double[] gradZ;

    public Mlp(ParamLayout layout, Task task) {
        super(layout, task);
        int hidden = arch.depth();
        z = new double[hidden][];
        a = new double[hidden + 1][];
        a[0] = x;
        int widest = arch.outputDim();
        for (int l = 0; l < hidden; l++) {
            z[l] = new double[arch.width(l) * samples];
            a[l + 1] = new double[arch.width(l) * samples];
            widest = Math.max(widest, arch.width(l));
        }
        gradA = new double[widest * samples];
        gradZ = new double[widest * samples];
    }

    /** Runs the forward pass of the member stored at {@code params[off …]}; fills z, a and out. */
    @Override
    public void forward(double[] params, int off) {
        for (int l = 0; l <= arch.depth(); l++) {
            double[] dst = l < arch.depth() ? z[l] : out;
            linear(params, off, l, a[l], dst);
            if (l < arch.depth()) {
                double[] act = a[l + 1];
                for (int i = 0; i < dst.length; i++) act[i] = phi.apply(dst[i]);
            }
        }
    }

    /** dst = W_l src + b_l 1ᵀ, src is fanIn × P, dst fanOut × P. */
    private void linear(double[] params, int off, int l, double[] src, double[] dst) {
        int fanIn = arch.fanIn(l), fanOut = arch.fanOut(l), p = samples;
        int w = off + layout.weight(l);
        int b = layout.bias(l) >= 0 ? off + layout.bias(l) : -1;
        for (int i = 0; i < fanOut; i++) {
            int row = i * p;
            double bias = b >= 0 ? params[b + i] : 0.0;
            for (int s = 0; s < p; s++) dst[row + s] = bias;
            for (int c = 0; c < fanIn; c++) {
                double wic = params[w + i * fanIn + c];
                int srcRow = c * p;
                for (int s = 0; s < p; s++) dst[row + s] += wic * src[srcRow + s];
            }
        }
    }

    /**
     * Loss and its gradient for the member at {@code params[off …]}; the gradient is written to
     * {@code grad[gOff … gOff + stride)} in the same layout. Backward pass:
     * {@code G_F = 2(F − Y)}, {@code ∇W_L = G_F A_Lᵀ + 2λ_L W_L}, then for each hidden layer
     * {@code G_Z = G_A ⊙ φ'(Z)}, {@code ∇W_l = G_Z A_lᵀ + 2λ_l W_l}, {@code ∇b_l = G_Z 1 + 2λ_l b_l},
     * {@code G_A ← W_lᵀ G_Z} (skipped for l = 0: no input gradient is needed).
     */
    @Override
    public double lossAndGradient(double[] params, int off, double[] lambdas, int lambdaOff,
                                  double[] grad, int gOff) {
        forward(params, off);
        int p = samples;
        double loss = dataLoss() + penalty(params, off, lambdas, lambdaOff);
        int top = arch.depth();
        // G for the readout's output.
        double[] gOut = gradZ;
        for (int i = 0; i < out.length; i++) gOut[i] = 2.0 * (out[i] - y[i]);
        for (int l = top; l >= 0; l--) {
            int fanIn = arch.fanIn(l), fanOut = arch.fanOut(l);
            int w = off + layout.weight(l), gw = gOff + layout.weight(l);
            double lam2 = 2.0 * lambdas[lambdaOff + l];
            double[] gz = gradZ;
            if (l < top) {
                // G_Z = G_A ⊙ φ'(Z)
                double[] zl = z[l];
                for (int i = 0; i < fanOut * p; i++) gz[i] = gradA[i] * phi.derivative(zl[i]);
            }
            double[] in = a[l];
            for (int i = 0; i < fanOut; i++) {
                int row = i * p;
                for (int c = 0; c < fanIn; c++) {
                    int inRow = c * p;
                    double s = 0;
                    for (int t = 0; t < p; t++) s += gz[row + t] * in[inRow + t];
                    grad[gw + i * fanIn + c] = s + lam2 * params[w + i * fanIn + c];
                }
            }
            if (layout.bias(l) >= 0) {
                int b = off + layout.bias(l), gb = gOff + layout.bias(l);
                for (int i = 0; i < fanOut; i++) {
                    double s = 0;
                    for (int t = 0; t < p; t++) s += gz[i * p + t];
                    grad[gb + i] = s + lam2 * params[b + i];
                }
            }
            if (l > 0) {
                // G_A (fanIn × P) = W_lᵀ G_Z
                java.util.Arrays.fill(gradA, 0, fanIn * p, 0.0);
                for (int i = 0; i < fanOut; i++) {
                    int row = i * p;
                    for (int c = 0; c < fanIn; c++) {
                        double wic = params[w + i * fanIn + c];
                        int inRow = c * p;
                        for (int t = 0; t < p; t++) gradA[inRow + t] += wic * gz[row + t];
                    }
                }
            }
        }
        return loss;
    }

    /** Copy of the post-activation representation of hidden layer {@code l} (width × P) after {@link #forward}. */
    public double[] hidden(int l) {
        return a[l + 1].clone();
    }

    /** Copy of the pre-activations of hidden layer {@code l} after {@link #forward}. */
    public double[] preActivation(int l) {
        return z[l].clone();
    }
}
