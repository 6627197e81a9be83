package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import org.repgeom.model.ParamLayout;

/**
 * How much disk a study's outputs take, checked before training starts so a run that cannot
 * finish fails in its first second, not after hours.
 *
 * <p>Per member: parameters {@code 8·stride} bytes, kernel {@code 4·P²}, loss curve {@code 4·T},
 * and a {@code members.csv} row of about {@link #CSV_ROW_BYTES}. An unsharded run holds its
 * chunk files and the assembled copy at once before the chunks are deleted, so it needs the
 * remaining chunks plus the whole study; a shard needs its remaining chunks; a merge the whole
 * study.
 */
public final class DiskSpace {
    /** Generous size of one members.csv row (about 300 bytes for two-layer members). */
    static final long CSV_ROW_BYTES = 400;
    /** Room left for everything else (JSON files, the task, metadata), plus 5 % of the results. */
    static final long SLACK_BYTES = 256L << 10;

    private DiskSpace() {
    }

    /** Bytes the results of {@code chunks} take. */
    public static long bytes(StudyPlan plan, int samples, Collection<StudyPlan.Chunk> chunks) {
        long total = 0;
        for (StudyPlan.Chunk c : chunks) {
            int stride = new ParamLayout(plan.groupArchitecture(c.group())).stride();
            total += c.size() * (8L * stride + 4L * samples * samples + 4L * plan.traceLength() + CSV_ROW_BYTES)
                    + KernelTraceFiles.chunkBytes(plan, c, samples);
        }
        return total;
    }

    /**
     * Fails with a {@link SpecException} on {@code --out} when the file system of {@code dir} has
     * less than {@code needed} bytes (plus slack) usable; {@code what} says what they are for.
     */
    public static void require(Path dir, long needed, String what) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return;
        check(existing, needed, Files.getFileStore(existing).getUsableSpace(), what);
    }

    /** The check of {@link #require} with a given number of free bytes. */
    static void check(Path dir, long needed, long free, String what) {
        long withSlack = needed + SLACK_BYTES + needed / 20;
        if (withSlack > free) {
            throw new SpecException("--out", String.format(Locale.ROOT,
                    "not enough free disk space: %s needs about %s, only %s free on %s; free space, choose another "
                            + "--out, or split the study with --shard", what, human(withSlack), human(free), dir));
        }
    }

    /** Bytes in B, KiB, MiB, GiB or TiB with 3 significant digits. */
    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.3g %s", v, units[u]);
    }
}
