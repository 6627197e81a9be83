package org.repgeom.study.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code grid:} section: the seed, λ and learning-rate axes of the member grid (the
 * activation, width and depth axes live in {@link ModelSpec}).
 *
 * @param seeds         the seeds every configuration is trained with
 * @param lambdas       the λ axis, distinct entries in spec order
 * @param learningRates the initial-learning-rate axis, distinct values &gt; 0; defaults to
 *                      {@code [optimizer.lr]}
 */
public record GridSpec(SeedSet seeds, List<LambdaEntry> lambdas, List<Double> learningRates) {

    static final List<String> KEYS = List.of("seeds", "lambda", "lr");
    private static final List<String> RANGE_KEYS = List.of("start", "count");

    public GridSpec {
        Objects.requireNonNull(seeds, "seeds");
        lambdas = List.copyOf(lambdas);
        learningRates = List.copyOf(learningRates);
        if (lambdas.isEmpty() || learningRates.isEmpty()) {
            throw new IllegalArgumentException("the λ and learning-rate axes must not be empty");
        }
    }

    /** Reads and validates the {@code grid:} section; {@code defaultLr} is {@code optimizer.lr}. */
    static GridSpec read(SpecSection s, double defaultLr) {
        s.allowOnly(KEYS);
        s.require("seeds", "an integer n (seeds 0..n-1), a list of distinct seeds, or {start: s, count: n}");
        SeedSet seeds = readSeeds(s);
        s.require("lambda", "a λ ≥ 0 or a list of them (each a number, or a list with one λ per weight layer)");
        List<LambdaEntry> lambdas = readLambdas(s);
        List<Double> lrs = s.has("lr") ? readLearningRates(s) : List.of(defaultLr);
        return new GridSpec(seeds, lambdas, lrs);
    }

    private static SeedSet readSeeds(SpecSection s) {
        String field = s.field("seeds");
        Object raw = s.raw("seeds");
        if (raw instanceof Map) {
            SpecSection range = s.section("seeds");
            range.allowOnly(RANGE_KEYS);
            range.require("count", "how many consecutive seeds, starting at 'start' (default 0)");
            long start = SpecValues.atLeast(range.field("start"), range.longInteger("start", 0), 0);
            int count = (int) SpecValues.between(range.field("count"), range.integer("count", 0), 1,
                    StudySpec.MAX_MEMBERS);
            if (start > Long.MAX_VALUE - count) throw new SpecException(range.field("start"), "seed range overflows");
            return SeedSet.range(start, count);
        }
        if (raw instanceof List<?> list) {
            if (list.isEmpty()) throw new SpecException(field, "must list at least one seed");
            long[] seeds = new long[list.size()];
            Map<Long, Integer> firstIndex = new HashMap<>();
            for (int i = 0; i < seeds.length; i++) {
                String entry = field + "[" + i + "]";
                seeds[i] = SpecValues.atLeast(entry, SpecValues.toLong(entry, list.get(i)), 0);
                Integer before = firstIndex.putIfAbsent(seeds[i], i);
                if (before != null) {
                    throw new SpecException(entry, "seed " + seeds[i] + " is listed twice (also at "
                            + field + "[" + before + "]); seeds must be distinct");
                }
            }
            return SeedSet.of(seeds);
        }
        if (raw instanceof Number || (raw instanceof String text && isNumeral(text))) {
            int count = SpecValues.toInt(field, raw);
            SpecValues.between(field, count, 1, StudySpec.MAX_MEMBERS);
            return SeedSet.range(0, count);
        }
        throw new SpecException(field, "expected an integer n (seeds 0..n-1), a list of distinct seeds, "
                + "or {start: s, count: n}, got " + SpecValues.describe(raw));
    }

    private static boolean isNumeral(String text) {
        try {
            SpecValues.toDouble("", text);
            return true;
        } catch (SpecException e) {
            return false;
        }
    }

    private static List<LambdaEntry> readLambdas(SpecSection s) {
        List<?> entries = s.axis("lambda");
        List<LambdaEntry> lambdas = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = s.axisField("lambda", i);
            LambdaEntry entry;
            if (entries.get(i) instanceof List<?> perLayer) {
                if (perLayer.isEmpty()) throw new SpecException(field, "a per-layer λ list needs one λ per weight layer");
                double[] values = new double[perLayer.size()];
                for (int j = 0; j < values.length; j++) {
                    values[j] = readLambda(field + "[" + j + "]", perLayer.get(j));
                }
                entry = new LambdaEntry.PerLayer(values);
            } else {
                entry = new LambdaEntry.Uniform(readLambda(field, entries.get(i)));
            }
            if (lambdas.contains(entry)) {
                throw new SpecException(field, "repeats an earlier λ entry (" + s.axisField("lambda", lambdas.indexOf(entry))
                        + "); each grid value may appear once");
            }
            lambdas.add(entry);
        }
        return lambdas;
    }

    private static double readLambda(String field, Object value) {
        if (value instanceof Map) {
            throw new SpecException(field, "expected a λ (number ≥ 0) or a list of per-layer λ, got a mapping");
        }
        double lambda = SpecValues.toDouble(field, value);
        if (lambda < 0) throw new SpecException(field, "λ must not be negative, got " + SpecValues.formatNumber(lambda));
        return lambda;
    }

    private static List<Double> readLearningRates(SpecSection s) {
        List<?> entries = s.axis("lr");
        List<Double> lrs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = s.axisField("lr", i);
            double lr = SpecValues.positive(field, SpecValues.toDouble(field, entries.get(i)));
            if (lrs.contains(lr)) throw new SpecException(field, "learning rate " + SpecValues.formatNumber(lr)
                    + " is listed twice");
            lrs.add(lr);
        }
        return lrs;
    }
}
