package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.repgeom.theory.HypercubeReluTheory;

class AxisFiguresTest {

    @Test
    void oneFigurePerVaryingAxisAndTheTheoryCurveIsTheClosedForm() throws Exception {
        StudyView v = new StudyView(org.repgeom.study.RunDirectory.open(SmallStudies.hypercube()));
        // the small study varies activation, width and depth at one λ and one learning rate
        assertEquals(List.of("width", "depth", "activation"), AxisFigures.axes(v).stream().map(AxisFigures.Axis::id).toList());
        assertEquals(List.of("fig-axis-width", "fig-axis-depth", "fig-axis-activation"),
                AxisFigures.all(v).stream().map(Figure::id).toList());

        StudyView.Config relu8 = v.configs.stream()
                .filter(c -> c.activation().equals("relu") && c.depth() == 1 && c.lastWidth() == 8).findFirst().orElseThrow();
        double[][] curve = AxisFigures.theoryCurve(v, relu8, 1e-3, 1e-1);
        assertNotNull(curve);
        assertEquals(AxisFigures.CURVE_POINTS, curve[0].length);
        for (int i = 0; i < curve[0].length; i++) {
            double c = HypercubeReluTheory.forTask(v.task, curve[0][i], curve[0][i]).coefficient();
            assertEquals(c, curve[1][i], 1e-12 * Math.max(1, c), "c at λ = " + curve[0][i]);
        }
        // width 3 < 2·dY = 4 cannot attain the form: no curve
        StudyView.Config relu3 = v.configs.stream()
                .filter(c -> c.activation().equals("relu") && c.depth() == 1 && c.lastWidth() == 3).findFirst().orElseThrow();
        assertNull(AxisFigures.theoryCurve(v, relu3, 1e-3, 1e-1));
        assertTrue(AxisFigures.minima(v, relu8, "span_residual").length > 0);
    }
}
