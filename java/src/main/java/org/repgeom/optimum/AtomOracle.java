package org.repgeom.optimum;

import java.util.List;

/**
 * Finds single neurons of most negative energy for the current readout state: the oracle of
 * the column-generation method (its value is the first variation of the convex problem).
 */
interface AtomOracle {

    /**
     * @param candidates lowest-energy candidates found (up to the limit), lowest first
     * @param minEnergy  lowest energy found (units of λ1); exact minimum when {@code exact}
     * @param exact      whether minEnergy is the minimum over every neuron (a proof), or only an
     *                   upper bound from a local search (refutes optimality when negative, proves nothing else)
     * @param method     how it was searched
     */
    record Search(List<Candidate> candidates, double minEnergy, boolean exact, String method) {
    }

    /** The {@code limit} lowest-energy neurons with energy ≤ ceiling (units of λ1), and the minimum. */
    Search search(ReadoutState state, List<Candidate> warmStarts, int limit, double ceiling);

    /** Whether {@link #search} is exact. */
    boolean exact();

    String method();

    /** M v: the coordinates, in the face's basis, of the neuron that the face's eigenvector v gives (q × dY times dY). */
    static double[] eigenNeuron(double[] m, double[] v, int q, int dY) {
        double[] c = new double[q];
        for (int j = 0; j < q; j++) {
            double x = 0;
            for (int k = 0; k < dY; k++) x += m[j * dY + k] * v[k];
            c[j] = x;
        }
        return c;
    }

    /**
     * Solves the generalised eigenproblem of one face: the unit-mass neuron on the face with the
     * largest {@code φ(h)ᵀGφ(h)} if it lies inside the face's sign cone, else null. With
     * {@code M = Nᵀ D Z} the value is the top eigenvalue of the dY×dY matrix {@code MᵀM} and the
     * neuron {@code c ∝ M v}.
     */
    static Candidate solveFace(Face f, ReadoutState st, OptimumProblem pr, double[] mBuf, double[] tBuf, double[] vBuf,
            CandidateSink sink) {
        int p = pr.p, dY = pr.dY, q = f.q;
        java.util.Arrays.fill(mBuf, 0, q * dY, 0);
        for (int i = 0; i < p; i++) {
            double d = f.slope[i];
            if (d == 0) continue;
            for (int j = 0; j < q; j++) {
                double nij = f.basis[i * q + j] * d;
                if (nij == 0) continue;
                for (int c = 0; c < dY; c++) mBuf[j * dY + c] += nij * st.z[i * dY + c];
            }
        }
        for (int a = 0; a < dY; a++) {
            for (int b = a; b < dY; b++) {
                double v = 0;
                for (int j = 0; j < q; j++) v += mBuf[j * dY + a] * mBuf[j * dY + b];
                tBuf[a * dY + b] = v;
                tBuf[b * dY + a] = v;
            }
        }
        double mu = Dense.topEigen(java.util.Arrays.copyOf(tBuf, dY * dY), dY, vBuf);
        double energy = 1 - pr.lambda2 / pr.lambda1 * mu;
        if (!sink.wants(energy)) return null;
        double[] c = eigenNeuron(mBuf, vBuf, q, dY);
        double norm = 0;
        for (double x : c) norm += x * x;
        norm = Math.sqrt(norm);
        if (!(norm > 0)) return null;
        for (int j = 0; j < q; j++) c[j] /= norm;
        double[] h = f.preactivation(c);
        if (!f.matches(h, 1e-9)) {
            for (int j = 0; j < q; j++) c[j] = -c[j];
            for (int i = 0; i < p; i++) h[i] = -h[i];
            if (!f.matches(h, 1e-9)) return null;
        }
        // the energy of the actual neuron (φ applied to h, not the face's linear map)
        double[] a = new double[p];
        for (int i = 0; i < p; i++) a[i] = f.zero[i] ? 0 : pr.phi(h[i]);
        Candidate cand = new Candidate(f, c, st.energy(a));
        sink.offer(cand);
        return cand;
    }
}
