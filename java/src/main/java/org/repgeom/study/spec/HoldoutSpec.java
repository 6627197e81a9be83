package org.repgeom.study.spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which samples a study keeps out of training: the {@code task.holdout} section, or the test files
 * {@code task.test_x} / {@code task.test_y} of an npy task. Members are trained on the rest and
 * evaluated on the held-out points afterwards ({@link HoldoutSplit}).
 *
 * <pre>
 * holdout:
 *   classes: [0, 7]     # whole classes (conditions), by class index
 *   samples: [3, 12]    # or single samples, by sample index
 *   fraction: 0.25      # or a random fraction …
 *   of: classes         # … of the classes or of the samples (default samples)
 *   seed: 1             # … drawn with this seed (default 0)
 * </pre>
 *
 * Class c is the c-th distinct target column in sample order: for the hypercube task the class
 * whose label k is +1 exactly when bit k of c is set, for the one-hot task class c.
 *
 * @param unit     {@link #NONE}, {@link #CLASSES}, {@link #SAMPLES} or {@link #FILES}
 * @param indices  the held-out class or sample indices, ascending; null when drawn at random
 * @param fraction the fraction drawn at random (0 when indices are listed)
 * @param seed     seed of the random draw
 * @param testX    absolute path of the test inputs (FILES only)
 * @param testY    absolute path of the test targets (FILES only)
 */
public record HoldoutSpec(String unit, int[] indices, double fraction, long seed, Path testX, Path testY) {
    /** Nothing held out: every sample is a training sample. */
    public static final String NONE = "none";
    /** Whole classes held out. */
    public static final String CLASSES = "classes";
    /** Single samples held out. */
    public static final String SAMPLES = "samples";
    /** The held-out set comes from test files (npy tasks). */
    public static final String FILES = "files";
    /** No hold-out. */
    public static final HoldoutSpec ABSENT = new HoldoutSpec(NONE, null, 0, 0, null, null);

    static final List<String> KEYS = List.of(CLASSES, SAMPLES, "fraction", "of", "seed");

    public HoldoutSpec {
        if (indices != null) indices = indices.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HoldoutSpec h && h.unit.equals(unit) && Arrays.equals(h.indices, indices)
                && Double.compare(h.fraction, fraction) == 0 && h.seed == seed && java.util.Objects.equals(h.testX, testX)
                && java.util.Objects.equals(h.testY, testY);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(unit, Arrays.hashCode(indices), fraction, seed, testX, testY);
    }

    /** Whether any sample is held out. */
    public boolean active() {
        return !NONE.equals(unit);
    }

    /** Held-out indices drawn at random rather than listed. */
    public boolean drawn() {
        return indices == null && fraction > 0;
    }

    /** One line that describes the hold-out for the spec hash (paths excluded, like task.x). */
    public String canonical() {
        if (FILES.equals(unit)) return "files";
        return indices != null ? unit + "=" + Arrays.toString(indices)
                : String.format(Locale.ROOT, "%s fraction=%s seed=%d", unit, Double.toString(fraction), seed);
    }

    /** Reads the {@code task.holdout} mapping. */
    static HoldoutSpec read(SpecSection s) {
        s.allowOnly(KEYS);
        int given = (s.has(CLASSES) ? 1 : 0) + (s.has(SAMPLES) ? 1 : 0) + (s.has("fraction") ? 1 : 0);
        if (given != 1) {
            throw new SpecException(s.path(), "give exactly one of 'classes' (class indices), 'samples' "
                    + "(sample indices) or 'fraction' (with 'of' and 'seed')");
        }
        if (!s.has("fraction")) {
            String unit = s.has(CLASSES) ? CLASSES : SAMPLES;
            s.forbid("of", "only with 'fraction'; '" + unit + "' lists the held-out " + unit + " itself");
            s.forbid("seed", "only with 'fraction'; '" + unit + "' lists the held-out " + unit + " itself");
            return new HoldoutSpec(unit, indices(s, unit), 0, 0, null, null);
        }
        String field = s.field("fraction");
        double fraction = s.number("fraction", 0);
        if (!(fraction > 0 && fraction < 1)) throw new SpecException(field, "must be in (0, 1), got " + fraction);
        String unit = s.choice("of", List.of(SAMPLES, CLASSES), SAMPLES, "hold-out unit");
        long seed = SpecValues.atLeast(s.field("seed"), s.longInteger("seed", 0), 0);
        return new HoldoutSpec(unit, null, fraction, seed, null, null);
    }

    /** The test files of an npy task. */
    static HoldoutSpec files(Path testX, Path testY) {
        return new HoldoutSpec(FILES, null, 0, 0, testX, testY);
    }

    private static int[] indices(SpecSection s, String key) {
        String field = s.field(key);
        List<?> list = SpecValues.toList(field, s.raw(key));
        if (list.isEmpty()) throw new SpecException(field, "must list at least one index");
        int[] out = new int[list.size()];
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < out.length; i++) {
            String f = field + "[" + i + "]";
            out[i] = (int) SpecValues.atLeast(f, SpecValues.toInt(f, list.get(i)), 0);
            if (!seen.add(out[i])) throw new SpecException(f, "index " + out[i] + " is listed twice");
        }
        Arrays.sort(out);
        return out;
    }
}
