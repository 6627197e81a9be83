package org.repgeom.study;

import org.repgeom.study.spec.HoldoutSpec;
import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import org.repgeom.study.spec.TaskFactory;
import org.repgeom.study.spec.TaskSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.repgeom.task.Task;

/** task.holdout: parsing, validation (one line naming the field) and the cut of the task. */
class HoldoutSplitTest {
    private static final String BASE = """
            task:
              kind: hypercube
              labels: 3
              per_class: 2
              input: {geometry: target_aligned, seed: 3}
            HOLDOUT
            model:
              widths: [4]
            grid:
              seeds: 1
              lambda: [1e-2]
            """;

    private static StudySpec spec(String holdout) {
        return StudySpec.parse(BASE.replace("HOLDOUT", holdout), Path.of("/base"), "study");
    }

    private static SpecException fails(String holdout) {
        return assertThrows(SpecException.class, () -> TaskFactory.split(spec(holdout).task()));
    }

    @Test
    void heldOutClassesLeaveTrainingAndKeepTheirColumns() {
        TaskSpec t = spec("  holdout: {classes: [7, 0]}").task();
        HoldoutSplit s = TaskFactory.split(t);
        Task full = TaskFactory.split(spec("").task()).train();
        assertEquals(16, full.samples());
        // class c = samples 2c, 2c+1 (class-major); classes 0 and 7 are samples 0, 1, 14, 15
        assertArrayEquals(new int[] {0, 1, 14, 15}, s.testIndices());
        assertEquals(12, s.train().samples());
        assertEquals(4, s.test().samples());
        for (int a = 0; a < 4; a++) {
            int p = s.testIndices()[a];
            for (int i = 0; i < full.inputDim(); i++) assertEquals(full.x(i, p), s.test().x(i, a));
            for (int k = 0; k < 3; k++) assertEquals(full.y(k, p), s.test().y(k, a));
        }
        for (int a = 0; a < 12; a++) { // training keeps the order of the remaining samples 2..13
            for (int i = 0; i < full.inputDim(); i++) assertEquals(full.x(i, a + 2), s.train().x(i, a));
        }
        // the held-out conditions are (−,−,−) and (+,+,+): no training sample has either
        for (int a = 0; a < 12; a++) {
            double sum = s.train().y(0, a) + s.train().y(1, a) + s.train().y(2, a);
            assertTrue(Math.abs(sum) < 3, "a held-out condition is in training at " + a);
        }
        assertEquals(s.train(), TaskFactory.build(t), "build gives the training samples only");
    }

    @Test
    void heldOutSamplesAndDrawnFractions() {
        HoldoutSplit s = TaskFactory.split(spec("  holdout: {samples: [3, 5]}").task());
        assertArrayEquals(new int[] {3, 5}, s.testIndices());
        assertEquals(14, s.train().samples());

        HoldoutSplit a = TaskFactory.split(spec("  holdout: {fraction: 0.25, of: classes, seed: 4}").task());
        HoldoutSplit b = TaskFactory.split(spec("  holdout: {fraction: 0.25, of: classes, seed: 4}").task());
        assertEquals(4, a.testIndices().length, "2 of 8 classes, 2 samples each");
        assertArrayEquals(a.testIndices(), b.testIndices(), "the same seed draws the same classes");
        boolean differs = false;
        for (int seed = 5; seed < 10; seed++) {
            HoldoutSplit c = TaskFactory.split(spec("  holdout: {fraction: 0.25, of: classes, seed: " + seed + "}").task());
            differs |= !java.util.Arrays.equals(a.testIndices(), c.testIndices());
        }
        assertTrue(differs, "other seeds draw other classes");
        for (int i = 0; i < 4; i += 2) assertEquals(a.testIndices()[i] + 1, a.testIndices()[i + 1], "whole classes");

        HoldoutSplit f = TaskFactory.split(spec("  holdout: {fraction: 0.3}").task());
        assertEquals(5, f.testIndices().length, "round(0.3 × 16) samples");
    }

    @Test
    void noHoldoutKeepsTheTaskAndAHoldoutEntersTheSpecHash() {
        HoldoutSplit s = TaskFactory.split(spec("").task());
        assertNull(s.test());
        assertEquals(HoldoutSpec.ABSENT, spec("").task().holdout());
        assertNotEquals(StudyFingerprint.spec(spec("")), StudyFingerprint.spec(spec("  holdout: {classes: [0]}")));
        assertNotEquals(StudyFingerprint.spec(spec("  holdout: {classes: [1]}")),
                StudyFingerprint.spec(spec("  holdout: {classes: [0]}")));
    }

    @Test
    void badHoldoutsNameTheField() {
        assertEquals("task.holdout.classes", fails("  holdout: {classes: [0, 8]}").field());
        assertTrue(fails("  holdout: {classes: [0, 8]}").getMessage().contains("out of range"));
        assertEquals("task.holdout.samples", fails("  holdout: {samples: [16]}").field());
        assertEquals("task.holdout.classes[1]", fails("  holdout: {classes: [2, 2]}").field());
        assertEquals("task.holdout.classes[0]", fails("  holdout: {classes: [-1]}").field());
        assertEquals("task.holdout", fails("  holdout: {classes: [1], samples: [2]}").field());
        assertEquals("task.holdout", fails("  holdout: {}").field());
        assertEquals("task.holdout.fraction", fails("  holdout: {fraction: 1.5}").field());
        assertEquals("task.holdout.fraction", fails("  holdout: {fraction: 0.01}").field(), "rounds to no sample");
        assertEquals("task.holdout.of", fails("  holdout: {classes: [1], of: classes}").field());
        assertEquals("task.holdout.of", fails("  holdout: {fraction: 0.5, of: conditions}").field());
        assertEquals("task.holdout.seeds", fails("  holdout: {fraction: 0.5, seeds: 2}").field());
        assertEquals("task.holdout.classes", fails("  holdout: {classes: [0, 1, 2, 3, 4, 5, 6, 7]}").field(),
                "holding out everything leaves nothing to train on");
        assertEquals("task.test_x", fails("  test_x: a.npy\n  test_y: b.npy").field(), "test files only for npy");
    }
}
