package org.repgeom.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.study.IoErrors;
import org.repgeom.study.Shard;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;

/**
 * Full and read-only file systems, on small tmpfs mounts (skipped, saying why, where this process
 * may not mount: mounting needs root and a kernel that allows it; root ignores permission bits,
 * so a mount is the only honest read-only test).
 */
class FileSystemFaultsTest {

    /** Mounts a tmpfs of {@code size} at {@code dir} ({@code ro}: read-only); false when not allowed here. */
    private static boolean mount(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static void umount(Path dir) throws Exception {
        new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
    }

    /** What a test does on its mounted file system, given the mount point and the spec file beside it. */
    private interface OnMount {
        void run(Path fs, Path spec) throws Exception;
    }

    /**
     * Mounts a tmpfs with {@code options} at {@code tmp/name} (the test is skipped where that is not
     * allowed), writes {@code spec} to {@code tmp/spec.yaml}, runs the body and unmounts.
     */
    private static void onTmpfs(Path tmp, String name, String options, String spec, OnMount body) throws Exception {
        Path fs = tmp.resolve(name);
        assumeTrue(mount(fs, options), "cannot mount a tmpfs here (needs root and a kernel that allows it)");
        try {
            Path specFile = tmp.resolve("spec.yaml");
            Files.writeString(specFile, spec);
            body.run(fs, specFile);
        } finally {
            umount(fs);
        }
    }

    @Test
    void tooSmallAFileSystemIsRefusedBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        String big = Fixture.SPEC.replace("widths: [3, 8]", "widths: [3, 400]").replace("seeds: 2", "seeds: 40");
        onTmpfs(tmp, "small", "size=64k", big, (fs, spec) -> {
            Fixture.run(spec, fs.resolve("out")).assertRefused("not enough free disk space");
            try (var s = Files.list(fs)) {
                assertEquals(List.of(), s.toList(), "a refused run leaves nothing on disk");
            }
        });
    }

    @Test
    void aDiskThatFillsMidRunStopsWithOneLineAndResumesWhenFreed(@TempDir Path tmp) throws Exception {
        onTmpfs(tmp, "fills", "size=2m", Fixture.SPEC, (fs, spec) -> {
            Path out = fs.resolve("out"), filler = fs.resolve("filler");
            AtomicInteger done = new AtomicInteger();
            // after the first chunk another program fills the disk
            ProgressListener fill = n -> {
                if (done.addAndGet(n) == 2) {
                    try {
                        Files.write(filler, new byte[(int) Files.getFileStore(fs).getUsableSpace()]);
                    } catch (IOException e) {
                        // full already: what this test wants
                    }
                }
            };
            StudyRunner runner = new StudyRunner(StudySpec.load(spec), new JavaBackend());
            Exception e = assertThrows(Exception.class, () -> runner.run(out, spec,
                    new StudyRunner.Options(false, false, Shard.WHOLE, 1), n -> fill));
            assertTrue(IoErrors.isIo(e), "an I/O failure (exit 2), not a bug: " + e);
            assertEquals("no space left on device", IoErrors.cause(e), e.toString());
            Files.delete(filler);
            Fixture.Result r = Fixture.run(spec, out, "--chunk-size", "1", "--resume");
            assertEquals(0, r.code(), r.err());
            Path reference = tmp.resolve("reference");
            assertEquals(0, Fixture.run(spec, reference, "--chunk-size", "1").code());
            Fixture.assertSameResults(reference, out);
        });
    }

    @Test
    void aReadOnlyLocationIsOneLine(@TempDir Path tmp) throws Exception {
        onTmpfs(tmp, "ro", "ro,size=4m", Fixture.SPEC, (fs, spec) -> {
            Map<String, String> before = Fixture.tree(tmp);
            Fixture.run(spec, fs.resolve("out")).assertRefused(fs.resolve("out.incomplete").toString(), "read-only file system");
            assertEquals(before, Fixture.tree(tmp));
            assertFalse(Files.exists(fs.resolve("out.incomplete")));
        });
    }
}
