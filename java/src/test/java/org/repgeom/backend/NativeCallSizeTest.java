package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeCallSizeTest {

    @Test
    void callsHoldWholeLaneGroupsAndFourMembersPerLaneWhileTheShareAllows() {
        assertEquals(64, NativeBackend.callSize(64, 1), "one thread: the whole chunk in one call, 4 members per lane");
        assertEquals(32, NativeBackend.callSize(64, 2), "two threads: half each");
        assertEquals(64, NativeBackend.callSize(200, 2), "4 members per lane before 4 calls per worker");
        assertEquals(128, NativeBackend.callSize(1024, 2), "large groups: about four calls per worker");
        assertEquals(5, NativeBackend.callSize(5, 2), "never more than the members");
        for (int members = 1; members <= 300; members++) {
            for (int workers = 1; workers <= 4; workers++) {
                int size = NativeBackend.callSize(members, workers);
                assertTrue(size >= 1 && size <= members, members + " / " + workers);
                assertTrue(size == members || size % 16 == 0, "whole groups of lanes: " + members + " / " + workers);
            }
        }
    }
}
