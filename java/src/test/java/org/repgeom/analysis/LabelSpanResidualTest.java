package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

class LabelSpanResidualTest {
    private final Task task = Tasks.hypercube(2, 1, InputSpec.of("whitened", 0));
    private final double[] ky = Kernels.outputKernel(task);

    @Test
    void kernelsInTheSpanHaveNoResidual() {
        double[] k = new double[16];
        for (int i = 0; i < 16; i++) k[i] = 0.3 * ky[i] + 0.7;
        assertEquals(0, LabelSpanResidual.of(k, ky), 1e-12);
        assertEquals(0, LabelSpanResidual.of(new double[16], ky), 0);
    }

    @Test
    void aParityComponentIsAllResidual() {
        // y1·y2 (the parity of the two labels) is orthogonal to 1, y1 and y2: y12 y12ᵀ lies outside the span
        double[] y = task.yData();
        double[] parity = new double[4];
        for (int q = 0; q < 4; q++) parity[q] = y[q] * y[4 + q];
        double[] k = new double[16];
        for (int s = 0; s < 4; s++) {
            for (int q = 0; q < 4; q++) k[s * 4 + q] = parity[s] * parity[q];
        }
        // the rank-one parity kernel has a part along 11ᵀ and K_Y only through their Frobenius overlap
        double r = LabelSpanResidual.of(k, ky);
        assertTrue(r > 0.5 && r <= 1, "residual " + r);
        double[] mixed = new double[16];
        for (int i = 0; i < 16; i++) mixed[i] = ky[i] + 0.05 * k[i];
        double small = LabelSpanResidual.of(mixed, ky);
        assertTrue(small > 0.005 && small < 0.05, "residual " + small);
    }
}
