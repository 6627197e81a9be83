package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.io.Json;
import org.repgeom.io.Npy;

/**
 * The held-out samples enter a study's identity as its training data do: a resume or a merge whose test
 * files changed since members were evaluated on them is refused (exit 2, naming the manifest or the
 * shards), instead of mixing test losses from two data sets in one members.csv.
 */
class HeldOutDataChangeTest {

    private static final String SPEC = """
            name: heldout-files
            task:
              kind: npy
              x: X.npy
              y: Y.npy
              test_x: Xt.npy
              test_y: Yt.npy
            model:
              activation: relu
              widths: [3]
            grid:
              seeds: 2
              lambda: [1.0e-2, 1.0e-1]
            optimizer: {kind: adam, lr: 1.0e-2}
            train: {max_steps: 500, tol: 1.0e-7, window: 100, trace_every: 100}
            """;

    private static void writeTask(Path dir, double testSign) throws Exception {
        java.util.Random r = new java.util.Random(3);
        double[] x = new double[4 * 8], y = new double[2 * 8], xt = new double[4 * 2], yt = new double[2 * 2];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = r.nextBoolean() ? 1 : -1;
        for (int i = 0; i < xt.length; i++) xt[i] = r.nextGaussian();
        for (int i = 0; i < yt.length; i++) yt[i] = (i % 2 == 0 ? 1 : -1) * testSign;
        Npy.writeFloat64(dir.resolve("X.npy"), new int[] {4, 8}, x);
        Npy.writeFloat64(dir.resolve("Y.npy"), new int[] {2, 8}, y);
        Npy.writeFloat64(dir.resolve("Xt.npy"), new int[] {4, 2}, xt);
        Npy.writeFloat64(dir.resolve("Yt.npy"), new int[] {2, 2}, yt);
    }

    private static RunCommandTest.Result shard(Path spec, Path out, String shard, String... more) {
        String[] base = {"run", spec.toString(), "--out", out.toString(), "--backend", "java", "--quiet", "--no-report",
                "--chunk-size", "1", "--shard", shard};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return RunCommandTest.cli(args);
    }

    @SuppressWarnings("unchecked")
    private static String heldOutHash(Path dir) throws Exception {
        Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("manifest.json")));
        return (String) m.get("heldout_sha256");
    }

    @Test
    void changedTestFilesAreRefusedOnResumeAndMerge(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("out"), s0 = tmp.resolve("out.shard-0-of-2"), s1 = tmp.resolve("out.shard-1-of-2");
        writeTask(tmp, 1);
        RunCommandTest.Result first = shard(spec, out, "0/2");
        assertEquals(0, first.code(), first.err());
        String original = heldOutHash(s0);
        assertTrue(original != null && original.matches("[0-9a-f]{64}"), "the manifest records the held-out hash: " + original);

        writeTask(tmp, -1); // the test targets change sign; the training data stay as they were
        RunCommandTest.Result second = shard(spec, out, "1/2");
        assertEquals(0, second.code(), second.err());
        assertTrue(!original.equals(heldOutHash(s1)), "the other test files give another hash");

        RunCommandTest.Result merge = RunCommandTest.cli("merge", s0.toString(), s1.toString(), "--no-report");
        assertEquals(2, merge.code(), merge.err());
        assertTrue(merge.err().contains("were evaluated on different held-out data"), merge.err());
        assertTrue(!Files.exists(out) && !Files.exists(tmp.resolve("out.incomplete")), "a refused merge leaves nothing");

        RunCommandTest.Result resume = shard(spec, out, "0/2", "--resume");
        assertEquals(2, resume.code(), resume.err());
        assertTrue(resume.err().contains(s0.resolve("manifest.json") + ": was evaluated on different held-out data"),
                resume.err());

        // with the files as they were, the second shard run again agrees and the merge records the hash
        writeTask(tmp, 1);
        RunCommandTest.Result again = shard(spec, out, "1/2", "--force");
        assertEquals(0, again.code(), again.err());
        RunCommandTest.Result merged = RunCommandTest.cli("merge", s0.toString(), s1.toString(), "--no-report");
        assertEquals(0, merged.code(), merged.err());
        assertEquals(original, heldOutHash(out));
    }

    @Test
    void aManifestWithoutTheHeldOutHashResumesWithAWarning(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("out"), s0 = tmp.resolve("out.shard-0-of-2");
        writeTask(tmp, 1);
        assertEquals(0, shard(spec, out, "0/2").code());
        Path manifest = s0.resolve("manifest.json");
        String text = Files.readString(manifest);
        String older = text.replaceAll("\\s*\"heldout_sha256\": \"[0-9a-f]{64}\",", "");
        assertTrue(!older.equals(text) && !older.contains("heldout_sha256"), "the field is removed: " + older);
        Files.writeString(manifest, older);
        RunCommandTest.Result resume = shard(spec, out, "0/2", "--resume");
        assertEquals(0, resume.code(), resume.err());
        assertTrue(resume.err().contains("records no hash of the held-out samples"), resume.err());
    }
}
