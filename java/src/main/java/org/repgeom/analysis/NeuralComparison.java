package org.repgeom.analysis;

/**
 * Compares a model representation with a recorded one on the same S conditions, and measures the
 * geometry of either with the same yardsticks, so a recording and an ensemble's members can be put
 * side by side.
 *
 * <p><b>Similarity</b> ({@link #similarity}), from the two S×S kernels {@code K = RᵀR}:
 * <ul>
 *   <li>{@code cka}: linear CKA ({@link Cka#linearFromKernels}), in [0, 1]; invariant to rotations and
 *       isotropic scaling of either side and to each unit's offset;</li>
 *   <li>{@code rsa}: Spearman correlation of the Euclidean RDMs ({@link Rsa}), in [−1, 1]; invariant
 *       to rotations, scaling, offsets and any monotone change of the distances;</li>
 *   <li>{@code kernelDistance}: the scale-free distance
 *       {@code min_{c ≥ 0} ‖K_data − c·K_model‖_F / ‖K_data‖_F} ({@link KernelDistance#scaleFree}), in
 *       [0, 1], 0 = same kernel up to scale. Unlike the two above it sees the mean response (the
 *       uncentred kernel), unless the caller centres both representations first.</li>
 * </ul>
 *
 * <p><b>Geometry</b> ({@link #geometry}): the labels Y are those of the covered samples. PS and
 * CCGP ({@link ParallelismScore}, {@link Ccgp}) need a full ±1 hypercube of classes among them (NaN
 * otherwise); {@code participationRatio} is that of K ({@link Dimensionality}); {@code ckaY} is
 * linear CKA with {@code K_Y = YᵀY} (how label-like the geometry is).
 */
public final class NeuralComparison {
    private NeuralComparison() {
    }

    /** How similar a model kernel is to the data kernel. */
    public record Similarity(double cka, double rsa, double kernelDistance) {
    }

    /** The geometry metrics of one representation. */
    public record Geometry(double ps, double[] psPerLabel, double ccgp, double[] ccgpPerLabel,
                           double participationRatio, double ckaY) {
    }

    /** Similarity of a model kernel to a data kernel, both S×S over the same conditions. */
    public static Similarity similarity(double[] dataKernel, double[] modelKernel, int s) {
        return new Similarity(Cka.linearFromKernels(dataKernel, modelKernel, s), Rsa.fromKernels(dataKernel, modelKernel, s),
                KernelDistance.scaleFree(dataKernel, modelKernel));
    }

    /**
     * Geometry of representation R (M×S row-major, kernel {@code k = RᵀR}) for labels Y (dY×S).
     */
    public static Geometry geometry(double[] r, int m, double[] k, double[] y, int dY, int s) {
        ParallelismScore ps = ParallelismScore.of(r, m, y, dY, s);
        Ccgp ccgp = Ccgp.of(r, m, y, dY, s);
        double[] kY = RepresentationKernel.of(y, dY, s);
        return new Geometry(ps.mean(), ps.perLabel(), ccgp.mean(), ccgp.perLabel(),
                Dimensionality.participationRatio(k, s), Cka.linearFromKernels(k, kY, s));
    }

    /** The columns {@code samples} of R (M×P row-major): M × samples.length. */
    public static double[] columns(double[] r, int m, int p, int[] samples) {
        Matrices.checkShape("R", r, m, p);
        int s = samples.length;
        double[] out = new double[m * s];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < s; j++) out[i * s + j] = r[i * p + samples[j]];
        }
        return out;
    }

    /** R (M×S) with each unit's mean over the S conditions removed (a new array). */
    public static double[] centred(double[] r, int m, int s) {
        return Cka.centredRows(r, m, s).data;
    }

    /** The labels of the given samples: dY × samples.length. */
    public static double[] labels(double[] y, int dY, int p, int[] samples) {
        return columns(y, dY, p, samples);
    }
}
