package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyRowsTest {
    @Test
    void readsSingleRowsOfFloat32AndFloat64Arrays(@TempDir Path tmp) throws Exception {
        double[] data = new double[3 * 2 * 4];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.5 - 3;
        Path f8 = tmp.resolve("a.npy"), f4 = tmp.resolve("b.npy");
        Npy.writeFloat64(f8, new int[] {3, 2, 4}, data);
        Npy.writeFloat32(f4, new int[] {3, 2, 4}, data);
        for (Path f : new Path[] {f8, f4}) {
            try (NpyRows rows = NpyRows.open(f)) {
                assertEquals(3, rows.rows());
                assertEquals(8, rows.rowLength());
                for (int r = 2; r >= 0; r--) {
                    double[] expected = new double[8];
                    System.arraycopy(data, r * 8, expected, 0, 8);
                    assertArrayEquals(expected, rows.row(r), 0.0);
                }
                assertThrows(IndexOutOfBoundsException.class, () -> rows.row(3));
            }
        }
    }

    @Test
    void refusesIntegerArrays(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("i.npy");
        Npy.writeInt32(f, new int[] {2, 2}, new int[] {1, 2, 3, 4});
        assertThrows(NpyFormatException.class, () -> NpyRows.open(f));
    }
}
