package org.repgeom.study;

import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.Backend;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.NativeBackend;
import org.repgeom.backend.NativeKernels;
import org.repgeom.backend.ProgressListener;
import org.repgeom.model.Activation;
import org.repgeom.theory.KktCertificate;
import org.repgeom.train.MemberStatus;

/**
 * The shipped example, {@code examples/abstract-hypercube.yaml}, run in full (native backend where
 * it loads, about 1 min on two cores; the reference backend otherwise): what the README promises it
 * shows, it shows.
 */
class ExampleStudyTest {

    @Test
    @SuppressWarnings("unchecked")
    void theExampleShowsTheClaimAndWhereItBreaks(@TempDir Path tmp) throws Exception {
        Path spec = Path.of("..", "examples", "abstract-hypercube.yaml");
        Backend backend = NativeKernels.isAvailable() ? new NativeBackend() : new JavaBackend();
        StudyRunner.Outcome out = new StudyRunner(StudySpec.load(spec), backend)
                .run(tmp.resolve("ex"), spec, false, ProgressListener.NONE);
        assertEquals(512, out.members().size());

        // at least 95 % of the ReLU members wide enough to attain K* are stationary (CONVERGED)
        List<MemberRecord> wide = out.members().stream()
                .filter(r -> r.spec().architecture().activation() == Activation.RELU
                        && r.spec().architecture().width(0) >= 8)
                .toList();
        long converged = wide.stream().filter(r -> r.status() == MemberStatus.CONVERGED).count();
        assertTrue(converged >= 0.95 * wide.size(), converged + " of " + wide.size() + " wide ReLU members converged");

        // the check holds for every ReLU configuration of width >= 2·dY = 6, each on its own
        Map<String, Object> headline = (Map<String, Object>) out.summary().get("theory_check");
        assertEquals(Boolean.TRUE, headline.get("holds"), headline.toString());
        int judged = 0;
        for (Object o : (List<Object>) out.summary().get("configurations")) {
            Map<String, Object> c = (Map<String, Object>) o;
            Map<String, Object> check = (Map<String, Object>) c.get("theory_check");
            List<Integer> widths = (List<Integer>) (List<?>) java.util.Arrays.stream((int[]) c.get("widths")).boxed().toList();
            if (c.get("activation").equals("relu") && widths.get(0) >= 6) {
                assertEquals(StudySummary.HOLDS, check.get("verdict"), c.get("key") + ": " + check);
                Map<String, Object> dist = (Map<String, Object>) check.get("kernel_distance");
                assertTrue((Double) dist.get("median") < 0.01, dist.toString());
                assertTrue((Double) check.get("parallelism_score_median") > 0.99);
                Map<String, Object> certified = (Map<String, Object>) check.get("certificate");
                assertTrue(((Number) certified.get("CERTIFIED")).intValue() >= 0.9 * ((Number) check.get("members")).intValue(),
                        "converged wide ReLU members are certified global minima: " + certified);
                judged++;
            } else {
                // narrow ReLU and tanh (dY = 3 does not divide its widths): no verdict, and the reason
                assertEquals(StudySummary.DOES_NOT_APPLY, check.get("verdict"), c.get("key") + ": " + check);
                assertTrue(!((String) check.get("why")).isEmpty());
            }
        }
        assertEquals(6, judged);

        // width 4 < 2·dY cannot reach K*: every ReLU member of width 4 is far from it
        List<MemberRecord> narrow = out.members().stream()
                .filter(r -> r.spec().architecture().activation() == Activation.RELU
                        && r.spec().architecture().width(0) == 4)
                .toList();
        assertEquals(64, narrow.size());
        assertTrue(narrow.stream().allMatch(r -> r.geometry().kernelDistance() > 0.1));
        // … and the KKT certificate says so: none of them is a global minimum
        assertTrue(narrow.stream().allMatch(r -> r.geometry().certificate() == KktCertificate.Verdict.NOT_CERTIFIED));
        // tanh members learn a kernel shaped like K_Y (no constant shift), increasingly so with width
        double tanhWide = out.members().stream()
                .filter(r -> r.spec().architecture().activation() == Activation.TANH
                        && r.spec().architecture().width(0) == 64)
                .mapToDouble(r -> r.geometry().shapeDistance()).max().orElseThrow();
        assertTrue(tanhWide < 0.01, "tanh width 64 shape distance " + tanhWide);
        assertTrue(out.members().stream().noneMatch(r -> r.status() == MemberStatus.DIVERGED));
    }
}
