package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void textCellsRoundTripWhateverTheyHold() throws Exception {
        List<String> texts = List.of("plain", "a,b", "say \"hi\"", "\"", "\"\"", "two\nlines", "cr\rlf\r\n", ",", "", " pad ",
                "é漢字\u0085");
        StringBuilder doc = new StringBuilder();
        for (String t : texts) doc.append(Csv.line("7", Csv.text(t), Csv.num(0.1), Csv.num(Double.NaN))).append('\n');
        try (Csv.Reader r = new Csv.Reader(new StringReader(doc.toString()))) {
            for (String t : texts) assertEquals(List.of("7", t, "0.1", ""), r.next(), t);
            assertNull(r.next());
        }
    }

    @Test
    void numbersAreExactAndNaNIsEmpty() {
        for (double v : new double[] {0.1 + 0.2, -0.0, 1e-300, Double.MAX_VALUE, 3.0, Double.POSITIVE_INFINITY}) {
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(Double.parseDouble(Csv.num(v))));
        }
        assertEquals("", Csv.num(Double.NaN));
    }

    @Test
    void readsCrlfEmptyCellsAndATrailingRecordWithoutLineEnd() throws Exception {
        try (Csv.Reader r = new Csv.Reader(new StringReader("a,b,\r\n,\"x\r\ny\",\"\"\r\nlast"))) {
            assertEquals(List.of("a", "b", ""), r.next());
            assertEquals(List.of("", "x\r\ny", ""), r.next());
            assertEquals(List.of("last"), r.next());
            assertNull(r.next());
        }
        assertEquals(List.of("1", "a,b", "say \"hi\"", ""), Csv.split("1,\"a,b\",\"say \"\"hi\"\"\","));
        assertEquals(List.of(""), Csv.split(""));
    }

    @Test
    void malformedInputAndUnquotedSpecialCellsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Csv.split("1,\"open"));
        assertTrue(e.getMessage().contains("not closed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Csv.split("a\nb"), "two records");
        assertThrows(IllegalArgumentException.class, () -> Csv.line("ok", "a,b"));
        assertThrows(IllegalArgumentException.class, () -> Csv.line("x\"y"));
        List<String> cells = new ArrayList<>(List.of("1", Csv.text("a,b")));
        assertEquals("1,\"a,b\"", Csv.line(cells));
    }
}
