package org.repgeom.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python package's tests ({@code python/tests}, pytest) as part of {@code mvn verify}: they
 * train small studies through {@code repgeom.run} on this build's classes, load them, rebuild every
 * stored kernel from the parameters, run the README's Python snippet and examples/python, and
 * install the package offline into a fresh virtual environment. Skipped, saying so, where no
 * python3 with numpy and pytest is found ({@code .ci/run} installs Debian's python3-numpy and
 * python3-pytest); {@code REPGEOM_PYTHON} names the interpreter to use.
 */
class PythonPackageTest {

    @Test
    void pytestPasses(@TempDir Path tmp) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("python/pyproject.toml"))) root = root.getParent();
        assertTrue(Files.isRegularFile(root.resolve("python/pyproject.toml")), "python/ not found from " + root);
        String python = findPython();
        assumeTrue(python != null, "no python3 with numpy and pytest (.ci/run installs Debian's python3-numpy and "
                + "python3-pytest): the Python package tests are skipped");

        List<String> cmd = List.of(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp",
                tmp.resolve("pytest").toString(), "python/tests");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("pytest.log").toFile());
        pb.environment().remove("REPGEOM_JAR");
        pb.environment().remove("REPGEOM_TEST_STUDY");
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_"));
        pb.environment().put("REPGEOM_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("REPGEOM_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().put("MPLBACKEND", "Agg");
        Process p = pb.start();
        boolean done = p.waitFor(15, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly().waitFor();
        String log = Files.readString(tmp.resolve("pytest.log"), StandardCharsets.UTF_8);
        System.out.println("[python] " + python + ":\n" + tail(log, 40));
        assertTrue(done, "pytest did not finish in 15 minutes:\n" + tail(log, 80));
        assertEquals(0, p.exitValue(), "pytest failed:\n" + tail(log, 120));
        assertTrue(log.contains(" passed"), log);
    }

    /** The first interpreter (REPGEOM_PYTHON, python3, /usr/bin/python3) that imports numpy and pytest. */
    private static String findPython() throws InterruptedException {
        Set<String> candidates = new LinkedHashSet<>();
        String given = System.getenv("REPGEOM_PYTHON");
        if (given != null && !given.isBlank()) candidates.add(given);
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import numpy, pytest").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return c;
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed: try the next
            }
        }
        return null;
    }

    private static String tail(String text, int lines) {
        List<String> all = new ArrayList<>(List.of(text.split("\n")));
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
