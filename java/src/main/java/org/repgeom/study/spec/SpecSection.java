package org.repgeom.study.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One mapping of a spec (the top level, {@code task}, {@code task.input}, …) together with its
 * dotted path, offering typed reads that report problems as {@link SpecException}s naming the
 * exact field. A key whose value is YAML null ({@code dim: ~} or {@code dim:}) counts as not given.
 */
final class SpecSection {
    private final String path;
    private final Map<String, Object> entries;

    private SpecSection(String path, Map<?, ?> raw) {
        this.path = path;
        Map<String, Object> copy = new LinkedHashMap<>();
        raw.forEach((k, v) -> copy.put(String.valueOf(k), v));
        this.entries = Collections.unmodifiableMap(copy);
    }

    /** The top-level mapping of a spec (path ""). */
    static SpecSection root(Map<?, ?> raw) {
        return new SpecSection("", raw);
    }

    /** The dotted path of this section; "" at the top level. */
    String path() {
        return path;
    }

    /** The dotted path of {@code key} inside this section, e.g. {@code task.per_class}. */
    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Whether {@code key} is present with a non-null value. */
    boolean has(String key) {
        return entries.get(key) != null;
    }

    /** The raw value of {@code key}, or null when absent. */
    Object raw(String key) {
        return entries.get(key);
    }

    /**
     * Rejects any key not in {@code allowed}, listing the allowed keys and suggesting the closest.
     */
    void allowOnly(List<String> allowed) {
        for (String key : entries.keySet()) {
            if (!allowed.contains(key)) {
                String where = path.isEmpty() ? "at the top level" : "in " + path;
                throw new SpecException(field(key), "unknown key '" + key + "' " + where
                        + sentenceEnd(ClosestName.hint(key, allowed)) + " Allowed keys: " + String.join(", ", allowed));
            }
        }
    }

    /** Fails when {@code key} is absent; {@code what} says what the key is for. */
    void require(String key, String what) {
        if (!has(key)) throw new SpecException(field(key), "is required: " + what);
    }

    /** Fails when {@code key} is given: {@code reason} says why it does not belong here. */
    void forbid(String key, String reason) {
        if (has(key)) throw new SpecException(field(key), reason);
    }

    /** The nested mapping at {@code key}, or an empty section when absent. */
    SpecSection section(String key) {
        Object v = entries.get(key);
        return new SpecSection(field(key), v == null ? Map.of() : SpecValues.toMap(field(key), v));
    }

    /** A string value, or {@code fallback} when absent. */
    String text(String key, String fallback) {
        return has(key) ? SpecValues.toText(field(key), raw(key)) : fallback;
    }

    /**
     * One of {@code allowed} (exact spelling), or {@code fallback} when absent. Unknown values fail
     * with the list of allowed ones and the closest match; {@code noun} names the kind of value.
     */
    String choice(String key, List<String> allowed, String fallback, String noun) {
        if (!has(key)) return fallback;
        return oneOf(field(key), raw(key), allowed, noun);
    }

    /** Checks that {@code value} is one of {@code allowed}; see {@link #choice}. */
    static String oneOf(String field, Object value, List<String> allowed, String noun) {
        String s = SpecValues.toText(field, value);
        if (!allowed.contains(s)) {
            throw new SpecException(field, "unknown " + noun + " '" + s + "'" + sentenceEnd(ClosestName.hint(s, allowed))
                    + " Expected one of: " + String.join(", ", allowed));
        }
        return s;
    }

    /** An int value, or {@code fallback} when absent. */
    int integer(String key, int fallback) {
        return has(key) ? SpecValues.toInt(field(key), raw(key)) : fallback;
    }

    /** An int value, or null when absent. */
    Integer optionalInteger(String key) {
        return has(key) ? SpecValues.toInt(field(key), raw(key)) : null;
    }

    /** A long value, or {@code fallback} when absent. */
    long longInteger(String key, long fallback) {
        return has(key) ? SpecValues.toLong(field(key), raw(key)) : fallback;
    }

    /** A finite double, or {@code fallback} when absent. */
    double number(String key, double fallback) {
        return has(key) ? SpecValues.toDouble(field(key), raw(key)) : fallback;
    }

    /**
     * The value at {@code key} as a list of grid-axis entries: a list is taken as is, a single
     * scalar becomes a one-entry list. An empty list fails.
     */
    List<?> axis(String key) {
        Object v = raw(key);
        if (v instanceof Map) {
            throw new SpecException(field(key), "expected a value or a list of values, got a mapping");
        }
        List<?> list = v instanceof List<?> l ? l : List.of(v);
        if (list.isEmpty()) throw new SpecException(field(key), "must list at least one value");
        return list;
    }

    /** Ends a message clause: the hint itself when there is one (it ends in '?'), else a period. */
    private static String sentenceEnd(String hint) {
        return hint.isEmpty() ? "." : hint;
    }

    /**
     * The path of entry {@code i} of the grid axis at {@code key}: {@code grid.lambda[1]} when the
     * value is a list, plain {@code grid.lambda} when a single scalar was given.
     */
    String axisField(String key, int i) {
        return raw(key) instanceof List ? field(key) + "[" + i + "]" : field(key);
    }
}
