package org.repgeom.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.model.Activation;
import org.repgeom.theory.KktCertificate;
import org.repgeom.train.MemberStatus;

/**
 * The shipped example, {@code examples/abstract-hypercube.yaml}, run in full on the reference
 * backend (about 90 s on two cores): what the README promises it shows, it shows.
 */
class ExampleStudyTest {

    @Test
    @SuppressWarnings("unchecked")
    void theExampleShowsTheClaimAndWhereItBreaks(@TempDir Path tmp) throws Exception {
        Path spec = Path.of("..", "examples", "abstract-hypercube.yaml");
        StudyRunner.Outcome out = new StudyRunner(StudySpec.load(spec), new JavaBackend())
                .run(tmp.resolve("ex"), spec, false, ProgressListener.NONE);
        assertEquals(512, out.members().size());

        Map<String, Object> check = (Map<String, Object>) out.summary().get("theory_check");
        assertEquals(Boolean.TRUE, check.get("holds"), check.toString());
        Map<String, Object> dist = (Map<String, Object>) check.get("kernel_distance");
        assertTrue((Double) dist.get("median") < 0.01, dist.toString());
        assertTrue((Double) check.get("parallelism_score_median") > 0.99);
        assertTrue(((Number) check.get("members")).intValue() >= 64, "most wide ReLU members converge: " + check);

        // width 4 < 2·dY cannot reach K*: every ReLU member of width 4 is far from it
        List<MemberRecord> narrow = out.members().stream()
                .filter(r -> r.spec().architecture().activation() == Activation.RELU
                        && r.spec().architecture().width(0) == 4)
                .toList();
        assertEquals(64, narrow.size());
        assertTrue(narrow.stream().allMatch(r -> r.geometry().kernelDistance() > 0.1));
        // … and the KKT certificate says so: none of them is a global minimum
        assertTrue(narrow.stream().allMatch(r -> r.geometry().certificate() == KktCertificate.Verdict.NOT_CERTIFIED));
        Map<String, Object> certified = (Map<String, Object>) check.get("certificate");
        assertTrue(((Number) certified.get("CERTIFIED")).intValue() >= 0.9 * ((Number) check.get("members")).intValue(),
                "converged wide ReLU members are certified global minima: " + certified);
        // tanh members learn a kernel shaped like K_Y (no constant shift), increasingly so with width
        double tanhWide = out.members().stream()
                .filter(r -> r.spec().architecture().activation() == Activation.TANH
                        && r.spec().architecture().width(0) == 64)
                .mapToDouble(r -> r.geometry().shapeDistance()).max().orElseThrow();
        assertTrue(tanhWide < 0.01, "tanh width 64 shape distance " + tanhWide);
        assertTrue(out.members().stream().noneMatch(r -> r.status() == MemberStatus.DIVERGED));
    }
}
