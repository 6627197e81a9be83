package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import java.util.Map;

/**
 * One of {@code count} disjoint parts of a study: shard {@code index} runs the chunks whose index
 * is {@code index} mod {@code count} (round robin, so every shard gets a share of every group,
 * wide and narrow alike). {@link #WHOLE} is the unsharded study.
 *
 * @param index 0-based, {@code 0 ≤ index < count}
 * @param count number of shards, ≥ 1
 */
public record Shard(int index, int count) {
    /** The whole study as one shard. */
    public static final Shard WHOLE = new Shard(0, 1);

    public Shard {
        if (count < 1) throw new IllegalArgumentException("shard count must be ≥ 1, got " + count);
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard index must be in [0, " + count + "), got " + index);
        }
    }

    /** Whether this is a proper part, not the whole study. */
    public boolean isPart() {
        return count > 1;
    }

    /** Whether chunk {@code chunk} belongs to this shard. */
    public boolean owns(int chunk) {
        return chunk % count == index;
    }

    /** "i/N", as {@link #parse} reads it. */
    @Override
    public String toString() {
        return index + "/" + count;
    }

    /** Suffix of a shard's output directory: {@code DIR.shard-i-of-N}. */
    public String directorySuffix() {
        return ".shard-" + index + "-of-" + count;
    }

    /** Parses {@code "i/N"} (0-based i); a {@link SpecException} on {@code --shard} otherwise. */
    public static Shard parse(String text) {
        String[] parts = text.trim().split("/", -1);
        try {
            if (parts.length == 2) return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            // falls through to the message below
        } catch (IllegalArgumentException e) {
            throw new SpecException("--shard", e.getMessage() + " (i/N, 0-based)");
        }
        throw new SpecException("--shard", "expected i/N with 0 ≤ i < N (0-based), got '" + text + "'");
    }

    /**
     * The shard a Slurm array task stands for, or null outside an array job: index
     * {@code (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP} (min 0, step 1
     * when unset) of {@code SLURM_ARRAY_TASK_COUNT}. So {@code --array=0-7} and {@code --array=1-8}
     * both give shards 0/8 … 7/8.
     */
    public static Shard fromSlurm(Map<String, String> env) {
        String id = env.get("SLURM_ARRAY_TASK_ID"), count = env.get("SLURM_ARRAY_TASK_COUNT");
        if (id == null || count == null) return null;
        try {
            int min = Integer.parseInt(env.getOrDefault("SLURM_ARRAY_TASK_MIN", "0").trim());
            int step = Integer.parseInt(env.getOrDefault("SLURM_ARRAY_TASK_STEP", "1").trim());
            int i = (Integer.parseInt(id.trim()) - min) / Math.max(step, 1);
            return new Shard(i, Integer.parseInt(count.trim()));
        } catch (IllegalArgumentException e) {
            throw new SpecException("SLURM_ARRAY_TASK_ID", "cannot derive a shard from SLURM_ARRAY_TASK_ID=" + id
                    + ", SLURM_ARRAY_TASK_COUNT=" + count + " (" + e.getMessage() + "); pass --shard i/N");
        }
    }
}
