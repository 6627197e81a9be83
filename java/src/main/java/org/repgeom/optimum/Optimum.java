package org.repgeom.optimum;

/**
 * The global minimum of one {@link OptimumProblem} as the solver found it.
 *
 * @param loss              the loss of the returned network (an upper bound on the global minimum)
 * @param lowerBound        certified lower bound on the global minimum (NaN when the oracle was not exact)
 * @param certified         exact oracle and {@code (loss − lowerBound) ≤ tol·loss}
 * @param method            the oracle used
 * @param minEnergy         lowest single-neuron energy at the end, in units of λ1 (≥ 0 at the optimum)
 * @param width             neurons of the returned network (an upper bound on the width the task needs)
 * @param kernel            its representation kernel K = RᵀR (P×P)
 * @param preactivations    width × P: each neuron's preactivations h = W̃1 x̃ over the samples
 * @param w1                width × (dX + 1 with bias): first-layer weights, bias in the last column
 * @param w2                dY × width readout
 * @param kernelSetDiameter largest Frobenius distance found between optimal kernels (0: a unique kernel)
 * @param iterations        column-generation rounds
 * @param seconds           wall time of the solve
 */
public record Optimum(double loss, double lowerBound, boolean certified, String method, double minEnergy, int width,
                      double[] kernel, double[] preactivations, double[] w1, double[] w2, double kernelSetDiameter,
                      int iterations, double seconds) {

    /** {@code (loss − lowerBound)/loss}; NaN when there is no bound. */
    public double relativeGap() {
        return (loss - lowerBound) / loss;
    }

    /** Relative loss gap below which the optimum is resolved only to rounding. */
    public static final double ROUNDING_GAP = 1e-14;

    /**
     * The smallest {@link #kernelSetDiameter} that says anything: the loss rises quadratically away
     * from the set of optimal kernels, so kernels within a relative loss gap δ of the optimum can lie
     * about √δ·‖K*‖ from it; with δ the certified gap (at least {@value #ROUNDING_GAP}, the rounding of
     * the loss and of the optimal face's linear program), a diameter below
     * this is consistent with a single optimal kernel. NaN when nothing is certified.
     */
    public double kernelSetResolution() {
        double gap = relativeGap();
        if (!certified || Double.isNaN(gap)) return Double.NaN;
        return Math.sqrt(Math.max(gap, ROUNDING_GAP)) * Dense.frobenius(kernel);
    }

    /** Unit preactivation directions (tuning) of the neurons, width × P. */
    public double[] directions(int p) {
        double[] d = preactivations.clone();
        for (int i = 0; i < width; i++) {
            double n = 0;
            for (int s = 0; s < p; s++) n += d[i * p + s] * d[i * p + s];
            n = Math.sqrt(n);
            for (int s = 0; s < p && n > 0; s++) d[i * p + s] /= n;
        }
        return d;
    }
}
