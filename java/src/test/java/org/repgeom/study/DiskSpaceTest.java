package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DiskSpaceTest {

    @Test
    void estimateCountsParamsKernelCurveAndRow() {
        StudySpec spec = StudyPlanTest.parse("""
                task: {kind: hypercube, labels: 2, per_class: 1}
                model: {widths: [8]}
                grid: {seeds: 1000, lambda: [1.0e-2]}
                train: {max_steps: 100, trace_every: 10}
                """);
        StudyPlan plan = new StudyPlan(spec, 4, 2, 300);
        // stride 8·4 + 8 + 2·8 = 56 doubles; P = 4; T = 11
        long perMember = 8 * 56 + 4 * 16 + 4 * 11 + DiskSpace.CSV_ROW_BYTES;
        assertEquals(1000 * perMember, DiskSpace.bytes(plan, 4, plan.chunks()));
        assertEquals(300 * perMember, DiskSpace.bytes(plan, 4, plan.chunks(new Shard(1, 2)).subList(0, 1)));
    }

    @Test
    void tooLittleSpaceFailsWithTheEstimate() {
        SpecException e = assertThrows(SpecException.class,
                () -> DiskSpace.check(Path.of("/data"), 5L << 30, 1L << 30, "12 chunks"));
        assertEquals("--out", e.field());
        assertTrue(e.getMessage().contains("12 chunks needs about 5.25 GiB, only 1.00 GiB free on /data"), e.getMessage());
        DiskSpace.check(Path.of("/data"), 1L << 30, 2L << 30, "fits");
    }
}
