package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantilesTest {
    /** numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.9]) = [1.75, 2.5, 3.7] (linear method). */
    @Test
    void matchesNumpyLinearQuantiles() {
        double[] v = {4, Double.NaN, 1, 3, 2, Double.POSITIVE_INFINITY};
        assertEquals(1.75, Quantiles.of(v, 0.25), 1e-15);
        assertEquals(2.5, Quantiles.median(v), 1e-15);
        assertEquals(3.7, Quantiles.of(v, 0.9), 1e-15);
        Map<String, Object> s = Quantiles.summary(v);
        assertEquals(1.0, s.get("min"));
        assertEquals(4.0, s.get("max"));
        assertEquals(4, s.get("n"));
        assertTrue(Double.isNaN(Quantiles.median(new double[] {Double.NaN})));
    }
}
