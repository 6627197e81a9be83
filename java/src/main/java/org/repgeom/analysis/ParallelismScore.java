package org.repgeom.analysis;

import java.util.Arrays;
import org.repgeom.task.Task;

/**
 * Parallelism score (PS) of a representation: how parallel the coding directions of each binary
 * label are across the settings of the other labels (docs/science.md §4.2).
 *
 * <p>Paper definition ({@link #of}): classes are the distinct columns of Y and their prototypes
 * are the mean hidden vectors {@code proto(c) = mean_{p in c} R[:,p]}. For a ±1 label k and each
 * setting s of the other dY−1 labels, the coding vector is
 * {@code d_s = proto(y_k = +1, others = s) − proto(y_k = −1, others = s)}. Then
 * {@code PS_k = mean_{s < s'} cos(d_s, d_s')} over all distinct unordered pairs, and
 * {@code PS = mean_k PS_k}.
 *
 * <p>Conventions: a coding vector of zero norm has cosine 0 with everything (it codes nothing).
 * Labels are read by their signs, so ±s_k labels give the score of ±1 labels. NaN is returned,
 * instead of an exception, when the score is undefined: Y has a zero, some of the 2^dY sign
 * patterns is missing, or dY = 1 (a single coding vector has no pairs). A NaN label makes
 * {@link #mean()} NaN.
 *
 * @param perLabel PS_k for k = 0..dY−1
 * @param mean     PS, the mean of {@code perLabel}
 */
public record ParallelismScore(double[] perLabel, double mean) {

    /** Largest side handled by the exact enumeration of {@link #maxOverPairings} (8! pairings). */
    public static final int MAX_PAIRING_SIDE = 8;

    /** PS of representation R (M×P) for the task's labels. */
    public static ParallelismScore of(double[] r, int m, Task task) {
        return of(r, m, task.yData(), task.outputDim(), task.samples());
    }

    /**
     * Paper PS of R (M×P row-major) for labels Y (dY×P row-major); see the class comment.
     */
    public static ParallelismScore of(double[] r, int m, double[] y, int dY, int p) {
        Matrices.checkShape("R", r, m, p);
        ClassPartition classes = ClassPartition.ofColumns(y, dY, p);
        int[] codeOfClass = classes.hypercubeCodes(dY);
        if (codeOfClass == null || dY == 1) return undefined(dY);
        double[] perLabel = new double[dY];
        double[][] protoByClass = ClassPartition.prototypes(r, m, classes.classOf(), classes.classCount());
        double[][] protoByCode = new double[1 << dY][];
        for (int c = 0; c < codeOfClass.length; c++) {
            protoByCode[codeOfClass[c]] = protoByClass[c];
        }
        double sum = 0;
        for (int k = 0; k < dY; k++) {
            int bit = 1 << k;
            double[][] coding = new double[1 << (dY - 1)][];
            int n = 0;
            for (int code = 0; code < (1 << dY); code++) {
                if ((code & bit) == 0) {
                    coding[n++] = subtract(protoByCode[code | bit], protoByCode[code]);
                }
            }
            perLabel[k] = meanPairwiseCosine(coding);
            sum += perLabel[k];
        }
        return new ParallelismScore(perLabel, sum / dY);
    }

    /** The score where it is not defined: a single label, or labels that are not a hypercube code. */
    static ParallelismScore undefined(int dY) {
        double[] perLabel = new double[dY];
        Arrays.fill(perLabel, Double.NaN);
        return new ParallelismScore(perLabel, Double.NaN);
    }

