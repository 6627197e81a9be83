package org.repgeom.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @Test
    void replacesTheTargetWholeAndLeavesNoTempFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub").resolve("a.json");
        AtomicFiles.writeString(f, "first é");
        AtomicFiles.writeString(f, "second");
        assertEquals("second", Files.readString(f));
        AtomicFiles.write(f, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[] {1, 2}));
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[] {3}));
        });
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "only the target");
        }
    }

    @Test
    void aCompleteWriteRemovesTheTemporaryFilesKilledWritesOfItLeft(@TempDir Path dir) throws Exception {
        // kill -9 during analyze left .metrics.csv….tmp in analysis/ for good: no later write removed it
        java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minusSeconds(3600));
        Path stale = Files.writeString(dir.resolve(".metrics.csv3k2j.tmp"), "half a table");
        Files.setLastModifiedTime(stale, hourAgo);
        Path live = Files.writeString(dir.resolve(".metrics.csv9x8y.tmp"), "another writer of this process, still going");
        Path other = Files.writeString(dir.resolve(".summary.json77.tmp"), "not this target's");
        Files.setLastModifiedTime(other, hourAgo);
        Path users = Files.writeString(dir.resolve(".metrics.csv-my notes.tmp"), "a user's file, not a name repgeom gives");
        Files.setLastModifiedTime(users, hourAgo);
        AtomicFiles.writeString(dir.resolve("metrics.csv"), "a,b\n");
        assertFalse(Files.exists(stale), "the killed write's leftover is gone");
        assertTrue(Files.exists(live), "a temporary file written since this process started stays");
        assertTrue(Files.exists(other), "other targets' temporary files are theirs to clean");
        assertTrue(Files.exists(users), "only the names repgeom's temporary files have are removed");
        assertEquals("a,b\n", Files.readString(dir.resolve("metrics.csv")));
    }

    @Test
    void aFailingWriteLeavesTheOldFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("keep.txt");
        AtomicFiles.writeString(f, "old");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[] {9, 9}));
            throw new IOException("disk full");
        }));
        assertEquals("old", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "the temp file is removed");
        }
    }

    /** Results get the permissions any new file of the process gets (the umask's), not a temp file's 0600. */
    @Test
    void writtenFilesHaveTheUmasksPermissions(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "POSIX permissions");
        var plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        org.junit.jupiter.api.Assumptions.assumeTrue(plain.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
                "a umask that lets others read, as Debian's default 022 does: " + plain);
        Path text = dir.resolve("a.json"), npy = dir.resolve("a.npy");
        AtomicFiles.writeString(text, "{}");
        try (NpyWriter w = NpyWriter.float32(npy, 2)) {
            w.append(new float[] {1f, 2f});
            w.finish();
        }
        assertEquals(plain, Files.getPosixFilePermissions(text), "AtomicFiles.write");
        assertEquals(plain, Files.getPosixFilePermissions(npy), "NpyWriter");
        Path tmp = AtomicFiles.createTemp(dir, ".x.", ".tmp");
        assertEquals(plain, Files.getPosixFilePermissions(tmp), "createTemp");
        assertTrue(tmp.getFileName().toString().startsWith(".x.") && tmp.getFileName().toString().endsWith(".tmp"), tmp.toString());
        assertNotEquals(tmp, AtomicFiles.createTemp(dir, ".x.", ".tmp"), "a new name each time");
    }
}
