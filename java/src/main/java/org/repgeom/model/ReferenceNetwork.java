package org.repgeom.model;

import org.repgeom.task.Task;

/**
 * What the double-precision reference networks ({@link Mlp}, {@link Rnn}) share: the member layout, the
 * task's data, the readout F of the last forward pass, and the loss built from them,
 * {@code L = ‖Y − F‖_F² + Σ_l λ_l ‖W̃_l‖_F²} over the weight groups of the layout (each group's bias
 * follows its weights). Arrays are unit-major with the sample axis contiguous.
 */
public abstract sealed class ReferenceNetwork implements Network permits Mlp, Rnn {
    protected final Architecture arch;
    protected final ParamLayout layout;
    protected final Activation phi;
    protected final int samples;
    protected final double[] x;
    protected final double[] y;
    /** F (dY × P) of the last forward pass. */
    protected final double[] out;

    protected ReferenceNetwork(ParamLayout layout, Task task) {
        this.arch = layout.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        this.layout = layout;
        this.phi = arch.activation();
        this.samples = task.samples();
        this.x = task.xData();
        this.y = task.yData();
        this.out = new double[arch.outputDim() * samples];
    }

    @Override
    public ParamLayout layout() {
        return layout;
    }

    /** Runs the forward pass of the member at {@code params[off …]}, leaving F in {@link #out}. */
    public abstract void forward(double[] params, int off);

    /** Squared error ‖Y − F‖² of the last forward pass. */
    protected double dataLoss() {
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            double e = out[i] - y[i];
            sum += e * e;
        }
        return sum;
    }

    /** Σ_l λ_l ‖W̃_l‖_F² over the weight groups ([U, b], W, W_out for a recurrent network). */
    public double penalty(double[] params, int off, double[] lambdas, int lambdaOff) {
        double total = 0;
        for (int l = 0; l < arch.layerCount(); l++) {
            int start = off + layout.weight(l);
            int n = layout.augmentedSize(l); // bias follows its weights directly
            double sq = 0;
            for (int i = 0; i < n; i++) sq += params[start + i] * params[start + i];
            total += lambdas[lambdaOff + l] * sq;
        }
        return total;
    }

    @Override
    public double loss(double[] params, int off, double[] lambdas, int lambdaOff) {
        forward(params, off);
        return dataLoss() + penalty(params, off, lambdas, lambdaOff);
    }

    /** Copy of the output F (dY × P) after {@link #forward}. */
    public double[] output() {
        return out.clone();
    }
}
