package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.io.Json;
import org.repgeom.io.Npy;
import org.repgeom.study.RunDirectory;

/**
 * {@code repgeom compare} end to end: recordings synthesised from one member of a study trained from
 * a seed the candidates never saw (its hidden layer rotated into more neurons, with trial noise) are
 * matched to the configuration that generated them; the output files, the replace rule and bad input.
 */
class CompareCommandTest {
    /** Six configurations: ReLU, tanh and linear, each wide (32) and narrower than 2·dY (4). */
    static final String CANDIDATES = """
            name: candidates
            task:
              kind: hypercube
              labels: 3
              per_class: 2
              input: {geometry: gaussian, dim: 16, seed: 7}
            model:
              activation: [relu, tanh, linear]
              widths: [4, 32]
            grid:
              seeds: SEEDS
              lambda: [1.0e-3]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-3}
            train: {max_steps: 20000, tol: 1.0e-9, window: 500, trace_every: 500}
            """;

    @TempDir
    static Path tmp;
    static Path candidates;
    static Path animal;

    @BeforeAll
    static void train() throws IOException {
        candidates = run("candidates", "4");
        animal = run("animal", "[1000]"); // the "recorded animal": same configurations, an unseen seed
    }

    private static Path run(String name, String seeds) throws IOException {
        Path spec = tmp.resolve(name + ".yaml");
        Files.writeString(spec, CANDIDATES.replace("SEEDS", seeds));
        Path out = tmp.resolve(name);
        RunCommandTest.Result r = RunCommandTest.cli("run", spec.toString(), "--out", out.toString(), "--quiet", "--no-report");
        assertEquals(0, r.code(), r.err());
        return out;
    }

    /**
     * A recording of the animal's member of configuration {@code config} (its key up to the lambda): its last hidden layer (M × P) rotated
     * into {@code neurons} neurons by a random orthonormal map, recorded {@code repeats} times with
     * Gaussian noise of {@code noise} × the RMS response, columns shuffled; writes R.npy and C.npy.
     */
    static Path[] recording(String config, int neurons, int repeats, double noise, long seed, Path dir) throws IOException {
        RunDirectory run = RunDirectory.open(animal);
        RunDirectory.MemberRow row = run.members().stream().filter(m -> m.config().startsWith(config + "|")).findFirst().orElseThrow();
        RunDirectory.Group g = run.groups().get(row.group());
        int local = 0;
        while (g.memberIds()[local] != row.id()) local++;
        List<double[]> layers = run.representations(g, run.params(g), local);
        double[] h = layers.get(layers.size() - 1);
        int p = run.task().samples(), m = h.length / p;
        Random rnd = new Random(seed);
        double[] q = org.repgeom.analysis.TestData.orthonormalColumns(neurons, m, rnd);
        double rms = 0;
        for (double v : h) rms += v * v;
        rms = Math.sqrt(rms / h.length);
        int cols = p * repeats;
        int[] order = org.repgeom.analysis.TestData.permutation(cols, rnd);
        double[] r = new double[neurons * cols];
        int[] sample = new int[cols];
        for (int c = 0; c < cols; c++) {
            int s = order[c] % p;
            sample[c] = s;
            for (int i = 0; i < neurons; i++) {
                double v = 0;
                for (int k = 0; k < m; k++) v += q[i * m + k] * h[k * p + s];
                r[i * cols + c] = v + noise * rms * rnd.nextGaussian();
            }
        }
        Path rFile = dir.resolve("R.npy"), cFile = dir.resolve("C.npy");
        Npy.writeFloat32(rFile, new int[]{neurons, cols}, r);
        Npy.writeInt32(cFile, new int[]{cols}, sample);
        return new Path[]{rFile, cFile};
    }

    static List<List<String>> rows(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().map(RunDirectory::splitCsv).toList();
    }

