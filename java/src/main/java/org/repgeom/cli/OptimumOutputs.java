package org.repgeom.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.repgeom.io.Json;
import org.repgeom.study.spec.SpecException;

/**
 * What {@code repgeom optimum SPEC --out DIR} may write: {@code DIR/optimum.json} and the
 * {@code <stem>.*.npy} files of its configurations. {@code DIR} may hold other files, so an existing
 * target is replaced only when it provably is an earlier optimum output: {@code optimum.json} carries
 * {@code "format": "repgeom-optimum/1"} (or, written before that tag, has exactly the keys
 * {@code task} and {@code configurations}), and every existing {@code .npy} target is a file that
 * optimum.json names. A link at {@code DIR} or at a target, or a directory at a target, is refused.
 * All of it is checked before any optimum is solved.
 */
final class OptimumOutputs {
    static final String FORMAT = "repgeom-optimum/1";
    static final String JSON = "optimum.json";
    /** The files each optimum writes, after its stem. */
    static final List<String> SUFFIXES = List.of(".kernel.npy", ".w1.npy", ".w2.npy", ".directions.npy");

    private OptimumOutputs() {
    }

    /** Refuses, with one line naming the path, a {@code dir} or target that is not this command's to write. */
    static void check(Path dir, Collection<String> stems) {
        if (Files.isSymbolicLink(dir)) {
            throw new SpecException("--out", dir + " is a symbolic link; optimum does not write through links");
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new SpecException("--out", dir + " is not a directory");
        }
        List<Path> targets = new ArrayList<>(List.of(dir.resolve(JSON)));
        for (String stem : stems) for (String suffix : SUFFIXES) targets.add(dir.resolve(stem + suffix));
        Set<String> named = null;
        for (Path p : targets) {
            if (Files.isSymbolicLink(p)) throw new SpecException(p.toString(), "is a symbolic link; optimum does not write through links");
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) throw new SpecException(p.toString(), "is a directory");
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
            if (named == null) named = namedByEarlierOutput(dir.resolve(JSON));
            if (named == null || !named.contains(p.getFileName().toString())) {
                throw new SpecException(p.toString(), "exists and is not an earlier repgeom optimum output; optimum "
                        + "replaces only files it wrote (move it, or choose another --out)");
            }
        }
    }

    /** The file names an earlier optimum.json of ours names (itself included); null when it is absent or not ours. */
    private static Set<String> namedByEarlierOutput(Path json) {
        if (!Files.isRegularFile(json, LinkOption.NOFOLLOW_LINKS)) return null;
        Object doc;
        try {
            doc = Json.read(json);
        } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
            return null;
        }
        if (!(doc instanceof Map<?, ?> m)) return null;
        boolean ours = FORMAT.equals(m.get("format")) || m.keySet().equals(Set.of("task", "configurations"));
        if (!ours || !(m.get("configurations") instanceof List<?> rows)) return null;
        Set<String> names = new HashSet<>(Set.of(JSON));
        for (Object row : rows) {
            if (!(row instanceof Map<?, ?> r)) continue;
            addName(names, r.get("kernel"));
            addName(names, r.get("directions"));
            if (r.get("network") instanceof Map<?, ?> net) {
                addName(names, net.get("w1"));
                addName(names, net.get("w2"));
            }
        }
        return names;
    }

    private static void addName(Set<String> names, Object value) {
        if (value instanceof String s) names.add(s);
    }
}
