package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReservoirTest {
    @Test
    void keepsEverythingUpToCapacityThenAUniformSeededSample() {
        Reservoir small = new Reservoir(10, 1);
        for (int i = 0; i < 7; i++) small.add(i);
        small.add(Double.NaN);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6}, small.sample(), 0.0);
        assertEquals(7, small.seen());

        Reservoir a = new Reservoir(100, 42), b = new Reservoir(100, 42);
        for (int i = 0; i < 10_000; i++) {
            a.add(i);
            b.add(i);
        }
        assertEquals(100, a.sample().length);
        assertArrayEquals(a.sample(), b.sample(), 0.0, "same seed, same sample");
        double mean = Arrays.stream(a.sample()).average().orElseThrow();
        assertTrue(Math.abs(mean - 5000) < 1000, "a uniform sample's mean " + mean);
    }
}
