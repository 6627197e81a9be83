package org.repgeom.train;

/**
 * How every member of a group is optimised (the learning rate itself is per member).
 *
 * <p>Schedule: geometric decay, {@code lr_t = lr · finalLrRatio^(t / maxSteps)}, so the rate falls
 * smoothly from lr at step 0 to lr·finalLrRatio at the last step; ratio 1 keeps it constant.
 * Momentum (heavy ball): {@code v ← μ v − lr_t g; θ ← θ + v}. Adam (Kingma &amp; Ba) with bias
 * correction: {@code m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²;
 * θ ← θ − lr_t · m̂ / (sqrt(v̂) + ε)}.
 */
public record OptimizerSettings(OptimizerKind kind, double finalLrRatio, double momentum, double beta1,
                                double beta2, double eps) {

    public OptimizerSettings {
        if (kind == null) throw new IllegalArgumentException("optimizer kind is required");
        if (!(finalLrRatio > 0 && finalLrRatio <= 1)) {
            throw new IllegalArgumentException("final_lr_ratio must be in (0, 1], got " + finalLrRatio);
        }
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0,1), got " + momentum);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0,1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0,1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be positive, got " + eps);
    }

    public static OptimizerSettings gd() {
        return new OptimizerSettings(OptimizerKind.GD, 1.0, 0.9, 0.9, 0.999, 1e-8);
    }

    public static OptimizerSettings adam(double finalLrRatio) {
        return new OptimizerSettings(OptimizerKind.ADAM, finalLrRatio, 0.9, 0.9, 0.999, 1e-8);
    }

    public static OptimizerSettings momentum(double mu, double finalLrRatio) {
        return new OptimizerSettings(OptimizerKind.MOMENTUM, finalLrRatio, mu, 0.9, 0.999, 1e-8);
    }

    /** The learning rate at step t (0-based) of a run of {@code maxSteps} steps. */
    public double learningRate(double lr, int step, int maxSteps) {
        if (finalLrRatio == 1.0) return lr;
        return lr * Math.pow(finalLrRatio, (double) step / maxSteps);
    }
}
