package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import org.repgeom.study.spec.TaskFactory;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.ParallelismScore;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.io.Csv;
import org.repgeom.io.Json;
import org.repgeom.model.Architecture;
import org.repgeom.model.Recurrence;
import org.repgeom.model.Rnn;
import org.repgeom.task.Task;

/** {@code model: {kind: rnn}} from the spec to the study directory: members, groups, members.csv and rnn_steps.csv. */
class RecurrentStudyTest {

    private static String spec(String model, String lambda) {
        return """
                name: rnn-small
                task:
                  kind: hypercube
                  labels: 2
                  per_class: 1
                  input:
                    geometry: whitened
                    dim: 4
                    seed: 0
                model:
                %s
                grid:
                  seeds: 2
                  lambda: %s
                optimizer:
                  kind: adam
                  lr: 1.0e-2
                train:
                  max_steps: 300
                  tol: 0
                  window: 100
                  trace_every: 50
                """.formatted(model.indent(2).stripTrailing(), lambda);
    }

    private static final String MODEL = """
            kind: rnn
            time_steps: [1, 3]
            input: first
            activation: [relu, tanh]
            widths: [3, 5]""";

    @Test
    void membersAndGroupsFollowActivationTimeStepsAndWidth() {
        StudySpec s = StudySpec.parse(spec(MODEL, "[[1.0e-3, 2.0e-3, 3.0e-3]]"), Path.of("/b"), "x");
        List<MemberSpec> members = s.members(4, 2);
        assertEquals(2 * 2 * 2 * 2, members.size());
        assertEquals(8, s.groups(4, 2).size(), "one group per (activation, T, width)");
        MemberSpec m = members.get(2); // relu, T = 1, width 5, seed 0
        Architecture a = m.architecture();
        assertTrue(a.isRecurrent());
        assertEquals(new Recurrence(1, Recurrence.Input.FIRST), a.recurrence());
        assertEquals(5, a.width(0));
        assertArrayEquals(new double[] {1e-3, 2e-3, 3e-3}, m.lambdas());
        assertEquals("relu|w=5|lambda=0.001/0.002/0.003|lr=0.01|T=1,first", m.configurationKey());
        assertEquals(3, members.get(4).architecture().recurrence().timeSteps());
    }

