package org.repgeom.study.spec;

import org.repgeom.study.spec.MemberGroup;
import org.repgeom.study.spec.MemberSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;

class StudySpecTest {
    private static final Path BASE = Path.of("/specs/project");

    private static StudySpec parse(String yaml) {
        return StudySpec.parse(yaml, BASE, "my-study");
    }

    @Test
    void fullSpecParsesWithEveryValue() {
        StudySpec spec = parse("""
                name: abstract-hypercube
                task:
                  kind: hypercube
                  labels: 3
                  per_class: 2
                  input:
                    geometry: whitened
                    dim: 16
                    seed: 7
                model:
                  activation: [relu, tanh]
                  widths: [4, 8, 16, 64]
                  depth: 1
                  bias: all
                  init_scale: 0.5
                grid:
                  seeds: 32
                  lambda: [1e-2, 1e-3]
                  lr: [1e-2]
                optimizer:
                  kind: adam
                  lr: 1e-2
                  final_lr_ratio: 1e-4
                  beta1: 0.8
                  beta2: 0.99
                  eps: 1e-7
                train:
                  max_steps: 60000
                  tol: 1e-9
                  window: 500
                  trace_every: 50
                output:
                  dir: out/abstract-hypercube
                """);

        assertEquals("abstract-hypercube", spec.name());
        TaskSpec task = spec.task();
        assertEquals(TaskSpec.HYPERCUBE, task.kind());
        assertEquals(3, task.labels());
        assertEquals(0, task.classes());
        assertEquals(2, task.perClass());
        assertEquals(TaskSpec.WHITENED, task.geometry());
        assertEquals(16, task.dim());
        assertEquals(7, task.seed());
        assertNull(task.x());

        ModelSpec model = spec.model();
        assertEquals(List.of(Activation.RELU, Activation.TANH), model.activations());
        assertEquals(List.of(new WidthEntry.Uniform(4), new WidthEntry.Uniform(8), new WidthEntry.Uniform(16),
                new WidthEntry.Uniform(64)), model.widths());
        assertEquals(List.of(1), model.depths());
        assertTrue(model.biasOnAllHidden());
        assertEquals(0.5, model.initScale());

        assertEquals(32, spec.grid().seeds().size());
        assertEquals(31, spec.grid().seeds().get(31));
        assertEquals(List.of(new LambdaEntry.Uniform(1e-2), new LambdaEntry.Uniform(1e-3)), spec.grid().lambdas());
        assertEquals(List.of(1e-2), spec.grid().learningRates());

        assertEquals(new OptimizerSpec(OptimizerSpec.Kind.ADAM, 1e-2, 1e-4, 0, 0.8, 0.99, 1e-7), spec.optimizer());
        assertEquals(new TrainSpec(60000, 1e-9, 500, 50), spec.train());
        assertEquals(Path.of("out/abstract-hypercube"), spec.outputDir());
        assertEquals(2L * 4 * 2 * 1 * 32, spec.memberCount());
    }

    @Test
    void minimalSpecGetsEveryDefault() {
        StudySpec spec = parse("""
                task: {kind: onehot, classes: 4}
                model: {widths: 16}
                grid: {seeds: 1, lambda: 0.01}
                """);
        assertEquals("my-study", spec.name());
        assertEquals(4, spec.task().classes());
        assertEquals(0, spec.task().labels());
        assertEquals(1, spec.task().perClass());
        assertEquals(TaskSpec.WHITENED, spec.task().geometry());
        assertNull(spec.task().dim());
        assertEquals(0, spec.task().seed());
        assertEquals(0.0, spec.task().withinCorrelation());
        assertEquals(List.of(Activation.RELU), spec.model().activations());
        assertEquals(List.of(1), spec.model().depths());
        assertFalse(spec.model().biasOnAllHidden());
        assertEquals(1.0, spec.model().initScale());
        assertEquals(OptimizerSpec.defaults(), spec.optimizer());
        assertEquals(List.of(1e-2), spec.grid().learningRates(), "grid.lr defaults to [optimizer.lr]");
        assertEquals(TrainSpec.defaults(), spec.train());
        assertEquals(new TrainSpec(20000, 1e-9, 1000, 100), spec.train());
        assertEquals(Path.of("out/my-study"), spec.outputDir());
    }

