package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.NativeKernels;
import org.repgeom.io.Npy;

/**
 * Bad input stops the CLI with exit code 2, one line naming the field or file, and no output
 * directory (complete-looking or not).
 */
class BadInputTest {

    private static void assertRejected(Path tmp, String specText, String... expected) throws Exception {
        Path spec = tmp.resolve("bad.yaml");
        Files.writeString(spec, specText);
        Path out = tmp.resolve("out");
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", out.toString(), "--quiet");
        assertEquals(2, r.code(), r.err());
        String firstLine = r.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
        for (String e : expected) assertTrue(firstLine.contains(e), "'" + e + "' not in: " + r.err());
        assertFalse(Files.exists(out), "no output directory on bad input");
        assertFalse(Files.exists(tmp.resolve("out.incomplete")));
    }

    @Test
    void malformedYaml(@TempDir Path tmp) throws Exception {
        assertRejected(tmp, RunCommandTest.SPEC.replace("labels: 2", "labels: [2"), "bad.yaml");
    }

    @Test
    void unknownKey(@TempDir Path tmp) throws Exception {
        assertRejected(tmp, RunCommandTest.SPEC.replace("per_class: 1", "per_clas: 1"), "task", "per_clas", "per_class");
    }

    @Test
    void nonPositiveSize(@TempDir Path tmp) throws Exception {
        assertRejected(tmp, RunCommandTest.SPEC.replace("widths: [3, 8]", "widths: [3, 0]"), "model.widths");
        assertRejected(tmp, RunCommandTest.SPEC.replace("per_class: 1", "per_class: -2"), "task.per_class");
    }

    @Test
    void negativeLambda(@TempDir Path tmp) throws Exception {
        assertRejected(tmp, RunCommandTest.SPEC.replace("lambda: [1.0e-2]", "lambda: [-1.0e-2]"), "grid.lambda");
    }

    @Test
    void whitenedInputTooSmall(@TempDir Path tmp) throws Exception {
        assertRejected(tmp, RunCommandTest.SPEC.replace("dim: 4", "dim: 3"), "task.input");
    }

