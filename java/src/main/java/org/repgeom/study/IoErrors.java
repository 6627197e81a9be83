package org.repgeom.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * One line for a failed file operation: the path and the cause in words ("permission denied",
 * "read-only file system", "no space left on device", …) instead of an exception's class name.
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** "PATH: cause" for an I/O failure, the path first when the exception knows it. */
    public static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        if (t instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + cause(t);
        }
        return cause(t);
    }

    /** The cause of an I/O failure in words, without the path. */
    public static String cause(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        if (t instanceof AccessDeniedException) return "permission denied";
        if (t instanceof NoSuchFileException) return "no such file or directory";
        if (t instanceof NotDirectoryException) return "not a directory";
        if (t instanceof FileAlreadyExistsException) return "already exists";
        if (t instanceof DirectoryNotEmptyException) return "directory not empty";
        String reason = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
        if (reason == null || reason.isBlank()) reason = t.getClass().getSimpleName();
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("no space left")) return "no space left on device";
        if (lower.contains("read-only")) return "read-only file system";
        if (lower.contains("disk quota")) return "disk quota exceeded";
        return reason;
    }

    /** Whether {@code e} is an I/O failure (checked or wrapped). */
    public static boolean isIo(Throwable e) {
        return e instanceof IOException || e instanceof UncheckedIOException;
    }
}