    @Test
    void gridLrDefaultsToOptimizerLr() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 1}
                model: {widths: [2]}
                grid: {seeds: 1, lambda: 0}
                optimizer: {kind: gd, lr: 0.3, final_lr_ratio: 1}
                """);
        assertEquals(List.of(0.3), spec.grid().learningRates());
        assertEquals(new OptimizerSpec(OptimizerSpec.Kind.GD, 0.3, 1.0, 0, 0, 0, 0), spec.optimizer());
    }

    @Test
    void gridExpandsInDocumentedOrderWithSequentialIds() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 2}
                model:
                  activation: [relu, tanh]
                  widths: [4, 8]
                  depth: [1, 2]
                grid:
                  seeds: 3
                  lambda: [0.01, 0.001]
                  lr: [0.1, 0.01]
                """);
        List<MemberSpec> members = spec.members(5, 2);
        assertEquals(2 * 4 * 2 * 2 * 3, members.size());
        assertEquals(members.size(), spec.memberCount());
        for (int i = 0; i < members.size(); i++) {
            assertEquals(i, members.get(i).id());
        }
        // innermost: seed, then lr, then λ, then shape (width × depth), then activation
        int[][] shapes = {{4}, {4, 4}, {8}, {8, 8}};
        Activation[] activations = {Activation.RELU, Activation.TANH};
        double[] lambdas = {0.01, 0.001};
        double[] lrs = {0.1, 0.01};
        int id = 0;
        for (Activation a : activations) {
            for (int[] shape : shapes) {
                for (double lambda : lambdas) {
                    for (double lr : lrs) {
                        for (long seed = 0; seed < 3; seed++) {
                            MemberSpec m = members.get(id++);
                            assertEquals(a, m.architecture().activation());
                            assertArrayEquals(shape, m.architecture().hiddenWidths());
                            assertEquals(5, m.architecture().inputDim());
                            assertEquals(2, m.architecture().outputDim());
                            assertEquals(shape.length + 1, m.lambdas().length);
                            for (double l : m.lambdas()) assertEquals(lambda, l);
                            assertEquals(lr, m.lr());
                            assertEquals(seed, m.seed());
                        }
                    }
                }
            }
        }
        MemberSpec m = members.get(1 * (2 * 2 * 3) + 1); // relu, 4x4, λ=0.01, lr=0.1, seed 1
        assertEquals("relu|w=4x4|lambda=0.01|lr=0.1", StudySpec.configurationKey(m));
    }

    @Test
    void membersWithTheSameArchitectureFormOneGroup() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 2}
                model: {activation: [relu, tanh], widths: [4, [6, 3]]}
                grid: {seeds: 2, lambda: 0.1}
                """);
        List<MemberGroup> groups = spec.groups(3, 2);
        assertEquals(4, groups.size());
        String[] expected = {"relu 4", "relu 6x3", "tanh 4", "tanh 6x3"};
        int nextId = 0;
        for (int g = 0; g < groups.size(); g++) {
            MemberGroup group = groups.get(g);
            assertEquals(g, group.index());
            assertEquals(expected[g], group.architecture().activation().id() + " " + group.architecture().widthsLabel());
            assertEquals(2, group.size());
            for (MemberSpec m : group.members()) {
                assertSame(group.architecture(), m.architecture());
                assertEquals(nextId++, m.id());
            }
        }
    }

    @Test
    void perLayerLambdaAndExplicitPerLayerWidths() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 2}
                model:
                  widths: [[8, 4], [6, 6]]
                grid:
                  seeds: 1
                  lambda: [[0.1, 0.01, 0.001], 0.5]
                  lr: 0.01
                """);
        assertEquals(List.of(new WidthEntry.PerLayer(new int[] {8, 4}), new WidthEntry.PerLayer(new int[] {6, 6})),
                spec.model().widths());
        List<MemberSpec> members = spec.members(4, 2);
        assertEquals(4, members.size());
        MemberSpec first = members.get(0);
        assertArrayEquals(new int[] {8, 4}, first.architecture().hiddenWidths());
        assertArrayEquals(new double[] {0.1, 0.01, 0.001}, first.lambdas());
        assertEquals("relu|w=8x4|lambda=0.1/0.01/0.001|lr=0.01", StudySpec.configurationKey(first));
        MemberSpec second = members.get(1);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, second.lambdas());
        assertEquals("relu|w=8x4|lambda=0.5|lr=0.01", StudySpec.configurationKey(second));
        assertArrayEquals(new int[] {6, 6}, members.get(2).architecture().hiddenWidths());
    }

    @Test
    void explicitWidthsMixWithIntegerWidthsAndDepths() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 1}
                model: {widths: [16, [32, 8, 4]], depth: [1, 2]}
                grid: {seeds: 1, lambda: 1e-3}
                """);
        List<String> shapes = spec.model().hiddenShapes().stream().map(Architecture::widthsLabel).toList();
        assertEquals(List.of("16", "16x16", "32x8x4"), shapes);
        Architecture deep = spec.members(2, 1).get(2).architecture();
        assertEquals(3, deep.depth());
        assertEquals("relu|w=16x16|lambda=0.001|lr=0.01", spec.members(2, 1).get(1).configurationKey());
    }

    @Test
    void seedsInAllThreeForms() {
        String template = """
                task: {kind: hypercube, labels: 1}
                model: {widths: 2}
                grid: {seeds: SEEDS, lambda: 0}
                """;
        StudySpec count = parse(template.replace("SEEDS", "4"));
        assertArrayEquals(new long[] {0, 1, 2, 3}, count.grid().seeds().toArray());
        StudySpec list = parse(template.replace("SEEDS", "[5, 3, 11]"));
        assertArrayEquals(new long[] {5, 3, 11}, list.grid().seeds().toArray());
        assertEquals(List.of(5L, 3L, 11L), list.members(2, 1).stream().map(MemberSpec::seed).toList());
        StudySpec range = parse(template.replace("SEEDS", "{start: 100, count: 3}"));
        assertArrayEquals(new long[] {100, 101, 102}, range.grid().seeds().toArray());
        assertEquals(SeedSet.of(100, 101, 102), range.grid().seeds());
        StudySpec rangeFromZero = parse(template.replace("SEEDS", "{count: 2}"));
        assertArrayEquals(new long[] {0, 1}, rangeFromZero.grid().seeds().toArray());
    }

    @Test
    void exponentNumbersThatYamlReadsAsStringsAreNumbers() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 1}
                model: {widths: 2, init_scale: 5e-1}
                grid: {seeds: 1, lambda: [1e-3, [1e-2, 2E-4]], lr: [1e-2, 3e-1]}
                optimizer: {lr: 1e-1, final_lr_ratio: 1e-4, eps: 1e-8}
                train: {tol: 1e-9, max_steps: 6e4}
                """);
        assertEquals(List.of(new LambdaEntry.Uniform(1e-3), new LambdaEntry.PerLayer(new double[] {1e-2, 2e-4})),
                spec.grid().lambdas());
        assertEquals(List.of(1e-2, 0.3), spec.grid().learningRates());
        assertEquals(0.5, spec.model().initScale());
        assertEquals(0.1, spec.optimizer().lr());
        assertEquals(1e-8, spec.optimizer().eps());
        assertEquals(1e-9, spec.train().tol());
        assertEquals(60000, spec.train().maxSteps());
        assertEquals("relu|w=2|lambda=0.01/2e-4|lr=0.3", spec.members(1, 1).get(3).configurationKey());
    }

    @Test
    void npyPathsResolveAgainstTheSpecDirectory() {
        StudySpec spec = parse("""
                task: {kind: npy, x: data/X.npy, y: ../shared/Y.npy}
                model: {widths: 8}
                grid: {seeds: 1, lambda: 0.01}
                """);
        assertTrue(spec.task().isNpy());
        assertEquals(BASE.resolve("data/X.npy").toAbsolutePath(), spec.task().x());
        assertEquals(Path.of("/specs/shared/Y.npy").toAbsolutePath(), spec.task().y());
        assertNull(spec.task().geometry());
        assertEquals(0, spec.task().perClass());
    }

    @Test
    void geometryParametersOnlyForTheirGeometry() {
        StudySpec within = parse("""
                task: {kind: hypercube, labels: 2, per_class: 3, input: {geometry: within_class, within_correlation: 0.25}}
                model: {widths: 8}
                grid: {seeds: 1, lambda: 0.01}
                """);
        assertEquals(0.25, within.task().withinCorrelation());
        assertEquals(0.0, within.task().alignedWeight());
        StudySpec aligned = parse("""
                task: {kind: hypercube, labels: 2, input: {geometry: target_aligned, orthogonal_weight: 0.5}}
                model: {widths: 8}
                grid: {seeds: 1, lambda: 0.01}
                """);
        assertEquals(1.0, aligned.task().alignedWeight());
        assertEquals(0.5, aligned.task().orthogonalWeight());
        assertEquals(0.0, aligned.task().withinCorrelation());
    }

    @Test
    void momentumOptimizerKeepsOnlyItsParameters() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 1}
                model: {widths: 2}
                grid: {seeds: 1, lambda: 0}
                optimizer: {kind: momentum, momentum: 0.5}
                """);
        assertEquals(new OptimizerSpec(OptimizerSpec.Kind.MOMENTUM, 1e-2, 1e-4, 0.5, 0, 0, 0), spec.optimizer());
    }

    @Test
    void loadTakesNameAndBaseDirectoryFromTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cube-study.yaml");
        Files.writeString(file, """
                task: {kind: npy, x: X.npy, y: Y.npy}
                model: {widths: 8}
                grid: {seeds: 1, lambda: 0.01}
                """);
        StudySpec spec = StudySpec.load(file);
        assertEquals("cube-study", spec.name());
        assertEquals(Path.of("out/cube-study"), spec.outputDir());
        assertEquals(dir.toAbsolutePath().resolve("X.npy"), spec.task().x());
    }

    @Test
    void memberSpecIsImmutable() {
        StudySpec spec = parse("""
                task: {kind: hypercube, labels: 1}
                model: {widths: 2}
                grid: {seeds: 1, lambda: 0.5}
                """);
        MemberSpec m = spec.members(1, 1).get(0);
        m.lambdas()[0] = 99;
        assertEquals(0.5, m.lambda(0));
        double[] source = {1, 2};
        MemberSpec built = new MemberSpec(0, 0, Architecture.twoLayer(1, 2, 1, Activation.RELU), source, 0.1);
        source[0] = 7;
        assertEquals(1, built.lambda(0));
    }
}
