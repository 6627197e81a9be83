package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * The sign-pattern sweep is exact: on small non-whitened tasks its lowest energy equals the one
 * over the listed faces of the arrangement, at readout states away from and at the optimum, and
 * every neuron it returns has the energy it reports.
 */
class FaceSweepTest {

    static Task randomTask(int p, int dX, int dY, long seed) {
        Random r = new Random(seed);
        double[] x = new double[dX * p], y = new double[dY * p];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = r.nextGaussian();
        return new Task("random P=" + p + " dX=" + dX, dX, dY, p, x, y);
    }

    /** A readout state of a random network of a few neurons (not an optimum). */
    static ReadoutState randomState(OptimumProblem pr, long seed) {
        Random r = new Random(seed);
        int p = pr.p;
        double[] k = new double[p * p];
        for (int n = 0; n < 3; n++) {
            double[] h = new double[p];
            for (int i = 0; i < p; i++) h[i] = pr.phi(r.nextGaussian());
            for (int a = 0; a < p; a++) for (int b = 0; b < p; b++) k[a * p + b] += 0.3 * h[a] * h[b];
        }
        return new ReadoutState(pr, k);
    }

    /**
     * Beyond the face list (P = 11 full rank: 3^11 faces) the default solver lets the local search
     * drive and the sweep certify; its optimum equals the one found with the sweep in every round.
     */
    @org.junit.jupiter.api.Test
    void certifyingSolverMatchesSweepEveryRound() {
        Task t = randomTask(11, 12, 2, 3);
        OptimumProblem pr = OptimumProblem.of(t, Activation.LEAKY_RELU, true, 0.05, 0.05);
        Optimum fast = new OptimumSolver(pr, OptimumSolver.Options.defaults()).solve();
        Optimum slow = new OptimumSolver(pr, OptimumSolver.Options.defaults(), new FaceSweep(pr)).solve();
        org.junit.jupiter.api.Assertions.assertTrue(fast.method().contains("sweep"), fast.method());
        org.junit.jupiter.api.Assertions.assertTrue(fast.certified() && slow.certified(), fast.relativeGap() + " " + slow.relativeGap());
        assertEquals(slow.loss(), fast.loss(), 1e-9 * slow.loss());
        org.junit.jupiter.api.Assertions.assertTrue(fast.lowerBound() <= slow.loss() * (1 + 1e-12));
    }

    @ParameterizedTest(name = "P={0} dX={1} dY={2} {3} bias={4}")
    @CsvSource({"7,3,2,relu,true", "7,9,1,relu,false", "7,4,3,leaky_relu,true", "6,8,2,leaky_relu,false"})
    void sweepEqualsFaceList(int p, int dX, int dY, String act, boolean bias) throws Exception {
        Task t = randomTask(p, dX, dY, 31L * p + dX);
        OptimumProblem pr = OptimumProblem.of(t, Activation.parse(act), bias, 0.05, 0.05);
        FaceOracle listed = new FaceOracle(pr, FaceEnumeration.enumerate(pr, 1_000_000));
        FaceSweep sweep = new FaceSweep(pr);
        // a random network's state, and the optimum's (found with the listed faces)
        Optimum o = new OptimumSolver(pr, OptimumSolver.Options.defaults(), listed).solve();
        for (ReadoutState st : List.of(randomState(pr, 5), new ReadoutState(pr, o.kernel()))) {
            AtomOracle.Search a = listed.search(st, List.of(), 8, Double.POSITIVE_INFINITY);
            AtomOracle.Search b = sweep.search(st, List.of(), 8, Double.POSITIVE_INFINITY);
            assertEquals(a.minEnergy(), b.minEnergy(), 1e-9 * Math.max(1, Math.abs(a.minEnergy())), "lowest energy");
            assertFalse(b.candidates().isEmpty());
            for (Candidate c : b.candidates()) {
                double[] h = c.preactivation();
                assertEquals(1.0, Dense.quad(pr.bPinv, h, p), 1e-9, "unit mass");
                double[] act2 = new double[p];
                for (int i = 0; i < p; i++) act2[i] = pr.phi(h[i]);
                assertEquals(st.energy(act2), c.energy(), 1e-9 * Math.max(1, Math.abs(c.energy())), "reported energy");
            }
        }
    }
    /**
     * The cone test skips a pattern only when the face's top eigenvector provably leaves the face's
     * sign cone: with and without it the sweep returns the same neurons (every sign-consistent face,
     * nothing pruned by energy), while it spares most eigenvector computations.
     */
    @ParameterizedTest(name = "P={0} dX={1} dY={2} {3} bias={4}")
    @CsvSource({"7,3,2,relu,true", "8,9,3,relu,false", "8,4,4,leaky_relu,true", "9,6,2,relu,true"})
    void coneTestSkipsOnlyEigenvectorsOutsideTheirCone(int p, int dX, int dY, String act, boolean bias) {
        Task t = randomTask(p, dX, dY, 17L * p + dX);
        OptimumProblem pr = OptimumProblem.of(t, Activation.parse(act), bias, 0.05, 0.05);
        FaceSweep with = new FaceSweep(pr), without = new FaceSweep(pr, false);
        Optimum o = new OptimumSolver(pr, OptimumSolver.Options.defaults(), new FaceSweep(pr)).solve();
        for (ReadoutState st : List.of(randomState(pr, 9), new ReadoutState(pr, o.kernel()))) {
            AtomOracle.Search a = with.search(st, List.of(), 10_000_000, Double.POSITIVE_INFINITY);
            AtomOracle.Search b = without.search(st, List.of(), 10_000_000, Double.POSITIVE_INFINITY);
            java.util.Map<Face, Double> expected = new java.util.HashMap<>();
            for (Candidate c : b.candidates()) expected.put(c.face(), c.energy());
            assertEquals(expected.size(), a.candidates().size(), "same number of sign-consistent faces");
            for (Candidate c : a.candidates()) {
                Double e = expected.get(c.face());
                org.junit.jupiter.api.Assertions.assertNotNull(e, "a face the full sweep has");
                assertEquals(e, c.energy(), 1e-9 * Math.max(1, Math.abs(e)));
            }
            assertEquals(b.minEnergy(), a.minEnergy(), 1e-9 * Math.max(1, Math.abs(b.minEnergy())));
            long[] cw = with.lastCounts(), cwo = without.lastCounts();
            assertEquals(cwo[0], cw[0], "no pattern pruned by energy here");
            org.junit.jupiter.api.Assertions.assertTrue(cw[1] > cw[0] / 2, "the cone test rejects most patterns: " + java.util.Arrays.toString(cw));
            assertEquals(cw[0], cw[1] + cw[2]);
            assertEquals(cwo[0], cwo[2]);
        }
    }
}
