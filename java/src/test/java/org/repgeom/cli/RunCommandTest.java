package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;

/** {@code repgeom run} end to end on a small study: the files it writes, and that numpy reads them. */
public class RunCommandTest {
    static final String SPEC = """
            name: tiny
            task:
              kind: hypercube
              labels: 2
              per_class: 1
              input: {geometry: whitened, dim: 4, seed: 1}
            model:
              activation: [relu, tanh]
              widths: [3, 8]
            grid:
              seeds: 3
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-4}
            train: {max_steps: 40000, tol: 1.0e-7, window: 1000, trace_every: 1000}
            """;

    /** Runs the CLI in this JVM, returning exit code, stdout and stderr (also the fault suite's runner). */
    public static Result cli(String... args) {
        PrintStream oldErr = System.err, oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream(), out = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }

    public record Result(int code, String out, String err) {
    }

    @Test
    void writesACompleteOutputDirectory(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("tiny.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("out");
        Result r = cli("run", spec.toString(), "--out", out.toString(), "--backend", "java", "--quiet");
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("members.csv", "summary.json", "kernels.npy", "loss_curves.npy", "X.npy", "Y.npy",
                "spec.yaml", "groups.json", "params_group0.npy", "params_group3.npy")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertFalse(Files.exists(tmp.resolve("out.incomplete")));
        int members = 2 * 2 * 3;
        List<String> csv = Files.readAllLines(out.resolve("members.csv"));
        assertEquals(members + 1, csv.size());
        // numeric per-layer columns after the old ones, then the global optimum's, and a configuration key without quotes
        List<String> header = List.of(csv.get(0).split(","));
        assertEquals(List.of("lambda1", "lambda2", "width1", "global_gap", "optimum_kernel_distance"),
                header.subList(header.size() - 5, header.size()));
        assertTrue(header.contains("config") && header.contains("test_ccgp"), "config and hold-out columns");
        for (String row : csv.subList(1, csv.size())) {
            List<String> cells = List.of(row.split(",", -1));
            assertEquals(header.size(), cells.size(), row);
            assertEquals(0.01, Double.parseDouble(cells.get(header.indexOf("lambda1"))), row);
            assertEquals(0.01, Double.parseDouble(cells.get(header.indexOf("lambda2"))), row);
            assertEquals(cells.get(header.indexOf("widths")), cells.get(header.indexOf("width1")), row);
            assertFalse(cells.get(header.indexOf("config")).contains("\""), row);
            assertEquals("", cells.get(header.indexOf("test_loss")), "no hold-out, no test loss: " + row);
            // measured against the global optimum where it applies (relu), empty where not (tanh)
            assertEquals(cells.get(header.indexOf("activation")).equals("relu"), !cells.get(header.indexOf("global_gap")).isEmpty(), row);
        }
        NpyArray kernels = Npy.read(out.resolve("kernels.npy"));
        assertEquals(List.of(members, 4, 4), List.of(kernels.dim(0), kernels.dim(1), kernels.dim(2)));
        NpyArray curves = Npy.read(out.resolve("loss_curves.npy"));
        assertEquals(41, curves.dim(1));
        String summary = Files.readString(out.resolve("summary.json"));
        assertTrue(summary.contains("\"holds\": true"), summary);
        // the training alone is part of the compute seconds (which add the members' analysis)
        java.util.Map<?, ?> sj = (java.util.Map<?, ?>) org.repgeom.io.Json.parse(summary);
        double seconds = ((Number) sj.get("seconds")).doubleValue(), train = ((Number) sj.get("train_seconds")).doubleValue();
        assertTrue(train > 0 && train < seconds, train + " of " + seconds);
        assertTrue(r.out().contains("theory: holds in"), r.out());

        // running again into the same directory refuses, and leaves the results alone
        Result again = cli("run", spec.toString(), "--out", out.toString(), "--backend", "java", "--quiet");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists"), again.err());
        assertTrue(Files.exists(out.resolve("summary.json")));
        assertTrue(again.err().contains("pass --force to replace it"), again.err());
        // --force (or its old name --overwrite) replaces it with the same results
        byte[] kernelBytes = Files.readAllBytes(out.resolve("kernels.npy"));
        for (String flag : List.of("--force", "--overwrite")) {
            Result forced = cli("run", spec.toString(), "--out", out.toString(), "--backend", "java", "--quiet", flag);
            assertEquals(0, forced.code(), forced.err());
            assertArrayEquals(kernelBytes, Files.readAllBytes(out.resolve("kernels.npy")));
        }
    }

    @Test
    void numpyReadsTheOutputs(@TempDir Path tmp) throws Exception {
        assumeTrue(hasNumpy(), "python3 with numpy not installed");
        Path spec = tmp.resolve("tiny.yaml");
        Files.writeString(spec, SPEC.replace("seeds: 3", "seeds: 1").replace("max_steps: 40000", "max_steps: 2000"));
        Path out = tmp.resolve("out");
        assertEquals(0, cli("run", spec.toString(), "--out", out.toString(), "--backend", "java", "--quiet").code());
        String script = String.join("\n",
                "import numpy as np, json, csv, sys",
                "d = sys.argv[1]",
                "K = np.load(d + '/kernels.npy'); X = np.load(d + '/X.npy'); Y = np.load(d + '/Y.npy')",
                "assert K.shape == (4, 4, 4) and K.dtype == np.float32",
                "assert np.allclose(X.T @ X, np.eye(4), atol=1e-10)",
                "assert set(np.unique(Y)) == {-1.0, 1.0}",
                "assert np.allclose(K, np.transpose(K, (0, 2, 1)))",
                "rows = list(csv.DictReader(open(d + '/members.csv')))",
                "g = json.load(open(d + '/groups.json'))[0]",
                "P = np.load(d + '/' + g['file'])",
                "assert P.shape == (len(g['member_ids']), g['stride'])",
                "W = P[0, :12].reshape(3, 4); b = P[0, 12:15]",
                "R = np.maximum(W @ X + b[:, None], 0)",
                "i = g['member_ids'][0]",
                "assert np.allclose(R.T @ R, K[i], rtol=1e-4, atol=1e-5), (R.T @ R, K[i])",
                "assert len(rows) == 4 and rows[i]['activation'] == 'relu'",
                "print('ok')");
        Process p = new ProcessBuilder("python3", "-c", script, out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("ok"), text);
    }

    static boolean hasNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
