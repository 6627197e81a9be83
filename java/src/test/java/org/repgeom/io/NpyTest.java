package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    private static final List<int[]> SHAPES = List.of(
            new int[] {}, new int[] {1}, new int[] {7}, new int[] {3, 4}, new int[] {2, 3, 5},
            new int[] {0}, new int[] {2, 0, 3});

    private static int count(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Distinct, non-trivial values: i-dependent, with sign changes and non-dyadic fractions. */
    private static double[] values(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (i % 2 == 0 ? 1 : -1) * (i + 0.1) / 3.0;
        return v;
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void float64RoundTripIsExactForEveryShape() throws IOException {
        for (int[] shape : SHAPES) {
            Path f = dir.resolve("a" + shape.length + "_" + count(shape) + ".npy");
            double[] data = values(count(shape));
            Npy.writeFloat64(f, shape, data);
            NpyArray a = Npy.read(f);
            assertArrayEquals(shape, a.shape(), Arrays.toString(shape));
            assertArrayEquals(data, a.data(), 0.0);
            assertEquals(count(shape), a.size());
        }
    }

    @Test
    void float32RoundTripFromFloats() throws IOException {
        for (int[] shape : SHAPES) {
            Path f = dir.resolve("f" + shape.length + "_" + count(shape) + ".npy");
            float[] data = new float[count(shape)];
            for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i + 0.5) * 1e3f;
            Npy.writeFloat32(f, shape, data);
            NpyArray a = Npy.read(f);
            assertArrayEquals(shape, a.shape());
            for (int i = 0; i < data.length; i++) assertEquals(data[i], a.data()[i], 0.0);
        }
    }

    @Test
    void float32FromDoublesNarrowsToNearestFloat() throws IOException {
        Path f = dir.resolve("narrow.npy");
        double[] data = {1.0 / 3, Math.PI, -1e-40, 1e39, 0.1};
        Npy.writeFloat32(f, new int[] {5}, data);
        NpyArray a = Npy.read(f);
        for (int i = 0; i < data.length; i++) assertEquals((double) (float) data[i], a.data()[i], 0.0);
        assertEquals(Double.POSITIVE_INFINITY, a.data()[3]); // out of float range
        assertEquals(128 + 5 * 4, Files.size(f)); // 10 + 57-byte dict + newline, padded to 128
    }

    @Test
    void int32RoundTripKeepsExtremes() throws IOException {
        Path f = dir.resolve("i.npy");
        int[] data = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 42};
        Npy.writeInt32(f, new int[] {2, 3}, data);
        NpyArray a = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, a.shape());
        for (int i = 0; i < data.length; i++) assertEquals(data[i], a.data()[i], 0.0);
        assertEquals(3, a.dim(1));
    }

    @Test
    void writtenHeaderFollowsTheSpec() throws IOException {
        Path f = dir.resolve("h.npy");
        Npy.writeFloat64(f, new int[] {3}, new double[] {1, 2, 3});
        byte[] b = Files.readAllBytes(f);
        assertArrayEquals(NpyHeader.MAGIC, Arrays.copyOf(b, 6));
        assertEquals(1, b[6]);
        assertEquals(0, b[7]);
        int headerLen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
        int dataStart = 10 + headerLen;
        assertEquals(0, dataStart % 64);
        assertEquals('\n', b[dataStart - 1]);
        String header = new String(b, 10, headerLen, StandardCharsets.ISO_8859_1).trim();
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", header);
        assertEquals(dataStart + 24, b.length);
        assertEquals(2.0, ByteBuffer.wrap(b, dataStart + 8, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble());
    }

    @Test
    void hugeHeaderSwitchesToVersion2() throws IOException {
        int[] shape = new int[25_000]; // ", 1" per axis: past the 65535-byte limit of version 1.0
        Arrays.fill(shape, 1);
        Path f = dir.resolve("v2.npy");
        Npy.writeFloat64(f, shape, new double[] {7.5});
        byte[] b = Files.readAllBytes(f);
        assertEquals(2, b[6]);
        int headerLen = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        assertTrue(headerLen > 0xFFFF);
        assertEquals(0, (12 + headerLen) % 64);
        NpyArray a = Npy.read(f);
        assertEquals(25_000, a.ndim());
        assertArrayEquals(new double[] {7.5}, a.data(), 0.0);
    }

    @Test
    void overwriteReplacesAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("o.npy");
        Npy.writeFloat64(f, new int[] {2}, new double[] {1, 2});
        Npy.writeInt32(f, new int[] {3}, new int[] {4, 5, 6});
        assertArrayEquals(new double[] {4, 5, 6}, Npy.read(f).data(), 0.0);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void writerRejectsShapeThatDoesNotMatchData() {
        Path f = dir.resolve("bad.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.writeFloat64(f, new int[] {2, 2}, new double[3]));
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Npy.writeInt32(f, new int[] {-1}, new int[0]));
        assertFalse(Files.exists(f));
    }

    @Test
    void largeArrayStreamsThroughSeveralChunks() throws IOException {
        int n = 3 * (1 << 17) + 11; // > 2 MiB of doubles: several 1 MiB chunks plus a tail
        double[] data = values(n);
        Path f = dir.resolve("big.npy");
        Npy.writeFloat64(f, new int[] {n}, data);
        assertArrayEquals(data, Npy.read(f).data(), 0.0);
        Path g = dir.resolve("big32.npy");
        Npy.writeFloat32(g, new int[] {11, n / 11}, Arrays.copyOf(data, n / 11 * 11));
        double[] back = Npy.read(g).data();
        assertEquals((float) data[n / 11 * 11 - 1], back[back.length - 1], 0.0);
    }

    // ------------------------------------------------------------------ hand-built files

    /** A .npy file with the given version, header dict (padded here) and raw data bytes. */
    static byte[] npyBytes(int major, String dict, byte[] data) {
        int preamble = major == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(dict);
        while ((preamble + h.length() + 1) % 64 != 0) h.append(' ');
        h.append('\n');
        byte[] header = h.toString().getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(NpyHeader.MAGIC);
        out.write(major);
        out.write(0);
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) len.putShort((short) header.length);
        else len.putInt(header.length);
        out.writeBytes(len.array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void readsBigEndianFloatsAndInts() throws IOException {
        ByteBuffer d8 = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN).putDouble(1.5).putDouble(-2.25).putDouble(1e300);
        assertArrayEquals(new double[] {1.5, -2.25, 1e300},
                Npy.read(file("be8.npy", npyBytes(1, dict(">f8", false, "(3,)"), d8.array()))).data(), 0.0);

        ByteBuffer d4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(0.1f).putFloat(-3f);
        assertArrayEquals(new double[] {0.1f, -3f},
                Npy.read(file("be4.npy", npyBytes(1, dict(">f4", false, "(1, 2)"), d4.array()))).data(), 0.0);

        ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-7).putInt(1 << 20);
        assertArrayEquals(new double[] {-7, 1 << 20},
                Npy.read(file("bei4.npy", npyBytes(1, dict(">i4", false, "(2,)"), i4.array()))).data(), 0.0);

        ByteBuffer i8 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(-3L).putLong(1L << 40);
        assertArrayEquals(new double[] {-3, 0x1p40},
                Npy.read(file("bei8.npy", npyBytes(1, dict(">i8", false, "(2,)"), i8.array()))).data(), 0.0);
    }

    @Test
    void readsLittleEndianIntegersBytesAndBools() throws IOException {
        ByteBuffer i8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MIN_VALUE).putLong(5);
        assertArrayEquals(new double[] {-0x1p63, 5},
                Npy.read(file("i8.npy", npyBytes(1, dict("<i8", false, "(2,)"), i8.array()))).data(), 0.0);
        byte[] bytes = {0, 1, (byte) 200, (byte) 255};
        assertArrayEquals(new double[] {0, 1, 200, 255},
                Npy.read(file("u1.npy", npyBytes(1, dict("|u1", false, "(4,)"), bytes))).data(), 0.0);
        assertArrayEquals(new double[] {0, 1, -56, -1},
                Npy.read(file("i1.npy", npyBytes(1, dict("|i1", false, "(2, 2)"), bytes))).data(), 0.0);
        assertArrayEquals(new double[] {0, 1, 1, 1},
                Npy.read(file("b1.npy", npyBytes(1, dict("|b1", false, "(4,)"), bytes))).data(), 0.0);
        ByteBuffer u8 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        assertEquals(0x1p64, Npy.read(file("u8.npy", npyBytes(1, dict("<u8", false, "()"), u8.array()))).data()[0], 0.0);
    }

    @Test
    void fortranOrderIsTransposedToCOrder() throws IOException {
        // 2x3 matrix [[0,1,2],[10,11,12]] stored column-major: 0,10,1,11,2,12
        ByteBuffer d = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : new double[] {0, 10, 1, 11, 2, 12}) d.putDouble(v);
        NpyArray a = Npy.read(file("f2.npy", npyBytes(1, dict("<f8", true, "(2, 3)"), d.array())));
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new double[] {0, 1, 2, 10, 11, 12}, a.data(), 0.0);

        // 3-d: value at (i,j,k) = 100i + 10j + k, stored with i fastest
        int[] s = {2, 3, 4};
        ByteBuffer f3 = ByteBuffer.allocate(24 * 4).order(ByteOrder.BIG_ENDIAN);
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 2; i++) f3.putFloat(100 * i + 10 * j + k);
        NpyArray b = Npy.read(file("f3.npy", npyBytes(1, dict(">f4", true, "(2, 3, 4)"), f3.array())));
        assertArrayEquals(s, b.shape());
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++) assertEquals(100 * i + 10 * j + k, b.data()[(i * 3 + j) * 4 + k], 0.0);
    }

    @Test
    void readsVersion2And3HeadersAndFreeKeyOrder() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(3).putDouble(4);
        String reordered = "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f8\"}";
        assertArrayEquals(new double[] {3, 4}, Npy.read(file("v2.npy", npyBytes(2, reordered, d.array()))).data(), 0.0);
        assertArrayEquals(new double[] {3, 4}, Npy.read(file("v3.npy", npyBytes(3, reordered, d.array()))).data(), 0.0);
    }

    // ------------------------------------------------------------------ corrupt files

    private NpyFormatException rejects(String name, byte[] bytes, String expectedWords) throws IOException {
        Path f = file(name, bytes);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(expectedWords), "message says '" + expectedWords + "': " + e.getMessage());
        assertEquals(f, e.file());
        return e;
    }

    @Test
    void rejectsCorruptOrUnsupportedFiles() throws IOException {
        byte[] good = npyBytes(1, dict("<f8", false, "(2,)"), new byte[16]);
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        rejects("magic.npy", badMagic, "magic");
        rejects("empty.npy", new byte[0], "too short");
        rejects("truncated.npy", Arrays.copyOf(good, good.length - 3), "truncated");
        rejects("trailing.npy", Arrays.copyOf(good, good.length + 5), "5 unexpected bytes");
        byte[] version = good.clone();
        version[6] = 4;
        rejects("version.npy", version, "version 4.0");
        rejects("headerlen.npy", Arrays.copyOf(good, 40), "runs past the end");
        rejects("object.npy", npyBytes(1, dict("|O", false, "(2,)"), new byte[16]), "object arrays");
        rejects("structured.npy", npyBytes(1, "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }",
                new byte[24]), "structured");
        rejects("unicode.npy", npyBytes(1, dict("<U4", false, "(2,)"), new byte[32]), "unsupported dtype '<U4'");
        rejects("garbage.npy", npyBytes(1, "{'descr': '<f8', 'fortran_order': Flase, 'shape': (2,)}", new byte[16]),
                "not a valid Python dict");
        rejects("unclosed.npy", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,", new byte[16]),
                "not a valid Python dict");
        rejects("missing.npy", npyBytes(1, "{'descr': '<f8', 'shape': (2,)}", new byte[16]), "expected exactly");
        rejects("extra.npy", npyBytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", new byte[16]),
                "expected exactly");
        rejects("list.npy", npyBytes(1, "[1, 2]", new byte[16]), "not a dict");
        rejects("shape.npy", npyBytes(1, dict("<f8", false, "[2]"), new byte[16]), "'shape' must be a tuple");
        rejects("negative.npy", npyBytes(1, dict("<f8", false, "(-2,)"), new byte[16]), "non-negative");
        rejects("order.npy", npyBytes(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}", new byte[16]),
                "fortran_order");
        rejects("wide.npy", npyBytes(1, dict("|f8", false, "(2,)"), new byte[16]), "unsupported dtype");
    }

    @Test
    void missingFileIsAnIOExceptionNamingTheFile() {
        Path f = dir.resolve("no-such.npy");
        IOException e = assertThrows(IOException.class, () -> Npy.read(f));
        assertFalse(e instanceof NpyFormatException);
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void directoryIsAnIOExceptionNamingIt() {
        IOException e = assertThrows(IOException.class, () -> Npy.read(dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
}
