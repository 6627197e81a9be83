package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code analyze}'s table: one number format per column, short keys, 100 columns. */
class StudyAnalysisTableTest {
    private static Map<String, Object> config(String key, double ps, double pr) {
        Map<String, Object> layer = Map.of("ps", Map.of("median", ps), "pr", Map.of("median", pr));
        return Map.of("key", key, "members", 8, "layers", List.of(layer));
    }

    @Test
    void psPrintsOneAndAlmostOneAlike() {
        Map<String, Object> summary = Map.of("columns", List.of("ps", "pr"), "configurations",
                List.of(config("relu|w=8|lambda=1e-4|lr=0.01", 1.0, 3.2), config("relu|w=4|lambda=1e-4|lr=0.01", 0.99994, 2.51)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StudyAnalysis.printTable(summary, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("every configuration: lambda=1e-4, lr=0.01"), out);
        assertTrue(out.matches("(?s).*\nrelu\\|w=8 +8 +1\\.0000 +3\\.200\n.*"), out);
        assertTrue(out.matches("(?s).*\nrelu\\|w=4 +8 +0\\.9999 +2\\.510\n.*"), out);
        for (String line : out.split("\n")) assertTrue(line.length() <= 100, line);
    }
}
