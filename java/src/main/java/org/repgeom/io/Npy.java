package org.repgeom.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0; see
 * {@link NpyHeader} for the layout).
 *
 * <p>Reading accepts float ({@code f4 f8}), signed and unsigned integer ({@code i1…i8, u1…u8}) and
 * bool ({@code b1}) arrays in either byte order and either memory order, and returns them as
 * doubles in C order (64-bit integers beyond 2^53 lose precision). Writing produces little-endian,
 * C-order arrays with a version 1.0 header (2.0 only when the header would not fit), written to a
 * temporary file in the target directory and moved into place, so an interrupted write never
 * leaves a partial array under the target name.
 */
public final class Npy {

    /** Bytes moved per I/O call: large enough to stream at disk speed, a multiple of every item size. */
    private static final int CHUNK_BYTES = 1 << 20;

    private Npy() {
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads a {@code .npy} file into an {@link NpyArray} in C order.
     *
     * @throws NpyFormatException if the file is not a supported {@code .npy} array: bad magic,
     *     unknown version, unparsable header, unsupported dtype, truncated or over-long data
     * @throws IOException if the file cannot be opened or read; the message names the file
     */
    public static NpyArray read(Path file) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new IOException(file + ": cannot open for reading (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
        try (ch) {
            return read(file, ch);
        } catch (NpyFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(file + ": read failed: " + e.getMessage(), e);
        }
    }

    private static NpyArray read(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        ByteBuffer start = ByteBuffer.allocate(8);
        if (fileSize < 10 || readFully(ch, start) < 8) {
            throw new NpyFormatException(file, "too short to be a .npy file (" + fileSize + " bytes)");
        }
        for (int i = 0; i < NpyHeader.MAGIC.length; i++) {
            if (start.get(i) != NpyHeader.MAGIC[i]) {
                throw new NpyFormatException(file, "not a .npy file (bad magic bytes)");
            }
        }
        int major = start.get(6) & 0xFF;
        int minor = start.get(7) & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw new NpyFormatException(file, "unsupported .npy format version " + major + "." + minor);
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (readFully(ch, lenBuf) < lenBuf.capacity()) {
            throw new NpyFormatException(file, "truncated header length field");
        }
        long headerLen = major == 1 ? lenBuf.getShort(0) & 0xFFFFL : lenBuf.getInt(0) & 0xFFFFFFFFL;
        long dataStart = 8 + lenBuf.capacity() + headerLen;
        if (dataStart > fileSize) {
            throw new NpyFormatException(file, "header length " + headerLen + " runs past the end of the file ("
                    + fileSize + " bytes)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLen);
        readFully(ch, headerBytes);
        String text = new String(headerBytes.array(),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(file, text);

        long count = header.elementCount();
        long expected = count * header.dtype().itemSize();
        long available = fileSize - dataStart;
        if (available < expected) {
            throw new NpyFormatException(file, "truncated data: shape " + Arrays.toString(header.shape()) + " of "
                    + header.dtype().descr() + " needs " + expected + " bytes, only " + available + " present");
        }
        if (available > expected) {
            throw new NpyFormatException(file, (available - expected) + " unexpected bytes after the data");
        }
        double[] data = new double[(int) count];
        readData(ch, header.dtype(), data);
        if (header.fortranOrder() && header.shape().length > 1) {
            data = fortranToC(header.shape(), data);
        }
        return new NpyArray(header.shape(), data);
    }

    /** Reads until {@code buf} is full or the channel ends; returns the bytes read. */
    private static int readFully(FileChannel ch, ByteBuffer buf) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            total += n;
        }
        buf.flip();
        return total;
    }

    private static void readData(FileChannel ch, NpyDtype dtype, double[] out) throws IOException {
        int item = dtype.itemSize();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(dtype.order());
        int done = 0;
        while (done < out.length) {
            int n = Math.min(out.length - done, CHUNK_BYTES / item);
            buf.clear().limit(n * item);
            if (readFully(ch, buf) < n * item) {
                throw new IOException("file ended early (was it changed while being read?)");
            }
            decode(buf, dtype, out, done, n);
            done += n;
        }
    }

    /** Converts {@code n} elements of {@code dtype} from {@code buf} into {@code out[off…]}. */
    private static void decode(ByteBuffer buf, NpyDtype dtype, double[] out, int off, int n) {
        int end = off + n;
        switch (dtype.kind() + "" + dtype.itemSize()) {
            case "f8" -> buf.asDoubleBuffer().get(out, off, n);
            case "f4" -> {
                for (int i = off; i < end; i++) out[i] = buf.getFloat();
            }
            case "i1" -> {
                for (int i = off; i < end; i++) out[i] = buf.get();
            }
            case "u1" -> {
                for (int i = off; i < end; i++) out[i] = buf.get() & 0xFF;
            }
            case "b1" -> {
                for (int i = off; i < end; i++) out[i] = buf.get() != 0 ? 1.0 : 0.0;
            }
            case "i2" -> {
                for (int i = off; i < end; i++) out[i] = buf.getShort();
            }
            case "u2" -> {
                for (int i = off; i < end; i++) out[i] = buf.getShort() & 0xFFFF;
            }
            case "i4" -> {
                for (int i = off; i < end; i++) out[i] = buf.getInt();
            }
            case "u4" -> {
                for (int i = off; i < end; i++) out[i] = buf.getInt() & 0xFFFFFFFFL;
            }
            case "i8" -> {
                for (int i = off; i < end; i++) out[i] = buf.getLong();
            }
            case "u8" -> {
                for (int i = off; i < end; i++) out[i] = unsignedToDouble(buf.getLong());
            }
            default -> throw new IllegalStateException("no decoder for " + dtype.descr());
        }
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    /**
     * Reorders column-major data into row-major: the element at index (i0, …, i_{k-1}) sits at
     * {@code Σ_a i_a · Π_{b<a} d_b} in {@code f} and at {@code Σ_a i_a · Π_{b>a} d_b} in the result.
     */
    static double[] fortranToC(int[] shape, double[] f) {
        int k = shape.length;
        long[] fStride = new long[k];
        long s = 1;
        for (int a = 0; a < k; a++) {
            fStride[a] = s;
            s *= shape[a];
        }
        double[] c = new double[f.length];
        int[] idx = new int[k];
        long fOff = 0;
        for (int p = 0; p < c.length; p++) {
            c[p] = f[(int) fOff];
            // odometer over the C index, last axis fastest, keeping the Fortran offset in step
            for (int a = k - 1; a >= 0; a--) {
                if (++idx[a] < shape[a]) {
                    fOff += fStride[a];
                    break;
                }
                fOff -= fStride[a] * (shape[a] - 1);
                idx[a] = 0;
            }
        }
        return c;
    }

    // ---------------------------------------------------------------- writing

    /** Fills {@code buf} with elements {@code [from, from + n)} of the source array. */
    @FunctionalInterface
    private interface Encoder {
        void put(ByteBuffer buf, int from, int n);
    }

    /** Writes {@code data} (C order, {@code shape}) as little-endian float32 ({@code '<f4'}). */
    public static void writeFloat32(Path file, int[] shape, float[] data) throws IOException {
        write(file, NpyDtype.FLOAT32_LE, shape, data.length, (buf, from, n) -> {
            buf.asFloatBuffer().put(data, from, n);
            buf.position(buf.position() + 4 * n);
        });
    }

    /**
     * Writes {@code data} (C order, {@code shape}) as little-endian float32 ({@code '<f4'}), each
     * value narrowed with {@code (float) x} (round to nearest).
     */
    public static void writeFloat32(Path file, int[] shape, double[] data) throws IOException {
        write(file, NpyDtype.FLOAT32_LE, shape, data.length, (buf, from, n) -> {
            for (int i = from; i < from + n; i++) buf.putFloat((float) data[i]);
        });
    }

    /** Writes {@code data} (C order, {@code shape}) as little-endian float64 ({@code '<f8'}). */
    public static void writeFloat64(Path file, int[] shape, double[] data) throws IOException {
        write(file, NpyDtype.FLOAT64_LE, shape, data.length, (buf, from, n) -> {
            buf.asDoubleBuffer().put(data, from, n);
            buf.position(buf.position() + 8 * n);
        });
    }

    /** Writes {@code data} (C order, {@code shape}) as little-endian int32 ({@code '<i4'}). */
    public static void writeInt32(Path file, int[] shape, int[] data) throws IOException {
        write(file, NpyDtype.INT32_LE, shape, data.length, (buf, from, n) -> {
            buf.asIntBuffer().put(data, from, n);
            buf.position(buf.position() + 4 * n);
        });
    }

    /** Writes {@code data} (C order, {@code shape}) as little-endian int64 ({@code '<i8'}). */
    public static void writeInt64(Path file, int[] shape, long[] data) throws IOException {
        write(file, NpyDtype.INT64_LE, shape, data.length, (buf, from, n) -> {
            buf.asLongBuffer().put(data, from, n);
            buf.position(buf.position() + 8 * n);
        });
    }

    private static void write(Path file, NpyDtype dtype, int[] shape, int length, Encoder encoder)
            throws IOException {
        checkShape(shape, length);
        byte[] header = new NpyHeader(dtype, false, shape.clone()).encode();
        try {
            AtomicFiles.write(file.toAbsolutePath(), ch -> {
                AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                int perChunk = CHUNK_BYTES / dtype.itemSize();
                for (int from = 0; from < length; from += perChunk) {
                    buf.clear();
                    encoder.put(buf, from, Math.min(perChunk, length - from));
                    buf.flip();
                    AtomicFiles.writeFully(ch, buf);
                }
            });
        } catch (IOException e) {
            throw new IOException(file + ": write failed: " + e.getMessage(), e);
        }
    }

    private static void checkShape(int[] shape, int length) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            // saturate past int range (no Java array is that long) so the product cannot overflow
            n = n > Integer.MAX_VALUE && d != 0 ? n : n * d;
        }
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but data has " + length);
        }
    }
}