    @Test
    void ranksTheGeneratingConfigurationFirstOnEveryMeasure(@TempDir Path dir) throws IOException {
        // (narrow networks are left out as truths: each seed of a width-4 network stops in a minimum of its
        // own, so another seed's recording matches no configuration well; linear networks of widths 4
        // and 32 share one geometry, which CKA and RSA cannot tell apart)
        for (String truth : List.of("relu|w=32", "tanh|w=32")) {
            Path[] rc = recording(truth, 100, 2, 0.3, truth.hashCode(), dir);
            for (String key : List.of("cka", "rsa", "kernel_distance")) {
                Path out = dir.resolve(truth.replace('|', '_').replace('=', '_') + "-" + key + ".csv");
                RunCommandTest.Result r = RunCommandTest.cli("compare", candidates.toString(), "--data", rc[0].toString(),
                        "--conditions", rc[1].toString(), "--out", out.toString(), "--sort-by", key);
                assertEquals(0, r.code(), r.err());
                List<List<String>> rows = rows(out);
                assertEquals("config", rows.get(0).get(0));
                assertEquals(7, rows.size(), "six configurations and the header");
                assertTrue(rows.get(1).get(0).startsWith(truth + "|"), truth + " by " + key + ":\n" + r.out());
            }
        }
    }

