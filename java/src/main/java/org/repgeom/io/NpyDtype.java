package org.repgeom.io;

import java.nio.ByteOrder;

/**
 * The scalar element types this package reads: a kind ({@code f}, {@code i}, {@code u}, {@code b}),
 * a size in bytes and a byte order, as spelled by a NumPy {@code descr} string such as
 * {@code '<f8'} or {@code '|u1'}.
 */
record NpyDtype(char kind, int itemSize, ByteOrder order) {

    static final String SUPPORTED = "f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 (byte order <, > or |)";

    static final NpyDtype FLOAT32_LE = new NpyDtype('f', 4, ByteOrder.LITTLE_ENDIAN);
    static final NpyDtype FLOAT64_LE = new NpyDtype('f', 8, ByteOrder.LITTLE_ENDIAN);
    static final NpyDtype INT32_LE = new NpyDtype('i', 4, ByteOrder.LITTLE_ENDIAN);
    static final NpyDtype INT64_LE = new NpyDtype('i', 8, ByteOrder.LITTLE_ENDIAN);

    /**
     * Parses a simple {@code descr}; returns {@code null} when the string is not one of the
     * supported types (the caller turns that into an error naming the file).
     */
    static NpyDtype parse(String descr) {
        if (descr.length() < 2) {
            return null;
        }
        char orderChar = descr.charAt(0);
        String rest = descr.substring(1);
        ByteOrder order;
        switch (orderChar) {
            case '<' -> order = ByteOrder.LITTLE_ENDIAN;
            case '>' -> order = ByteOrder.BIG_ENDIAN;
            case '=' -> order = ByteOrder.nativeOrder();
            case '|' -> order = null; // "not applicable": only valid for one-byte types
            default -> {
                return null;
            }
        }
        char kind = rest.charAt(0);
        int size;
        try {
            size = Integer.parseInt(rest.substring(1));
        } catch (NumberFormatException e) {
            return null;
        }
        boolean known = switch (kind) {
            case 'f' -> size == 4 || size == 8;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'b' -> size == 1;
            default -> false;
        };
        if (!known || (order == null && size != 1)) {
            return null;
        }
        return new NpyDtype(kind, size, order == null ? ByteOrder.LITTLE_ENDIAN : order);
    }

    /** The {@code descr} string NumPy writes for this type. */
    String descr() {
        if (itemSize == 1) {
            return "|" + kind + "1";
        }
        return (order == ByteOrder.BIG_ENDIAN ? ">" : "<") + kind + itemSize;
    }
}
