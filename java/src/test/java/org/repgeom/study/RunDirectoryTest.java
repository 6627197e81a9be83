package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.backend.JavaBackend;
import org.repgeom.io.NpyArray;

/** Reading a finished study back: groups, parameters, member table and recomputed kernels agree with what the run wrote. */
class RunDirectoryTest {
    static final String SPEC = """
            name: reread
            task:
              kind: hypercube
              labels: 2
              per_class: 1
              input: {geometry: whitened, dim: 4, seed: 1}
            model:
              activation: [relu, tanh]
              widths: [3, 5]
              depth: [1, 2]
              bias: all
            grid:
              seeds: 2
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 500, tol: 1.0e-7, window: 100, trace_every: 100}
            """;

    /** For each bias choice (bias: none studies could not be read back before: their architecture was taken for bias: first). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"all", "first", "none"})
    void readsBackWhatTheRunWrote(String bias, @TempDir Path tmp) throws Exception {
        StudySpec spec = StudySpec.parse(SPEC.replace("bias: all", "bias: " + bias), tmp, "reread");
        Path out = tmp.resolve("run");
        StudyRunner.Outcome outcome = new StudyRunner(spec, new JavaBackend()).run(out, null, false, org.repgeom.backend.ProgressListener.NONE);

        RunDirectory run = RunDirectory.open(out);
        assertEquals(4, run.task().samples());
        List<RunDirectory.MemberRow> rows = run.members();
        assertEquals(outcome.members().size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(i, rows.get(i).id());
            assertEquals(outcome.members().get(i).status().name(), rows.get(i).string("status"));
            assertTrue(rows.get(i).config().contains("|"), "the quoted config key survives its commas/pipes");
        }
        NpyArray kernels = run.kernels();
        int p = run.task().samples();
        int seen = 0;
        for (RunDirectory.Group g : run.groups()) {
            // one hidden layer: bias on all hidden layers is bias on the first (the same parameters)
            String expected = bias.equals("all") && g.architecture().depth() == 1 ? "first" : bias;
            assertEquals(expected, g.architecture().bias().id(), "the bias read back from groups.json");
            double[] params = run.params(g);
            for (int local = 0; local < g.size(); local++) {
                List<double[]> reps = run.representations(g, params, local);
                assertEquals(g.architecture().depth(), reps.size());
                int width = g.architecture().width(g.architecture().depth() - 1);
                double[] k = RepresentationKernel.of(reps.get(reps.size() - 1), width, p);
                int id = g.memberIds()[local];
                double[] stored = new double[p * p];
                System.arraycopy(kernels.data(), id * p * p, stored, 0, p * p);
                for (int j = 0; j < p * p; j++) assertEquals(stored[j], k[j], 1e-5 * (1 + Math.abs(k[j])));
                seen++;
            }
        }
        assertEquals(rows.size(), seen);
        assertTrue(run.summary().containsKey("theory_check"));
        assertEquals(rows.size(), run.lossCurves().dim(0));

        // members.csv rows parse back to the records that were written (MemberCsv, the assembler's reader)
        for (MemberRecord r : outcome.members()) {
            MemberRecord back = MemberCsv.parse(MemberCsv.row(r), r.spec(), null);
            assertEquals(r.status(), back.status());
            assertEquals(r.steps(), back.steps());
            assertEquals(Double.doubleToLongBits(r.finalLoss()), Double.doubleToLongBits(back.finalLoss()));
            assertEquals(Double.doubleToLongBits(r.gradNorm()), Double.doubleToLongBits(back.gradNorm()));
            assertEquals(Double.doubleToLongBits(r.geometry().parallelismScore()),
                    Double.doubleToLongBits(back.geometry().parallelismScore()));
            assertEquals(r.geometry().certificate(), back.geometry().certificate());
        }
        // and RunDirectory reads text cells holding quotes, commas and line breaks, with CRLF line ends
        String[] awkward = {"a,b", "say \"hi\"", "two\nlines", "crlf\r\nend", "", "plain"};
        List<String> lines = Files.readAllLines(out.resolve("members.csv"));
        List<String> header = RunDirectory.splitCsv(lines.get(0));
        int config = header.indexOf("config");
        StringBuilder csv = new StringBuilder(lines.get(0)).append("\r\n");
        for (int i = 1; i < lines.size(); i++) {
            List<String> cells = new java.util.ArrayList<>(RunDirectory.splitCsv(lines.get(i)));
            cells.set(config, org.repgeom.io.Csv.text(awkward[(i - 1) % awkward.length]));
            csv.append(org.repgeom.io.Csv.line(cells)).append("\r\n");
        }
        Files.writeString(out.resolve("members.csv"), csv);
        // the edited table no longer matches the manifest's hash, which open() checks: read it as a study without one
        Files.delete(out.resolve(StudyManifest.FILE));
        List<RunDirectory.MemberRow> again = RunDirectory.open(out).members();
        assertEquals(rows.size(), again.size());
        for (int i = 0; i < again.size(); i++) {
            assertEquals(awkward[i % awkward.length], again.get(i).config(), "row " + i);
            assertEquals(rows.get(i).string("status"), again.get(i).string("status"));
        }
    }

    @Test
    void refusesADirectoryThatIsNotAFinishedStudy(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("members.csv"), "id\n");
        SpecException e = assertThrows(SpecException.class, () -> RunDirectory.open(tmp));
        assertTrue(e.getMessage().contains("summary.json: missing"), e.getMessage());
        assertThrows(SpecException.class, () -> RunDirectory.open(tmp.resolve("nope")));
    }

    @Test
    void splitsQuotedCsvCells() {
        assertEquals(List.of("1", "a,b", "say \"hi\"", ""), RunDirectory.splitCsv("1,\"a,b\",\"say \"\"hi\"\"\","));
        assertArrayEquals(new String[] {"x"}, RunDirectory.splitCsv("x").toArray());
    }
}
