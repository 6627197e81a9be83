package org.repgeom.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyFormatException;
import org.repgeom.study.spec.SpecException;

class TaskFromNpyTest {

    @TempDir
    Path dir;

    @Test
    void loadsFloat32AndFloat64Files() throws IOException {
        Task source = Tasks.hypercube(2, 2, InputSpec.of("whitened", 9));
        Path x = dir.resolve("X.npy");
        Path y = dir.resolve("Y.npy");
        Npy.writeFloat64(x, new int[] {8, 8}, source.xData());
        Npy.writeFloat32(y, new int[] {2, 8}, source.yData());
        Task t = Tasks.fromNpy(x, y);
        assertEquals(source, t);
        assertEquals("npy(X.npy,Y.npy)", t.name());
        assertTrue(TaskChecks.isHypercube(t));
    }

    @Test
    void oneDimensionalYIsOneLabel() throws IOException {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        Npy.writeFloat32(x, new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Npy.writeInt32(y, new int[] {3}, new int[] {1, -1, 1});
        Task t = Tasks.fromNpy(x, y);
        assertEquals(1, t.outputDim());
        assertEquals(3, t.samples());
        assertArrayEquals(new double[] {1, -1, 1}, t.yData(), 0.0);
        assertEquals(6.0, t.x(1, 2), 0.0);
    }

    private SpecException rejects(Path x, Path y, Path blamed, String words) {
        SpecException e = assertThrows(SpecException.class, () -> Tasks.fromNpy(x, y));
        assertTrue(e.field().contains(blamed.toString()), "field names the file: " + e.field());
        assertTrue(e.field().startsWith(blamed == x ? "task.x" : "task.y"), e.field());
        assertTrue(e.getMessage().contains(words), "message says '" + words + "': " + e.getMessage());
        return e;
    }

    @Test
    void rejectsNonFiniteValuesNamingTheIndex() throws IOException {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        Npy.writeFloat64(x, new int[] {2, 3}, new double[] {0, 1, 2, 3, Double.NaN, 5});
        Npy.writeFloat64(y, new int[] {1, 3}, new double[] {1, 1, 1});
        rejects(x, y, x, "NaN at index (1, 1)");
        Npy.writeFloat64(x, new int[] {2, 3}, new double[6]);
        Npy.writeFloat32(y, new int[] {3}, new double[] {1, Double.POSITIVE_INFINITY, 1});
        rejects(x, y, y, "Infinity at index 1");
    }

    @Test
    void rejectsShapeProblems() throws IOException {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        Npy.writeFloat64(x, new int[] {2, 3}, new double[6]);
        Npy.writeFloat64(y, new int[] {1, 4}, new double[4]);
        rejects(x, y, y, "P=4");
        Path x3 = dir.resolve("x3.npy");
        Npy.writeFloat64(x3, new int[] {1, 2, 3}, new double[6]);
        rejects(x3, y, x3, "2-d");
        Path x1 = dir.resolve("x1.npy");
        Npy.writeFloat64(x1, new int[] {4}, new double[4]);
        rejects(x1, y, x1, "2-d");
        Path empty = dir.resolve("empty.npy");
        Npy.writeFloat64(empty, new int[] {0, 4}, new double[0]);
        rejects(empty, y, empty, "empty");
    }

    @Test
    void unreadableFilesKeepTheCause() throws IOException {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("missing.npy");
        Npy.writeFloat64(x, new int[] {1, 1}, new double[1]);
        SpecException missing = rejects(x, y, y, "cannot load");
        assertInstanceOf(IOException.class, missing.getCause());
        Path garbage = dir.resolve("garbage.npy");
        Files.writeString(garbage, "not an array");
        SpecException bad = rejects(garbage, x, garbage, "magic");
        assertInstanceOf(NpyFormatException.class, bad.getCause());
    }
}
