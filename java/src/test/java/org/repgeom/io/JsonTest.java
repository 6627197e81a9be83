package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesNestedValuesWithNaNAsNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\"\nline");
        m.put("n", 3);
        m.put("x", 0.25);
        m.put("whole", 2.0);
        m.put("missing", Double.NaN);
        m.put("flag", true);
        m.put("list", List.of(1, 2));
        m.put("widths", new int[] {4, 8});
        m.put("nested", Map.of("k", List.of(Map.of("v", 1))));
        String expected = """
                {
                  "name": "a \\"quoted\\"\\nline",
                  "n": 3,
                  "x": 0.25,
                  "whole": 2.0,
                  "missing": null,
                  "flag": true,
                  "list": [1, 2],
                  "widths": [4, 8],
                  "nested": {
                    "k": [
                      {
                        "v": 1
                      }
                    ]
                  }
                }
                """;
        assertEquals(expected, Json.write(m));
    }
}
