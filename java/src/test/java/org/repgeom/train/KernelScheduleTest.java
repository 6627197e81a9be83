package org.repgeom.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KernelScheduleTest {

    @Test
    void timePointsAndTheFirstPointOfAStoppedMember() {
        assertArrayEquals(new long[] {0, 40, 80, 120}, new KernelSchedule(40, 120).steps(), "every divides the budget");
        assertArrayEquals(new long[] {0, 40, 80, 100}, new KernelSchedule(40, 100).steps(), "an extra point at the end");
        assertArrayEquals(new long[] {0, 7}, new KernelSchedule(50, 7).steps(), "every beyond the budget: start and end");
        assertArrayEquals(new long[] {0, 1, 2, 3}, new KernelSchedule(1, 3).steps());
        KernelSchedule s = new KernelSchedule(40, 100);
        assertEquals(0, s.firstPointFrom(0));
        assertEquals(1, s.firstPointFrom(1));
        assertEquals(1, s.firstPointFrom(40));
        assertEquals(2, s.firstPointFrom(41));
        assertEquals(3, s.firstPointFrom(100), "the budget's own point");
        assertThrows(IllegalArgumentException.class, () -> new KernelSchedule(0, 10));
    }
}