    @Test
    void writesTheRankingTheMembersAndTheDataGeometry(@TempDir Path dir) throws IOException {
        Path[] rc = recording("relu|w=32", 80, 3, 0.2, 5, dir);
        Path out = dir.resolve("cmp.csv");
        RunCommandTest.Result r = RunCommandTest.cli("compare", candidates.toString(), "--data", rc[0].toString(),
                "--conditions", rc[1].toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<List<String>> table = rows(out);
        assertEquals(CompareOutputs.CONFIG_HEADER, String.join(",", table.get(0)));
        int cka = table.get(0).indexOf("cka_median");
        for (int i = 2; i < table.size(); i++) {
            assertTrue(Double.parseDouble(table.get(i - 1).get(cka)) >= Double.parseDouble(table.get(i).get(cka)), "sorted");
            assertEquals(Integer.toString(i), table.get(i).get(1), "rank");
        }
        List<List<String>> members = rows(dir.resolve("cmp.members.csv"));
        assertEquals(1 + 6 * 4, members.size());
        Map<String, Object> doc = Json.readObject(dir.resolve("cmp.json"));
        assertEquals(CompareOutputs.FORMAT, doc.get("format"));
        assertEquals(16, ((List<?>) doc.get("samples")).size());
        assertEquals(80, ((Number) doc.get("neurons")).intValue());
        Map<?, ?> split = (Map<?, ?>) doc.get("split_half");
        assertTrue(((Number) split.get("rsa")).doubleValue() > 0.5, split.toString());
        Map<?, ?> data = (Map<?, ?>) doc.get("data");
        double ps = ((Number) data.get("ps")).doubleValue();
        assertTrue(ps > -1 && ps <= 1, data.toString());
        assertEquals(16, ((List<?>) doc.get("data_kernel")).size());

        assertTrue(((Number) split.get("rsa_ceiling")).doubleValue() >= ((Number) split.get("rsa")).doubleValue());

        // --center: CKA and RSA do not depend on the neurons' and units' means, the kernel distance does
        Path centred = dir.resolve("centred.csv");
        r = RunCommandTest.cli("compare", candidates.toString(), "--data", rc[0].toString(), "--conditions", rc[1].toString(),
                "--out", centred.toString(), "--center", "--quiet");
        assertEquals(0, r.code(), r.err());
        Map<String, List<String>> plain = byConfig(table), shifted = byConfig(rows(centred));
        int rsa = table.get(0).indexOf("rsa_median"), kd = table.get(0).indexOf("kernel_distance_median");
        boolean kdChanged = false;
        for (String config : plain.keySet()) {
            assertEquals(Double.parseDouble(plain.get(config).get(cka)), Double.parseDouble(shifted.get(config).get(cka)), 1e-9);
            assertEquals(Double.parseDouble(plain.get(config).get(rsa)), Double.parseDouble(shifted.get(config).get(rsa)), 1e-9);
            kdChanged |= Math.abs(Double.parseDouble(plain.get(config).get(kd)) - Double.parseDouble(shifted.get(config).get(kd))) > 1e-3;
        }
        assertTrue(kdChanged);

        // the report shows the same comparison
        Path copy = dir.resolve("study");
        Files.createDirectories(copy);
        try (var files = Files.list(candidates)) {
            for (Path f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, copy.resolve(f.getFileName()));
        }
        r = RunCommandTest.cli("report", copy.toString(), "--data", rc[0].toString(), "--conditions", rc[1].toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(copy.resolve("report.html"));
        assertTrue(html.contains("id=\"fig-compare\"") && html.contains("R.npy (80 neurons × 16 conditions"), html.length() + "");
        assertTrue(html.contains(table.get(1).get(0)));
    }

    /**
     * A recurrent study is compared at its time steps (its stages): a recording that is one member's final hidden
     * state h_T matches that member exactly (CKA 1) at the default stage, and --layer picks another time step
     * (it failed with an internal error, running recurrent parameters through the MLP forward pass).
     */
    @Test
    void recurrentMembersAreComparedAtTheirTimeSteps(@TempDir Path dir) throws IOException {
        Path spec = dir.resolve("rnn.yaml");
        Files.writeString(spec, """
                name: rnn-compare
                task: {kind: hypercube, labels: 2, per_class: 2, input: {geometry: gaussian, dim: 3, seed: 1}}
                model: {kind: rnn, activation: [tanh], widths: [4], time_steps: [3], input: every}
                grid: {seeds: 2, lambda: [1.0e-2]}
                optimizer: {kind: adam, lr: 1.0e-2}
                train: {max_steps: 300, tol: 1.0e-9, window: 100, trace_every: 100}
                """);
        Path out = dir.resolve("rnn");
        assertEquals(0, RunCommandTest.cli("run", spec.toString(), "--out", out.toString(), "--backend", "java", "--quiet",
                "--no-report").code());
        RunDirectory run = RunDirectory.open(out);
        RunDirectory.Group g = run.groups().get(0);
        List<double[]> states = run.representations(g, run.params(g), 0); // h_1 … h_T of member g.memberIds()[0]
        int p = run.task().samples();
        Path rFile = dir.resolve("R.npy");
        Npy.writeFloat64(rFile, new int[] {4, p}, states.get(states.size() - 1));
        for (String[] at : new String[][] {{}, {"--layer", "1"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("compare", out.toString(), "--data", rFile.toString(),
                    "--out", dir.resolve("cmp.csv").toString(), "--force", "--quiet"));
            args.addAll(List.of(at));
            RunCommandTest.Result r = RunCommandTest.cli(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            List<List<String>> members = rows(dir.resolve("cmp.members.csv"));
            int id = members.get(0).indexOf("id"), cka = members.get(0).indexOf("cka");
            double own = members.stream().skip(1).filter(m -> Integer.parseInt(m.get(id)) == g.memberIds()[0])
                    .mapToDouble(m -> Double.parseDouble(m.get(cka))).findFirst().orElseThrow();
            if (at.length == 0) assertEquals(1.0, own, 1e-9, "h_T against itself");
            else assertTrue(own < 1 - 1e-6, "h_1 is not h_T: " + own);
        }
        RunCommandTest.Result beyond = RunCommandTest.cli("compare", out.toString(), "--data", rFile.toString(), "--out",
                dir.resolve("other.csv").toString(), "--layer", "4");
        assertEquals(2, beyond.code(), beyond.err());
        assertTrue(beyond.err().contains("--layer") && beyond.err().contains("time step(s)"), beyond.err());
    }

    @Test
    void replacesOnlyItsOwnEarlierOutputAndOnlyWithForce(@TempDir Path dir) throws IOException {
        Path[] rc = recording("tanh|w=4", 30, 1, 0.1, 9, dir);
        Path out = dir.resolve("cmp.csv");
        String[] args = {"compare", candidates.toString(), "--data", rc[0].toString(), "--conditions", rc[1].toString(),
                "--out", out.toString(), "--quiet"};
        assertEquals(0, RunCommandTest.cli(args).code());
        String first = Files.readString(out);
        RunCommandTest.Result again = RunCommandTest.cli(args);
        assertEquals(2, again.code());
        assertOneLineNaming(again, out.toString());
        assertEquals(0, RunCommandTest.cli(append(args, "--force")).code());
        assertEquals(first, Files.readString(out));

        // a file of the user's under a target name is never replaced, not even with --force
        Files.writeString(dir.resolve("cmp.members.csv"), "my notes\n");
        RunCommandTest.Result r = RunCommandTest.cli(append(args, "--force"));
        assertEquals(2, r.code());
        assertOneLineNaming(r, "cmp.members.csv");
        assertEquals("my notes\n", Files.readString(dir.resolve("cmp.members.csv")));
        Files.writeString(dir.resolve("mine.json"), "{\"a\": 1}\n");
        r = RunCommandTest.cli("compare", candidates.toString(), "--data", rc[0].toString(), "--conditions",
                rc[1].toString(), "--out", dir.resolve("mine.csv").toString(), "--force");
        assertEquals(2, r.code());
        assertOneLineNaming(r, "mine.json");
        assertEquals("{\"a\": 1}\n", Files.readString(dir.resolve("mine.json")));
    }

    @Test
    void badInputIsOneLineNamingTheFileAndExitTwo(@TempDir Path dir) throws IOException {
        int p = 16;
        Path good = dir.resolve("good.npy");
        Npy.writeFloat64(good, new int[]{5, p}, new Random(1).doubles(5L * p).toArray());
        Path out = dir.resolve("o.csv");
        record Case(String file, int[] shape, double[] data, boolean asConditions, String expect) {
        }
        double[] nan = new Random(2).doubles(5L * p).toArray();
        nan[7] = Double.NaN;
        List<Case> cases = List.of(
                new Case("cube.npy", new int[]{2, 2, p}, new double[4 * p], false, "2-D"),
                new Case("transposed.npy", new int[]{p, 5}, new double[5 * p], false, "transpose"),
                new Case("nan.npy", new int[]{5, p}, nan, false, "non-finite"),
                new Case("short.npy", new int[]{p - 1}, new double[p - 1], true, "entries"),
                new Case("range.npy", new int[]{p}, java.util.stream.IntStream.range(0, p).mapToDouble(i -> i + 1).toArray(),
                        true, "outside"),
                new Case("frac.npy", new int[]{p}, java.util.stream.IntStream.range(0, p).mapToDouble(i -> i + 0.5).toArray(),
                        true, "whole number"),
                new Case("few.npy", new int[]{p}, new double[p], true, "at least"));
        for (Case c : cases) {
            Path f = dir.resolve(c.file());
            Npy.writeFloat64(f, c.shape(), c.data());
            RunCommandTest.Result r = c.asConditions()
                    ? RunCommandTest.cli("compare", candidates.toString(), "--data", good.toString(), "--conditions", f.toString(),
                    "--out", out.toString())
                    : RunCommandTest.cli("compare", candidates.toString(), "--data", f.toString(), "--out", out.toString());
            assertEquals(2, r.code(), c.file() + ": " + r.err());
            assertOneLineNaming(r, c.file());
            assertTrue(r.err().contains(c.expect()), r.err());
        }
        RunCommandTest.Result r = RunCommandTest.cli("compare", candidates.toString(), "--data", dir.resolve("absent.npy").toString(),
                "--out", out.toString());
        assertEquals(2, r.code());
        assertOneLineNaming(r, "absent.npy");
        Files.writeString(dir.resolve("text.npy"), "not an array");
        r = RunCommandTest.cli("compare", candidates.toString(), "--data", dir.resolve("text.npy").toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertOneLineNaming(r, "text.npy");
        r = RunCommandTest.cli("compare", candidates.toString(), "--data", good.toString(), "--out", dir.resolve("o.txt").toString());
        assertEquals(2, r.code());
        assertOneLineNaming(r, "--out");
        r = RunCommandTest.cli("compare", candidates.toString(), "--data", good.toString(), "--out", out.toString(), "--layer", "2");
        assertEquals(2, r.code());
        assertOneLineNaming(r, "--layer");
        assertTrue(Files.notExists(out) && Files.notExists(dir.resolve("o.json")), "a refused compare writes nothing");
    }

    private static Map<String, List<String>> byConfig(List<List<String>> table) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        for (List<String> row : table.subList(1, table.size())) out.put(row.get(0), row);
        return out;
    }

    private static void assertOneLineNaming(RunCommandTest.Result r, String name) {
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(name), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
    }

    private static String[] append(String[] a, String extra) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = extra;
        return out;
    }
}
