package org.repgeom.train;

/**
 * One member's optimiser: its moment buffers and the update rule of {@link OptimizerSettings}.
 * Plain loops over the member's parameter slice; the native and CUDA kernels implement the same
 * update with the same names.
 */
public final class OptimizerState {
    private final OptimizerSettings settings;
    private final int size;
    private final double[] first;  // momentum velocity or Adam's m
    private final double[] second; // Adam's v
    private double beta1Power = 1.0;
    private double beta2Power = 1.0;

    public OptimizerState(OptimizerSettings settings, int size) {
        this.settings = settings;
        this.size = size;
        this.first = settings.kind() == OptimizerKind.GD ? null : new double[size];
        this.second = settings.kind() == OptimizerKind.ADAM ? new double[size] : null;
    }

    /**
     * Sets the moments and β powers from member e's slice of a {@link TrainState}
     * ({@code offset = e·size}).
     */
    public void load(TrainState t, int e) {
        int off = e * size;
        if (first != null) System.arraycopy(t.moment1(), off, first, 0, size);
        if (second != null) System.arraycopy(t.moment2(), off, second, 0, size);
        beta1Power = t.beta1Power()[e];
        beta2Power = t.beta2Power()[e];
    }

    /** Writes the moments and β powers into member e's slice of a {@link TrainState}. */
    public void save(TrainState t, int e) {
        int off = e * size;
        if (first != null) System.arraycopy(first, 0, t.moment1(), off, size);
        if (second != null) System.arraycopy(second, 0, t.moment2(), off, size);
        t.beta1Power()[e] = beta1Power;
        t.beta2Power()[e] = beta2Power;
    }

    /** Applies one update with learning rate {@code lr} to {@code params[off … off+size)} given {@code grad[gOff …]}. */
    public void update(double[] params, int off, double[] grad, int gOff, double lr) {
        switch (settings.kind()) {
            case GD -> {
                for (int i = 0; i < size; i++) params[off + i] -= lr * grad[gOff + i];
            }
            case MOMENTUM -> {
                double mu = settings.momentum();
                for (int i = 0; i < size; i++) {
                    first[i] = mu * first[i] - lr * grad[gOff + i];
                    params[off + i] += first[i];
                }
            }
            case ADAM -> {
                double b1 = settings.beta1(), b2 = settings.beta2(), eps = settings.eps();
                beta1Power *= b1;
                beta2Power *= b2;
                double c1 = 1.0 / (1.0 - beta1Power), c2 = 1.0 / (1.0 - beta2Power);
                for (int i = 0; i < size; i++) {
                    double g = grad[gOff + i];
                    first[i] = b1 * first[i] + (1 - b1) * g;
                    second[i] = b2 * second[i] + (1 - b2) * g * g;
                    params[off + i] -= lr * (first[i] * c1) / (Math.sqrt(second[i] * c2) + eps);
                }
            }
            default -> throw new AssertionError(settings.kind());
        }
    }
}
