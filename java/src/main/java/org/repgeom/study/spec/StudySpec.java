package org.repgeom.study.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A whole study, as written in a YAML spec file and validated: the task, the architecture family,
 * the member grid, the optimizer, the stopping rule and where results go (docs/science.md §1–§3).
 *
 * <p>Parsing is strict: unknown keys, wrong types, out-of-range values and settings that do not
 * apply to the chosen kind are {@link SpecException}s naming the field's dotted path
 * ({@code task.per_class}, {@code grid.lambda[1]}); YAML syntax errors name the file and give
 * the line and column. A spec with every key (defaults in parentheses; see the section records
 * for the rules):
 *
 * <pre>
 * name: abstract-hypercube     # (file name without extension)
 * task:
 *   kind: hypercube            # hypercube | onehot | npy
 *   labels: 3                  # hypercube only: 1..16
 *   classes: 4                 # onehot only: &ge; 2
 *   per_class: 1               # not for npy (1)
 *   x: data/X.npy              # npy only, relative to the spec file
 *   y: data/Y.npy              # npy only
 *   input:                     # not for npy
 *     geometry: whitened       # whitened | identity | gaussian | within_class | target_aligned
 *     dim: 16                  # (generator default)
 *     seed: 0
 *     within_correlation: 0.5  # within_class only, [0, 1)
 *     aligned_weight: 1.0      # target_aligned only
 *     orthogonal_weight: 1.0   # target_aligned only
 * model:
 *   activation: [relu, tanh]   # axis (relu)
 *   widths: [4, 8, [16, 8]]    # axis, required: a width per layer, or explicit per-layer widths
 *   depth: [1, 2]              # axis for integer widths (1)
 *   bias: first                # first | all
 *   init_scale: 1.0
 * grid:
 *   seeds: 32                  # n, a list, or {start: s, count: n}; required
 *   lambda: [1e-2, [1e-2, 1e-3]]  # axis, required: a λ or one λ per weight layer
 *   lr: [1e-2]                 # axis ([optimizer.lr])
 * optimizer:
 *   kind: adam                 # gd | momentum | adam
 *   lr: 1e-2
 *   final_lr_ratio: 1e-4       # (0, 1]
 *   momentum: 0.9              # momentum only
 *   beta1: 0.9                 # adam only (also beta2 0.999, eps 1e-8)
 * train:
 *   max_steps: 20000
 *   tol: 1e-9
 *   window: 1000
 *   trace_every: 100
 * output:
 *   dir: out/abstract-hypercube   # (out/&lt;name&gt;)
 * </pre>
 *
 * <p>The members are not stored: {@link #members(int, int)} expands the grid on demand, because
 * input and output dimensions come from the task, which is built later.
 *
 * @param name      study name (defaults to the spec file name without extension)
 * @param task      the data set
 * @param model     the architecture family (activation, width, depth axes)
 * @param grid      the seed, λ and learning-rate axes
 * @param optimizer the optimizer shared by all members
 * @param train     stopping rule and trace interval
 * @param outputDir where results go; relative paths are against the working directory
 */
public record StudySpec(String name, TaskSpec task, ModelSpec model, GridSpec grid, OptimizerSpec optimizer,
                        TrainSpec train, Path outputDir) {

    /** Most members a study may have; more is almost certainly a mistake in the grid. */
    public static final int MAX_MEMBERS = 10_000_000;

    static final List<String> KEYS = List.of("name", "task", "model", "grid", "optimizer", "train", "output");
    private static final List<String> OUTPUT_KEYS = List.of("dir");

    /** Checks that no part is missing and that the grid fits the model (see {@link #members}). */
    public StudySpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(outputDir, "outputDir");
        GridExpansion.validate(model, grid);
        if (model.isRecurrent() && train.tracesKernels()) {
            throw new SpecException("train.kernel_every", "kernels are recorded during training for feed-forward models "
                    + "only; a recurrent study (model.kind: rnn) writes its per-time-step geometry to rnn_steps.csv instead");
        }
    }

    /**
     * Reads a spec file. Relative data paths resolve against the file's directory; the default
     * name is the file name without its extension.
     */
    public static StudySpec load(Path yamlFile) {
        String fileName = yamlFile.getFileName().toString();
        String text;
        try {
            text = Files.readString(yamlFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SpecException(fileName, "cannot read spec file " + yamlFile + ": " + e, e);
        }
        int dot = fileName.lastIndexOf('.');
        String defaultName = dot > 0 ? fileName.substring(0, dot) : fileName;
        Path baseDir = yamlFile.toAbsolutePath().getParent();
        return parse(text, baseDir, defaultName, fileName);
    }

    /**
     * Parses spec text. {@code baseDir} is where relative data paths point (null: the working
     * directory); {@code defaultName} is the study name when the spec has none and also names the
     * source in YAML syntax errors.
     */
    public static StudySpec parse(String yamlText, Path baseDir, String defaultName) {
        return parse(yamlText, baseDir, defaultName, defaultName);
    }

    static StudySpec parse(String yamlText, Path baseDir, String defaultName, String source) {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(defaultName, "defaultName");
        Path base = baseDir != null ? baseDir : Path.of("").toAbsolutePath();
        SpecSection top = SpecSection.root(YamlDocument.readMapping(yamlText, source));
        top.allowOnly(KEYS);
        String name = readName(top, defaultName);
        top.require("task", "the data set (task: kind: hypercube | onehot | npy, …)");
        TaskSpec task = TaskSpec.read(top.section("task"), base);
        top.require("model", "the architecture family (model: widths: …)");
        ModelSpec model = ModelSpec.read(top.section("model"));
        OptimizerSpec optimizer = OptimizerSpec.read(top.section("optimizer"));
        top.require("grid", "the member grid (grid: seeds: …, lambda: …)");
        GridSpec grid = GridSpec.read(top.section("grid"), optimizer.lr());
        TrainSpec train = TrainSpec.read(top.section("train"));
        Path outputDir = readOutputDir(top.section("output"), name);
        return new StudySpec(name, task, model, grid, optimizer, train, outputDir);
    }

    private static String readName(SpecSection top, String defaultName) {
        String name = top.text("name", defaultName);
        if (name.isBlank()) throw new SpecException(top.field("name"), "must not be empty");
        if (name.contains("/") || name.contains("\\")) {
            throw new SpecException(top.field("name"), "must not contain '/' or '\\' (it names files), got '" + name + "'");
        }
        return name;
    }

    private static Path readOutputDir(SpecSection s, String name) {
        s.allowOnly(OUTPUT_KEYS);
        String dir = s.text("dir", "out/" + name);
        if (dir.isBlank()) throw new SpecException(s.field("dir"), "must not be empty");
        try {
            return Path.of(dir);
        } catch (InvalidPathException e) {
            throw new SpecException(s.field("dir"), "not a valid path: " + e.getMessage(), e);
        }
    }

    /** Number of members the grid expands to. */
    public long memberCount() {
        return GridExpansion.memberCount(model, grid);
    }

    /**
     * Every member of the study in grid order — activation, hidden shape, λ, learning rate, seed
     * (outermost to innermost) — with ids 0, 1, 2, … in that order.
     *
     * @param inputDim  dX of the built task
     * @param outputDim dY of the built task
     */
    public List<MemberSpec> members(int inputDim, int outputDim) {
        return GridExpansion.members(model, grid, inputDim, outputDim);
    }

    /**
     * The members gathered by identical {@link org.repgeom.model.Architecture}, groups in order of
     * first appearance, members in id order within each group.
     */
    public List<MemberGroup> groups(int inputDim, int outputDim) {
        return GridExpansion.groups(members(inputDim, outputDim));
    }

    /** The member's configuration without its seed; see {@link MemberSpec#configurationKey()}. */
    public static String configurationKey(MemberSpec member) {
        return member.configurationKey();
    }
}
