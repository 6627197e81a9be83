package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * The case the face list cannot reach: 16 hypercube-labelled samples (dY = 4, one per class) with a
 * ten-dimensional Gaussian input, full rank, 42 million sign patterns. The local searches drive the
 * rounds and one sweep certifies; at the certified optimum neither 2000 fresh local ascents nor
 * 200,000 random neurons find a direction of negative energy.
 */
class FullRankSixteenTest {

    @Test
    void sixteenSamplesOfFullRankCertify() {
        Task t = Tasks.hypercube(4, 1, InputSpec.of("gaussian", 1).withDim(10));
        OptimumProblem pr = OptimumProblem.of(t, Activation.RELU, false, 1e-2, 1e-2);
        assertEquals(16, pr.p);
        assertEquals(10, pr.rank);
        OptimumSolver solver = new OptimumSolver(pr, OptimumSolver.Options.defaults());
        assertTrue(solver.method().contains("sweep"), solver.method());
        Optimum o = solver.solve();
        assertTrue(o.certified(), "gap " + o.relativeGap());
        assertTrue(o.relativeGap() <= 1e-8 && o.lowerBound() <= o.loss(), "gap " + o.relativeGap());
        assertTrue(solver.sweeps() >= 1 && solver.sweeps() <= 3, "sweeps " + solver.sweeps());
        // hypercube labels: one optimal kernel, to the resolution the certified gap allows
        assertTrue(o.kernelSetDiameter() <= o.kernelSetResolution(), o.kernelSetDiameter() + " vs " + o.kernelSetResolution());

        ReadoutState st = new ReadoutState(pr, o.kernel());
        AtomOracle.Search local = new SampledOracle(pr, 2000, 99).search(st, List.of(), 4, Double.POSITIVE_INFINITY);
        assertTrue(local.minEnergy() >= -1e-8, "a local ascent found energy " + local.minEnergy());
        assertTrue(local.minEnergy() <= 1e-6, "the ascents reach the optimum's zero-energy neurons: " + local.minEnergy());

        double lowest = RandomNeurons.lowestEnergy(pr, st, 200_000, 12);
        assertTrue(lowest >= -1e-8, "a random neuron has energy " + lowest);
    }
}
