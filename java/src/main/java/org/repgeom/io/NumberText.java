package org.repgeom.io;

import java.util.Arrays;
import java.util.Locale;

/**
 * The program's one way of writing numbers for people (terminal tables, labels such as the
 * configuration key). Machine outputs (JSON numbers, CSV cells) use {@link Csv#num} instead.
 *
 * <ul>
 * <li>{@link #exact}: a parameter a user typed (λ, a learning rate) written exactly and short:
 *   {@code 1e-4}, {@code 0.01}, {@code 2}. Every configuration key, family label and table uses it,
 *   so λ reads the same wherever a person sees it.</li>
 * <li>{@link #column}: a measured quantity in a table column. Every value of the column gets the
 *   same number of decimals, chosen so that the smallest non-zero magnitude keeps
 *   {@link #DIGITS} significant digits (PS prints 1.0000 and 0.9999 alike); a column spanning more
 *   than three decades, or with values below 1e-3 or from 1e6, is written in scientific notation
 *   with {@link #DIGITS} significant digits instead. NaN is "n/a".</li>
 * </ul>
 */
public final class NumberText {
    /** Significant digits of a measured quantity in a table. */
    public static final int DIGITS = 4;

    private NumberText() {
    }

    /** A parameter exactly, as short as possible: {@code 1e-4} (not 1.0E-4), {@code 0.01}, {@code 3}. */
    public static String exact(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        String s = Double.toString(v);
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
        return mantissa + "e" + s.substring(e + 1);
    }

    /** Per-layer values: one value when all are equal, else {@link #exact} joined by '/'. */
    public static String exact(double[] perLayer) {
        if (Arrays.stream(perLayer).allMatch(x -> x == perLayer[0])) return exact(perLayer[0]);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < perLayer.length; i++) {
            if (i > 0) sb.append('/');
            sb.append(exact(perLayer[i]));
        }
        return sb.toString();
    }

    /** The values of one table column, each written in the column's common format. */
    public static String[] column(double... values) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double v : values) {
            if (!Double.isFinite(v) || v == 0) continue;
            lo = Math.min(lo, Math.abs(v));
            hi = Math.max(hi, Math.abs(v));
        }
        String format;
        if (hi == 0) {
            format = "%.0f";
        } else if (lo < 1e-3 || hi >= 1e6 || hi / lo >= 1e3) {
            format = "%." + (DIGITS - 1) + "e";
        } else {
            int decimals = Math.max(0, DIGITS - 1 - (int) Math.floor(Math.log10(lo)));
            format = "%." + decimals + "f";
        }
        String[] out = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            out[i] = Double.isNaN(v) ? "n/a" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf")
                    : String.format(Locale.ROOT, format, v);
        }
        return out;
    }

    /** A fraction as a whole percentage ("n/a" for NaN). */
    public static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }
}
