package org.repgeom.study.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every class of spec mistake: the exception names the field and says what is wrong. */
class StudySpecErrorsTest {
    private static final String VALID = """
            task:
              kind: hypercube
              labels: 2
            model:
              widths: [4, 8]
            grid:
              seeds: 2
              lambda: [1e-2, 1e-3]
            """;

    /** The valid spec with one piece of text replaced (which must occur in it). */
    private static String with(String original, String replacement) {
        assertTrue(VALID.contains(original), "test setup: '" + original + "' not in the base spec");
        return VALID.replace(original, replacement);
    }

    private static SpecException fails(String yaml) {
        return assertThrows(SpecException.class, () -> StudySpec.parse(yaml, Path.of("/base"), "study"));
    }

    /** Asserts the field path and that the message contains every fragment. */
    private static void assertProblem(SpecException e, String field, String... fragments) {
        assertEquals(field, e.field(), "field of: " + e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing in: " + e.getMessage());
        }
    }

    @Test
    void malformedYamlNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "task:\n  kind: hypercube\n  labels: [2\nmodel:\n  widths: 4\n");
        SpecException e = assertThrows(SpecException.class, () -> StudySpec.load(file));
        assertProblem(e, "broken.yaml", "invalid YAML", "line 4");
    }

    @Test
    void aRecurrentStudyCannotRecordKernelTraces() {
        SpecException e = fails(with("model:\n  widths: [4, 8]",
                "model:\n  kind: rnn\n  time_steps: 2\n  widths: [4, 8]") + "train: {kernel_every: 10}\n");
        assertProblem(e, "train.kernel_every", "feed-forward", "rnn_steps.csv");
        // the same spec without the trace is accepted
        StudySpec.parse(with("model:\n  widths: [4, 8]", "model:\n  kind: rnn\n  time_steps: 2\n  widths: [4, 8]"),
                Path.of("/base"), "study");
    }

    @Test
    void mappingValueInTheWrongPlaceIsASyntaxError() {
        SpecException e = fails("task:\n  kind: hypercube\n  labels: 2: 3\n");
        assertProblem(e, "study", "line 3", "column");
    }

    @Test
    void duplicateYamlKeysAreRejected() {
        SpecException e = fails(VALID + "task:\n  kind: onehot\n");
        assertProblem(e, "study", "duplicate key task", "line");
    }

    @Test
    void emptyOrScalarDocumentIsRejected() {
        assertProblem(fails(""), "study", "empty");
        assertProblem(fails("just a string"), "study", "expected a mapping", "the string 'just a string'");
    }

    @Test
    void missingFileNamesTheFile(@TempDir Path dir) {
        SpecException e = assertThrows(SpecException.class, () -> StudySpec.load(dir.resolve("absent.yaml")));
        assertProblem(e, "absent.yaml", "cannot read");
    }

    @Test
    void unknownTopLevelKeyListsAllowedKeysAndSuggests() {
        SpecException e = fails(VALID.replace("grid:", "gird:"));
        assertProblem(e, "gird", "unknown key 'gird' at the top level", "did you mean 'grid'?",
                "Allowed keys: name, task, model, grid, optimizer, train, output");
    }

    @Test
    void unknownNestedKeyListsAllowedKeysAndSuggests() {
        SpecException e = fails(with("  labels: 2", "  labels: 2\n  per_clas: 3"));
        assertProblem(e, "task.per_clas", "unknown key 'per_clas' in task", "did you mean 'per_class'?",
                "Allowed keys: kind, labels, classes, per_class, x, y, input");
        SpecException deeper = fails(with("  labels: 2", "  labels: 2\n  input: {geometri: whitened}"));
        assertProblem(deeper, "task.input.geometri", "did you mean 'geometry'?", "within_correlation");
        SpecException noSuggestion = fails(with("  labels: 2", "  labels: 2\n  colour: blue"));
        assertProblem(noSuggestion, "task.colour", "unknown key 'colour' in task. Allowed keys:");
        assertTrue(!noSuggestion.getMessage().contains("did you mean"), noSuggestion.getMessage());
    }

    @Test
    void aSectionIsCheckedBeforeLaterSectionsAreMissed() {
        assertProblem(fails("task: {kind: hypercube, labels: 2, per_clas: 1}\n"), "task.per_clas", "per_class");
        assertProblem(fails("task: {kind: hypercube, labels: 2}\n"), "model", "is required");
    }

    @Test
    void missingRequiredKeysAndSections() {
        assertProblem(fails(with("  kind: hypercube\n", "")), "task.kind", "is required", "hypercube, onehot, npy");
        assertProblem(fails(with("  labels: 2\n", "")), "task.labels", "is required", "binary labels");
        assertProblem(fails(with("  seeds: 2\n", "")), "grid.seeds", "is required");
        assertProblem(fails(with("  lambda: [1e-2, 1e-3]\n", "")), "grid.lambda", "is required");
        assertProblem(fails(with("  widths: [4, 8]\n", "  bias: first\n")), "model.widths", "is required");
        assertProblem(fails("task: {kind: onehot, classes: 3}\nmodel: {widths: 4}\n"), "grid", "is required");
        assertProblem(fails("task: {kind: npy, y: Y.npy}\nmodel: {widths: 4}\ngrid: {seeds: 1, lambda: 0}\n"),
                "task.x", "is required", "input matrix");
    }

    @Test
    void wrongTypesNameFieldAndWhatWasFound() {
        assertProblem(fails(with("  labels: 2", "  labels: two")), "task.labels",
                "expected an integer, got the string 'two'");
        assertProblem(fails(with("  labels: 2", "  labels: 2\n  per_class: 1.5")), "task.per_class",
                "expected an integer, got 1.5");
        assertProblem(fails(with("  widths: [4, 8]", "  widths: {small: 4}")), "model.widths",
                "expected a value or a list of values, got a mapping");
        assertProblem(fails(with("  lambda: [1e-2, 1e-3]", "  lambda: [1e-2, abc]")), "grid.lambda[1]",
                "expected a number, got the string 'abc'");
        assertProblem(fails(with("task:\n  kind: hypercube\n  labels: 2\n", "task: [hypercube, 2]\n")), "task",
                "expected a mapping", "got a list");
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, 8]\n  activation: true")), "model.activation",
                "expected a string, got the boolean true");
        assertProblem(fails(with("  seeds: 2", "  seeds: many")), "grid.seeds",
                "expected an integer n (seeds 0..n-1), a list of distinct seeds, or {start: s, count: n}");
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, [8, x]]")), "model.widths[1][1]",
                "expected an integer");
    }

    @Test
    void zeroNegativeAndOversizedSizes() {
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, 0]")), "model.widths[1]",
                "must be between 1 and 65536, got 0");
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, 70000]")), "model.widths[1]",
                "between 1 and 65536, got 70000");
        assertProblem(fails(with("  labels: 2", "  labels: 0")), "task.labels", "between 1 and 16, got 0");
        assertProblem(fails(with("  labels: 2", "  labels: 17")), "task.labels", "between 1 and 16, got 17");
        assertProblem(fails(with("  labels: 2", "  labels: 2\n  per_class: 0")), "task.per_class",
                "must be at least 1, got 0");
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, 8]\n  depth: [1, -2]")), "model.depth[1]",
                "must be at least 1, got -2");
        assertProblem(fails(with("  seeds: 2", "  seeds: 0")), "grid.seeds", "between 1 and");
        assertProblem(fails(VALID + "train: {max_steps: 0}\n"), "train.max_steps", "at least 1, got 0");
        assertProblem(fails(VALID + "train: {window: -5}\n"), "train.window", "at least 1, got -5");
        assertProblem(fails("task: {kind: onehot, classes: 1}\nmodel: {widths: 4}\ngrid: {seeds: 1, lambda: 0}\n"),
                "task.classes", "at least 2, got 1");
        assertProblem(fails(with("  labels: 2", "  labels: 2\n  input: {dim: 0}")), "task.input.dim",
                "at least 1, got 0");
    }

    @Test
    void negativeLambdaIsRejected() {
        assertProblem(fails(with("  lambda: [1e-2, 1e-3]", "  lambda: [1e-2, -1e-3]")), "grid.lambda[1]",
                "must not be negative, got -0.001");
        assertProblem(fails(with("  lambda: [1e-2, 1e-3]", "  lambda: [[0.1, -0.2]]")), "grid.lambda[0][1]",
                "must not be negative");
        assertProblem(fails(with("  lambda: [1e-2, 1e-3]", "  lambda: -1")), "grid.lambda", "must not be negative");
    }

    @Test
    void nanAndInfinityAreRejected() {
        assertProblem(fails(with("  lambda: [1e-2, 1e-3]", "  lambda: [.nan]")), "grid.lambda[0]",
                "finite", "NaN");
        assertProblem(fails(VALID + "optimizer: {lr: .inf}\n"), "optimizer.lr", "finite");
    }

    @Test
    void nonPositiveLearningRatesAndBadRatios() {
        assertProblem(fails(VALID + "optimizer: {lr: 0}\n"), "optimizer.lr", "greater than 0, got 0");
        assertProblem(fails(with("  seeds: 2", "  seeds: 2\n  lr: [0.1, -1e-2]")), "grid.lr[1]",
                "greater than 0, got -0.01");
        assertProblem(fails(VALID + "optimizer: {final_lr_ratio: 0}\n"), "optimizer.final_lr_ratio", "(0, 1]");
        assertProblem(fails(VALID + "optimizer: {kind: momentum, momentum: 1}\n"), "optimizer.momentum", "[0, 1)");
        assertProblem(fails(VALID + "model2: {}\n"), "model2", "did you mean 'model'?");
    }

    @Test
    void lambdaListOfWrongLengthNamesTheEntry() {
        SpecException e = fails(with("  lambda: [1e-2, 1e-3]", "  lambda: [1e-2, [0.1, 0.2, 0.3]]"));
        assertProblem(e, "grid.lambda[1]", "has 3 per-layer values", "hidden widths 4 (depth 1) have 2 weight layers");
        SpecException mixedDepths = fails(with("  widths: [4, 8]", "  widths: [4, [8, 8]]")
                .replace("  lambda: [1e-2, 1e-3]", "  lambda: [[0.1, 0.2]]"));
        assertProblem(mixedDepths, "grid.lambda[0]", "hidden widths 8x8 (depth 2) have 3 weight layers");
    }

    @Test
    void unknownChoicesListTheAllowedValues() {
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, 8]\n  activation: [relu, rleu]")),
                "model.activation[1]", "unknown activation 'rleu'", "did you mean 'relu'?",
                "relu, leaky_relu, clipped_relu, linear, tanh, gelu");
        assertProblem(fails(with("  labels: 2", "  labels: 2\n  input: {geometry: whitend}")), "task.input.geometry",
                "unknown input geometry 'whitend'", "did you mean 'whitened'?", "target_aligned");
        assertProblem(fails(with("  kind: hypercube", "  kind: cube")), "task.kind", "unknown task kind 'cube'",
                "hypercube, onehot, npy");
        assertProblem(fails(VALID + "optimizer: {kind: sgd}\n"), "optimizer.kind", "unknown optimizer kind 'sgd'",
                "gd, momentum, adam");
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, 8]\n  bias: some")), "model.bias",
                "first, all, none");
    }

    @Test
    void duplicateSeedsAndGridEntries() {
        assertProblem(fails(with("  seeds: 2", "  seeds: [3, 1, 3]")), "grid.seeds[2]",
                "seed 3 is listed twice (also at grid.seeds[0])");
        assertProblem(fails(with("  seeds: 2", "  seeds: [1, -1]")), "grid.seeds[1]", "at least 0");
        assertProblem(fails(with("  lambda: [1e-2, 1e-3]", "  lambda: [1e-2, 0.01]")), "grid.lambda[1]",
                "repeats an earlier λ entry (grid.lambda[0])");
        assertProblem(fails(with("  widths: [4, 8]", "  widths: [4, [4]]")), "model.widths[1]",
                "hidden widths 4 again (already from model.widths[0])");
        assertProblem(fails(with("  seeds: 2", "  seeds: {start: 5, size: 2}")), "grid.seeds.size",
                "Allowed keys: start, count");
    }

    @Test
    void settingsForAnotherKindAreRejected() {
        assertProblem(fails("task: {kind: onehot, classes: 4, labels: 2}\nmodel: {widths: 4}\ngrid: {seeds: 1, lambda: 0}\n"),
                "task.labels", "only for kind 'hypercube'");
        assertProblem(fails(with("  labels: 2", "  labels: 2\n  classes: 4")), "task.classes", "only for kind 'onehot'");
        assertProblem(fails("task: {kind: npy, x: X.npy, y: Y.npy, input: {geometry: whitened}}\nmodel: {widths: 4}\n"
                + "grid: {seeds: 1, lambda: 0}\n"), "task.input", "not allowed for kind 'npy'");
        assertProblem(fails(with("  labels: 2", "  labels: 2\n  x: X.npy")), "task.x", "only for kind 'npy'");
        assertProblem(fails(with("  labels: 2", "  labels: 2\n  input: {within_correlation: 0.3}")),
                "task.input.within_correlation", "only for geometry 'within_class', not 'whitened'");
        assertProblem(fails(VALID + "optimizer: {kind: gd, beta1: 0.9}\n"), "optimizer.beta1",
                "only for optimizer kind 'adam', not 'gd'");
        assertProblem(fails(VALID + "optimizer: {momentum: 0.9}\n"), "optimizer.momentum",
                "only for optimizer kind 'momentum', not 'adam'");
        assertProblem(fails("task: {kind: hypercube, labels: 1}\nmodel: {widths: [[4, 4]], depth: 2}\n"
                + "grid: {seeds: 1, lambda: 0}\n"), "model.depth", "applies only to integer entries");
    }

    @Test
    void tooManyMembersIsAMistake() {
        SpecException e = fails(with("  seeds: 2", "  seeds: 3000000"));
        assertProblem(e, "grid", "1 activations × 2 shapes × 2 λ × 1 learning rates × 3000000 seeds = 12000000 members",
                "more than the limit of 10000000");
        assertEquals(8_000_000, StudySpec.parse(with("  seeds: 2", "  seeds: 2000000"), Path.of("/"), "s").memberCount());
    }
}
