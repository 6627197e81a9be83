package org.repgeom.study;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** SHA-256 of study files, and the check of files against the hashes a manifest recorded. */
public final class FileHashes {
    private FileHashes() {
    }

    /** The SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** {name: SHA-256} of the named files in {@code dir}. */
    public static Map<String, String> of(Path dir, Collection<String> names) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String n : names) out.put(n, sha256(dir.resolve(n)));
        return out;
    }

    /** A file that does not match its recorded hash, and why ("is missing", "does not match …"). */
    public record Mismatch(Path file, String why) {
        @Override
        public String toString() {
            return file + " " + why;
        }
    }

    /**
     * The first file in {@code dir} that is missing, not a regular file, or whose SHA-256 differs
     * from {@code expected}; null when all match.
     */
    public static Mismatch firstMismatching(Path dir, Map<String, String> expected) throws IOException {
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) return new Mismatch(f, "is missing");
            if (!sha256(f).equals(e.getValue())) {
                return new Mismatch(f, "does not match its SHA-256 in " + StudyManifest.FILE + " (damaged or edited)");
            }
        }
        return null;
    }

    /** {@link #firstMismatching} as one phrase ("DIR/FILE is missing"), or null when all match. */
    public static String firstMismatch(Path dir, Map<String, String> expected) throws IOException {
        Mismatch m = firstMismatching(dir, expected);
        return m == null ? null : m.toString();
    }
}
