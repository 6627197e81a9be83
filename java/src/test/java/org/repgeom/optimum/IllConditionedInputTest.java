package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * Ill-conditioned input (dX = 12 Gaussian coordinates scaled by 1/i, P = 8: K_X's eigenvalues span
 * a factor of about 270 to 5300) is certified to the same precision as well-conditioned input: the bound
 * rests on energies computed in a K_X⁺-orthonormal basis, whose rounding is relative to the energy
 * scale, not to the conditioning of K_X.
 */
class IllConditionedInputTest {

    static Task scaled(boolean gaussianTargets) {
        Task base = Tasks.hypercube(3, 1, InputSpec.of("gaussian", 1).withDim(12));
        double[] x = base.xData().clone();
        int p = base.samples();
        for (int i = 0; i < 12; i++) for (int s = 0; s < p; s++) x[i * p + s] /= i + 1;
        return gaussianTargets ? new Task("ill-conditioned, Gaussian targets", 12, 2, p, x, OptimumBench.gaussianTargets(2, p, 7))
                : new Task("ill-conditioned, hypercube labels", 12, base.outputDim(), p, x, base.yData());
    }

    @ParameterizedTest(name = "gaussianTargets={0} {1} bias={2} λ={3}")
    @CsvSource({"false,relu,true,1e-2", "false,leaky_relu,false,1e-2", "true,relu,false,1e-3", "true,leaky_relu,true,1e-3"})
    void certifiedToTheStoppingTolerance(boolean gaussianTargets, String act, boolean bias, double lambda) {
        OptimumProblem pr = OptimumProblem.of(scaled(gaussianTargets), Activation.parse(act), bias, lambda, lambda);
        Optimum o = new OptimumSolver(pr, OptimumSolver.Options.defaults()).solve();
        assertTrue(o.certified(), "not certified: relative gap " + o.relativeGap());
        assertTrue(o.relativeGap() <= 1e-10, "relative gap " + o.relativeGap());
    }
}
