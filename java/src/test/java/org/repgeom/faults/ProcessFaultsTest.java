package org.repgeom.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes stopped the hard way: kill -9 at random points (training, assembly, merge),
 * SIGINT and SIGTERM, and two runs on one directory. Each ends identical to an uninterrupted run,
 * or is refused in one line; nothing outside the output directory changes.
 */
class ProcessFaultsTest {
    @TempDir
    static Path shared;
    static Path reference;
    /** Wall time of one uninterrupted run as a process, JVM start included: random kills fall inside it. */
    static long processNanos;

    @BeforeAll
    static void uninterrupted() throws Exception {
        Path spec = shared.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        reference = shared.resolve("reference");
        assertEquals(0, Fixture.run(spec, reference, "--chunk-size", "1").code());
        long t0 = System.nanoTime();
        Process p = Fixture.start(shared, shared.resolve("timed.log"), runArgs(spec, shared.resolve("timed")));
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "an uninterrupted run finishes");
        assertEquals(0, p.exitValue());
        processNanos = System.nanoTime() - t0;
    }

    private static String[] runArgs(Path spec, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("run", spec.toString(), "--out", out.toString(), "--backend", "java",
                "--quiet", "--no-report", "--chunk-size", "1"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Whether assembly has started: the final files' temporary copies are in DIR.incomplete. */
    private static boolean assembling(Path work) {
        try (Stream<Path> s = Files.list(work)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".kernels.npy")
                    || p.getFileName().toString().equals("kernels.npy"));
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void killNineAtRandomPointsThenResume(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Random random = new Random(11);
        int killed = 0;
        for (int round = 0; round < 4; round++) {
            Path out = tmp.resolve("out" + round), work = tmp.resolve("out" + round + ".incomplete");
            Map<String, String> outside = Fixture.tree(tmp, "out" + round, "out" + round + ".incomplete");
            Process p = Fixture.start(tmp, tmp.resolve("log" + round), runArgs(spec, out));
            // rounds 0-2: a random moment within the time an uninterrupted run takes here (so that a fast
            // machine is killed mid-run as often as a slow one); round 3: the moment assembly starts
            long deadline = System.nanoTime() + (round < 3 ? (long) (random.nextDouble() * 0.9 * processNanos) : 120_000_000_000L);
            while (p.isAlive() && System.nanoTime() < deadline && !(round == 3 && assembling(work))) Thread.sleep(1);
            if (p.isAlive()) {
                p.destroyForcibly(); // SIGKILL
                killed++;
            }
            p.waitFor(60, TimeUnit.SECONDS);
            Fixture.Result r = Fixture.run(spec, out, "--chunk-size", "1", "--resume");
            assertEquals(0, r.code(), r.err());
            Fixture.assertSameResults(reference, out);
            Map<String, String> after = Fixture.tree(tmp, "out" + round, "out" + round + ".incomplete");
            after.remove("log" + round);
            outside.remove("log" + round);
            assertEquals(outside, after, "nothing outside the study changed");
        }
        assertTrue(killed >= 2, "most rounds were killed mid-run: " + killed);
    }

    @Test
    void killNineDuringMergeThenMergeAgain(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Path out = tmp.resolve("out");
        for (String s : new String[] {"0/2", "1/2"}) {
            assertEquals(0, Fixture.run(spec, out, "--chunk-size", "1", "--shard", s).code());
        }
        Map<String, String> shards = Fixture.tree(tmp, "out", "out.incomplete", "log");
        Process p = Fixture.start(tmp, tmp.resolve("log"), "merge", tmp.resolve("out.shard-0-of-2").toString(),
                tmp.resolve("out.shard-1-of-2").toString(), "--no-report");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (p.isAlive() && System.nanoTime() < deadline && !Files.exists(tmp.resolve("out.incomplete"))) Thread.sleep(1);
        p.destroyForcibly();
        p.waitFor(60, TimeUnit.SECONDS);
        Fixture.Result r = Files.exists(out) ? new Fixture.Result(0, "", "")
                : Fixture.cli("merge", tmp.resolve("out.shard-0-of-2").toString(), tmp.resolve("out.shard-1-of-2").toString(),
                "--no-report", "--force");
        assertEquals(0, r.code(), r.err());
        Fixture.assertSameResults(reference, out);
        assertEquals(shards, Fixture.tree(tmp, "out", "out.incomplete", "log"), "the shards are never changed");
    }

    @Test
    void sigintAndSigtermExit130And143AndResume(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        String[][] signals = {{"INT", "130"}, {"TERM", "143"}};
        for (String[] sig : signals) {
            Path out = tmp.resolve("out-" + sig[0]);
            Path work = tmp.resolve("out-" + sig[0] + ".incomplete");
            Process p = Fixture.start(tmp, tmp.resolve("log-" + sig[0]), runArgs(spec, out));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (p.isAlive() && System.nanoTime() < deadline && !Files.exists(work.resolve("manifest.json"))) Thread.sleep(1);
            if (!p.isAlive()) continue; // finished first: nothing to interrupt on this machine
            new ProcessBuilder("kill", "-" + sig[0], Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            if (Files.exists(out)) continue; // the signal came after the finish
            assertEquals(Integer.parseInt(sig[1]), p.exitValue(), Files.readString(tmp.resolve("log-" + sig[0])));
            Fixture.Result r = Fixture.run(spec, out, "--chunk-size", "1", "--resume");
            assertEquals(0, r.code(), r.err());
            Fixture.assertSameResults(reference, out);
        }
    }

    @Test
    void twoRunsOnOneDirectory(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        Path out = tmp.resolve("out");
        Process a = Fixture.start(tmp, tmp.resolve("log-a"), runArgs(spec, out));
        Process b = Fixture.start(tmp, tmp.resolve("log-b"), runArgs(spec, out));
        assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS));
        List<Integer> codes = List.of(a.exitValue(), b.exitValue());
        String logs = Files.readString(tmp.resolve("log-a")) + "\n---\n" + Files.readString(tmp.resolve("log-b"));
        assertTrue(codes.contains(0), logs);
        if (codes.contains(2)) {
            assertTrue(logs.contains("another repgeom process") || logs.contains("already exists")
                    || logs.contains("holds an unfinished run"), logs);
            assertTrue(!logs.contains("\tat "), "no stack trace: " + logs);
        } else {
            assertEquals(List.of(0, 0), codes, logs);
        }
        Fixture.assertSameResults(reference, out);
    }
}
