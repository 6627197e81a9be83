package org.repgeom.optimum;

import java.util.Random;

/** An independent check of a certificate: the lowest energy among random unit-mass neurons. */
final class RandomNeurons {
    private RandomNeurons() {
    }

    /** The lowest energy of {@code n} neurons h = N c with c uniform on the unit sphere of col(K_X) (mass ‖c‖² = 1). */
    static double lowestEnergy(OptimumProblem pr, ReadoutState st, int n, long seed) {
        Random r = new Random(seed);
        double[] basis = Face.subspaceBasis(pr, new boolean[pr.p], new int[1]);
        double[] c = new double[pr.rank], a = new double[pr.p];
        double lowest = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int j = 0; j < pr.rank; j++) {
                c[j] = r.nextGaussian();
                norm += c[j] * c[j];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < pr.p; i++) {
                double v = 0;
                for (int j = 0; j < pr.rank; j++) v += basis[i * pr.rank + j] * c[j] / norm;
                a[i] = pr.phi(v);
            }
            lowest = Math.min(lowest, st.energy(a));
        }
        return lowest;
    }
}
