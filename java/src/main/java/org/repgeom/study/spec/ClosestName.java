package org.repgeom.study.spec;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the allowed name a user most likely meant when they typed an unknown one
 * ({@code per_clas} → {@code per_class}), for "did you mean …?" hints in spec errors.
 *
 * <p>Distance is the optimal-string-alignment edit distance (insertions, deletions,
 * substitutions and swaps of neighbouring characters each cost 1), compared case-insensitively
 * with {@code -} read as {@code _}. A candidate is suggested only when it is close relative to
 * the typed name's length, so that short unrelated names do not produce nonsense hints.
 */
final class ClosestName {
    private ClosestName() {
    }

    /** The candidate nearest to {@code typed}, if any is near enough to be a plausible typo. */
    static Optional<String> suggest(String typed, Collection<String> candidates) {
        String t = normalise(typed);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(t, normalise(candidate));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int tolerated = Math.max(2, t.length() / 3);
        if (best == null || bestDistance > tolerated || bestDistance >= t.length()) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    /** "; did you mean 'x'?" or the empty string: ready to splice into a message. */
    static String hint(String typed, Collection<String> candidates) {
        return suggest(typed, candidates).map(s -> "; did you mean '" + s + "'?").orElse("");
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /** Optimal-string-alignment distance between a and b. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
