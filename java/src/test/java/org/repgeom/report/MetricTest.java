package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class MetricTest {
    @Test
    void parsesListsAndNamesUnknownMetrics() {
        assertEquals(EnumSet.allOf(Metric.class), Metric.parse("all"));
        assertEquals(EnumSet.of(Metric.PS, Metric.LAYER_CKA), Metric.parse(" ps , layer_cka"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metric.parse("ps,foo"));
        assertTrue(e.getMessage().contains("'foo'") && e.getMessage().contains("member_align"), e.getMessage());
    }
}
