package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one human number format: exact parameters, and one format per table column. */
class NumberTextTest {
    @Test
    void parametersAreExactAndShort() {
        assertEquals("1e-4", NumberText.exact(1e-4));
        assertEquals("0.01", NumberText.exact(0.01));
        assertEquals("3", NumberText.exact(3.0));
        assertEquals("2.5e-7", NumberText.exact(2.5e-7));
        assertEquals("0.01/0.001", NumberText.exact(new double[] {0.01, 1e-3}));
        assertEquals("1e-4", NumberText.exact(new double[] {1e-4, 1e-4}));
        for (double v : new double[] {1e-4, 0.3, 1.0 / 3, 6.02e23}) assertEquals(v, Double.parseDouble(NumberText.exact(v)));
    }

    @Test
    void aColumnHasOneNumberOfDecimals() {
        // the case: PS 1 and 0.9999 in one column
        assertArrayEquals(new String[] {"1.0000", "0.9999", "n/a"}, NumberText.column(1.0, 0.99991, Double.NaN));
        String[] mixed = NumberText.column(12.5, 3.0);
        assertEquals(mixed[0].length() - mixed[0].indexOf('.'), mixed[1].length() - mixed[1].indexOf('.'));
        assertArrayEquals(new String[] {"12.500", "3.000"}, mixed);
        // more than four decades, or tiny values: scientific, four significant digits
        assertArrayEquals(new String[] {"1.000e-07", "2.500e-02"}, NumberText.column(1e-7, 0.025));
        assertArrayEquals(new String[] {"0", "0"}, NumberText.column(0, 0));
        assertArrayEquals(new String[] {"0.0000", "0.5000"}, NumberText.column(0, 0.5));
    }

    @Test
    void tablesWrapTheirLegendAtOneHundredColumns() {
        TextTable t = new TextTable("title", "configuration", "value").row("relu|w=8", "1.000").row("tanh|w=16", "0.5000");
        t.legend("word ".repeat(60));
        String out = t.render();
        for (String line : out.split("\n")) assertTrue(line.length() <= TextTable.WIDTH, line);
        assertTrue(out.contains("\nrelu|w=8        1.000\ntanh|w=16      0.5000\n"), out);
    }

    @Test
    void aTableWithLongKeysPutsThemOnLinesOfTheirOwn() {
        String key = "leaky_relu|w=16x16x16|lambda=0.01/0.001/1e-4|lr=0.001";
        TextTable t = new TextTable(null, "configuration", "median loss", "reference loss", "median gap", "largest gap",
                "certified");
        t.row(key, "0.1234", "0.1200", "2.833e-02", "4.100e-02", "100%");
        String out = t.render();
        for (String line : out.split("\n")) assertTrue(line.length() <= TextTable.WIDTH, line);
        assertTrue(out.contains("\n" + key + "\n       0.1234  "), out);
    }
}
