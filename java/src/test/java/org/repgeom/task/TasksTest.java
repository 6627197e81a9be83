package org.repgeom.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TasksTest {

    @Test
    void hypercubeOnWhitenedInputDefaultsToDxEqualsP() {
        Task t = Tasks.hypercube(3, 1, InputSpec.of("whitened", 5));
        assertEquals("hypercube(dY=3,n=1,whitened dX=8)", t.name());
        assertEquals(8, t.inputDim());
        assertEquals(3, t.outputDim());
        assertEquals(8, t.samples());
        assertTrue(TaskChecks.isHypercube(t));
        assertTrue(TaskChecks.isWhitened(t, 1e-12));
        assertArrayEquals(Labels.hypercube(3, 1), t.yData(), 0.0);
        assertArrayEquals(InputGeometry.whitened(8, 8, 5), t.xData(), 0.0);
    }

    @Test
    void explicitDimensionIsUsed() {
        Task t = Tasks.hypercube(2, 2, InputSpec.of("whitened", 5).withDim(20));
        assertEquals(20, t.inputDim());
        assertEquals("hypercube(dY=2,n=2,whitened dX=20)", t.name());
        assertTrue(TaskChecks.isWhitened(t, 1e-12));
        assertThrows(IllegalArgumentException.class, () -> Tasks.hypercube(2, 2, InputSpec.of("whitened", 5).withDim(7)));
    }

    @Test
    void oneHotOnIdentityInput() {
        Task t = Tasks.oneHot(4, 2, InputSpec.of("identity", 0));
        assertEquals("one_hot(C=4,n=2,identity dX=8)", t.name());
        assertTrue(TaskChecks.isOneHot(t));
        assertFalse(TaskChecks.isHypercube(t));
        assertArrayEquals(InputGeometry.identity(8), t.xData(), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tasks.oneHot(4, 2, InputSpec.of("identity", 0).withDim(9)));
        assertTrue(e.getMessage().contains("dX = P"), e.getMessage());
    }

    @Test
    void gaussianInputDefaultsToDxEqualsP() {
        Task t = Tasks.oneHot(3, 4, InputSpec.of("gaussian", 1));
        assertEquals(12, t.inputDim());
        assertArrayEquals(InputGeometry.gaussian(12, 12, 1), t.xData(), 0.0);
        assertFalse(TaskChecks.isWhitened(t, 1e-3));
    }

    @Test
    void withinClassUsesTheTaskClasses() {
        InputSpec spec = new InputSpec("within_class", 16, 3, 0.5, 1, 1);
        Task t = Tasks.hypercube(2, 3, spec); // 4 classes of 3
        assertEquals("hypercube(dY=2,n=3,within_class rho=0.5 dX=16)", t.name());
        InputGeometryTest.assertGram(InputGeometryTest.withinClassKernel(4, 3, 0.5), t.xData(), 16, 12, 1e-12);
    }

    @Test
    void targetAlignedDefaultsToDyPlusP() {
        InputSpec spec = new InputSpec("target_aligned", null, 3, 0, 2.0, 0.5);
        Task t = Tasks.hypercube(2, 1, spec);
        assertEquals(6, t.inputDim());
        assertEquals("hypercube(dY=2,n=1,target_aligned a=2.0 b=0.5 dX=6)", t.name());
        double[][] expected = InputGeometryTest.gram(t.yData(), 2, 4);
        for (int p = 0; p < 4; p++) {
            for (int q = 0; q < 4; q++) expected[p][q] *= 4.0;
            expected[p][p] += 0.25;
        }
        InputGeometryTest.assertGram(expected, t.xData(), 6, 4, 1e-12);
    }

    @Test
    void seedChangesInputButNotLabels() {
        Task a = Tasks.hypercube(2, 2, InputSpec.of("whitened", 1));
        Task b = Tasks.hypercube(2, 2, InputSpec.of("whitened", 2));
        assertNotEquals(a, b);
        assertArrayEquals(a.yData(), b.yData(), 0.0);
        assertEquals(a, Tasks.hypercube(2, 2, InputSpec.of("whitened", 1)));
    }

    @Test
    void unknownGeometryListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InputSpec.of("spherical", 0));
        for (String g : InputSpec.GEOMETRIES) assertTrue(e.getMessage().contains(g), e.getMessage());
        assertTrue(e.getMessage().contains("spherical"));
        assertThrows(IllegalArgumentException.class, () -> new InputSpec(null, null, 0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new InputSpec("whitened", 0, 0, 0, 1, 1));
    }
}