    @Test
    void specErrorsNameTheirField() {
        SpecException depth = assertThrows(SpecException.class,
                () -> StudySpec.parse(spec(MODEL + "\ndepth: 2", "1e-3"), Path.of("/b"), "x"));
        assertEquals("model.depth", depth.field());
        SpecException lambdas = assertThrows(SpecException.class,
                () -> StudySpec.parse(spec(MODEL, "[[1e-3, 1e-3]]"), Path.of("/b"), "x"));
        assertEquals("grid.lambda[0]", lambdas.field());
        SpecException steps = assertThrows(SpecException.class,
                () -> StudySpec.parse(spec("widths: 4\ntime_steps: 3", "1e-3"), Path.of("/b"), "x"));
        assertEquals("model.time_steps", steps.field());
        SpecException missing = assertThrows(SpecException.class,
                () -> StudySpec.parse(spec("kind: rnn\nwidths: 4", "1e-3"), Path.of("/b"), "x"));
        assertEquals("model.time_steps", missing.field());
        SpecException zero = assertThrows(SpecException.class,
                () -> StudySpec.parse(spec("kind: rnn\nwidths: 4\ntime_steps: [2, 0]", "1e-3"), Path.of("/b"), "x"));
        assertEquals("model.time_steps[1]", zero.field());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theStudyRecordsTheLastStepAndEveryStep(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("rnn.yaml");
        Files.writeString(file, spec("kind: rnn\ntime_steps: 3\nwidths: 6", "1.0e-3"));
        StudySpec s = StudySpec.load(file);
        StudyRunner.Outcome out = new StudyRunner(s, new JavaBackend(2)).run(tmp.resolve("out"), file, false,
                ProgressListener.NONE);
        List<MemberRecord> members = out.members();
        assertEquals(2, members.size());
        Task task = TaskFactory.build(s.task());
        RunDirectory run = RunDirectory.open(out.directory());
        RunDirectory.Group g = run.groups().get(0);
        assertTrue(g.architecture().isRecurrent(), "groups.json gives the recurrence back");
        assertEquals(3, g.architecture().recurrence().timeSteps());
        double[] params = run.params(g);
        List<String> steps = Files.readAllLines(out.directory().resolve(RnnSteps.FILE), StandardCharsets.UTF_8);
        assertEquals(RnnSteps.HEADER, steps.get(0));
        assertEquals(1 + 2 * 3, steps.size(), "one row per member and step");
        for (int e = 0; e < 2; e++) {
            Rnn rnn = new Rnn(g.layout(), task);
            rnn.forward(params, e * g.layout().stride());
            for (int t = 1; t <= 3; t++) {
                List<String> row = Csv.split(steps.get(1 + e * 3 + t - 1));
                assertEquals(List.of(Integer.toString(e), Integer.toString(t)), List.of(row.get(0), row.get(3)));
                double ps = ParallelismScore.of(rnn.hidden(t), 6, task).mean();
                assertEquals(ps, Double.parseDouble(row.get(5)), 1e-12, "PS at step " + t);
            }
            // members.csv and kernels.npy hold the last step
            MemberRecord r = members.get(e);
            assertEquals(Double.parseDouble(Csv.split(steps.get(1 + e * 3 + 2)).get(5)), r.geometry().parallelismScore(), 0.0);
            double[] k = RepresentationKernel.of(rnn.hidden(3), 6, task.samples());
            for (int i = 0; i < k.length; i++) assertEquals(k[i], r.geometry().kernel()[i], 1e-5 * (1 + Math.abs(k[i])));
            assertEquals(rnn.loss(params, e * g.layout().stride(), new double[] {1e-3, 1e-3, 1e-3}, 0), r.finalLoss(),
                    1e-9 * r.finalLoss());
        }
        List<Object> groupsJson = (List<Object>) Json.parse(Files.readString(out.directory().resolve("groups.json")));
        Map<String, Object> groups = (Map<String, Object>) groupsJson.get(0);
        assertEquals("rnn", groups.get("kind"));
    }

    /**
     * A recurrent study of one-hot classes (no binary labels, so no parallelism score in rnn_steps.csv) gets its
     * report with the time-step figure; an empty cell there failed the whole report before.
     */
    @Test
    void oneHotRecurrentStudiesGetTheirReport(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("onehot-rnn.yaml");
        Files.writeString(spec, """
                name: onehot-rnn
                task: {kind: onehot, classes: 3, per_class: 2, input: {geometry: gaussian, dim: 3, seed: 1}}
                model: {kind: rnn, activation: [relu], widths: [4], time_steps: [2], input: first}
                grid: {seeds: 2, lambda: [1.0e-2]}
                optimizer: {kind: adam, lr: 1.0e-2}
                train: {max_steps: 300, tol: 1.0e-9, window: 100, trace_every: 100}
                """);
        Path out = tmp.resolve("out");
        org.repgeom.cli.RunCommandTest.Result r = org.repgeom.cli.RunCommandTest.cli("run", spec.toString(), "--out",
                out.toString(), "--backend", "java", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.err().contains("report failed"), r.err());
        List<String> steps = Files.readAllLines(out.resolve("rnn_steps.csv"));
        int ps = Csv.split(steps.get(0)).indexOf("parallelism_score");
        assertTrue(steps.stream().skip(1).allMatch(l -> Csv.split(l).get(ps).isEmpty()), "no PS without binary labels");
        assertTrue(Files.readString(out.resolve("report.html")).contains("id=\"fig-rnn-steps\""), "the time-step figure");
    }
}
