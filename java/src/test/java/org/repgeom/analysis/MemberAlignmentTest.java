package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemberAlignmentTest {

    /**
     * ReLU's optimal shape K_Y + dY·11ᵀ against tanh's K_Y on the hypercube with one sample per class
     * (P = 2^dY): centring removes 11ᵀ, so CKA = 1; uncentred, ⟨K_Y, 11ᵀ⟩ = ‖Y1‖² = 0 (balanced labels),
     * ‖K_Y‖² = ‖YYᵀ‖² = dY·P² and ‖dY·11ᵀ‖² = dY²P², so the alignment is 1/√(1 + dY) and the kernel
     * distance √(dY/(1 + dY)) — √3/2 for dY = 3.
     */
    @Test
    void reluAndTanhShapesHaveCkaOneButAKnownKernelDistance() {
        Random rnd = new Random(1);
        int dY = 3, p = 8;
        double[] kY = RepresentationKernel.of(TestData.hypercubeY(dY, 1, rnd), dY, p);
        double[] relu = kY.clone();
        for (int i = 0; i < relu.length; i++) relu[i] += dY;
        MemberAlignment ma = new MemberAlignment(p, 4, MemberAlignment.DEFAULT_BUDGET_BYTES);
        assertTrue(ma.offer("relu", 0, relu));
        assertTrue(ma.offer("tanh", 1, kY));
        MemberAlignment.Result r = ma.result();
        assertEquals(1.0, r.cka()[0][1], 1e-12);
        assertEquals(Math.sqrt(dY / (1.0 + dY)), r.distance()[0][1], 1e-12);
        assertEquals(0.0, r.distance()[0][0], 1e-7);
        assertEquals(r.cka()[0][1], r.configCka()[0][1], 0.0);
        assertTrue(Double.isNaN(r.configCka()[0][0]), "one member: no within-configuration pair");
    }

    /** Seeds that reach the same kernel up to rotation and scale agree perfectly; a different kernel does not. */
    @Test
    void withinAndAcrossConfigurationMeans() {
        Random rnd = new Random(2);
        int m = 6, p = 10;
        double[] base = TestData.gaussian(m, p, rnd);
        MemberAlignment ma = new MemberAlignment(p, 8, MemberAlignment.DEFAULT_BUDGET_BYTES);
        for (int s = 0; s < 3; s++) {
            double[] q = TestData.orthonormalColumns(m, m, rnd);
            double[] r = CkaTest.scaled(CkaTest.mult(q, m, base, p), 0.5 + s);
            ma.offer("same", s, RepresentationKernel.of(r, m, p));
        }
        for (int s = 0; s < 3; s++) ma.offer("random", 10 + s, RepresentationKernel.of(TestData.gaussian(m, p, rnd), m, p));
        MemberAlignment.Result r = ma.result();
        assertEquals(1.0, r.configCka()[0][0], 1e-12);
        assertEquals(0.0, r.configDistance()[0][0], 1e-6);
        assertTrue(r.configCka()[0][1] < 0.9 && r.configCka()[1][1] < 0.9);
        assertEquals((r.configCka()[0][0] + r.configCka()[1][1]) / 2, r.within(r.configCka()), 1e-15);
        assertEquals(r.configCka()[0][1], r.across(r.configCka()), 1e-15);
        Map<String, Object> json = ma.summaryJson();
        assertEquals(6, json.get("members"));
    }

    @Test
    void samplingKeepsTheFirstMembersOfEachConfigurationWithinTheBudget() {
        int p = 4;
        double[] k = RepresentationKernel.of(new double[] {1, 2, 3, 5, 0, 1, 0, 1}, 2, p);
        MemberAlignment ma = new MemberAlignment(p, 2, MemberAlignment.DEFAULT_BUDGET_BYTES);
        assertTrue(ma.offer("a", 0, k));
        assertTrue(ma.offer("a", 1, k));
        assertFalse(ma.offer("a", 2, k), "third member of a configuration");
        assertTrue(ma.offer("b", 3, k));
        double[] nan = k.clone();
        nan[0] = Double.NaN;
        assertFalse(ma.offer("b", 4, nan), "a diverged member is skipped");
        assertEquals(3, ma.result().memberIds().length);
        // budget: 16·P² bytes per member; 3 members' worth keeps 3 in all
        MemberAlignment small = new MemberAlignment(p, 10, 3L * 16 * p * p);
        assertEquals(3, small.maxMembers());
        for (int i = 0; i < 5; i++) small.offer("c" + i, i, k);
        assertEquals(3, small.result().memberIds().length);
    }
}
