package org.repgeom.study;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code holdout} block of a configuration in {@code summary.json}: quantiles over its members of
 * the test loss, sign accuracy and CCGP on held-out conditions, the mean per-label accuracy and CCGP,
 * and the certified optimum's test loss and CCGP (one value per configuration) with the members'
 * distance from its predictions. Absent when the study holds nothing out.
 */
final class HoldoutSummary {
    private double[] loss = new double[8], accuracy = new double[8], ccgp = new double[8], distance = new double[8];
    private double[] labelAccuracy = new double[0], labelCcgp = new double[0];
    private int[] labelAccuracyN = new int[0], labelCcgpN = new int[0];
    private double optimumLoss = Double.NaN, optimumCcgp = Double.NaN;
    private int n;
    private boolean any;

    void add(HoldoutRecord r) {
        if (n == loss.length) {
            loss = Arrays.copyOf(loss, 2 * n);
            accuracy = Arrays.copyOf(accuracy, 2 * n);
            ccgp = Arrays.copyOf(ccgp, 2 * n);
            distance = Arrays.copyOf(distance, 2 * n);
        }
        loss[n] = r.metrics().testLoss();
        accuracy[n] = r.metrics().accuracy();
        ccgp[n] = r.metrics().ccgp();
        distance[n] = r.optimumDistance();
        n++;
        any |= Double.isFinite(r.metrics().testLoss());
        if (Double.isFinite(r.optimumTestLoss())) optimumLoss = r.optimumTestLoss();
        if (Double.isFinite(r.optimumCcgp())) optimumCcgp = r.optimumCcgp();
        labelAccuracyN = addLabels(r.metrics().labelAccuracy(), true, labelAccuracyN);
        labelCcgpN = addLabels(r.metrics().labelCcgp(), false, labelCcgpN);
    }

    /** Adds per-label values to the running sums; returns the (grown) counts. */
    private int[] addLabels(double[] v, boolean acc, int[] counts) {
        double[] sums = acc ? labelAccuracy : labelCcgp;
        if (v.length > sums.length) {
            sums = Arrays.copyOf(sums, v.length);
            counts = Arrays.copyOf(counts, v.length);
        }
        for (int k = 0; k < v.length; k++) {
            if (Double.isFinite(v[k])) {
                sums[k] += v[k];
                counts[k]++;
            }
        }
        if (acc) labelAccuracy = sums;
        else labelCcgp = sums;
        return counts;
    }

    /** The block, or null when no member has held-out results. */
    Map<String, Object> describe() {
        if (!any) return null;
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("test_loss", StudySummary.quantiles(Arrays.copyOf(loss, n)));
        h.put("test_accuracy", StudySummary.quantiles(Arrays.copyOf(accuracy, n)));
        h.put("test_ccgp", StudySummary.quantiles(Arrays.copyOf(ccgp, n)));
        h.put("test_label_accuracy_mean", means(labelAccuracy, labelAccuracyN));
        h.put("test_label_ccgp_mean", means(labelCcgp, labelCcgpN));
        h.put("optimum_test_loss", optimumLoss);
        h.put("optimum_test_ccgp", optimumCcgp);
        h.put("optimum_test_distance", StudySummary.quantiles(Arrays.copyOf(distance, n)));
        return h;
    }

    private static double[] means(double[] sums, int[] counts) {
        double[] m = new double[sums.length];
        for (int k = 0; k < m.length; k++) m[k] = counts[k] == 0 ? Double.NaN : sums[k] / counts[k];
        return m;
    }
}
