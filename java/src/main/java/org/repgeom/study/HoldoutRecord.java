package org.repgeom.study;

import org.repgeom.analysis.HoldoutMetrics;

/**
 * A member's results on the held-out samples (members.csv columns {@link MemberCsv#HOLDOUT_HEADER}).
 *
 * @param metrics          the member's own test loss, sign accuracy and CCGP on held-out conditions
 * @param optimumTestLoss  test loss of the certified global optimum of the member's configuration (two-layer
 *                         relu, leaky_relu, linear; NaN elsewhere or when the optimum was not certified)
 * @param optimumCcgp      CCGP on held-out conditions of that optimum's hidden layer
 * @param optimumDistance  {@code ‖F(X_test) − F*(X_test)‖_F / ‖Y_test‖_F}: how far the member's predictions at
 *                         the held-out points are from the optimum's, in units of the targets' size
 */
public record HoldoutRecord(HoldoutMetrics metrics, double optimumTestLoss, double optimumCcgp,
                            double optimumDistance) {
    /** No held-out samples. */
    public static final HoldoutRecord NONE = new HoldoutRecord(HoldoutMetrics.NONE, Double.NaN, Double.NaN, Double.NaN);
}
