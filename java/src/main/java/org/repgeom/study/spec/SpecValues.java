package org.repgeom.study.spec;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Converts raw values produced by the YAML loader (String, Integer, Long, BigInteger, Double,
 * Boolean, List, Map, …) into the types spec fields need, and checks value ranges. Every failure
 * is a {@link SpecException} naming the field's dotted path.
 *
 * <p>Numbers may arrive as strings: YAML 1.1, which SnakeYAML implements, reads {@code 1e-3}
 * (no dot) as a string. Such strings are accepted wherever a number is expected as long as they
 * are plain decimal numbers ({@code [+-]digits[.digits][e[+-]digits]}); hexadecimal, Java
 * suffixes ({@code 1d}) and words ({@code nan}) are not.
 */
final class SpecValues {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");

    private SpecValues() {
    }

    /** A short phrase describing a raw value for error messages, e.g. "the string 'abc'", "a list". */
    static String describe(Object value) {
        if (value == null) return "nothing (null)";
        if (value instanceof String s) return "the string '" + s + "'";
        if (value instanceof Boolean b) return "the boolean " + b;
        if (value instanceof Map) return "a mapping";
        if (value instanceof List) return "a list";
        if (value instanceof Double d) return "the number " + formatNumber(d);
        if (value instanceof Number n) return "the number " + n;
        return "a value of type " + value.getClass().getSimpleName();
    }

    /** A finite double; accepts YAML numbers and decimal strings such as {@code "1e-3"}. */
    static double toDouble(String field, Object value) {
        double d;
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger
                || value instanceof Double || value instanceof Float) {
            d = ((Number) value).doubleValue();
        } else if (value instanceof String s && DECIMAL.matcher(s.trim()).matches()) {
            d = Double.parseDouble(s.trim());
        } else {
            throw new SpecException(field, "expected a number, got " + describe(value));
        }
        if (!Double.isFinite(d)) {
            throw new SpecException(field, "must be a finite number, got " + formatNumber(d));
        }
        return d;
    }

    /**
     * A whole number. Accepts YAML integers and numbers or decimal strings with an integral value
     * ({@code 6e4}, which YAML reads as a string, is 60000); rejects fractions such as 1.5.
     */
    static long toLong(String field, Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
            throw new SpecException(field, "integer " + b + " is out of range");
        }
        if (value instanceof String s && INTEGER.matcher(s.trim()).matches()) {
            return Long.parseLong(s.trim());
        }
        boolean numeric = value instanceof Double || value instanceof Float
                || (value instanceof String s && DECIMAL.matcher(s.trim()).matches());
        if (!numeric) {
            throw new SpecException(field, "expected an integer, got " + describe(value));
        }
        double d = toDouble(field, value);
        if (d != Math.rint(d)) {
            throw new SpecException(field, "expected an integer, got " + formatNumber(d));
        }
        if (Math.abs(d) >= 0x1p63) {
            throw new SpecException(field, "integer " + formatNumber(d) + " is out of range");
        }
        return (long) d;
    }

    /** A whole number that fits in an int (see {@link #toLong}). */
    static int toInt(String field, Object value) {
        long v = toLong(field, value);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new SpecException(field, "integer " + v + " is out of range (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    /** A YAML string (numbers and booleans are not silently turned into text). */
    static String toText(String field, Object value) {
        if (value instanceof String s) return s;
        throw new SpecException(field, "expected a string, got " + describe(value));
    }

    /** A YAML sequence. */
    static List<?> toList(String field, Object value) {
        if (value instanceof List<?> l) return l;
        throw new SpecException(field, "expected a list, got " + describe(value));
    }

    /** A YAML mapping. */
    static Map<?, ?> toMap(String field, Object value) {
        if (value instanceof Map<?, ?> m) return m;
        throw new SpecException(field, "expected a mapping (key: value lines), got " + describe(value));
    }

    /** Requires {@code min <= value}. */
    static long atLeast(String field, long value, long min) {
        if (value < min) throw new SpecException(field, "must be at least " + min + ", got " + value);
        return value;
    }

    /** Requires {@code min <= value <= max}. */
    static long between(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new SpecException(field, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** Requires {@code value > 0}. */
    static double positive(String field, double value) {
        if (!(value > 0)) throw new SpecException(field, "must be greater than 0, got " + formatNumber(value));
        return value;
    }

    /** Requires {@code value >= 0}. */
    static double nonNegative(String field, double value) {
        if (!(value >= 0)) throw new SpecException(field, "must not be negative, got " + formatNumber(value));
        return value;
    }

    /** Requires {@code 0 <= value < 1}. */
    static double unitIntervalOpenAbove(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new SpecException(field, "must be in [0, 1), got " + formatNumber(value));
        }
        return value;
    }

    /** Requires {@code 0 < value <= 1}. */
    static double unitIntervalOpenBelow(String field, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new SpecException(field, "must be in (0, 1], got " + formatNumber(value));
        }
        return value;
    }

    /**
     * The shortest readable form of a number: integers without a fraction ({@code 3}), otherwise
     * Java's shortest round-trip digits with a lower-case exponent ({@code 0.01}, {@code 1e-4},
     * {@code 2.5e-5}).
     */
    static String formatNumber(double v) {
        return org.repgeom.io.NumberText.exact(v);
    }
}
