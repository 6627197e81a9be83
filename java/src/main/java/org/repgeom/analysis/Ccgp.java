package org.repgeom.analysis;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Cross-condition generalisation performance (CCGP, Bernardi et al. 2020, "The geometry of
 * abstraction in the hippocampus and prefrontal cortex"): how well a linear decoder of one
 * dichotomy, trained on some conditions (classes), generalises to conditions it never saw.
 *
 * <p><b>Classifier</b> (fixed, no tuning): ridge least-squares linear readout with bias. On the
 * training samples h_s (columns of R) with targets t_s = +1 (side A) / −1 (side B), with
 * {@code h̄}, {@code t̄} the training means and {@code H_c} the centred training samples (M×N),
 * <pre>  w = (H_c H_cᵀ + λI)⁻¹ H_c (t − t̄),   b = t̄ − wᵀh̄,   λ = {@value #RIDGE}·tr(H_c H_cᵀ)/M,</pre>
 * solved in the dual ({@code w = H_c(H_cᵀH_c + λI)⁻¹(t − t̄)}, the same vector) when N &lt; M.
 * The ridge is relative (scale-free): 1% of the mean eigenvalue of the training scatter. It is not
 * "tiny" on purpose: with about as many training samples as units, a near-ridgeless fit
 * interpolates the within-class noise and its weight along the held-out label's direction is then
 * arbitrary (the double-descent peak), which made an exactly factorised representation with 5 %
 * noise score 0.81 at a relative ridge of 1e-8 and 0.96 at 1e-3. Directions carrying less than ~1 %
 * of the average variance are thus damped. Why not the linear SVM of Bernardi et al.: least squares is
 * closed-form and deterministic (no solver tolerance or C to pick) and is the same kind of linear
 * readout the networks here are trained with; on a factorised representation both give CCGP = 1.
 * A test sample is correct when {@code sign(wᵀh + b)} is its side; a score of exactly 0 counts ½.
 *
 * <p><b>Split rule</b> for the hypercube labels ({@link #of}): for label k, every other label j
 * and each of its values v ∈ {−1, +1}, train on all samples of the classes with {@code y_j = −v}
 * and test on all samples of the classes with {@code y_j = v} (half of the conditions held out,
 * both sides of label k present in training and test). {@code CCGP_k} is the mean test accuracy
 * over the 2(dY−1) splits and CCGP the mean over k. Deterministic; NaN when dY = 1, when a label
 * value is not ±1, or when some of the 2^dY classes is missing. (Bernardi et al. instead average
 * over held-out sets of one condition per side for arbitrary dichotomies; {@link #splitAccuracy}
 * is the primitive for any such rule.)
 *
 * @param perLabel CCGP_k for k = 0..dY−1
 * @param mean     CCGP, the mean of {@code perLabel}
 */
public record Ccgp(double[] perLabel, double mean) {

    /** Relative ridge of the least-squares classifier. */
    public static final double RIDGE = 1e-2;

    /** CCGP of R (M×P row-major) for the ±1 hypercube labels Y (dY×P row-major), split rule above. */
    public static Ccgp of(double[] r, int m, double[] y, int dY, int p) {
        Matrices.checkShape("R", r, m, p);
        ClassPartition classes = ClassPartition.ofColumns(y, dY, p);
        double[] perLabel = new double[dY];
        if (!isFullHypercube(classes, dY) || dY == 1) {
            Arrays.fill(perLabel, Double.NaN);
            return new Ccgp(perLabel, Double.NaN);
        }
        int cc = classes.classCount();
        double sum = 0;
        for (int k = 0; k < dY; k++) {
            boolean[] dichotomy = classes.labelDichotomy(k);
            double acc = 0;
            int splits = 0;
            for (int j = 0; j < dY; j++) {
                if (j == k) {
                    continue;
                }
                for (double v : new double[]{-1.0, 1.0}) {
                    boolean[] train = new boolean[cc];
                    for (int c = 0; c < cc; c++) {
                        train[c] = classes.labels()[c][j] != v;
                    }
                    acc += splitAccuracy(r, m, classes.classOf(), cc, dichotomy, train);
                    splits++;
                }
            }
            perLabel[k] = acc / splits;
            sum += perLabel[k];
        }
        return new Ccgp(perLabel, sum / dY);
    }

    private static boolean isFullHypercube(ClassPartition classes, int dY) {
        if (dY >= 31 || classes.classCount() != (1 << dY)) {
            return false;
        }
        for (double[] label : classes.labels()) {
            for (double v : label) {
                if (v != 1.0 && v != -1.0) {
                    return false;
                }
            }
        }
        return true; // 2^dY distinct ±1 columns: every class present
    }

    /**
     * Trains the classifier (class comment) for the dichotomy on the samples of the classes with
     * {@code train[c]} and returns its accuracy on the samples of the other classes.
     *
     * @param r         M×P row-major representation
     * @param classOf   class of each of the P samples
     * @param classes   number of classes
     * @param dichotomy side A ({@code true}) or B of each class
     * @param train     whether each class is used for training (otherwise for testing)
     * @throws IllegalArgumentException if training or test set is empty or training lacks a side
     */
    public static double splitAccuracy(double[] r, int m, int[] classOf, int classes, boolean[] dichotomy,
                                       boolean[] train) {
        int p = classOf.length;
        Matrices.checkShape("R", r, m, p);
        if (dichotomy.length != classes || train.length != classes) {
            throw new IllegalArgumentException("dichotomy and train need one entry per class (" + classes + ")");
        }
        int nTrain = 0, nTest = 0;
        boolean hasA = false, hasB = false;
        for (int s = 0; s < p; s++) {
            if (train[classOf[s]]) {
                nTrain++;
                hasA |= dichotomy[classOf[s]];
                hasB |= !dichotomy[classOf[s]];
            } else {
                nTest++;
            }
        }
        if (nTest == 0 || !hasA || !hasB) {
            throw new IllegalArgumentException("split needs test samples and both sides in training");
        }
        int[] idx = new int[nTrain];
        int n = 0;
        for (int s = 0; s < p; s++) {
            if (train[classOf[s]]) {
                idx[n++] = s;
            }
        }
        double[] mean = new double[m];
        double tMean = 0;
        for (int s : idx) {
            tMean += dichotomy[classOf[s]] ? 1 : -1;
        }
        tMean /= nTrain;
        double[] hc = new double[m * nTrain]; // centred training samples, M×N
        for (int i = 0; i < m; i++) {
            double mu = 0;
            for (int s : idx) {
                mu += r[i * p + s];
            }
            mu /= nTrain;
            mean[i] = mu;
            for (int a = 0; a < nTrain; a++) {
                hc[i * nTrain + a] = r[i * p + idx[a]] - mu;
            }
        }
        double[] tc = new double[nTrain];
        for (int a = 0; a < nTrain; a++) {
            tc[a] = (dichotomy[classOf[idx[a]]] ? 1 : -1) - tMean;
        }
        double[] w = ridge(hc, m, nTrain, tc);
        double b = tMean;
        for (int i = 0; i < m; i++) {
            b -= w[i] * mean[i];
        }
        double correct = 0;
        for (int s = 0; s < p; s++) {
            if (train[classOf[s]]) {
                continue;
            }
            double score = b;
            for (int i = 0; i < m; i++) {
                score += w[i] * r[i * p + s];
            }
            if (score == 0) {
                correct += 0.5;
            } else if ((score > 0) == dichotomy[classOf[s]]) {
                correct += 1;
            }
        }
        return correct / nTest;
    }

    /** Ridge weights for centred data H_c (M×N) and centred targets; zero if H_c is zero. */
    private static double[] ridge(double[] hc, int m, int n, double[] tc) {
        DMatrixRMaj h = DMatrixRMaj.wrap(m, n, hc);
        double trace = Matrices.frobeniusInner(hc, hc);
        if (trace == 0) {
            return new double[m];
        }
        double lambda = RIDGE * trace / m;
        boolean primal = m <= n;
        int d = primal ? m : n;
        DMatrixRMaj gram = new DMatrixRMaj(d, d);
        if (primal) {
            CommonOps_DDRM.multTransB(h, h, gram);
        } else {
            CommonOps_DDRM.multTransA(h, h, gram);
        }
        for (int i = 0; i < d; i++) {
            gram.add(i, i, lambda);
        }
        DMatrixRMaj rhs;
        DMatrixRMaj t = DMatrixRMaj.wrap(n, 1, tc);
        if (primal) {
            rhs = new DMatrixRMaj(m, 1);
            CommonOps_DDRM.mult(h, t, rhs);
        } else {
            rhs = t.copy();
        }
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(d);
        if (!solver.setA(gram)) {
            throw new IllegalStateException("ridge system is not positive definite");
        }
        DMatrixRMaj x = new DMatrixRMaj(d, 1);
        solver.solve(rhs, x);
        if (primal) {
            return x.data;
        }
        DMatrixRMaj w = new DMatrixRMaj(m, 1);
        CommonOps_DDRM.mult(h, x, w);
        return w.data;
    }
}
