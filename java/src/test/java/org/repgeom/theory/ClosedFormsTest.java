package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;

class ClosedFormsTest {

    @Test
    void everyCaseFitsItsTheoryAndPredictsAValidKernel() {
        List<ClosedForms.Case> cases = ClosedForms.all();
        Set<String> ids = new HashSet<>();
        for (ClosedForms.Case c : cases) {
            assertTrue(ids.add(c.id()), "unique id " + c.id());
            int p = c.task().samples();
            assertTrue(p <= 16, c.id() + ": small configuration");
            assertEquals(c.depth() + 1, c.lambdas().length, c.id());
            assertEquals(c.depth(), c.prediction().layerKernels().length, c.id());
            double loss = c.prediction().minimalLoss();
            assertTrue(loss > 0 && Double.isFinite(loss), c.id());
            for (double[] k : c.prediction().layerKernels()) {
                assertEquals(p * p, k.length);
                double trace = 0;
                for (int i = 0; i < p; i++) {
                    trace += k[i * p + i];
                    for (int j = 0; j < p; j++) assertEquals(k[i * p + j], k[j * p + i], 1e-12, c.id() + " symmetric");
                }
                assertTrue(trace > 0, c.id() + " nontrivial");
                EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(p, false, true);
                eig.decompose(new DMatrixRMaj(p, p, true, k.clone()));
                for (int i = 0; i < p; i++) assertTrue(eig.getEigenvalue(i).real > -1e-10 * trace, c.id() + " PSD");
            }
        }
        assertTrue(ids.containsAll(List.of("relu-whitened", "relu-within-class", "relu-target-aligned", "clipped-relu",
                "relu-anisotropic", "linear", "tanh", "deep-relu", "deep-linear-2", "deep-linear-3", "onehot-bias",
                "onehot-nobias", "width-sweep")));
    }

    @Test
    void selectKeepsTableOrderAndRejectsUnknownIds() {
        List<ClosedForms.Case> two = ClosedForms.select(List.of("tanh", "linear"));
        assertEquals(List.of("linear", "tanh"), two.stream().map(ClosedForms.Case::id).toList());
        assertThrows(IllegalArgumentException.class, () -> ClosedForms.select(List.of("nope")));
    }

    @Test
    void sweepStraddlesTheWidthThreshold() {
        ClosedForms.Case sweep = ClosedForms.widthSweep();
        int threshold = 2 * sweep.task().outputDim();
        assertTrue(sweep.isSweep());
        assertTrue(sweep.widths().stream().anyMatch(w -> w[0] == threshold - 1));
        assertTrue(sweep.widths().stream().anyMatch(w -> w[0] == threshold));
        assertTrue(sweep.widths().stream().anyMatch(w -> w[0] > threshold));
    }
}
