package org.repgeom.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Writes a {@code .npy} array whose shape is known up front but whose rows arrive in pieces, so an
 * array larger than the heap can be written from a stream of small blocks (a study's kernels,
 * loss curves or parameters, chunk by chunk).
 *
 * <p>The header is written first, then each {@link #append} adds elements in C order. Everything
 * goes to a temporary sibling file; {@link #finish()} checks that exactly
 * {@code Π shape} elements arrived, forces the data to disk and renames the file into place, so
 * the target name only ever holds a complete array. {@link #close()} without {@code finish()}
 * (an exception on the way) deletes the temporary file and leaves any previous target untouched.
 * The bytes are those {@link Npy#writeFloat32} / {@link Npy#writeFloat64} write for the same data.
 */
public final class NpyWriter implements Closeable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final Path tmp;
    private final NpyDtype dtype;
    private final int[] shape;
    private final long expected;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long written;
    private boolean finished;

    private NpyWriter(Path file, NpyDtype dtype, int[] shape) throws IOException {
        this.target = file.toAbsolutePath();
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        this.expected = n;
        this.tmp = AtomicFiles.createTemp(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".tmp");
        this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        writeFully(ByteBuffer.wrap(new NpyHeader(dtype, false, this.shape).encode()));
    }

    /** A little-endian float32 ({@code '<f4'}) array of {@code shape}; doubles are narrowed with {@code (float) x}. */
    public static NpyWriter float32(Path file, int... shape) throws IOException {
        return new NpyWriter(file, NpyDtype.FLOAT32_LE, shape);
    }

    /** A little-endian float64 ({@code '<f8'}) array of {@code shape}. */
    public static NpyWriter float64(Path file, int... shape) throws IOException {
        return new NpyWriter(file, NpyDtype.FLOAT64_LE, shape);
    }

    /** Elements written so far. */
    public long written() {
        return written;
    }

    /** Appends {@code values[from … from+n)} in C order. */
    public void append(double[] values, int from, int n) throws IOException {
        java.util.Objects.checkFromIndexSize(from, n, values.length);
        reserve(n);
        for (int i = from; i < from + n; i++) {
            if (buffer.remaining() < 8) flush();
            if (dtype.itemSize() == 4) buffer.putFloat((float) values[i]);
            else buffer.putDouble(values[i]);
        }
    }

    /** Appends all of {@code values}. */
    public void append(double[] values) throws IOException {
        append(values, 0, values.length);
    }

    /** Appends {@code values[from … from+n)}; a float64 array widens them exactly. */
    public void append(float[] values, int from, int n) throws IOException {
        java.util.Objects.checkFromIndexSize(from, n, values.length);
        reserve(n);
        for (int i = from; i < from + n; i++) {
            if (buffer.remaining() < 8) flush();
            if (dtype.itemSize() == 4) buffer.putFloat(values[i]);
            else buffer.putDouble(values[i]);
        }
    }

    /** Appends all of {@code values}. */
    public void append(float[] values) throws IOException {
        append(values, 0, values.length);
    }

    private void reserve(long n) {
        if (finished) throw new IllegalStateException(target + ": already finished");
        if (written + n > expected) {
            throw new IllegalStateException(target + ": shape " + Arrays.toString(shape) + " holds " + expected
                    + " elements, " + (written + n) + " appended");
        }
        written += n;
    }

    /** Checks the element count, syncs and moves the file to its name. */
    public void finish() throws IOException {
        if (written != expected) {
            throw new IllegalStateException(target + ": shape " + Arrays.toString(shape) + " needs " + expected
                    + " elements, only " + written + " were appended");
        }
        flush();
        channel.force(false); // data on disk before the rename makes it visible
        channel.close();
        AtomicFiles.move(tmp, target);
        AtomicFiles.syncDirectory(target.toAbsolutePath().getParent());
        finished = true;
    }

    @Override
    public void close() throws IOException {
        if (finished) return;
        channel.close();
        Files.deleteIfExists(tmp);
    }

    private void flush() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) channel.write(b);
    }
}
