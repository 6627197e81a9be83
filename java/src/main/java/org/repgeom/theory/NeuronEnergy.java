package org.repgeom.theory;

import org.ejml.data.DMatrixRMaj;

/**
 * The single-neuron energy {@code E(h) = λ1 hᵀ K_X⁺ h − λ2 relu(h)ᵀ G relu(h)} that the
 * certificate minimises over unit preactivation patterns h ∈ col(K_X) (docs/certificate.md).
 */
record NeuronEnergy(DMatrixRMaj kxPinv, DMatrixRMaj g, double lambda1, double lambda2) {

    /** Relative size of an eigenvector entry of the wrong sign still treated as zero. */
    static final double SIGN_SLACK = 1e-9;

    double at(double[] h) {
        int p = h.length;
        double[] r = new double[p];
        for (int i = 0; i < p; i++) r[i] = Math.max(0, h[i]);
        return lambda1 * QuadraticForms.quad(kxPinv, h) - lambda2 * QuadraticForms.quad(g, r);
    }

    /**
     * The minimum an algorithm found: its value, the unit pattern attaining it (null if none), how
     * it was found, and whether it is only a sampled upper bound.
     */
    record Minimum(double value, double[] vector, String description, boolean sampled) {
        Minimum(double value, double[] vector, String description) {
            this(value, vector, description, false);
        }

        static Minimum notChecked(String why) {
            return new Minimum(Double.NaN, null, "not checked: " + why);
        }
    }
}
