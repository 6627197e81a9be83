package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SvgCompactorTest {
    @Test
    void mergesContinuingSegmentsRoundsAndPrefixesIds() {
        String svg = """
                <?xml version="1.0" encoding="UTF-8" standalone="no"?>
                <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
                <svg width="10px" height="10px">
                  <defs><clipPath id="clip1"><rect x="0.123456" y="0" width="5" height="5"/></clipPath></defs>
                  <g clip-path="url(#clip1)">
                    <line style="stroke:red;" x1="0.0" x2="1.04999" y1="0.0" y2="2.0"/>
                    <line style="stroke:red;" x1="1.04999" x2="3.0" y1="2.0" y2="1.0"/>
                    <line style="stroke:blue;" x1="3.0" x2="4.0" y1="1.0" y2="1.0"/>
                    <line style="stroke:blue;" x1="9.0" x2="9.5" y1="9.0" y2="9.0"/>
                  </g>
                </svg>
                """;
        String out = SvgCompactor.compact(svg, "p-");
        assertFalse(out.contains("<?xml") || out.contains("DOCTYPE"));
        assertTrue(out.contains("id=\"p-clip1\"") && out.contains("url(#p-clip1)"), out);
        assertTrue(out.contains("x=\"0.1\""), out);
        assertTrue(out.contains("<polyline style=\"stroke:red;\" points=\"0.0,0.0 1.0,2.0 3.0,1.0\"/>"), out);
        // same style but not continuing: two polylines
        assertEquals(2, out.split("stroke:blue").length - 1, out);
        assertFalse(out.contains("<line"), out);
    }
}
