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
