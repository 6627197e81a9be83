package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Distinct kernels and their pairwise distances on hand-made kernels. */
class KernelClustersTest {
    private static double[] scaled(double[] k, double c) {
        double[] out = k.clone();
        for (int i = 0; i < out.length; i++) out[i] *= c;
        return out;
    }

    @Test
    void countsKernelsThatDifferByMoreThanTheTolerance() {
        double[] a = {2, 1, 1, 2};
        double[] b = {2, -1, -1, 2};
        List<double[]> ks = List.of(a, scaled(a, 1 + 1e-4), b, scaled(a, 1 - 1e-4), scaled(b, 1.5));
        KernelClusters c = KernelClusters.of(ks, 1e-2);
        assertEquals(5, c.kernels());
        assertEquals(3, c.clusters(), "a (three copies), b, 1.5 b");
        assertArrayEquals(new int[] {0, 0, 1, 0, 2}, c.assignment());
        assertArrayEquals(new int[] {3, 1, 1}, c.clusterSizes());
        assertEquals(3, c.largestCluster());
        assertEquals(10, c.pairs());
        // ‖a − b‖/max = sqrt(8)/sqrt(10); b vs 1.5 b: 0.5/1.5
        assertEquals(Math.sqrt(0.8), KernelClusters.distance(a, b), 1e-15);
        assertEquals(1.0 / 3, KernelClusters.distance(b, scaled(b, 1.5)), 1e-15);
        assertEquals(1e-4 / (1 + 1e-4), c.pairwiseMin(), 1e-12);
        assertEquals(Math.sqrt(0.8), c.pairwiseMax(), 1e-4, "the copies of a against b");
        // a looser tolerance merges b and 1.5 b
        assertEquals(2, KernelClusters.of(ks, 0.34).clusters());
    }

    @Test
    void zeroKernelsAreOneCluster() {
        KernelClusters c = KernelClusters.of(List.of(new double[4], new double[4]), 1e-2);
        assertEquals(1, c.clusters());
        assertEquals(0.0, c.pairwiseMax());
        KernelClusters single = KernelClusters.of(List.of(new double[] {1}), 1e-2);
        assertEquals(1, single.clusters());
        assertTrue(Double.isNaN(single.pairwiseMedian()), "no pairs");
    }
}
