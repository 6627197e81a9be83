package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * What repgeom may delete or write into: it replaces or empties only directories it can prove it
 * created (they hold a {@code manifest.json} of repgeom's format) or empty ones, never the working
 * directory, an ancestor of it or of the spec, and it follows no symbolic link inside a study
 * directory (a link there could send a write or a delete anywhere on the machine).
 */
public final class StudyPaths {
    /** What a path is, as far as replacing it is concerned. */
    public enum Kind {
        /** Nothing there. */
        ABSENT,
        /** A symbolic link (to anything, or dangling). */
        LINK,
        /** A file or anything else that is not a directory. */
        FILE,
        /** A directory with nothing in it (a leftover lock file of repgeom's counts as nothing). */
        EMPTY,
        /** A directory holding a repgeom manifest. */
        STUDY,
        /** A directory of other files: never repgeom's to delete. */
        FOREIGN;

        /** How a message names it. */
        public String describe() {
            return switch (this) {
                case ABSENT -> "nothing";
                case LINK -> "a symbolic link";
                case FILE -> "a file, not a directory";
                case EMPTY -> "an empty folder";
                case STUDY -> "a repgeom study directory";
                case FOREIGN -> "a folder of other files, not a repgeom study (it has no " + StudyManifest.FILE + ")";
            };
        }
    }

    private StudyPaths() {
    }

    /** Classifies {@code p} without following a link at {@code p}. */
    public static Kind kind(Path p) {
        if (Files.isSymbolicLink(p)) return Kind.LINK;
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return Kind.ABSENT;
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return Kind.FILE;
        Path manifest = p.resolve(StudyManifest.FILE);
        if (Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS) && isRepgeomManifest(manifest)) return Kind.STUDY;
        try (Stream<Path> s = Files.list(p)) {
            Iterator<Path> it = s.iterator();
            while (it.hasNext()) {
                String name = it.next().getFileName().toString();
                // the lock and a first manifest not yet renamed into place: a run killed in its first moment
                boolean ours = name.equals(StudyRunner.LOCK) || name.startsWith("." + StudyManifest.FILE + ".") && name.endsWith(".tmp");
                if (!ours) return Kind.FOREIGN;
            }
            return Kind.EMPTY;
        } catch (IOException e) {
            throw new SpecException(p.toString(), "cannot be listed: " + IoErrors.cause(e));
        }
    }

    /** Whether another process holds the lock of the repgeom directory {@code dir}. */
    public static boolean busy(Path dir) {
        Path lock = dir.resolve(StudyRunner.LOCK);
        if (!Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) return false;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock,
                java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
             java.nio.channels.FileLock l = ch.tryLock()) {
            return l == null;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // held in this JVM
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the file starts like a manifest this program writes (its format tag), read or not. */
    private static boolean isRepgeomManifest(Path manifest) {
        try {
            byte[] head = new byte[Math.min(4096, (int) Math.min(Integer.MAX_VALUE, Files.size(manifest)))];
            try (var in = Files.newInputStream(manifest)) {
                int n = in.readNBytes(head, 0, head.length);
                return new String(head, 0, n, java.nio.charset.StandardCharsets.UTF_8).contains("\"repgeom-study/");
            }
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Refuses, naming the path, when anything in {@code dir} (itself included) is a symbolic link.
     * Absent {@code dir}: nothing to check.
     */
    public static void refuseLinks(Path dir) {
        if (Files.isSymbolicLink(dir)) throw linkRefused(dir);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) { // walk does not follow links
            s.filter(Files::isSymbolicLink).findFirst().ifPresent(p -> {
                throw linkRefused(p);
            });
        } catch (IOException | UncheckedIOException e) {
            throw new SpecException(dir.toString(), "cannot be read: " + IoErrors.cause(e));
        }
    }

    private static SpecException linkRefused(Path p) {
        return new SpecException(p.toString(), "is a symbolic link; repgeom follows no link inside a study directory "
                + "(a write or delete through it would land outside); remove the link or choose another --out");
    }

    /**
     * Refuses to replace {@code dir} with {@code --force} unless it is a repgeom study or empty, and
     * when it is the working directory or holds it or {@code specFile} (may be null).
     */
    public static void checkReplaceable(Path dir, Path specFile, String option) {
        Kind k = kind(dir);
        if (k == Kind.ABSENT) return;
        if (k == Kind.LINK) throw linkRefused(dir);
        if (k != Kind.STUDY && k != Kind.EMPTY) {
            throw new SpecException(option, dir + " is " + k.describe() + "; --force replaces only a repgeom study "
                    + "directory or an empty folder, so this stays; choose another directory");
        }
        Path real = real(dir);
        Path cwd = real(Path.of("").toAbsolutePath());
        if (cwd.startsWith(real)) {
            throw new SpecException(option, dir + " is the working directory or holds it; --force will not replace it;"
                    + " choose another directory");
        }
        if (specFile != null && Files.exists(specFile) && real(specFile).startsWith(real)) {
            throw new SpecException(option, dir + " holds the spec " + specFile + "; --force will not replace it;"
                    + " choose another directory");
        }
    }

    /** {@code p} with its links resolved; where it does not exist, its nearest existing ancestor's. */
    static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            Path abs = p.toAbsolutePath().normalize(), parent = abs.getParent();
            return parent == null ? abs : real(parent).resolve(abs.getFileName());
        }
    }
}
