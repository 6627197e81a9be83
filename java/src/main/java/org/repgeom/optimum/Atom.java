package org.repgeom.optimum;

/**
 * One neuron of the solution: a face and coefficients c in its B-orthonormal basis, so the
 * preactivation is {@code h = N c} and the mass (first-layer cost / λ1) is {@code ‖c‖²}.
 */
final class Atom {
    final Face face;
    double[] c;

    Atom(Face face, double[] c) {
        this.face = face;
        this.c = c;
    }

    double mass() {
        double s = 0;
        for (double x : c) s += x * x;
        return s;
    }

    double[] preactivation() {
        return face.preactivation(c);
    }

    /** φ(h) (the neuron's activations over the samples). */
    double[] activation(OptimumProblem pr) {
        double[] h = preactivation();
        for (int i = 0; i < h.length; i++) h[i] = face.zero[i] ? 0 : pr.phi(h[i]);
        return h;
    }

    /** Activations of the unit-mass neuron in the same direction. */
    double[] unitActivation(OptimumProblem pr) {
        double[] a = activation(pr);
        double m = Math.sqrt(mass());
        for (int i = 0; i < a.length; i++) a[i] /= m;
        return a;
    }

    void scaleToMass(double m) {
        double f = Math.sqrt(m / mass());
        for (int i = 0; i < c.length; i++) c[i] *= f;
    }
}