    /**
     * Max-over-pairings PS of Bernardi et al. (2020) for an arbitrary balanced dichotomy of the
     * classes into sides A ({@code dichotomy[c] == true}) and B. Over all one-to-one pairings
     * π: A → B, with difference vectors {@code d_a = proto(a) − proto(π(a))},
     * {@code PS = max_π mean_{a < a'} cos(d_a, d_a')}. Zero-norm difference vectors have cosine 0.
     *
     * <p>For a label dichotomy of a hypercube task the paper pairing (match the other labels) is one
     * of the π, so this is ≥ the paper's PS_k.
     *
     * @param r         M×P row-major representation
     * @param m         number of units M
     * @param classOf   class index in [0, classes) of each of the P samples
     * @param classes   number of classes
     * @param dichotomy side of each class, length {@code classes}
     * @return the score; NaN if some class has no samples or each side has a single class
     * @throws IllegalArgumentException if the sides differ in size or exceed
     *                                  {@value #MAX_PAIRING_SIDE} classes each (exact enumeration
     *                                  of pairings is factorial)
     */
    public static double maxOverPairings(double[] r, int m, int[] classOf, int classes, boolean[] dichotomy) {
        if (dichotomy.length != classes) {
            throw new IllegalArgumentException("dichotomy has " + dichotomy.length + " entries for " + classes + " classes");
        }
        int[] sideA = side(dichotomy, true);
        int[] sideB = side(dichotomy, false);
        if (sideA.length != sideB.length || sideA.length == 0) {
            throw new IllegalArgumentException("dichotomy is not balanced: " + sideA.length + " vs " + sideB.length + " classes");
        }
        int h = sideA.length;
        if (h > MAX_PAIRING_SIDE) {
            throw new IllegalArgumentException("exact pairing enumeration supports at most " + MAX_PAIRING_SIDE
                    + " classes per side, got " + h);
        }
        double[][] proto = ClassPartition.prototypes(r, m, classOf, classes);
        for (double[] v : proto) {
            if (Double.isNaN(v[0])) {
                return Double.NaN;
            }
        }
        if (h == 1) {
            return Double.NaN;
        }
        // cosine between difference vectors (a_i − b_j) and (a_k − b_l), indexed [i*h + j][k*h + l]
        double[][] diff = new double[h * h][];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < h; j++) {
                diff[i * h + j] = subtract(proto[sideA[i]], proto[sideB[j]]);
            }
        }
        double[][] cos = new double[h * h][h * h];
        for (int u = 0; u < h * h; u++) {
            for (int v = 0; v < h * h; v++) {
                cos[u][v] = cosine(diff[u], diff[v]);
            }
        }
        double best = bestPairing(cos, h, new int[h], new boolean[h], 0, 0.0, Double.NEGATIVE_INFINITY);
        return best / (h * (h - 1) / 2.0);
    }

    /**
     * Depth-first search over the pairings: position i of A gets an unused b, adding its cosines
     * with the pairs already placed. Returns the largest total over complete pairings.
     */
    private static double bestPairing(double[][] cos, int h, int[] pairedWith, boolean[] used, int i,
                                      double partial, double best) {
        if (i == h) {
            return Math.max(best, partial);
        }
        for (int b = 0; b < h; b++) {
            if (used[b]) {
                continue;
            }
            double add = 0;
            for (int a = 0; a < i; a++) {
                add += cos[i * h + b][a * h + pairedWith[a]];
            }
            used[b] = true;
            pairedWith[i] = b;
            best = bestPairing(cos, h, pairedWith, used, i + 1, partial + add, best);
            used[b] = false;
        }
        return best;
    }

    private static int[] side(boolean[] dichotomy, boolean which) {
        int n = 0;
        for (boolean d : dichotomy) {
            if (d == which) {
                n++;
            }
        }
        int[] out = new int[n];
        n = 0;
        for (int c = 0; c < dichotomy.length; c++) {
            if (dichotomy[c] == which) {
                out[n++] = c;
            }
        }
        return out;
    }

    /** {@code mean_{i<j} cos(v_i, v_j)}; NaN with fewer than two vectors. */
    static double meanPairwiseCosine(double[][] vectors) {
        int n = vectors.length;
        if (n < 2) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                sum += cosine(vectors[i], vectors[j]);
            }
        }
        return sum / (n * (n - 1) / 2.0);
    }

    /** {@code ⟨u,v⟩/(‖u‖‖v‖)}, 0 if either vector is zero. */
    static double cosine(double[] u, double[] v) {
        double uv = 0, uu = 0, vv = 0;
        for (int i = 0; i < u.length; i++) {
            uv += u[i] * v[i];
            uu += u[i] * u[i];
            vv += v[i] * v[i];
        }
        return (uu == 0 || vv == 0) ? 0.0 : uv / Math.sqrt(uu * vv);
    }

    private static double[] subtract(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }
}
