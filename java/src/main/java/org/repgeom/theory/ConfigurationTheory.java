package org.repgeom.theory;

import java.util.Arrays;

/**
 * What theory says about one configuration (a task, an architecture and its λ): the closed form of
 * the catalogue that applies, or why none does. Built by {@link TheoryLookup}.
 *
 * @param form           short name of the closed form ({@code hypercube-ray}, {@code one-hot-bias},
 *                       {@code one-hot-no-bias}, {@code linear}, {@code deep-linear}, {@code tanh-odd},
 *                       {@code deep-relu}), or null when none applies
 * @param why            one phrase saying why no form applies (null when one does)
 * @param layerKernels   K*_l for every hidden layer l = 1…L (P×P row-major, the task's sample order);
 *                       null when no form applies
 * @param minimalLoss    L* (NaN when no form applies)
 * @param formula        one line for tables
 * @param certifiable    whether {@link KktCertificate} applies (two-layer ReLU)
 * @param minimalWidths  the smallest hidden widths at which the minimum is attained
 * @param tooNarrow      null when the configuration's widths attain the minimum, else one phrase
 *                       (e.g. "width 4 < 2·dY = 6"): the form still describes the global minimum
 *                       of wider networks, but this configuration cannot reach it
 */
public record ConfigurationTheory(String form, String why, double[][] layerKernels, double minimalLoss,
                                  String formula, boolean certifiable, int[] minimalWidths, String tooNarrow) {

    /** No closed form, for the reason {@code why}. */
    public static ConfigurationTheory none(String why) {
        return new ConfigurationTheory(null, why, null, Double.NaN, "", false, new int[0], null);
    }

    /** A closed form; {@code tooNarrow} is filled in from the widths. */
    static ConfigurationTheory of(String form, double[][] layerKernels, double minimalLoss, String formula,
                                  boolean certifiable, int[] minimalWidths, int[] widths) {
        String narrow = null;
        for (int l = 0; l < widths.length && l < minimalWidths.length; l++) {
            if (widths[l] < minimalWidths[l]) {
                narrow = (widths.length == 1 ? "width " : "layer " + (l + 1) + " width ") + widths[l]
                        + " < " + minimalWidths[l] + " needed by the optimum";
                break;
            }
        }
        return new ConfigurationTheory(form, null, layerKernels, minimalLoss, formula, certifiable,
                minimalWidths.clone(), narrow);
    }

    /** True when a closed form applies to the task, activation, bias and λ (whatever the width). */
    public boolean applies() {
        return form != null;
    }

    /** True when a form applies and the widths can attain it. */
    public boolean attainable() {
        return applies() && tooNarrow == null;
    }

    /** Why the configuration is not judged against theory, or null when it is. */
    public String notJudgedBecause() {
        return !applies() ? why : tooNarrow;
    }

    /** K* of the last hidden layer (null when none applies). */
    public double[] lastKernel() {
        return layerKernels == null ? null : layerKernels[layerKernels.length - 1];
    }

    /** Whether K* of the last layer is 0 (the trivial minimum): distances are then absolute ‖K‖_F. */
    public boolean trivial() {
        double[] k = lastKernel();
        return k != null && Arrays.stream(k).allMatch(v -> v == 0);
    }
}
