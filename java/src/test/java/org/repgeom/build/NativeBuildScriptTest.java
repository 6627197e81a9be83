package org.repgeom.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * native/build.sh, which Maven runs in process-classes (a non-zero exit fails {@code mvn package}):
 * a C file that does not compile or link fails it; only a missing compiler skips it. Runs the script
 * on a copy of native/ with one deliberately broken file.
 */
class NativeBuildScriptTest {
    static final Path NATIVE = Path.of("..", "native");

    @TempDir
    Path tmp;

    @BeforeAll
    static void toolsPresent() throws Exception {
        assumeTrue(Files.isRegularFile(NATIVE.resolve("build.sh")), "native/ not next to the java module");
        assumeTrue(run(List.of("bash", "-c", "command -v gcc"), Map.of()).exit == 0, "no gcc on PATH");
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("java.home"), "include", "jni.h")), "no JDK headers");
    }

    @Test
    void aCompileErrorFailsTheBuild() throws Exception {
        Path src = copyOfNative();
        append(src.resolve("repgeom_train.c"), "\nint rg_deliberately_broken(void) { return undeclared_name; }\n");
        Result r = build(src, Map.of());
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("[repgeom native] ERROR: compiling repgeom_train.c"), r.output);
        assertFalse(Files.exists(library()), "no library is left behind");
    }

    @Test
    void aLinkErrorFailsTheBuild() throws Exception {
        Path src = copyOfNative();
        // compiles (an implicit declaration is only a warning) but references a symbol no object defines
        append(src.resolve("repgeom_jni.c"), "\nvoid rg_no_such_function(void);\nvoid rg_calls_it(void) { rg_no_such_function(); }\n");
        Result r = build(src, Map.of());
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("[repgeom native] ERROR: linking failed"), r.output);
        assertTrue(r.output.contains("rg_no_such_function"), r.output);
        assertFalse(Files.exists(library()));
    }

    @Test
    void aMissingCompilerOnlySkips() throws Exception {
        Path src = copyOfNative();
        append(src.resolve("repgeom_train.c"), "\n#error never compiled: there is no compiler\n");
        Result r = build(src, Map.of("CC", "rg-no-such-compiler"));
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("WARNING: no C compiler 'rg-no-such-compiler'"), r.output);
        assertFalse(Files.exists(library()));
    }

    private Path library() throws IOException {
        Path dir = tmp.resolve("classes").resolve("native");
        if (!Files.isDirectory(dir)) return dir.resolve("none");
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("librepgeom.")).findFirst().orElse(dir.resolve("none"));
        }
    }

    private Path copyOfNative() throws IOException {
        Path dst = tmp.resolve("native");
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(NATIVE)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) Files.copy(p, dst.resolve(p.getFileName()));
        }
        return dst;
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, Files.readString(file) + text);
    }

    private Result build(Path src, Map<String, String> env) throws Exception {
        return run(List.of("bash", src.resolve("build.sh").toString(), tmp.resolve("classes").toString(),
                System.getProperty("java.home")), env);
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out);
    }
}
