package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * The local searches that drive column generation before an exact sweep: the cone ascent climbs
 * monotonically to a first-order local maximum of φ(h)ᵀGφ(h) per unit mass, and the face-lattice
 * neighbourhood search solves exactly the faces within its radius of the warm neurons.
 */
class LocalSearchTest {

    private static double energyOf(OptimumProblem pr, ReadoutState st, double[] h) {
        double mass = Dense.quad(pr.bPinv, h, pr.p);
        double[] a = new double[pr.p];
        for (int i = 0; i < pr.p; i++) a[i] = pr.phi(h[i] / Math.sqrt(mass));
        return st.energy(a);
    }

    private static int[] pattern(Face f) {
        int[] s = new int[f.zero.length];
        for (int i = 0; i < s.length; i++) s[i] = f.zero[i] ? 0 : f.plus[i] ? 1 : -1;
        return s;
    }

    /**
     * Every ascent ends no worse than where it started, on the top eigenvector of a face that keeps
     * that face's signs, and the best of 40 random starts finds the exact minimum over the face list.
     */
    @ParameterizedTest(name = "P={0} dX={1} dY={2} {3} bias={4}")
    @CsvSource({"9,5,3,relu,true", "9,12,2,relu,false", "8,6,4,leaky_relu,true"})
    void coneAscentClimbsToTheExactMinimumFromRandomStarts(int p, int dX, int dY, String act, boolean bias) throws Exception {
        Task t = FaceSweepTest.randomTask(p, dX, dY, 101L * p + dY);
        OptimumProblem pr = OptimumProblem.of(t, Activation.parse(act), bias, 0.05, 0.05);
        SampledOracle local = new SampledOracle(pr, 0, 1);
        FaceOracle listed = new FaceOracle(pr, FaceEnumeration.enumerate(pr, 1_000_000));
        Random r = new Random(5);
        for (ReadoutState st : List.of(FaceSweepTest.randomState(pr, 3), FaceSweepTest.randomState(pr, 4))) {
            double exact = listed.search(st, List.of(), 1, Double.POSITIVE_INFINITY).minEnergy();
            double best = Double.POSITIVE_INFINITY;
            for (int s = 0; s < 40; s++) {
                double[] h = new double[p];
                for (int i = 0; i < p; i++) h[i] = r.nextGaussian();
                double[] start = new double[p]; // into col(K_X)
                for (int c = 0; c < pr.rank; c++) {
                    double v = 0;
                    for (int i = 0; i < p; i++) v += pr.colBasis[i * pr.rank + c] * h[i];
                    for (int i = 0; i < p; i++) start[i] += pr.colBasis[i * pr.rank + c] * v;
                }
                Candidate c = local.coneAscent(st, start);
                if (c == null) continue;
                assertTrue(c.energy() <= energyOf(pr, st, start) + 1e-12, "the ascent never loses: " + c.energy() + " vs start " + energyOf(pr, st, start));
                assertEquals(energyOf(pr, st, c.preactivation()), c.energy(), 1e-9 * Math.max(1, Math.abs(c.energy())));
                assertTrue(c.face().matches(c.preactivation(), 1e-9), "the neuron keeps its face's signs");
                double[] m = new double[p * dY], tb = new double[dY * dY], v = new double[dY];
                Candidate again = AtomOracle.solveFace(c.face(), st, pr, m, tb, v, new CandidateSink(1, Double.POSITIVE_INFINITY));
                assertNotNull(again);
                assertEquals(again.energy(), c.energy(), 1e-9 * Math.max(1, Math.abs(c.energy())), "the top eigenvector of its face");
                best = Math.min(best, c.energy());
            }
            assertTrue(exact < 0, "a state with negative directions");
            assertEquals(exact, best, 1e-9 * Math.max(1, Math.abs(exact)), "the best ascent reaches the exact minimum");
        }
    }

    @ParameterizedTest(name = "{0} bias={1}")
    @CsvSource({"relu,true", "leaky_relu,false"})
    void theWholeLatticeAroundOneNeuronIsTheFaceList(String act, boolean bias) throws Exception {
        Task t = FaceSweepTest.randomTask(6, 3, 2, 77);
        OptimumProblem pr = OptimumProblem.of(t, Activation.parse(act), bias, 0.05, 0.05);
        ReadoutState st = FaceSweepTest.randomState(pr, 2);
        AtomOracle.Search all = new FaceOracle(pr, FaceEnumeration.enumerate(pr, 1_000_000)).search(st, List.of(), 8, Double.POSITIVE_INFINITY);
        Candidate centre = all.candidates().get(all.candidates().size() - 1);
        // radius P reaches every ternary pattern from any centre
        AtomOracle.Search near = new NeighbourhoodOracle(pr, pr.p).search(st, List.of(centre), 8, Double.POSITIVE_INFINITY);
        assertEquals(all.minEnergy(), near.minEnergy(), 1e-9 * Math.max(1, Math.abs(all.minEnergy())));
    }

    @org.junit.jupiter.api.Test
    void radiusOneStaysWithinOneSampleOfTheWarmNeurons() {
        Task t = FaceSweepTest.randomTask(10, 5, 3, 8);
        OptimumProblem pr = OptimumProblem.of(t, Activation.RELU, true, 0.05, 0.05);
        ReadoutState st = FaceSweepTest.randomState(pr, 6);
        List<Candidate> warm = new SampledOracle(pr, 16, 3).search(st, List.of(), 4, Double.POSITIVE_INFINITY).candidates();
        assertNotNull(warm);
        assertTrue(!warm.isEmpty());
        AtomOracle.Search near = new NeighbourhoodOracle(pr, 1).search(st, warm, 1000, Double.POSITIVE_INFINITY);
        assertTrue(!near.candidates().isEmpty());
        for (Candidate c : near.candidates()) {
            int[] s = pattern(c.face());
            int best = Integer.MAX_VALUE;
            for (Candidate w : warm) {
                int[] ws = SampledOracle.signs(w.preactivation());
                int d = 0;
                for (int i = 0; i < s.length; i++) if (s[i] != ws[i]) d++;
                best = Math.min(best, d);
            }
            assertTrue(best <= 1, "a face " + best + " samples away");
        }
    }
}
