package org.repgeom.optimum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.model.Activation;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.theory.ClosedForms;
import org.repgeom.theory.HypercubeRayTheory;
import org.repgeom.theory.OneHotReluTheory;

/**
 * The solver reproduces every two-layer closed form of the catalogue: loss to 1e-8 relative,
 * kernel to 1e-6 (relative to its largest entry), certified, and the optimal kernel is unique
 * (diameter 0) on the hypercube cases.
 */
class ClosedFormAgreementTest {

    /**
     * @param rays whether the optimum is the 2·dY kink rays t(1 ± y_k) of the whitened hypercube,
     *             whose rank-one kernels are linearly independent: then no narrower network is optimal
     *             and the solver must return exactly 2·dY neurons (0 where K* = 0)
     */
    record Expected(String id, Task task, Activation act, boolean bias, double l1, double l2, double[] kernel, double loss,
                    boolean uniqueKernel, boolean rays) {
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (ClosedForms.Case c : ClosedForms.all()) {
            if (c.depth() != 1 || c.isSweep()) continue;
            if (c.activation() != Activation.RELU && c.activation() != Activation.LINEAR
                    && c.activation() != Activation.LEAKY_RELU) continue;
            boolean hypercube = !c.id().startsWith("onehot");
            boolean rays = c.id().equals("relu-whitened") || c.id().equals("leaky-relu");
            b.add(Arguments.of(new Expected(c.id(), c.task(), c.activation(), true, c.lambdas()[0], c.lambdas()[1],
                    c.prediction().layerKernels()[0], c.prediction().minimalLoss(), hypercube, rays)));
        }
        // n = 2 on whitened input, below and above the λ threshold where K* = 0 (λ1λ2 ≥ P(P+1)/(P+2))
        Task n2 = Tasks.hypercube(2, 2, InputSpec.of("whitened", 3));
        for (double l : new double[] {1e-2, 2.0, 2.9, 3.0}) {
            HypercubeRayTheory t = HypercubeRayTheory.whitened(2, 2, l, l);
            b.add(Arguments.of(new Expected("relu-whitened-n2-lambda" + l, n2, Activation.RELU, true, l, l, t.kernel(),
                    t.minimalLoss(), true, true)));
        }
        // one-hot without any bias on whitened input (K_X = I)
        Task oh = Tasks.oneHot(3, 2, InputSpec.of("whitened", 1));
        OneHotReluTheory t = OneHotReluTheory.withoutBias(3, 2, 1.0, 1e-2, 1e-2);
        b.add(Arguments.of(new Expected("onehot-no-bias-whitened", oh, Activation.RELU, false, 1e-2, 1e-2, t.kernel(),
                t.minimalLoss(), false, false)));
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithClosedForm(Expected e) {
        OptimumProblem pr = OptimumProblem.of(e.task(), e.act(), e.bias(), e.l1(), e.l2());
        Optimum o = new OptimumSolver(pr, OptimumSolver.Options.defaults()).solve();
        double relLoss = Math.abs(o.loss() - e.loss()) / e.loss();
        double scale = 1;
        for (double v : e.kernel()) scale = Math.max(scale, Math.abs(v));
        double kErr = 0;
        for (int i = 0; i < e.kernel().length; i++) kErr = Math.max(kErr, Math.abs(o.kernel()[i] - e.kernel()[i]));
        System.out.printf(Locale.ROOT, "optimum %-32s P=%2d loss %.12g (theory %.12g, rel %.1e) kernel err %.1e gap %.1e width %d "
                + "diameter %.1e rounds %d %.2fs %s%n", e.id(), pr.samples(), o.loss(), e.loss(), relLoss, kErr / scale,
                o.relativeGap(), o.width(), o.kernelSetDiameter(), o.iterations(), o.seconds(), o.method());
        assertTrue(relLoss <= 1e-8, e.id() + ": loss " + o.loss() + " vs " + e.loss());
        assertTrue(kErr <= 1e-6 * scale, e.id() + ": kernel error " + kErr);
        assertTrue(o.certified(), e.id() + ": not certified, gap " + o.relativeGap());
        assertTrue(o.lowerBound() <= e.loss() * (1 + 1e-12), e.id() + ": bound above the closed form");
        if (e.uniqueKernel()) {
            assertEquals(0.0, o.kernelSetDiameter(), 1e-6 * scale, e.id() + ": diameter");
            assertTrue(o.kernelSetDiameter() <= o.kernelSetResolution(), e.id() + ": diameter " + o.kernelSetDiameter()
                    + " within the resolution " + o.kernelSetResolution());
        }
        if (e.act() == Activation.LINEAR) {
            // linear φ: any decomposition of K* costs the same, so the narrowest network has rank K* neurons
            Dense.Eig eig = Dense.eig(e.kernel(), pr.samples());
            double top = eig.values()[pr.samples() - 1];
            int rank = 0;
            for (double v : eig.values()) if (v > 1e-9 * top) rank++;
            assertEquals(rank, o.width(), e.id() + ": narrowest linear network");
        }
        if (e.rays()) {
            boolean empty = true;
            for (double v : e.kernel()) empty &= v == 0;
            assertEquals(empty ? 0 : 2 * e.task().outputDim(), o.width(), e.id() + ": narrowest optimal network");
        }
    }
}
