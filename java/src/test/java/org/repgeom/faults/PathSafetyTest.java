package org.repgeom.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --force, leftover DIR.incomplete and planted symbolic links: repgeom deletes or writes only what
 * it created; every refusal is one line, exit 2, and leaves the whole tree as it was.
 */
class PathSafetyTest {

    private static Path spec(Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, Fixture.SPEC);
        return spec;
    }

    /** A folder of the user's own files. */
    private static Path userFolder(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("thesis.tex"), "my thesis");
        Files.writeString(dir.resolve("sub").resolve("data.csv"), "1,2,3");
        return dir;
    }

    @Test
    void forceInAFolderOfOtherFilesRefusesAndKeepsEveryFile(@TempDir Path tmp) throws Exception {
        Path home = userFolder(tmp.resolve("home"));
        Files.writeString(home.resolve("spec.yaml"), Fixture.SPEC);
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.Result r = Fixture.runProcess(home, tmp.resolve("log"), "run", "spec.yaml", "--out", ".", "--force",
                "--backend", "java", "--quiet", "--no-report");
        r.assertRefused("--force", "not a repgeom study");
        Map<String, String> after = Fixture.tree(tmp);
        after.remove("log");
        assertEquals(before, after);
    }

    @Test
    void forceNeverReplacesAStudyHoldingTheSpecOrTheWorkingDirectory(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path out = tmp.resolve("out");
        assertEquals(0, Fixture.run(spec, out, "--chunk-size", "2").code());
        Files.copy(spec, out.resolve("my-spec.yaml"));
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.run(out.resolve("my-spec.yaml"), out, "--force").assertRefused("holds the spec");
        assertEquals(before, Fixture.tree(tmp));
        Files.delete(out.resolve("my-spec.yaml"));
        Fixture.Result r = Fixture.runProcess(out, tmp.resolve("log"), "run", spec.toString(), "--out", out.toString(),
                "--force", "--backend", "java", "--quiet", "--no-report");
        r.assertRefused("working directory");
    }

    @Test
    void forceReplacesAFinishedStudyAndAnEmptyFolder(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Fixture.run(spec, out).assertRefused("an empty folder", "--force");
        assertEquals(0, Fixture.run(spec, out, "--force", "--chunk-size", "2").code());
        Fixture.run(spec, out).assertRefused("a finished study");
        assertEquals(0, Fixture.run(spec, out, "--force", "--chunk-size", "2").code());
    }

    @Test
    void aPlainFileAtTheOutputIsNamedAsAFile(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Files.writeString(tmp.resolve("out"), "not a study");
        Fixture.run(spec, tmp.resolve("out")).assertRefused("a file, not a directory");
        Fixture.run(spec, tmp.resolve("out"), "--force").assertRefused("a file, not a directory");
        assertEquals("not a study", Files.readString(tmp.resolve("out")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--force", "--resume"})
    void aLeftoverIncompleteOfUserFilesIsNeverEmptied(String option, @TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        userFolder(tmp.resolve("out.incomplete"));
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.Result r = option.isEmpty() ? Fixture.run(spec, tmp.resolve("out")) : Fixture.run(spec, tmp.resolve("out"), option);
        r.assertRefused("out.incomplete", "not a repgeom study");
        assertEquals(before, Fixture.tree(tmp));
    }

    @Test
    void anIncompleteThatIsAFileIsRefused(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Files.writeString(tmp.resolve("out.incomplete"), "x");
        Fixture.run(spec, tmp.resolve("out"), "--resume").assertRefused("out.incomplete", "a file");
        assertEquals("x", Files.readString(tmp.resolve("out.incomplete")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--force", "--resume"})
    void aSymbolicLinkIncompleteIsRefusedAndItsTargetUntouched(String option, @TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path target = userFolder(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(tmp.resolve("out.incomplete"), target);
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.Result r = option.isEmpty() ? Fixture.run(spec, tmp.resolve("out")) : Fixture.run(spec, tmp.resolve("out"), option);
        r.assertRefused("out.incomplete", "symbolic link");
        assertEquals(before, Fixture.tree(tmp));
    }

    @Test
    void aLinkPlantedInsideAnUnfinishedRunStopsResume(@TempDir Path tmp) throws Exception {
        Path out = CorruptionTest.crashedAfter(tmp, 1);
        Path work = tmp.resolve("out.incomplete");
        Path victim = userFolder(tmp.resolve("victim"));
        Path chunks = work.resolve("chunks");
        Files.move(chunks, tmp.resolve("moved-chunks"));
        Files.createSymbolicLink(chunks, victim);
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.run(tmp.resolve("spec.yaml"), out, "--resume").assertRefused("chunks", "symbolic link");
        assertEquals(before, Fixture.tree(tmp));
    }

    @ParameterizedTest
    @ValueSource(strings = {"analyze", "report", "landscape"})
    void aLinkPlantedInAFinishedStudyStopsTheCommandsThatWriteThere(String command, @TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path out = tmp.resolve("out");
        assertEquals(0, Fixture.run(spec, out, "--chunk-size", "2").code());
        Path victim = userFolder(tmp.resolve("victim"));
        Files.createSymbolicLink(out.resolve("analysis"), victim);
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.cli(command, out.toString()).assertRefused("analysis", "symbolic link");
        assertEquals(before, Fixture.tree(tmp));
    }

    @ParameterizedTest
    @ValueSource(strings = {"params_group0.npy", "kernels.npy"})
    void aMissingFileOfAFinishedStudyIsOneLine(String file, @TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path out = tmp.resolve("out");
        assertEquals(0, Fixture.run(spec, out, "--chunk-size", "2").code());
        Files.delete(out.resolve(file));
        for (String command : new String[] {"analyze", "report", "landscape"}) {
            Fixture.cli(command, out.toString()).assertRefused(file, "missing");
        }
    }

    @Test
    void aFileGivenForAStudyIsNamedAsAFile(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        for (String command : new String[] {"analyze", "report", "landscape"}) {
            Fixture.cli(command, spec.toString()).assertRefused("spec.yaml", "is a file, not a study directory");
        }
        Fixture.cli("analyze", tmp.resolve("nope").toString()).assertRefused("nope", "no such study directory");
    }

    @Test
    void aRefusedAnalysisWritesNothing(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path out = tmp.resolve("out");
        assertEquals(0, Fixture.run(spec, out, "--chunk-size", "2").code());
        Path params = out.resolve("params_group0.npy");
        byte[] intact = Files.readAllBytes(params);
        Files.write(params, java.util.Arrays.copyOf(intact, intact.length - 8));
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.cli("analyze", out.toString()).assertRefused("params_group0.npy");
        assertEquals(before, Fixture.tree(tmp), "no empty analysis/ folder left");

        Files.write(params, intact);
        Files.writeString(out.resolve("summary.json"), "[1, 2");
        before = Fixture.tree(tmp);
        Fixture.cli("analyze", out.toString()).assertRefused("summary.json");
        assertEquals(before, Fixture.tree(tmp), "no metrics.csv written before summary.json was found damaged");
    }

    @Test
    void refusedRunsLeaveNothingOnDisk(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Map<String, String> before = Fixture.tree(tmp);
        Fixture.run(spec, tmp.resolve("out"), "--chunk-size", "0").assertRefused("--chunk-size");
        Fixture.run(spec, tmp.resolve("out"), "--checkpoint-every", "-1").assertRefused("--checkpoint-every");
        Fixture.run(spec, tmp.resolve("out"), "--force", "--resume").assertRefused("--force");
        assertEquals(before, Fixture.tree(tmp));
        assertFalse(Files.exists(tmp.resolve("out.incomplete")));
    }

    @Test
    void mergeNeverWritesOverOrIntoOneOfItsShards(@TempDir Path tmp) throws Exception {
        Path spec = spec(tmp);
        Path out = tmp.resolve("out");
        for (String part : new String[] {"0/2", "1/2"}) {
            assertEquals(0, Fixture.run(spec, out, "--chunk-size", "1", "--shard", part).code());
        }
        String s0 = tmp.resolve("out.shard-0-of-2").toString(), s1 = tmp.resolve("out.shard-1-of-2").toString();
        Map<String, String> before = Fixture.tree(tmp);
        // with --force the shard, a repgeom directory, would be replaced by the merged study
        Fixture.cli("merge", s0, s1, "--out", s0, "--force", "--no-report", "--no-optimum")
                .assertRefused("--out", "out.shard-0-of-2", "never modifies a shard");
        Fixture.cli("merge", s0, s1, "--out", s1 + "/merged", "--no-report", "--no-optimum")
                .assertRefused("--out", "out.shard-1-of-2", "never modifies a shard");
        Fixture.cli("merge", s0, tmp.resolve("typo").toString(), "--no-report").assertRefused("typo", "no such shard directory");
        assertEquals(before, Fixture.tree(tmp));
        Fixture.Result ok = Fixture.cli("merge", s0, s1, "--no-report", "--no-optimum");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(Files.isRegularFile(out.resolve("members.csv")));
    }

    @Test
    void theoryWithTooManyLabelsIsRefusedNotOverflowed() {
        Fixture.cli("theory", "--labels", "40", "--lambda1", "0.01").assertRefused("--labels");
        Fixture.Result ok = Fixture.cli("theory", "--labels", "3", "--lambda1", "0.01");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("8"), ok.out());
    }
}
