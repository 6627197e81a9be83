package org.repgeom.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The program's one JSON reader and writer (on Jackson), for every JSON file it writes and reads back
 * (manifest, summaries, groups, landscape and theory reports).
 *
 * <p>Writing: maps (in their iteration order; keys by {@code String.valueOf}), collections and arrays,
 * strings, booleans, null, enums (by their {@code toString}, the ids used in specs) and numbers, each
 * written exactly: integers as integers, {@link BigDecimal} in plain notation (0.5 stays 0.5), a
 * {@link Float} by its shortest float representation (0.1f as 0.1), a {@link Double} by its shortest
 * double representation, −0.0 kept. JSON has no NaN or infinity: a non-finite float or double is written
 * as {@code null}, so a summary of members that diverged parses everywhere. Any other type is a
 * programming error ({@link IllegalArgumentException}), never its {@code toString}. Strings are escaped
 * so that every Java string reads back equal and the file is plain UTF-8: control characters, U+007F to
 * U+009F and every surrogate (a pair as two escapes, a lone one as one) are written as {@code \\uXXXX}.
 * (Jackson's reader takes a lone surrogate in a string value but not a lone high surrogate in an object
 * key; no key of ours can hold one, since keys come from YAML specs, which cannot carry them.)
 * Layout: two-space indent, lists of scalars on one line.
 *
 * <p>Reading ({@link #parse}, {@link #read}): standard JSON (any whitespace, {@code \/} and every other
 * escape), a repeated key in one object rejected, nothing after the value; objects become
 * {@code LinkedHashMap}s, arrays {@code ArrayList}s, numbers Integer, Long or BigInteger and Double.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    /** Text that is not one JSON value (or repeats a key): the parser's message, with line and column. */
    public static final class MalformedJsonException extends IllegalArgumentException {
        MalformedJsonException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The value of JSON {@code text}. */
    public static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        } catch (JacksonException e) {
            throw new MalformedJsonException(e.getOriginalMessage() + location(e), e);
        }
    }

    /** The value of the JSON file {@code file} (UTF-8); malformed text names the file. */
    public static Object read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (MalformedJsonException e) {
            throw new MalformedJsonException(file + " is not valid JSON: " + e.getMessage(), e.getCause());
        }
    }

    /** The top-level object of the JSON file {@code file}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(Path file) throws IOException {
        Object v = read(file);
        if (!(v instanceof Map<?, ?>)) throw new MalformedJsonException(file + " is not a JSON object", null);
        return (Map<String, Object>) v;
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /** Pretty-printed JSON text of {@code value}, two-space indent, ending in a newline. */
    public static String write(Object value) {
        StringWriter out = new StringWriter();
        Layout layout = new Layout();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(layout);
            g.setCharacterEscapes(Escapes.INSTANCE);
            write(g, layout, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }

    private static void write(JsonGenerator g, Layout layout, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof CharSequence s) {
            g.writeString(s.toString());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Number n) {
            writeNumber(g, n);
        } else if (v instanceof Enum<?> e) {
            g.writeString(e.toString());
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, layout, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            writeList(g, layout, c);
        } else if (v instanceof Object[] a) {
            writeList(g, layout, Arrays.asList(a));
        } else if (v instanceof double[] a) {
            writeList(g, layout, Arrays.stream(a).boxed().toList());
        } else if (v instanceof float[] a) {
            Float[] boxed = new Float[a.length];
            for (int i = 0; i < a.length; i++) boxed[i] = a[i];
            writeList(g, layout, Arrays.asList(boxed));
        } else if (v instanceof int[] a) {
            writeList(g, layout, Arrays.stream(a).boxed().toList());
        } else if (v instanceof long[] a) {
            writeList(g, layout, Arrays.stream(a).boxed().toList());
        } else if (v instanceof boolean[] a) {
            Boolean[] boxed = new Boolean[a.length];
            for (int i = 0; i < a.length; i++) boxed[i] = a[i];
            writeList(g, layout, Arrays.asList(boxed));
        } else {
            throw new IllegalArgumentException("no JSON form for a " + v.getClass().getName());
        }
    }

    private static void writeNumber(JsonGenerator g, Number n) throws IOException {
        if (n instanceof Double d) {
            if (Double.isFinite(d)) g.writeNumber(d);
            else g.writeNull();
        } else if (n instanceof Float f) {
            if (Float.isFinite(f)) g.writeNumber(f);
            else g.writeNull();
        } else if (n instanceof BigDecimal b) {
            g.writeNumber(b);
        } else if (n instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                || n instanceof AtomicLong || n instanceof AtomicInteger) {
            g.writeNumber(n.longValue());
        } else {
            throw new IllegalArgumentException("no exact JSON form for a " + n.getClass().getName());
        }
    }

    private static void writeList(JsonGenerator g, Layout layout, Collection<?> c) throws IOException {
        layout.nextArrayFlat = c.stream().allMatch(x -> x == null || x instanceof Number || x instanceof CharSequence
                || x instanceof Boolean || x instanceof Enum<?>);
        g.writeStartArray();
        for (Object x : c) write(g, layout, x);
        g.writeEndArray();
    }

    /** Two-space indent; an array is on one line when the writer says its items are all scalars. */
    private static final class Layout implements PrettyPrinter {
        boolean nextArrayFlat;
        private final Deque<Boolean> arrays = new ArrayDeque<>();
        private int depth;

        private void newline(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
            g.writeRaw("  ".repeat(depth));
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            g.writeRaw('{');
            depth++;
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            newline(g);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            newline(g);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            depth--;
            if (entries > 0) newline(g);
            g.writeRaw('}');
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            arrays.push(nextArrayFlat);
            g.writeRaw('[');
            depth++;
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            if (!arrays.peek()) newline(g);
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            if (arrays.peek()) g.writeRaw(' ');
            else newline(g);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            depth--;
            boolean flat = arrays.pop();
            if (values > 0 && !flat) newline(g);
            g.writeRaw(']');
        }
    }

    /**
     * Escapes, beyond JSON's own (quote, backslash, U+0000–U+001F): U+007F–U+009F (invisible controls,
     * U+0085 a line break to some readers) and every surrogate code unit, so that a lone surrogate
     * survives and the text is valid UTF-8.
     */
    private static final class Escapes extends CharacterEscapes {
        static final Escapes INSTANCE = new Escapes();
        private final int[] ascii;

        private Escapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            boolean control = ch >= 0x80 && ch <= 0x9F;
            boolean surrogate = ch >= Character.MIN_SURROGATE && ch <= Character.MAX_SURROGATE;
            return control || surrogate ? new SerializedString(String.format("\\u%04X", ch)) : null;
        }
    }
}
