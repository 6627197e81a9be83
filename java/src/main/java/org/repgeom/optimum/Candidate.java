package org.repgeom.optimum;

/**
 * A unit-mass neuron the oracle proposes: coefficients c (‖c‖ = 1) on a face, so its
 * preactivation is {@code h = N c} with {@code hᵀK_X⁺h = 1}, and its energy {@code e} in units of
 * λ1 ({@code 1 − (λ2/λ1) φ(h)ᵀGφ(h)}; adding mass m changes the loss by {@code m λ1 e} to first order).
 */
record Candidate(Face face, double[] c, double energy) {
    double[] preactivation() {
        return face.preactivation(c);
    }
}
