package org.repgeom.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Random access to the rows (slices along axis 0) of a C-order float {@code .npy} array without
 * reading the whole file: {@code kernels.npy} (E×P×P) or {@code loss_curves.npy} (E×T) of a large
 * study can be sampled member by member. Supports {@code f4} and {@code f8} in either byte order;
 * other arrays are read with {@link Npy#read}.
 */
public final class NpyRows implements Closeable {
    private final Path file;
    private final FileChannel ch;
    private final NpyHeader header;
    private final long dataStart;
    private final int rowLength;

    private NpyRows(Path file, FileChannel ch, NpyHeader header, long dataStart, int rowLength) {
        this.file = file;
        this.ch = ch;
        this.header = header;
        this.dataStart = dataStart;
        this.rowLength = rowLength;
    }

    /** Opens {@code file} and reads its header; the caller closes it. */
    public static NpyRows open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ByteBuffer start = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(start, 0);
            for (int i = 0; i < NpyHeader.MAGIC.length; i++) {
                if (start.limit() < 10 || start.get(i) != NpyHeader.MAGIC[i]) {
                    throw new NpyFormatException(file, "not a .npy file (bad magic bytes)");
                }
            }
            int major = start.get(6) & 0xFF;
            if (major < 1 || major > 3) throw new NpyFormatException(file, "unsupported .npy format version " + major);
            long headerLen = major == 1 ? start.getShort(8) & 0xFFFFL : start.getInt(8) & 0xFFFFFFFFL;
            long headerStart = major == 1 ? 10 : 12;
            ByteBuffer text = ByteBuffer.allocate((int) headerLen);
            ch.read(text, headerStart);
            NpyHeader header = NpyHeader.parse(file, new String(text.array(),
                    major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
            if (header.dtype().kind() != 'f') {
                throw new NpyFormatException(file, "row access supports float arrays, not " + header.dtype().descr());
            }
            if (header.fortranOrder() && header.shape().length > 1) {
                throw new NpyFormatException(file, "row access needs C order");
            }
            if (header.shape().length < 1) throw new NpyFormatException(file, "a 0-d array has no rows");
            long expected = header.elementCount() * header.dtype().itemSize();
            if (ch.size() - headerStart - headerLen != expected) {
                throw new NpyFormatException(file, "data size does not match shape " + Arrays.toString(header.shape()));
            }
            long len = 1;
            for (int a = 1; a < header.shape().length; a++) len *= header.shape()[a];
            if (len > Integer.MAX_VALUE / 8) throw new NpyFormatException(file, "rows of " + len + " elements are too long");
            return new NpyRows(file, ch, header, headerStart + headerLen, (int) len);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The array's shape. */
    public int[] shape() {
        return header.shape().clone();
    }

    /** Number of rows (the length of axis 0). */
    public int rows() {
        return header.shape()[0];
    }

    /** Elements per row (the product of the other axes). */
    public int rowLength() {
        return rowLength;
    }

    /** Row {@code row} as doubles (a new array of {@link #rowLength()}). */
    public double[] row(int row) throws IOException {
        double[] out = new double[rowLength];
        read(row, out, 0);
        return out;
    }

    /** Reads row {@code row} into {@code out[off …]}. */
    public void read(int row, double[] out, int off) throws IOException {
        if (row < 0 || row >= rows()) throw new IndexOutOfBoundsException("row " + row + " of " + rows() + " in " + file);
        int item = header.dtype().itemSize();
        ByteBuffer buf = ByteBuffer.allocate(rowLength * item).order(header.dtype().order());
        long pos = dataStart + (long) row * rowLength * item;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new IOException(file + ": file ended early");
        }
        buf.flip();
        if (item == 8) {
            buf.asDoubleBuffer().get(out, off, rowLength);
        } else {
            for (int i = 0; i < rowLength; i++) out[off + i] = buf.getFloat();
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
