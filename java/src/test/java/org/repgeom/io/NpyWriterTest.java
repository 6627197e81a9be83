package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming writes give the same bytes as one-shot writes, and never leave a partial array under the name. */
class NpyWriterTest {

    @Test
    void piecesGiveTheSameBytesAsOneShot(@TempDir Path dir) throws IOException {
        Random rnd = new Random(7);
        // more than the 1 MiB buffer, written in uneven pieces
        double[] data = new double[300_000];
        for (int i = 0; i < data.length; i++) data[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(20) - 10);
        int[] shape = {1000, 300};
        Npy.writeFloat64(dir.resolve("one64.npy"), shape, data);
        Npy.writeFloat32(dir.resolve("one32.npy"), shape, data);
        try (NpyWriter w64 = NpyWriter.float64(dir.resolve("s64.npy"), shape);
             NpyWriter w32 = NpyWriter.float32(dir.resolve("s32.npy"), shape)) {
            int[] pieces = {1, 7, 1000, 65537, 13};
            for (int from = 0, k = 0; from < data.length; k++) {
                int len = Math.min(pieces[k % pieces.length], data.length - from);
                w64.append(data, from, len);
                w32.append(data, from, len);
                from += len;
            }
            assertEquals(data.length, w64.written());
            w64.finish();
            w32.finish();
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("one64.npy")), Files.readAllBytes(dir.resolve("s64.npy")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("one32.npy")), Files.readAllBytes(dir.resolve("s32.npy")));

        float[] f = new float[12];
        for (int i = 0; i < f.length; i++) f[i] = i / 3f;
        Npy.writeFloat32(dir.resolve("f.npy"), new int[] {3, 4}, f);
        try (NpyWriter w = NpyWriter.float32(dir.resolve("g.npy"), 3, 4)) {
            w.append(f, 0, 5);
            w.append(f, 5, 7);
            w.finish();
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("f.npy")), Files.readAllBytes(dir.resolve("g.npy")));
    }

    @Test
    void anIncompleteArrayNeverAppears(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.npy");
        Npy.writeFloat64(file, new int[] {2}, new double[] {1, 2});
        byte[] before = Files.readAllBytes(file);
        try (NpyWriter w = NpyWriter.float64(file, 3, 2)) {
            w.append(new double[] {1, 2, 3});
            assertThrows(IllegalStateException.class, w::finish, "3 of 6 elements");
            assertThrows(IllegalStateException.class, () -> w.append(new double[] {4, 5, 6, 7}), "7 of 6 elements");
        }
        assertArrayEquals(before, Files.readAllBytes(file), "the old array is untouched");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("a.npy"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
    }
}
