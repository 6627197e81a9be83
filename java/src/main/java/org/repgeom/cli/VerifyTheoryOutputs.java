package org.repgeom.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Json;
import org.repgeom.study.spec.SpecException;

/**
 * The two files of {@code repgeom verify-theory --out FILE.json} ({@code FILE.json} and
 * {@code FILE.csv} beside it), and the rule for replacing them: an existing one is replaced only
 * when it provably is an earlier verify-theory output — the JSON carries {@code "format":
 * "repgeom-verify-theory/1"} (or, written before that tag, the keys only verify-theory writes), the
 * CSV starts with verify-theory's header line. A file of the user's under either name, a link or a
 * directory is refused with one line before any case is trained.
 */
final class VerifyTheoryOutputs {
    static final String FORMAT = "repgeom-verify-theory/1";
    static final String CSV_HEADER = "case,title,prediction,members,converged,median_kernel_error,median_loss_gap,"
            + "median_ps,certified_fraction,seconds,pass,detail";
    /** The top-level keys of a verify-theory JSON written before it had a format tag. */
    private static final List<String> LEGACY_KEYS = List.of("backend", "seeds", "steps", "kernel_tol", "converged_window",
            "certificate_tol", "cases");

    private final Path json;
    private final Path csv;

    private VerifyTheoryOutputs(Path json, Path csv) {
        this.json = json;
        this.csv = csv;
    }

    /** The targets of {@code --out}, checked (class comment); refuses with one line naming the path. */
    static VerifyTheoryOutputs check(Path out) {
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        if (base.isEmpty()) throw new SpecException("--out", "must name a file (FILE.json; FILE.csv goes beside it), got " + out);
        VerifyTheoryOutputs o = new VerifyTheoryOutputs(out, out.resolveSibling(base + ".csv"));
        for (Path p : List.of(o.json, o.csv)) {
            if (Files.isSymbolicLink(p)) throw new SpecException(p.toString(), "is a symbolic link; verify-theory does not write through links");
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) throw new SpecException(p.toString(), "is a directory");
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !(p == o.json ? isOurJson(p) : isOurCsv(p))) {
                throw new SpecException(p.toString(), "exists and is not an earlier repgeom verify-theory output; "
                        + "verify-theory replaces only files it wrote (move it, or choose another --out)");
            }
        }
        return o;
    }

    /** Writes the CSV, then the JSON (with its format tag first), each atomically. */
    void write(Map<String, Object> doc, String csvText) throws IOException {
        AtomicFiles.writeString(csv, csvText);
        AtomicFiles.writeString(json, Json.write(doc));
    }

    private static boolean isOurJson(Path p) {
        Object doc;
        try {
            doc = Json.read(p);
        } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
            return false;
        }
        if (!(doc instanceof Map<?, ?> m)) return false;
        return FORMAT.equals(m.get("format")) || m.keySet().containsAll(LEGACY_KEYS);
    }

    private static boolean isOurCsv(Path p) {
        try (var r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            return CSV_HEADER.equals(r.readLine());
        } catch (IOException | UncheckedIOException e) {
            return false; // not UTF-8 text, or unreadable: not ours
        }
    }
}
