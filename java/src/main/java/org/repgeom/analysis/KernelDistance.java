package org.repgeom.analysis;

/**
 * Distances between two kernels of the same shape (flat arrays, any layout, compared entrywise),
 * all in the Frobenius norm {@code ‖A‖_F = sqrt(Σ A_ij²)} and inner product
 * {@code ⟨A,B⟩_F = Σ A_ij B_ij}.
 */
public final class KernelDistance {
    private KernelDistance() {
    }

    /**
     * Relative error {@code ‖K − K*‖_F / ‖K*‖_F}.
     *
     * <p>If {@code ‖K*‖_F = 0} (e.g. the trivial minimum K* = 0 beyond the λ threshold) a relative
     * error is undefined; the absolute error {@code ‖K‖_F} is returned instead, so that "0 means a
     * perfect match" still holds.
     */
    public static double relative(double[] k, double[] kStar) {
        double ref = Matrices.frobeniusNorm(kStar);
        double diff = difference(k, kStar, 1.0);
        return ref == 0 ? diff : diff / ref;
    }

    /**
     * Scale-free shape mismatch {@code min_{c ≥ 0} ‖K − c·T‖_F / ‖K‖_F}. The minimiser is
     * {@code c = max(0, ⟨K,T⟩_F / ‖T‖_F²)}, so the value equals {@code sqrt(1 − alignment²)} when
     * the alignment is positive and 1 otherwise. Useful where the theory fixes the kernel's shape
     * but not its coefficient (activations without a closed-form c).
     *
     * <p>Edge cases: {@code K = 0} returns 0 (c = 0 matches it exactly); {@code T = 0} returns 1.
     */
    public static double scaleFree(double[] k, double[] target) {
        double kNorm = Matrices.frobeniusNorm(k);
        if (kNorm == 0) {
            return 0.0;
        }
        return difference(k, target, bestScale(k, target)) / kNorm;
    }

    /**
     * The coefficient {@code c = max(0, ⟨K,T⟩_F / ‖T‖_F²)} that minimises {@code ‖K − c·T‖_F}
     * (0 when T = 0).
     */
    public static double bestScale(double[] k, double[] target) {
        double tt = Matrices.frobeniusInner(target, target);
        return tt == 0 ? 0.0 : Math.max(0.0, Matrices.frobeniusInner(k, target) / tt);
    }

    /**
     * Kernel alignment (cosine similarity of kernels) {@code ⟨K,T⟩_F / (‖K‖_F ‖T‖_F)}, in [−1, 1].
     * Returns NaN when either kernel is zero (the angle is undefined).
     */
    public static double alignment(double[] k, double[] target) {
        double denom = Matrices.frobeniusNorm(k) * Matrices.frobeniusNorm(target);
        return denom == 0 ? Double.NaN : Matrices.frobeniusInner(k, target) / denom;
    }

    /** {@code ‖A − c·B‖_F}. */
    private static double difference(double[] a, double[] b, double c) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("shape mismatch: " + a.length + " vs " + b.length + " entries");
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - c * b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
