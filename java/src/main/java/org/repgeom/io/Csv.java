package org.repgeom.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The program's one CSV dialect (RFC 4180), for every table it writes and reads back
 * ({@code members.csv}, the analysis, landscape and theory tables).
 *
 * <p>Writing: {@link #num} for numbers (Java's shortest round-trip form, so parsing gives back the
 * exact double; NaN is an empty cell, which pandas reads as missing), {@link #text} for free text
 * (always double-quoted, a quote doubled), plain tokens (ids, enum names) as they are; {@link #line}
 * joins the cells and refuses a plain token that would need quoting. Reading: {@link Reader} returns
 * one record at a time, honouring quoted commas, doubled quotes and line breaks inside quotes, and
 * accepting LF or CRLF line ends.
 */
public final class Csv {
    private Csv() {
    }

    /** Full precision, empty for NaN. */
    public static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /**
     * {@code s} as a cell: as is when it holds no comma, quote or line break (so that readers without
     * a CSV parser, numpy's among them, see plain text), else double-quoted with {@code "} doubled.
     */
    public static String text(String s) {
        return needsQuotes(s) ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** One record from cells made by {@link #num}, {@link #text} or plain tokens; no line break. */
    public static String line(List<String> cells) {
        for (String c : cells) {
            boolean quoted = c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"");
            if (!quoted && needsQuotes(c)) throw new IllegalArgumentException("a CSV cell that needs Csv.text: " + c);
        }
        return String.join(",", cells);
    }

    /** {@link #line} of the given cells. */
    public static String line(String... cells) {
        return line(Arrays.asList(cells));
    }

    private static boolean needsQuotes(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
        }
        return false;
    }

    /** The cells of one record given as a string (which may hold quoted line breaks). */
    public static List<String> split(String record) {
        try (Csv.Reader r = new Csv.Reader(new java.io.StringReader(record))) {
            List<String> cells = r.next();
            if (cells == null) return new ArrayList<>(List.of(""));
            if (r.next() != null) throw new IllegalArgumentException("more than one CSV record: " + record);
            return cells;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads records one by one; an unterminated quote is an {@link IllegalArgumentException}. */
    public static final class Reader implements Closeable {
        private final java.io.Reader in;
        private int pushedBack = -2;
        private long record;

        public Reader(java.io.Reader in) {
            this.in = in;
        }

        private int read() throws IOException {
            if (pushedBack != -2) {
                int c = pushedBack;
                pushedBack = -2;
                return c;
            }
            return in.read();
        }

        /** The next record's cells, or null at the end of the input. */
        public List<String> next() throws IOException {
            int c = read();
            if (c == -1) return null;
            record++;
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (; ; c = read()) {
                if (quoted) {
                    if (c == -1) throw new IllegalArgumentException("CSV record " + record + ": a quoted cell is not closed");
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            cell.append('"');
                        } else {
                            quoted = false;
                            pushedBack = d;
                        }
                    } else {
                        cell.append((char) c);
                    }
                } else if (c == '"' && cell.length() == 0) {
                    quoted = true;
                } else if (c == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else if (c == '\n' || c == -1) {
                    break;
                } else if (c == '\r') {
                    int d = read();
                    if (d != '\n') pushedBack = d;
                    break;
                } else {
                    cell.append((char) c);
                }
            }
            cells.add(cell.toString());
            return cells;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
