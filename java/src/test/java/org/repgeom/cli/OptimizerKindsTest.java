package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.repgeom.backend.NativeKernels;

/**
 * Every optimizer kind a spec can name trains end to end through the CLI, on the reference and the
 * native backend, and its wide ReLU members reach the closed-form kernel.
 */
class OptimizerKindsTest {
    static String spec(String optimizer) {
        return """
                name: kinds
                task:
                  kind: hypercube
                  labels: 2
                  per_class: 1
                  input: {geometry: whitened, dim: 4, seed: 1}
                model:
                  activation: [relu]
                  widths: [8]
                grid:
                  seeds: 2
                  lambda: [1.0e-2]
                optimizer: %s
                train: {max_steps: 30000, tol: 1.0e-8, window: 1000, trace_every: 1000}
                """.formatted(optimizer);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "java;{kind: gd, lr: 0.05, final_lr_ratio: 1.0}",
            "java;{kind: momentum, lr: 5.0e-3, momentum: 0.9, final_lr_ratio: 1.0}",
            "java;{kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-3}",
            "native;{kind: gd, lr: 0.05, final_lr_ratio: 1.0}",
            "native;{kind: momentum, lr: 5.0e-3, momentum: 0.9, final_lr_ratio: 1.0}",
            "native;{kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-3}"})
    void eachKindTrainsFromASpec(String backend, String optimizer, @TempDir Path tmp) throws Exception {
        if (backend.equals("native")) {
            assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
        }
        Path spec = tmp.resolve("kinds.yaml");
        Files.writeString(spec, spec(optimizer));
        Path out = tmp.resolve("out");
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", out.toString(), "--backend", backend,
                "--quiet", "--no-report");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(tmp.resolve("out.incomplete")));
        List<String> rows = Files.readAllLines(out.resolve("members.csv"));
        List<String> header = List.of(rows.get(0).split(","));
        int status = header.indexOf("status"), distance = header.indexOf("kernel_distance");
        assertEquals(3, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",");
            assertTrue(List.of("CONVERGED", "MAX_STEPS").contains(cells[status]), row);
            assertTrue(Double.parseDouble(cells[distance]) < 0.01, "kernel distance to K* in " + row);
        }
    }
}
