package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The reference backend calls a member DIVERGED where float32 backends would: beyond float32's range. */
class DivergenceRuleTest {
    @Test
    void aLossFloat32CannotHoldIsNotRepresentable() {
        assertTrue(JavaBackend.representable(1.0));
        assertTrue(JavaBackend.representable(-Float.MAX_VALUE));
        assertTrue(JavaBackend.representable(Float.MAX_VALUE));
        assertFalse(JavaBackend.representable(1.4e61), "the loss the issue saw called CONVERGED");
        assertFalse(JavaBackend.representable(Math.nextUp((double) Float.MAX_VALUE)));
        assertFalse(JavaBackend.representable(Double.NaN));
        assertFalse(JavaBackend.representable(Double.POSITIVE_INFINITY));
    }
}
