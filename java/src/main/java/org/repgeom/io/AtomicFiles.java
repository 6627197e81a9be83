package org.repgeom.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file writes that never leave a half-written file, even after a power cut: write a sibling
 * temp file, force its data to disk, rename it onto the target, then flush the directory entry. The
 * program's one atomic-write path (text, JSON, npy and the study manifest go through it).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a file's content to an open channel (positioned at 0 of an empty file). */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Replaces {@code target} with {@code text} in UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** A step between writing the complete temporary file (on disk) and renaming it onto the target. */
    @FunctionalInterface
    public interface BeforeRename {
        void accept(Path tmp) throws IOException;
    }

    /** Replaces {@code target} with what {@code content} writes; the target is untouched if it throws. */
    public static void write(Path target, Content content) throws IOException {
        write(target, content, tmp -> { });
    }

    /**
     * {@link #write(Path, Content)}, with {@code beforeRename} seeing the complete temporary file first (e.g. to
     * record its hash); the target is untouched if either throws.
     */
    public static void write(Path target, Content content, BeforeRename beforeRename) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                content.writeTo(ch);
                ch.force(false); // the data is on disk before the rename makes it visible
            }
            beforeRename.accept(tmp);
            move(tmp, target);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new empty file {@code dir/prefix<random>suffix} with the permissions any new file of this process
     * gets (0666 less the umask), unlike {@link Files#createTempFile}, which makes it 0600: the file becomes a
     * result by its rename, and results are as readable as the user's other files.
     */
    public static Path createTemp(Path dir, String prefix, String suffix) throws IOException {
        for (;;) {
            Path tmp = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix);
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                // another name
            }
        }
    }

    /** Writes all of {@code b} to {@code ch}. */
    public static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Renames {@code from} onto {@code to}, atomically where the file system allows. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isRegularFile(to, LinkOption.NOFOLLOW_LINKS)) removeStaleTemporaries(to);
    }

    /** When this process started: a temporary file last written before it belongs to a process that has gone. */
    private static final long STARTED_MILLIS = ProcessHandle.current().info().startInstant()
            .map(java.time.Instant::toEpochMilli).orElse(0L);

    /**
     * Removes the temporary files {@code .NAME….tmp} that earlier writes of {@code target} left beside it when
     * they were killed before their rename (e.g. {@code analyze} or {@code report} stopped by kill -9), once
     * {@code target} itself is complete. Only files last written before this process started: a
     * temporary file of another process still writing stays. Best effort.
     */
    static void removeStaleTemporaries(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        // exactly the names createTemp gives this target's temporary files: .NAME[.]<base-36 random>.tmp
        java.util.regex.Pattern ours = java.util.regex.Pattern.compile(
                java.util.regex.Pattern.quote("." + target.getFileName()) + "\\.?[0-9a-z]{1,13}\\.tmp");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> ours.matcher(p.getFileName().toString()).matches())) {
            for (Path p : s) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile() && a.lastModifiedTime().toMillis() < STARTED_MILLIS) Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a leftover temporary file is untidy, not wrong
        }
    }

    /** Flushes a directory's entries (a rename) to disk where the platform allows it; Linux does, others may refuse. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // best effort: without it a power cut (not a crash) may undo the last rename
        }
    }
}
