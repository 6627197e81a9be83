package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * Beyond 24 samples the faces are still listed when the input has few dimensions (the arrangement
 * is small whatever P is): P = 32 hypercube-label tasks with a two-dimensional Gaussian input
 * certify exactly, the listed faces are the arrangement's (4P for P lines through the origin of
 * the plane), and no neuron drawn at random has negative energy at the certified optimum.
 */
class LowRankInputTest {

    @ParameterizedTest(name = "{0} bias={1}")
    @CsvSource({"relu,false", "relu,true", "leaky_relu,false"})
    void manySamplesInFewDimensionsCertify(String act, boolean bias) {
        Task t = Tasks.hypercube(2, 8, InputSpec.of("gaussian", 1).withDim(2));
        OptimumProblem pr = OptimumProblem.of(t, Activation.parse(act), bias, 1e-2, 1e-2);
        assertEquals(32, pr.p);
        assertTrue(pr.p > FaceEnumeration.MAX_P && FaceEnumeration.inReach(pr, OptimumSolver.Options.defaults().faceBudget()));
        OptimumSolver solver = new OptimumSolver(pr, OptimumSolver.Options.defaults());
        assertTrue(solver.method().startsWith("exact: "), solver.method());
        if (!bias) assertTrue(solver.method().contains(" " + 4 * pr.p + " faces"), solver.method());
        Optimum o = solver.solve();
        assertTrue(o.certified(), "gap " + o.relativeGap());
        assertTrue(o.relativeGap() <= 1e-8, "gap " + o.relativeGap());
        // an independent check of the certificate: random unit-mass neurons at the optimal readout
        ReadoutState st = new ReadoutState(pr, o.kernel());
        double lowest = RandomNeurons.lowestEnergy(pr, st, 200_000, 11);
        assertTrue(lowest >= -1e-8, "a random neuron has energy " + lowest);
        assertTrue(lowest < 1, "the check saw neurons that matter (lowest energy " + lowest + ")");
    }
}
