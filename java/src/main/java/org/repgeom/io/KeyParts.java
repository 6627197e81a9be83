package org.repgeom.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Configuration keys ({@code relu|w=8|lambda=0.01|lr=0.01}) made short for a table: the parts
 * every key of the table shares are printed once above it, and each row keeps the rest.
 */
public final class KeyParts {
    private KeyParts() {
    }

    /** The '|'-separated parts every key shares, joined by ", " (empty when none or one key). */
    public static String commonParts(List<String> keys) {
        boolean[] shared = sharedParts(keys);
        List<String> out = new ArrayList<>();
        String[] first = keys.isEmpty() ? new String[0] : keys.get(0).split("\\|");
        for (int i = 0; i < shared.length; i++) if (shared[i]) out.add(first[i]);
        return String.join(", ", out);
    }

    /** Each key without the parts every key shares (the activation is always kept). */
    public static String[] shortKeys(List<String> keys) {
        boolean[] shared = sharedParts(keys);
        String[] out = new String[keys.size()];
        for (int k = 0; k < keys.size(); k++) {
            String[] parts = keys.get(k).split("\\|");
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < parts.length; i++) if (i >= shared.length || !shared[i]) kept.add(parts[i]);
            out[k] = String.join("|", kept);
        }
        return out;
    }

    private static boolean[] sharedParts(List<String> keys) {
        if (keys.size() < 2) return new boolean[0];
        String[] first = keys.get(0).split("\\|");
        boolean[] shared = new boolean[first.length];
        for (int i = 1; i < first.length; i++) {
            final int idx = i;
            shared[i] = keys.stream().map(k -> k.split("\\|")).allMatch(p -> p.length == first.length
                    && p[idx].equals(first[idx]));
        }
        return shared;
    }
}
