package org.repgeom.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the small subset of Python literal syntax that appears in {@code .npy} headers:
 * dicts, tuples, lists, quoted strings, integers, {@code True}, {@code False} and {@code None}.
 * Values come back as {@link Map}, {@link Tuple}, {@link List}, {@link String}, {@link Long},
 * {@link Boolean} or {@link #NONE}. Anything else is a {@link SyntaxError}.
 */
final class PyLiteral {

    /** A Python tuple (kept apart from lists because {@code shape} must be a tuple). */
    record Tuple(List<Object> items) {
    }

    /** Python's {@code None}. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message);
        }
    }

    private static final int MAX_DEPTH = 32; // headers are flat; deep nesting means garbage

    private final String text;
    private int pos;

    private PyLiteral(String text) {
        this.text = text;
    }

    /** Parses {@code text} as exactly one literal, optionally surrounded by whitespace. */
    static Object parse(String text) throws SyntaxError {
        PyLiteral p = new PyLiteral(text);
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the literal");
        }
        return value;
    }

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        skipSpace();
        if (pos >= text.length()) {
            throw error("unexpected end of header");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict(depth);
            case '(':
                return new Tuple(sequence(')', depth));
            case '[':
                return sequence(']', depth);
            case '\'':
            case '"':
                return string(c);
            default:
                if (c == '-' || c == '+' || Character.isDigit(c)) {
                    return integer();
                }
                return word();
        }
    }

    private Map<String, Object> dict(int depth) throws SyntaxError {
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            Object key = value(depth + 1);
            if (!(key instanceof String k)) {
                throw error("dict key must be a string, got " + key);
            }
            skipSpace();
            expect(':');
            Object v = value(depth + 1);
            if (map.put(k, v) != null) {
                throw error("duplicate key '" + k + "'");
            }
            if (!separator('}')) {
                pos++;
                return map;
            }
        }
    }

    private List<Object> sequence(char close, int depth) throws SyntaxError {
        pos++; // opening bracket
        List<Object> items = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek() == close) {
                pos++;
                return items;
            }
            items.add(value(depth + 1));
            if (!separator(close)) {
                pos++;
                return items;
            }
        }
    }

    /** After an item: consumes a comma and returns true, or returns false at {@code close}. */
    private boolean separator(char close) throws SyntaxError {
        skipSpace();
        char c = peek();
        if (c == ',') {
            pos++;
            return true;
        }
        if (c == close) {
            return false;
        }
        throw error("expected ',' or '" + close + "'");
    }

    private String string(char quote) throws SyntaxError {
        int start = ++pos;
        while (pos < text.length() && text.charAt(pos) != quote) {
            if (text.charAt(pos) == '\\' || text.charAt(pos) == '\n') {
                throw error("escapes and newlines in strings are not supported");
            }
            pos++;
        }
        if (pos >= text.length()) {
            throw error("unterminated string");
        }
        return text.substring(start, pos++);
    }

    private Long integer() throws SyntaxError {
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        // Python 2 era numpy wrote shapes like (3L, 4L)
        int end = pos;
        if (pos < text.length() && text.charAt(pos) == 'L') {
            pos++;
        }
        try {
            return Long.parseLong(text.substring(start, end));
        } catch (NumberFormatException e) {
            throw error("bad integer '" + text.substring(start, end) + "'");
        }
    }

    private Object word() throws SyntaxError {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            pos++;
        }
        String w = text.substring(start, pos);
        return switch (w) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> NONE;
            default -> {
                pos = start;
                throw error("unexpected character '" + text.charAt(start) + "'");
            }
        };
    }

    private void expect(char c) throws SyntaxError {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() throws SyntaxError {
        if (pos >= text.length()) {
            throw error("unexpected end of header");
        }
        return text.charAt(pos);
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private SyntaxError error(String what) {
        return new SyntaxError(what + " at header offset " + pos);
    }
}
