package org.repgeom.analysis;

/**
 * How a model does on the held-out samples of a task ({@link HeldOutSet#evaluate}).
 *
 * @param testLoss      {@code ‖Y_test − F(X_test)‖_F²}: the data term of the training loss on the held-out
 *                      samples (no 1/Q, no weight decay)
 * @param accuracy      mean of {@code labelAccuracy} over the labels where it is defined
 * @param labelAccuracy per label k: fraction of held-out samples whose output lies on the same side of the
 *                      label's threshold as the target ({@link HeldOutSet}); NaN where undefined
 * @param ccgp          mean of {@code labelCcgp} over the labels where it is defined
 * @param labelCcgp     per label k: accuracy on the held-out conditions of a linear decoder of label k trained
 *                      on the training conditions' hidden representations ({@link HeldOutSet}); NaN where
 *                      undefined (no held-out condition, or one side of the label missing in training)
 */
public record HoldoutMetrics(double testLoss, double accuracy, double[] labelAccuracy, double ccgp, double[] labelCcgp) {

    /** No held-out samples: everything NaN. */
    public static final HoldoutMetrics NONE = new HoldoutMetrics(Double.NaN, Double.NaN, new double[0], Double.NaN,
            new double[0]);

    /** Mean of the finite entries; NaN when there are none. */
    static double meanOfFinite(double[] v) {
        double s = 0;
        int n = 0;
        for (double d : v) {
            if (Double.isFinite(d)) {
                s += d;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
