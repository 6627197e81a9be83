package org.repgeom.study;

import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.backend.Backend;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.NativeBackend;
import org.repgeom.backend.NativeKernels;
import org.repgeom.backend.ProgressListener;
import org.repgeom.train.MemberStatus;

/**
 * Studies outside the ReLU hypercube case judged through {@code run} against the closed form the
 * lookup finds (one-hot with bias, deep linear without bias, tanh, linear), and the meaning of
 * CONVERGED: members that are CONVERGED do not move when trained ten times longer. Native backend
 * where it loads (a few seconds each), the reference backend otherwise.
 */
class TheoryStudiesTest {
    @TempDir
    Path tmp;

    private static Backend backend() {
        return NativeKernels.isAvailable() ? new NativeBackend() : new JavaBackend();
    }

    private StudyRunner.Outcome run(String name, String yaml) throws Exception {
        Path spec = tmp.resolve(name + ".yaml");
        Files.writeString(spec, yaml);
        return new StudyRunner(StudySpec.load(spec), backend()).run(tmp.resolve(name), spec, false, ProgressListener.NONE);
    }

    private static String spec(String name, String task, String model, String lambda, int seeds, int steps) {
        return "name: " + name + "\ntask:\n" + task + "\nmodel:\n" + model + "\ngrid:\n  seeds: " + seeds + "\n  lambda: ["
                + lambda + "]\noptimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-4}\n"
                + "train: {max_steps: " + steps + ", tol: 1.0e-8, window: 1000, trace_every: 1000}\n";
    }

    private static final String HYPERCUBE2 = "  kind: hypercube\n  labels: 2\n  per_class: 2\n  input: {geometry: whitened, seed: 0}";

    private static List<MemberRecord> converged(StudyRunner.Outcome out) {
        return out.members().stream().filter(r -> r.status() == MemberStatus.CONVERGED).toList();
    }

    private static double median(double[] v) {
        double[] s = Arrays.stream(v).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    @Test
    void oneHotWithBias() throws Exception {
        StudyRunner.Outcome out = run("onehot", spec("onehot",
                "  kind: onehot\n  classes: 4\n  per_class: 2\n  input: {geometry: whitened, seed: 0}",
                "  activation: relu\n  widths: [32]\n  bias: first", "1.0e-2", 8, 60000));
        List<MemberRecord> conv = converged(out);
        assertTrue(conv.size() >= 6, conv.size() + " converged");
        for (MemberRecord r : conv) {
            assertEquals("one-hot-bias", r.theoryForm());
            assertTrue(Double.isFinite(r.geometry().kernelDistance()));
        }
        double med = median(conv.stream().mapToDouble(r -> r.geometry().kernelDistance()).toArray());
        assertTrue(med < 0.01, "median kernel distance to the one-hot closed form " + med);
        assertVerdict(out, StudySummary.HOLDS);
    }

    @Test
    void deepLinearWithoutBiasPerLayer() throws Exception {
        StudyRunner.Outcome out = run("deeplin", spec("deeplin", HYPERCUBE2,
                "  activation: linear\n  widths: [8]\n  depth: [2, 3]\n  bias: none", "1.0e-1", 6, 30000));
        List<MemberRecord> conv = converged(out);
        assertTrue(conv.size() >= 10, conv.size() + " converged");
        for (MemberRecord r : conv) {
            assertEquals("deep-linear", r.theoryForm());
            double[] layers = r.geometry().layerKernelDistances();
            assertEquals(r.spec().architecture().depth(), layers.length);
            for (double d : layers) assertTrue(d < 0.01, "layer kernel distance " + Arrays.toString(layers));
        }
        assertVerdict(out, StudySummary.HOLDS);
    }

    @Test
    void tanhAndLinearReportTheirForms() throws Exception {
        StudyRunner.Outcome out = run("odd", spec("odd", HYPERCUBE2, "  activation: [tanh, linear]\n  widths: [8]",
                "1.0e-2", 6, 60000));
        for (String form : List.of("tanh-odd", "linear")) {
            double[] d = converged(out).stream().filter(r -> r.theoryForm().equals(form))
                    .mapToDouble(r -> r.geometry().kernelDistance()).toArray();
            assertTrue(d.length >= 4, form + ": " + d.length + " converged");
            assertTrue(median(d) < 0.01, form + " median kernel distance " + median(d));
        }
        assertVerdict(out, StudySummary.HOLDS);
    }

    /** CONVERGED means stationary: the same members trained 10× longer end with kernels within 1e-4. */
    @Test
    void convergedMembersDoNotMoveWhenTrainedTenTimesLonger() throws Exception {
        String task = "  kind: hypercube\n  labels: 3\n  per_class: 1\n  input: {geometry: whitened, seed: 0}";
        String model = "  activation: [relu, tanh]\n  widths: [16]";
        StudyRunner.Outcome shortRun = run("short", spec("short", task, model, "1.0e-2", 8, 40000));
        StudyRunner.Outcome longRun = run("long", spec("long", task, model, "1.0e-2", 8, 400000));
        int compared = 0;
        for (MemberRecord a : converged(shortRun)) {
            MemberRecord b = longRun.members().get(a.spec().id());
            assertEquals(a.spec().seed(), b.spec().seed());
            double moved = KernelDistance.relative(b.geometry().kernel(), a.geometry().kernel());
            assertTrue(moved < 1e-4, "member " + a.spec().id() + " (" + a.stopCriterion() + ") moved " + moved);
            compared++;
        }
        assertTrue(compared >= 12, compared + " converged members compared");
    }

    @SuppressWarnings("unchecked")
    private static void assertVerdict(StudyRunner.Outcome out, String verdict) {
        for (Object o : (List<Object>) out.summary().get("configurations")) {
            Map<String, Object> c = (Map<String, Object>) o;
            assertEquals(verdict, ((Map<String, Object>) c.get("theory_check")).get("verdict"), c.get("key").toString());
        }
    }
}
