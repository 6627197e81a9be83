package org.repgeom.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SharedClockTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SharedClock clock = new SharedClock(now::get);

    private void pass(double seconds) {
        now.addAndGet(Math.round(seconds * 1e9));
    }

    @Test
    void oneChunkAtATimeGetsItsOwnWallTime() {
        clock.start(0);
        pass(2.0);
        assertEquals(2.0, clock.stop(0), 1e-12);
        pass(5.0); // nothing running: nobody's time
        clock.start(1);
        pass(0.5);
        assertEquals(0.5, clock.stop(1), 1e-12);
    }

    @Test
    void overlappingChunksSplitTheTimeTheyShareSoThatTheyAddUpToWallTime() {
        clock.start(0);
        pass(1.0);             // 0 alone
        clock.start(1);
        pass(2.0);             // 0 and 1
        clock.start(2);
        pass(3.0);             // 0, 1 and 2
        double zero = clock.stop(0);
        pass(1.0);             // 1 and 2
        double one = clock.stop(1);
        pass(4.0);             // 2 alone
        double two = clock.stop(2);
        assertEquals(1.0 + 1.0 + 1.0, zero, 1e-12);
        assertEquals(1.0 + 1.0 + 0.5, one, 1e-12);
        assertEquals(1.0 + 0.5 + 4.0, two, 1e-12);
        assertEquals(11.0, zero + one + two, 1e-12, "the wall time during which any chunk ran");
    }

    @Test
    void refusesAChunkTwiceOrOneNotRunning() {
        clock.start(3);
        assertThrows(IllegalStateException.class, () -> clock.start(3));
        assertThrows(IllegalStateException.class, () -> clock.stop(4));
    }
}
