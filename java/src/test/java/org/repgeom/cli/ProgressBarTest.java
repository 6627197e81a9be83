package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void nonInteractiveBarPrintsOneLinePerTenthAndEndsAtTheTotal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), 20, false);
        for (int i = 0; i < 20; i++) bar.membersDone(1);
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(11, lines.length, String.join("\n", lines)); // 0 %, 10 %, …, 100 %
        assertTrue(lines[10].contains("20/20 members 100%"), lines[10]);
        assertTrue(lines[10].startsWith("[" + "#".repeat(30) + "]"), lines[10]);
        assertTrue(lines[5].contains("10/20") && lines[5].contains("ETA"), lines[5]);
    }

    @Test
    void clockFormatsMinutesAndHours() {
        assertEquals("0:07", ProgressBar.clock(7.2));
        assertEquals("2:05", ProgressBar.clock(125));
        assertEquals("1:00:01", ProgressBar.clock(3601));
    }
}
