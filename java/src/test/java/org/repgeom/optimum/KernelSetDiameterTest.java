package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * The optimal kernel is not always unique. A search over 300 small random tasks (P = 3…6,
 * dX = 1…3, dY = 1…2, Gaussian or {−1, 0, 1} entries, λ in [1e-3, 1e-1], relu or linear, with and
 * without bias) found three certified optima whose optimal kernels span a set of diameter
 * 0.97–1.5 × ‖K*‖ (all ReLU, one-dimensional or two-dimensional input, few samples, small λ);
 * this is one of them (P = 5, dX = 1 with bias, dY = 1, λ = 1.36e-3). Every hypercube case has
 * diameter 0 ({@link ClosedFormAgreementTest}).
 */
class KernelSetDiameterTest {
    @Test
    void oneDimensionalInputHasManyOptimalKernels() {
        double[] x = {0.5653246444580172, -0.75396998730386, -0.19275799687543718, 1.4741763319036743, 1.2634805856204068};
        double[] y = {1.7639363158647716, -0.41219214142645744, -0.763041054576575, 0.8868251143696122, -1.4097459841771611};
        Task t = new Task("P=5 dX=1", 1, 1, 5, x, y);
        double l = 0.0013627;
        OptimumProblem pr = OptimumProblem.of(t, Activation.RELU, true, l, l);
        Optimum o = new OptimumSolver(pr, OptimumSolver.Options.defaults()).solve();
        assertTrue(o.certified(), "certified, gap " + o.relativeGap());
        double scale = Dense.frobenius(o.kernel());
        assertTrue(o.kernelSetDiameter() > 0.1 * scale, "diameter " + o.kernelSetDiameter() + " vs ‖K*‖ " + scale);
        assertTrue(o.kernelSetDiameter() > 1e3 * o.kernelSetResolution(), "far beyond the resolution " + o.kernelSetResolution());
    }
}
