package org.repgeom.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.ParallelismScore;
import org.repgeom.analysis.Quantiles;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.study.KernelTraceRecorder;
import org.repgeom.study.RunDirectory;
import org.repgeom.task.Task;

class TrajectoryAnalysisTest {
    private static final int TIMES = 101, EVERY = 10;

    /** Rows of a CSV file (header dropped), split. */
    private static List<List<String>> rows(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.size() > 1, file + " is empty");
        List<List<String>> out = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) out.add(RunDirectory.splitCsv(l));
        return out;
    }

    /**
     * A synthetic representation of member i at step s: label 1 learned at step 300, label 2 at
     * step 700, plus a small member-specific random part.
     */
    private static double[] representation(double[] y, int p, double[] noise, long step) {
        double a1 = step >= 300 ? 1.0 : 0.03, a2 = step >= 700 ? 0.6 : 0.02;
        int m = 2 + 3;
        double[] r = new double[m * p];
        for (int s = 0; s < p; s++) {
            r[s] = a1 * y[s];
            r[p + s] = a2 * y[p + s];
            for (int j = 0; j < 3; j++) r[(2 + j) * p + s] = 0.05 * noise[j * p + s];
        }
        return r;
    }

    @Test
    void aSyntheticTraceWithKnownStagesIsFoundAtItsSteps(@TempDir Path tmp) throws IOException {
        RunDirectory run = SmallStudies.copy(SmallStudies.hypercube(), tmp);
        assertNull(TrajectoryAnalysis.write(run), "no trace, no trajectory");
        Task task = run.task();
        int p = task.samples();
        StudyView v = new StudyView(run);
        StudyView.Config cfg = v.configs.get(0);
        List<Integer> ids = cfg.ids();
        Random rnd = new Random(5);
        float[] data = new float[ids.size() * TIMES * p * p];
        long[] steps = new long[TIMES];
        Map<Long, List<Double>> psByStep = new HashMap<>();
        double[][] noise = new double[ids.size()][3 * p];
        for (double[] n : noise) for (int j = 0; j < n.length; j++) n[j] = rnd.nextGaussian();
        for (int t = 0; t < TIMES; t++) {
            steps[t] = (long) t * EVERY;
            for (int i = 0; i < ids.size(); i++) {
                double[] r = representation(task.yData(), p, noise[i], steps[t]);
                double[] k = RepresentationKernel.of(r, 5, p);
                for (int j = 0; j < p * p; j++) data[(i * TIMES + t) * p * p + j] = (float) k[j];
                psByStep.computeIfAbsent(steps[t], s -> new ArrayList<>())
                        .add(ParallelismScore.of(r, 5, task.yData(), task.outputDim(), p).mean());
            }
        }
        Npy.writeFloat32(run.path().resolve("kernel_trace.npy"), new int[] {ids.size(), TIMES, p, p}, data);
        KernelTraceRecorder.writeInt64(run.path().resolve("kernel_trace_steps.npy"), steps);
        KernelTraceRecorder.writeInt64(run.path().resolve("kernel_trace_members.npy"),
                ids.stream().mapToLong(Integer::longValue).toArray());

        TrajectoryAnalysis.Outcome o = TrajectoryAnalysis.write(run);
        assertEquals(1, o.configurations(), "only the traced configuration");
        String layer = Integer.toString(cfg.depth());
        Map<String, Long> rise = new HashMap<>();
        for (List<String> e : rows(o.events())) {
            assertEquals(cfg.key(), e.get(0));
            if (e.get(2).startsWith("cka_label") && e.get(4).equals("rise")) rise.put(e.get(3), Long.parseLong(e.get(5)));
        }
        assertEquals(300L, rise.get("1"), "label 1 learned at step 300: " + rise);
        assertEquals(700L, rise.get("2"), "label 2 learned at step 700: " + rise);

        int psRows = 0;
        double firstFinal = Double.NaN;
        for (List<String> r : rows(o.csv())) {
            if (!r.get(1).equals(layer)) continue;
            long step = Long.parseLong(r.get(2));
            double median = Double.parseDouble(r.get(4));
            assertEquals(Integer.toString(ids.size()), r.get(7));
            if (r.get(3).equals("ps")) {
                double want = Quantiles.median(psByStep.get(step).stream().mapToDouble(Double::doubleValue).toArray());
                assertEquals(want, median, 1e-4, "PS at step " + step);
                psRows++;
            }
            if (r.get(3).equals("final_distance") && step == 0) firstFinal = median;
            if (r.get(3).equals("final_distance") && step == steps[TIMES - 1]) assertEquals(0.0, median, 0.0);
        }
        assertEquals(TIMES, psRows);
        double[] d = new double[ids.size()];
        for (int i = 0; i < d.length; i++) {
            double[] k0 = RepresentationKernel.of(representation(task.yData(), p, noise[i], 0), 5, p);
            double[] kt = RepresentationKernel.of(representation(task.yData(), p, noise[i], steps[TIMES - 1]), 5, p);
            d[i] = KernelDistance.relative(k0, kt);
        }
        assertEquals(Quantiles.median(d), firstFinal, 1e-4, "distance to the final kernel at step 0");
    }

    @Test
    void aRecordedTraceEndsAtTheFinalKernelAndFeedsTheReport(@TempDir Path tmp) throws IOException {
        RunDirectory run = SmallStudies.copy(SmallStudies.hypercube(), tmp);
        KernelTraceRecorder.Recorded rec = KernelTraceRecorder.record(run.path(),
                org.repgeom.study.spec.StudySpec.parse(SmallStudies.HYPERCUBE, tmp, "hypercube"), 100);
        assertTrue(rec.finalGap() < 0.05, "the Java retraining reaches the study's own final kernels: " + rec.finalGap());
        NpyArray trace = Npy.read(run.path().resolve("kernel_trace.npy"));
        NpyArray members = Npy.read(run.path().resolve("kernel_trace_members.npy"));
        NpyArray kernels = run.kernels();
        int p = run.task().samples(), t = trace.dim(1), pp = p * p;
        for (int row = 0; row < trace.dim(0); row++) {
            int id = (int) members.data()[row];
            for (int j = 0; j < pp; j++) {
                assertEquals(kernels.data()[id * pp + j], trace.data()[(row * t + t - 1) * pp + j],
                        1e-6 * Math.max(1, Math.abs(kernels.data()[id * pp + j])), "member " + id + ": last point is the final kernel");
            }
        }
        StudyAnalysis.all(run).run(); // writes the trajectory too
        Path csv = run.path().resolve("analysis").resolve(TrajectoryAnalysis.CSV);
        long last = (long) Npy.read(run.path().resolve("kernel_trace_steps.npy")).data()[t - 1];
        int finals = 0;
        for (List<String> r : rows(csv)) {
            if (r.get(3).equals("final_distance") && Long.parseLong(r.get(2)) == last) {
                assertEquals(0.0, Double.parseDouble(r.get(4)), 0.0);
                finals++;
            }
        }
        assertTrue(finals >= new StudyView(run).configs.size(), "every configuration's every layer ends at its final kernel");
        Report.Outcome report = Report.write(run);
        assertTrue(report.figures().containsAll(List.of("fig-trajectory", "fig-trajectory-labels")), report.figures().toString());
    }

    @Test
    void aTraceOfTheWrongShapeIsAnErrorNamingTheFile(@TempDir Path tmp) throws IOException {
        RunDirectory run = SmallStudies.copy(SmallStudies.hypercube(), tmp);
        int p = run.task().samples();
        Npy.writeFloat32(run.path().resolve("kernel_trace.npy"), new int[] {2, 3, p, p + 1}, new float[2 * 3 * p * (p + 1)]);
        KernelTraceRecorder.writeInt64(run.path().resolve("kernel_trace_steps.npy"), new long[] {0, 10, 20});
        KernelTraceRecorder.writeInt64(run.path().resolve("kernel_trace_members.npy"), new long[] {0, 1});
        org.repgeom.io.NpyFormatException e = org.junit.jupiter.api.Assertions.assertThrows(org.repgeom.io.NpyFormatException.class,
                () -> TrajectoryAnalysis.write(run));
        assertTrue(e.getMessage().contains("kernel_trace.npy") && e.getMessage().contains("expected [2, 3, 8, 8]"), e.getMessage());
        Files.delete(run.path().resolve("kernel_trace_steps.npy"));
        e = org.junit.jupiter.api.Assertions.assertThrows(org.repgeom.io.NpyFormatException.class, () -> TrajectoryAnalysis.write(run));
        assertTrue(e.getMessage().contains("kernel_trace_steps.npy"), e.getMessage());
    }
}
