package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code repgeom theory SPEC}: every configuration with the form the run will use, or why none applies. */
class TheoryCommandTest {

    @Test
    void badLambdasAndConflictingOptionsAreOneLine(@TempDir Path tmp) throws Exception {
        // these reached HypercubeReluTheory unchecked: exit 1, "internal error" and a stack trace
        String[][] cases = {{"--lambda1", "-1"}, {"--lambda1", "NaN"}, {"--lambda1", "0.01", "--lambda2", "-0"},
            {"--lambda1", "0.01", "--lambda2", "Infinity"}};
        for (String[] c : cases) {
            String[] args = new String[c.length + 3];
            args[0] = "theory";
            args[1] = "--labels";
            args[2] = "3";
            System.arraycopy(c, 0, args, 3, c.length);
            RunCommandTest.Result r = RunCommandTest.cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("error: " + c[c.length - 2] + ": must be a positive finite number"), r.err());
        }
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, RunCommandTest.SPEC);
        RunCommandTest.Result both = RunCommandTest.cli("theory", spec.toString(), "--labels", "3", "--lambda1", "0.01");
        assertEquals(2, both.code(), both.err());
        assertTrue(both.err().startsWith("error: theory: give a SPEC.yaml or --labels and --lambda1, not both"), both.err());
    }

    @Test
    void everyConfigurationWithItsFormOrWhyNone(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, """
                name: t
                task:
                  kind: hypercube
                  labels: 2
                  per_class: 2
                  input: {geometry: whitened, seed: 0}
                model:
                  activation: [relu, tanh, gelu, linear]
                  widths: [3, 8]
                grid:
                  seeds: 1
                  lambda: [1.0e-2]
                """);
        RunCommandTest.Result r = RunCommandTest.cli("theory", spec.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("relu 8 bias first") && out.contains("hypercube-ray: c(K_Y+2·11ᵀ)"), out);
        assertTrue(out.contains("not attainable: width 3 < 4"), out);
        assertTrue(out.contains("tanh-odd"), out);
        assertTrue(out.contains("[none] no closed form: gelu is in no theory class"), out);
        assertTrue(out.contains("[odd] linear:"), out);
        assertEquals(8, out.lines().filter(l -> l.contains("λ=")).count(), out);
    }
}
