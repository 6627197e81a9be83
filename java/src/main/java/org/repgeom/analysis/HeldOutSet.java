package org.repgeom.analysis;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.repgeom.task.Task;

/**
 * The held-out samples of a study beside its training samples, and the measures of generalisation
 * a model is given on them ({@link HoldoutMetrics}).
 *
 * <p><b>Label threshold.</b> Label k's threshold {@code m_k} is the midpoint of its smallest and largest
 * training target (0 for ±1 labels, ½ for one-hot labels); a sample is on side A of label k when its
 * target exceeds {@code m_k}. A label whose training targets are all equal has no threshold (its
 * accuracy and CCGP are NaN).
 *
 * <p><b>Sign accuracy</b> of label k: over the held-out samples whose target is not at {@code m_k}, the
 * fraction with {@code F_k − m_k} of the same sign as {@code y_k − m_k}; an output exactly at the
 * threshold counts ½.
 *
 * <p><b>CCGP on held-out conditions.</b> A condition is a class (distinct target column). The held-out
 * conditions are those with no training sample (the classes {@code task.holdout.classes} removed). For
 * label k the decoder of {@link Ccgp#splitAccuracy} (ridge least squares with bias) is trained on the
 * hidden representations of all training samples with the targets ±1 by side, and tested on the hidden
 * representations of the held-out conditions' samples: the network never saw these inputs, so this
 * asks whether the coding direction of label k learned on the training conditions carries over to new
 * combinations of the labels — what an abstract (factorised) representation allows. Undefined (NaN)
 * without held-out conditions (held-out samples of training classes only) or when the training
 * conditions lack one side of the label.
 */
public final class HeldOutSet {
    private final Task train;
    private final Task test;
    private final double[] threshold;
    private final int[] unseen;      // held-out samples whose condition has no training sample
    private final int[] classOf;     // over training samples then unseen held-out samples
    private final boolean[] trainClass;
    private final double[][] classLabels;

    public HeldOutSet(Task train, Task test) {
        if (train.inputDim() != test.inputDim() || train.outputDim() != test.outputDim()) {
            throw new IllegalArgumentException("held-out set " + test + " does not fit the training set " + train);
        }
        this.train = train;
        this.test = test;
        int dY = train.outputDim(), p = train.samples(), q = test.samples();
        threshold = new double[dY];
        for (int k = 0; k < dY; k++) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < p; s++) {
                lo = Math.min(lo, train.y(k, s));
                hi = Math.max(hi, train.y(k, s));
            }
            threshold[k] = lo < hi ? (lo + hi) / 2 : Double.NaN;
        }
        Set<List<Double>> seen = new HashSet<>();
        for (int s = 0; s < p; s++) seen.add(column(train, s));
        unseen = java.util.stream.IntStream.range(0, q).filter(s -> !seen.contains(column(test, s))).toArray();
        double[] y = new double[dY * (p + unseen.length)];
        int n = p + unseen.length;
        for (int k = 0; k < dY; k++) {
            for (int s = 0; s < p; s++) y[k * n + s] = train.y(k, s);
            for (int u = 0; u < unseen.length; u++) y[k * n + p + u] = test.y(k, unseen[u]);
        }
        ClassPartition classes = ClassPartition.ofColumns(y, dY, n);
        classOf = classes.classOf();
        classLabels = classes.labels();
        trainClass = new boolean[classes.classCount()];
        for (int s = 0; s < p; s++) trainClass[classOf[s]] = true;
    }

    private static List<Double> column(Task t, int s) {
        Double[] c = new Double[t.outputDim()];
        for (int k = 0; k < c.length; k++) c[k] = t.y(k, s) + 0.0;
        return Arrays.asList(c);
    }

    public Task train() {
        return train;
    }

    public Task test() {
        return test;
    }

    /** Held-out samples (indices into the test set) whose condition never occurs in training. */
    public int[] unseenConditionSamples() {
        return unseen.clone();
    }

    /** Label k's threshold m_k (class comment); NaN when label k is constant on the training set. */
    public double threshold(int k) {
        return threshold[k];
    }

    /**
     * The metrics of one model.
     *
     * @param fTest  outputs on the held-out samples, dY × Q row-major
     * @param rTrain last hidden layer on the training samples, M × P row-major
     * @param rTest  last hidden layer on the held-out samples, M × Q row-major
     * @param m      M, the width of that layer
     */
    public HoldoutMetrics evaluate(double[] fTest, double[] rTrain, double[] rTest, int m) {
        int dY = train.outputDim(), p = train.samples(), q = test.samples();
        Matrices.checkShape("F_test", fTest, dY, q);
        double loss = 0;
        for (int i = 0; i < fTest.length; i++) {
            double e = fTest[i] - test.yData()[i];
            loss += e * e;
        }
        double[] accuracy = new double[dY];
        for (int k = 0; k < dY; k++) accuracy[k] = signAccuracy(fTest, k);
        double[] ccgp = labelCcgp(rTrain, rTest, m);
        return new HoldoutMetrics(loss, HoldoutMetrics.meanOfFinite(accuracy), accuracy,
                HoldoutMetrics.meanOfFinite(ccgp), ccgp);
    }

    private double signAccuracy(double[] fTest, int k) {
        double mk = threshold[k];
        if (Double.isNaN(mk)) return Double.NaN;
        int q = test.samples();
        double correct = 0;
        int n = 0;
        for (int s = 0; s < q; s++) {
            double t = test.y(k, s) - mk, f = fTest[k * q + s] - mk;
            if (t == 0) continue;
            n++;
            if (f == 0) correct += 0.5;
            else if ((f > 0) == (t > 0)) correct += 1;
        }
        return n == 0 ? Double.NaN : correct / n;
    }

    /** CCGP per label on the held-out conditions (class comment). */
    double[] labelCcgp(double[] rTrain, double[] rTest, int m) {
        int dY = train.outputDim(), p = train.samples(), q = test.samples(), u = unseen.length;
        double[] out = new double[dY];
        Arrays.fill(out, Double.NaN);
        if (u == 0) return out;
        Matrices.checkShape("R_train", rTrain, m, p);
        Matrices.checkShape("R_test", rTest, m, q);
        int n = p + u;
        double[] r = new double[m * n];
        for (int i = 0; i < m; i++) {
            System.arraycopy(rTrain, i * p, r, i * n, p);
            for (int a = 0; a < u; a++) r[i * n + p + a] = rTest[i * q + unseen[a]];
        }
        for (int k = 0; k < dY; k++) {
            if (Double.isNaN(threshold[k])) continue;
            boolean[] sideA = new boolean[classLabels.length];
            for (int c = 0; c < sideA.length; c++) sideA[c] = classLabels[c][k] > threshold[k];
            try {
                out[k] = Ccgp.splitAccuracy(r, m, classOf, classLabels.length, sideA, trainClass);
            } catch (IllegalArgumentException e) {
                out[k] = Double.NaN; // one side of the label is missing from the training conditions
            }
        }
        return out;
    }
}