    @Test
    void deeperThanTheNativeKernelsTake(@TempDir Path tmp) throws Exception {
        assumeTrue(NativeKernels.isAvailable(), () -> "native library not available: " + NativeKernels.unavailableReason());
        Path spec = tmp.resolve("deep.yaml");
        Files.writeString(spec, RunCommandTest.SPEC.replace("widths: [3, 8]", "widths: [3]\n  depth: 17"));
        Path out = tmp.resolve("out");
        // the C kernels' tables hold 16 layers: this was an internal error after DIR.incomplete was made
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", out.toString(), "--backend", "native",
                "--quiet", "--no-report");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("error: model.depth: 17 hidden layers; the native backend "
                + "trains at most 16")), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve("out.incomplete")));
    }

    @Test
    void aNetworkWithMoreParametersThanAnIntIndexes(@TempDir Path tmp) throws Exception {
        // 60000 x 65536 weights: ParamLayout's int offsets overflowed into an internal error
        assertRejected(tmp, RunCommandTest.SPEC.replace("dim: 4", "dim: 60000").replace("widths: [3, 8]", "widths: [65536]"),
                "model.widths", "parameters");
    }

    @Test
    void zeroWeightDecayTrainsWithoutAGlobalOptimum(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("free.yaml");
        Files.writeString(spec, RunCommandTest.SPEC.replace("activation: [relu, tanh]", "activation: [relu]")
                .replace("widths: [3, 8]", "widths: [8]").replace("lambda: [1.0e-2]", "lambda: [0.0, 1.0e-2]")
                .replace("max_steps: 40000", "max_steps: 2000"));
        Path out = tmp.resolve("out");
        // λ = 0 is valid input; the optimum solver, which needs λ > 0, was called anyway and crashed the assembly
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", out.toString(), "--backend", "java",
                "--quiet", "--no-report");
        assertEquals(0, r.code(), r.err());
        java.util.List<String> rows = Files.readAllLines(out.resolve("members.csv"));
        java.util.List<String> header = java.util.List.of(rows.get(0).split(",", -1));
        int gap = header.indexOf("global_gap"), lambda1 = header.indexOf("lambda1");
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",", -1);
            boolean free = Double.parseDouble(cells[lambda1]) == 0.0;
            assertEquals(free, cells[gap].isEmpty(), "global_gap only where λ > 0: " + row);
        }
        RunCommandTest.Result landscape = RunCommandTest.cli("landscape", out.toString(), "--quiet", "--pairs", "0");
        assertEquals(0, landscape.code(), landscape.err());
    }

    @Test
    void missingSpecFile(@TempDir Path tmp) {
        RunCommandTest.Result r = RunCommandTest.cli("run", tmp.resolve("nope.yaml").toString(), "--quiet");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nope.yaml"), r.err());
    }

    @Test
    void unknownBackend(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("ok.yaml");
        Files.writeString(spec, RunCommandTest.SPEC);
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--backend", "tpu", "--out",
                tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("tpu"), r.err());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    private static String npySpec(String x, String y) {
        return RunCommandTest.SPEC.replaceAll("(?s)task:.*?model:", "task:\n  kind: npy\n  x: " + x + "\n  y: " + y + "\nmodel:");
    }

    @Test
    void badHoldout(@TempDir Path tmp) throws Exception {
        assertRejected(tmp, RunCommandTest.SPEC.replace("per_class: 1", "per_class: 1\n  holdout: {classes: [1, 4]}"),
                "task.holdout.classes", "out of range");
        assertRejected(tmp, RunCommandTest.SPEC.replace("per_class: 1", "per_class: 1\n  holdout: {fraction: 2}"),
                "task.holdout.fraction");
    }

    @Test
    void testFilesThatDoNotFitTheTask(@TempDir Path tmp) throws Exception {
        Npy.writeFloat64(tmp.resolve("X.npy"), new int[] {4, 4}, new double[16]);
        Npy.writeFloat64(tmp.resolve("Y.npy"), new int[] {2, 4}, new double[8]);
        Npy.writeFloat64(tmp.resolve("Xt.npy"), new int[] {3, 2}, new double[6]);
        Npy.writeFloat64(tmp.resolve("Yt.npy"), new int[] {2, 2}, new double[4]);
        assertRejected(tmp, npySpec("X.npy", "Y.npy").replace("model:", "  test_x: Xt.npy\n  test_y: Yt.npy\nmodel:"),
                "task.test_x", "dX=3");
        assertRejected(tmp, npySpec("X.npy", "Y.npy").replace("model:", "  test_x: Xt.npy\nmodel:"), "task.test_y");
    }

    @Test
    void mismatchedNpyShapes(@TempDir Path tmp) throws Exception {
        Npy.writeFloat64(tmp.resolve("X.npy"), new int[] {4, 5}, new double[20]);
        Npy.writeFloat64(tmp.resolve("Y.npy"), new int[] {2, 4}, new double[8]);
        assertRejected(tmp, npySpec("X.npy", "Y.npy"), "task");
    }

    @Test
    void nanInData(@TempDir Path tmp) throws Exception {
        double[] x = new double[16];
        x[5] = Double.NaN;
        Npy.writeFloat32(tmp.resolve("X.npy"), new int[] {4, 4}, x);
        Npy.writeFloat64(tmp.resolve("Y.npy"), new int[] {2, 4}, new double[8]);
        assertRejected(tmp, npySpec("X.npy", "Y.npy"), "X.npy", "NaN");
    }

    @Test
    void unreadableNpy(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("X.npy"), "this is not a numpy file");
        Npy.writeFloat64(tmp.resolve("Y.npy"), new int[] {2, 4}, new double[8]);
        assertRejected(tmp, npySpec("X.npy", "Y.npy"), "X.npy");
        assertRejected(tmp, npySpec("missing.npy", "Y.npy"), "missing.npy");
    }
}
