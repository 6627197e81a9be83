package org.repgeom.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The header of a {@code .npy} file: element type, memory order and shape.
 *
 * <p>On disk (NumPy format spec, versions 1.0–3.0): magic {@code \x93NUMPY}, major and minor
 * version bytes, header length (little-endian uint16 for 1.0, uint32 for 2.0/3.0), then the header:
 * a Python dict literal {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}
 * padded with spaces and ended with {@code '\n'} so the data starts at a multiple of 64 bytes.
 * Version 3.0 only differs in encoding the header as UTF-8 instead of Latin-1.
 */
record NpyHeader(NpyDtype dtype, boolean fortranOrder, int[] shape) {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final int ALIGNMENT = 64;
    private static final int V1_PREAMBLE = MAGIC.length + 2 + 2;
    private static final int V2_PREAMBLE = MAGIC.length + 2 + 4;
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** Number of elements, the product of the shape (1 for a scalar). */
    long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Parses the header dict; {@code file} only names the file in error messages.
     *
     * @throws NpyFormatException for syntax errors, missing or extra keys, unsupported dtypes
     *     (object, structured, strings, …) and malformed shapes
     */
    static NpyHeader parse(Path file, String text) throws NpyFormatException {
        Object literal;
        try {
            literal = PyLiteral.parse(text);
        } catch (PyLiteral.SyntaxError e) {
            throw new NpyFormatException(file, "header is not a valid Python dict literal: " + e.getMessage());
        }
        if (!(literal instanceof Map<?, ?> dict)) {
            throw new NpyFormatException(file, "header is not a dict");
        }
        if (!dict.keySet().equals(KEYS)) {
            throw new NpyFormatException(file, "header keys are " + dict.keySet() + ", expected exactly " + KEYS);
        }
        NpyDtype dtype = parseDescr(file, dict.get("descr"));
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new NpyFormatException(file, "'fortran_order' must be True or False, got " + dict.get("fortran_order"));
        }
        int[] shape = parseShape(file, dict.get("shape"));
        return new NpyHeader(dtype, fortran, shape);
    }

    private static NpyDtype parseDescr(Path file, Object descr) throws NpyFormatException {
        if (descr instanceof List<?>) {
            throw new NpyFormatException(file, "structured dtypes (record arrays) are not supported");
        }
        if (!(descr instanceof String s)) {
            throw new NpyFormatException(file, "'descr' must be a string, got " + descr);
        }
        if (s.length() >= 2 && s.charAt(1) == 'O') {
            throw new NpyFormatException(file, "object arrays (dtype '" + s + "') are not supported");
        }
        NpyDtype dtype = NpyDtype.parse(s);
        if (dtype == null) {
            throw new NpyFormatException(file, "unsupported dtype '" + s + "'; supported: " + NpyDtype.SUPPORTED);
        }
        return dtype;
    }

    private static int[] parseShape(Path file, Object shapeValue) throws NpyFormatException {
        if (!(shapeValue instanceof PyLiteral.Tuple tuple)) {
            throw new NpyFormatException(file, "'shape' must be a tuple, got " + shapeValue);
        }
        int[] shape = new int[tuple.items().size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            Object d = tuple.items().get(i);
            if (!(d instanceof Long len) || len < 0 || len > Integer.MAX_VALUE) {
                throw new NpyFormatException(file, "'shape' entry " + i + " is not a non-negative int: " + d);
            }
            shape[i] = (int) (long) len;
            count *= shape[i];
            if (count > Integer.MAX_VALUE - 8) {
                throw new NpyFormatException(file, "array has more elements than a Java array can hold");
            }
        }
        return shape;
    }

    /** The dict literal as NumPy writes it, without padding. */
    String dictLiteral() {
        StringJoiner dims = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
        for (int d : shape) {
            dims.add(Integer.toString(d));
        }
        return "{'descr': '" + dtype.descr() + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + dims + ", }";
    }

    /**
     * Magic, version, length and padded header, ready to precede the data: version 1.0 unless the
     * header needs more than 65535 bytes, then 2.0.
     */
    byte[] encode() {
        byte[] dict = dictLiteral().getBytes(StandardCharsets.ISO_8859_1);
        boolean v1 = paddedLength(V1_PREAMBLE, dict.length) <= 0xFFFF;
        int preamble = v1 ? V1_PREAMBLE : V2_PREAMBLE;
        int headerLen = paddedLength(preamble, dict.length);
        byte[] out = new byte[preamble + headerLen];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) (v1 ? 1 : 2);
        out[7] = 0;
        for (int i = 0; i < (v1 ? 2 : 4); i++) {
            out[8 + i] = (byte) (headerLen >>> (8 * i));
        }
        System.arraycopy(dict, 0, out, preamble, dict.length);
        for (int i = preamble + dict.length; i < out.length - 1; i++) {
            out[i] = ' ';
        }
        out[out.length - 1] = '\n';
        return out;
    }

    /** Length of dict + spaces + newline such that preamble + it is a multiple of {@link #ALIGNMENT}. */
    private static int paddedLength(int preamble, int dictLength) {
        int unpadded = preamble + dictLength + 1;
        int total = (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        return total - preamble;
    }
}
