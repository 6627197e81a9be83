package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.io.Npy;
import org.repgeom.study.RunDirectory;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;

/**
 * The shipped example {@code examples/learning-stages.yaml}, run in full on the reference backend
 * (about 10 s of training, its kernels recorded every 20 steps by the training loop): labels of
 * strengths 4, 1.5 and 0.5 are learned one after another, and the analysis says so.
 */
class LearningStagesExampleTest {

    @Test
    void labelsAreLearnedOneAfterAnother(@TempDir Path tmp) throws Exception {
        Path spec = Path.of("..", "examples", "learning-stages.yaml");
        Path dir = tmp.resolve("ls");
        new StudyRunner(StudySpec.load(spec), new JavaBackend()).run(dir, spec, false, ProgressListener.NONE);
        // the study recorded its own trace (train.kernel_every: 20): every member, 201 time points
        assertEquals(List.of(32, 201, 8, 8), shape(dir.resolve("kernel_trace.npy")));
        RunDirectory run = RunDirectory.open(dir);
        TrajectoryAnalysis.Outcome o = TrajectoryAnalysis.write(run);
        assertEquals(2, o.configurations());

        for (String activation : List.of("relu", "linear")) {
            List<TrajectoryAnalysis.Event> events = o.transitions().stream().filter(e -> e.config().startsWith(activation + "|")).toList();
            // three loss drops, attributed to labels 1, 2, 3 in that order
            List<TrajectoryAnalysis.Event> drops = events.stream().filter(e -> e.metric().equals("loss") && !e.t().rise()).toList();
            assertEquals(List.of(1, 2, 3), drops.stream().map(TrajectoryAnalysis.Event::label).toList(), activation + ": " + drops);
            // each label's alignment rises once, later for a weaker label, each loss drop within its label's rise
            Map<Integer, TrajectoryAnalysis.Event> rises = new LinkedHashMap<>();
            for (TrajectoryAnalysis.Event e : events) {
                if (e.metric().startsWith("cka_label") && e.t().rise()) assertEquals(null, rises.put(e.label(), e), "one rise per label");
            }
            assertEquals(3, rises.size(), activation + ": " + events);
            assertTrue(rises.get(1).t().step() < rises.get(2).t().step() && rises.get(2).t().step() < rises.get(3).t().step(),
                    activation + ": " + rises);
            for (TrajectoryAnalysis.Event d : drops) {
                TrajectoryAnalysis.Event r = rises.get(d.label());
                assertTrue(d.t().fromStep() <= r.t().toStep() && r.t().fromStep() <= d.t().toStep(),
                        activation + ": loss drop " + d + " overlaps the rise of label " + d.label() + " " + r);
            }
            // plateaus between the stages: the loss falls by more than a factor of 5 in each drop
            for (TrajectoryAnalysis.Event d : drops) assertTrue(d.t().before() > 5 * d.t().after(), d.toString());
        }
        numpyReadsTheFiles(dir);
    }

    private static List<Integer> shape(Path npy) throws java.io.IOException {
        List<Integer> dims = new ArrayList<>();
        for (int d : Npy.read(npy).shapeCopy()) dims.add(d);
        return dims;
    }

    /** The trace files and the two CSV files read back in NumPy with their types and shapes; skipped without numpy. */
    private static void numpyReadsTheFiles(Path dir) throws Exception {
        String script = """
                import sys, numpy as np
                d = sys.argv[1]
                k = np.load(d + '/kernel_trace.npy'); s = np.load(d + '/kernel_trace_steps.npy'); m = np.load(d + '/kernel_trace_members.npy')
                final = np.load(d + '/kernels.npy')
                assert k.dtype == np.float32 and s.dtype == np.int64 and m.dtype == np.int64, (k.dtype, s.dtype, m.dtype)
                assert k.shape == (len(m), len(s), 8, 8) and s[0] == 0 and (np.diff(s) > 0).all(), (k.shape, s[:3])
                assert np.array_equal(k[:, -1], final[m]), 'last point is the final kernel'
                t = np.genfromtxt(d + '/analysis/trajectory.csv', delimiter=',', names=True, dtype=None, encoding='utf-8')
                e = np.genfromtxt(d + '/analysis/trajectory_events.csv', delimiter=',', names=True, dtype=None, encoding='utf-8')
                assert set(t.dtype.names) == {'config', 'layer', 'step', 'metric', 'median', 'q25', 'q75', 'n'}, t.dtype.names
                assert 'cka_label3' in set(t['metric']) and len(e) > 0
                print('ok', k.shape)
                """;
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script, dir.toAbsolutePath().toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("no python3: " + e.getMessage());
            return;
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python finished");
        String out = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeFalse(out.contains("No module named 'numpy'"), "numpy not installed");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("ok"), out);
        assertTrue(Files.isRegularFile(dir.resolve("analysis").resolve(TrajectoryAnalysis.EVENTS)));
    }
}
