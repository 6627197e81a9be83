package org.repgeom.analysis;


/**
 * The parallelism score of {@link ParallelismScore#of} computed from the kernel {@code K = RᵀR}
 * alone, for when only kernels were kept (kernel trajectories recorded during training).
 *
 * <p>Every coding vector {@code d = proto(a) − proto(b)} is a combination {@code R·c} of the samples
 * with weights {@code c = 1_a/|a| − 1_b/|b|}, so {@code ⟨d, d'⟩ = cᵀKc'} and every cosine of the
 * paper's definition follows from K. The conventions are those of {@link ParallelismScore}: a coding
 * vector of zero norm has cosine 0, and the score is NaN unless the classes (distinct columns of Y)
 * are all 2^dY sign patterns, dY ≥ 2. Labels are read by their sign, so a task whose label k takes
 * the values ±s_k (anisotropic labels) has the PS of its ±1 pattern; on ±1 labels this is exactly
 * {@link ParallelismScore#of}.
 */
public final class KernelParallelism {
    private KernelParallelism() {
    }

    /**
     * PS of kernel K (P×P row-major, symmetric) for labels Y (dY×P row-major); on ±1 labels the same
     * value as {@link ParallelismScore#of} on any R with {@code RᵀR = K}.
     */
    public static ParallelismScore of(double[] k, double[] y, int dY, int p) {
        Matrices.checkShape("K", k, p, p);
        ClassPartition classes = ClassPartition.ofColumns(y, dY, p);
        int[] codeOfClass = classes.hypercubeCodes(dY);
        if (codeOfClass == null || dY == 1) return ParallelismScore.undefined(dY);
        double[] perLabel = new double[dY];
        int classCount = classes.classCount();
        int[] counts = classes.counts();
        int[] classOfCode = new int[classCount];
        for (int c = 0; c < classCount; c++) classOfCode[codeOfClass[c]] = c;
        // G[a][b] = ⟨proto(a), proto(b)⟩ = mean over samples of a and of b of K
        double[][] g = new double[classCount][classCount];
        int[] classOf = classes.classOf();
        for (int s = 0; s < p; s++) {
            for (int t = 0; t < p; t++) g[classOf[s]][classOf[t]] += k[s * p + t];
        }
        for (int a = 0; a < classCount; a++) {
            for (int b = 0; b < classCount; b++) g[a][b] /= (double) counts[a] * counts[b];
        }
        double sum = 0;
        for (int label = 0; label < dY; label++) {
            int bit = 1 << label;
            int half = 1 << (dY - 1);
            int[] plus = new int[half], minus = new int[half];
            int n = 0;
            for (int code = 0; code < (1 << dY); code++) {
                if ((code & bit) == 0) {
                    plus[n] = classOfCode[code | bit];
                    minus[n++] = classOfCode[code];
                }
            }
            double total = 0;
            for (int i = 0; i < half; i++) {
                for (int j = i + 1; j < half; j++) total += cosine(g, plus[i], minus[i], plus[j], minus[j]);
            }
            perLabel[label] = total / (half * (half - 1) / 2.0);
            sum += perLabel[label];
        }
        return new ParallelismScore(perLabel, sum / dY);
    }

    /** Cosine of {@code proto(a)−proto(b)} and {@code proto(c)−proto(d)} from the prototype Gram matrix; 0 for a zero vector. */
    private static double cosine(double[][] g, int a, int b, int c, int d) {
        double uv = g[a][c] - g[a][d] - g[b][c] + g[b][d];
        double uu = g[a][a] - 2 * g[a][b] + g[b][b];
        double vv = g[c][c] - 2 * g[c][d] + g[d][d];
        // round-off can leave a tiny negative norm² for a vanishing coding vector
        return uu <= 0 || vv <= 0 ? 0.0 : Math.max(-1.0, Math.min(1.0, uv / Math.sqrt(uu * vv)));
    }
}
