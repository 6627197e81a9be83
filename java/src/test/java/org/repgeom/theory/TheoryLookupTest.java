package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Bias;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

class TheoryLookupTest {

    /** The one lookup finds every closed form of the catalogue on the catalogue's own configurations. */
    @Test
    void coversEveryCaseOfTheCatalogue() {
        for (ClosedForms.Case c : ClosedForms.all()) {
            for (int[] widths : c.widths()) {
                Architecture arch = new Architecture(c.task().inputDim(), widths, c.task().outputDim(), c.activation(),
                        false);
                ConfigurationTheory t = new TheoryLookup(c.task()).lookup(arch, c.lambdas());
                assertTrue(t.applies(), c.id() + ": " + t.why());
                assertEquals(c.depth(), t.layerKernels().length, c.id());
                for (int l = 0; l < c.depth(); l++) {
                    double[] expected = c.prediction().layerKernels()[l];
                    assertTrue(KernelDistance.relative(t.layerKernels()[l], expected) < 1e-9, c.id() + " layer " + l);
                }
                assertEquals(c.prediction().minimalLoss(), t.minimalLoss(), 1e-9 * c.prediction().minimalLoss(), c.id());
                assertEquals(c.certifiable(), t.certifiable(), c.id());
            }
        }
    }

    @Test
    void narrowReluIsCoveredButNotAttainable() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0));
        TheoryLookup lookup = new TheoryLookup(task);
        ConfigurationTheory narrow = lookup.lookup(Architecture.twoLayer(8, 4, 3, Activation.RELU), new double[] {1e-2, 1e-2});
        assertTrue(narrow.applies());
        assertFalse(narrow.attainable());
        assertTrue(narrow.notJudgedBecause().contains("width 4 < 6"), narrow.notJudgedBecause());
        ConfigurationTheory wide = lookup.lookup(Architecture.twoLayer(8, 8, 3, Activation.RELU), new double[] {1e-2, 1e-2});
        assertTrue(wide.attainable());
        assertNull(wide.notJudgedBecause());
    }

    @Test
    void saysWhyWhenNoFormApplies() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 0));
        TheoryLookup lookup = new TheoryLookup(task);
        double[] l = {1e-2, 1e-2};
        assertTrue(lookup.lookup(Architecture.twoLayer(8, 8, 3, Activation.GELU), l).why().contains("gelu"));
        assertTrue(lookup.lookup(Architecture.twoLayer(8, 8, 3, Activation.TANH), l).why().contains("dY | width"));
        assertTrue(lookup.lookup(new Architecture(8, new int[] {8}, 3, Activation.RELU, Bias.NONE), l).why()
                .contains("bias"));
        assertTrue(lookup.lookup(Architecture.twoLayer(8, 8, 3, Activation.RELU), new double[] {0, 1e-2}).why()
                .contains("λ"));
        Task gaussian = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 0));
        ConfigurationTheory g = new TheoryLookup(gaussian).lookup(Architecture.twoLayer(gaussian.inputDim(), 8, 2,
                Activation.RELU), l);
        assertFalse(g.applies());
        assertNotNull(g.why());
    }

    @Test
    void oneHotAndLinearWithoutBias() {
        Task oneHot = Tasks.oneHot(4, 2, InputSpec.of("whitened", 0));
        double[] l = {1e-2, 1e-2};
        TheoryLookup lookup = new TheoryLookup(oneHot);
        assertEquals("one-hot-bias", lookup.lookup(Architecture.twoLayer(8, 32, 4, Activation.RELU), l).form());
        ConfigurationTheory free = lookup.lookup(new Architecture(8, new int[] {32}, 4, Activation.RELU, Bias.NONE), l);
        assertEquals("one-hot-no-bias", free.form());
        // without bias on whitened X: K* = (sqrt(λ2/(λ1 n)) − λ2/n) K_Y (n = 2)
        double c = Math.sqrt(0.5) - 0.005;
        assertEquals(c, free.lastKernel()[0], 1e-12);
        assertEquals(0.0, free.lastKernel()[2], 1e-12);
        // linear with a bias on one-hot labels: the bias is used, no closed form; without bias: deep linear
        assertFalse(lookup.lookup(Architecture.twoLayer(8, 8, 4, Activation.LINEAR), l).applies());
        ConfigurationTheory deep = lookup.lookup(new Architecture(8, new int[] {8, 8}, 4, Activation.LINEAR, Bias.NONE),
                new double[] {1e-2, 1e-2, 1e-2});
        assertEquals("deep-linear", deep.form());
        assertEquals(2, deep.layerKernels().length);
    }

    @Test
    void theoryClasses() {
        assertEquals("threshold", TheoryLookup.theoryClass(Activation.RELU));
        assertEquals("threshold", TheoryLookup.theoryClass(Activation.CLIPPED_RELU));
        assertEquals("odd", TheoryLookup.theoryClass(Activation.TANH));
        assertEquals("odd", TheoryLookup.theoryClass(Activation.LINEAR));
        assertEquals("none", TheoryLookup.theoryClass(Activation.GELU));
    }
}
