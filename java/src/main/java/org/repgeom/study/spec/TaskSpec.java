package org.repgeom.study.spec;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The {@code task:} section: which data set the study trains on.
 *
 * <ul>
 *   <li>{@code hypercube}: {@code labels} (dY) binary ±1 labels over all 2^dY classes,
 *       {@code perClass} samples per class, inputs from a generator with the given geometry;</li>
 *   <li>{@code onehot}: {@code classes} (C) one-hot classes, {@code perClass} samples each;</li>
 *   <li>{@code npy}: inputs {@code x} and targets {@code y} loaded from .npy files.</li>
 * </ul>
 *
 * Fields a kind does not use are 0 or null: {@code labels} outside hypercube, {@code classes}
 * outside onehot, {@code perClass}, {@code geometry}, {@code dim} for npy, {@code x}/{@code y}
 * outside npy, and each geometry parameter outside its geometry.
 *
 * @param kind              {@link #HYPERCUBE}, {@link #ONEHOT} or {@link #NPY}
 * @param labels            dY, 1…16 for hypercube; 0 otherwise
 * @param classes           C ≥ 2 for onehot; 0 otherwise
 * @param perClass          samples per class n ≥ 1; 0 for npy
 * @param x                 absolute path of the input .npy (npy only)
 * @param y                 absolute path of the target .npy (npy only)
 * @param geometry          input geometry, one of {@link #GEOMETRIES}; null for npy
 * @param dim               input dimension dX, or null for the generator's default
 * @param seed              seed of the input generator, ≥ 0
 * @param withinCorrelation within-class correlation ρ ∈ [0, 1) (within_class only)
 * @param alignedWeight     weight of the target-aligned input part ≥ 0 (target_aligned only)
 * @param orthogonalWeight  weight of the orthogonal input part ≥ 0 (target_aligned only)
 * @param holdout           the samples kept out of training ({@code task.holdout}, or {@code task.test_x} and
 *                          {@code task.test_y} for npy); {@link HoldoutSpec#ABSENT} when every sample trains
 */
public record TaskSpec(String kind, int labels, int classes, int perClass, Path x, Path y,
                       String geometry, Integer dim, long seed, double withinCorrelation,
                       double alignedWeight, double orthogonalWeight, HoldoutSpec holdout) {

    /** Kind: binary labels over the corners of a hypercube. */
    public static final String HYPERCUBE = "hypercube";
    /** Kind: one-hot classes. */
    public static final String ONEHOT = "onehot";
    /** Kind: user data from .npy files. */
    public static final String NPY = "npy";
    /** All task kinds. */
    public static final List<String> KINDS = List.of(HYPERCUBE, ONEHOT, NPY);

    /** Geometry: inputs with {@code XᵀX = I}. */
    public static final String WHITENED = "whitened";
    /** Geometry: one input dimension per sample, {@code X = I}. */
    public static final String IDENTITY = "identity";
    /** Geometry: i.i.d. Gaussian inputs. */
    public static final String GAUSSIAN = "gaussian";
    /** Geometry: samples of a class correlated with each other. */
    public static final String WITHIN_CLASS = "within_class";
    /** Geometry: target-aligned part plus orthogonal part. */
    public static final String TARGET_ALIGNED = "target_aligned";
    /** All input geometries. */
    public static final List<String> GEOMETRIES = List.of(WHITENED, IDENTITY, GAUSSIAN, WITHIN_CLASS, TARGET_ALIGNED);

    /** Largest number of hypercube labels: 2^16 classes. */
    public static final int MAX_LABELS = 16;

    static final List<String> KEYS = List.of("kind", "labels", "classes", "per_class", "x", "y", "input", "holdout",
            "test_x", "test_y");
    static final List<String> INPUT_KEYS = List.of("geometry", "dim", "seed", "within_correlation",
            "aligned_weight", "orthogonal_weight");

    public TaskSpec {
        Objects.requireNonNull(kind, "kind");
        if (!KINDS.contains(kind)) throw new IllegalArgumentException("unknown task kind " + kind);
        if (holdout == null) holdout = HoldoutSpec.ABSENT;
    }

    /** A task without hold-out. */
    public TaskSpec(String kind, int labels, int classes, int perClass, Path x, Path y, String geometry, Integer dim,
                    long seed, double withinCorrelation, double alignedWeight, double orthogonalWeight) {
        this(kind, labels, classes, perClass, x, y, geometry, dim, seed, withinCorrelation, alignedWeight,
                orthogonalWeight, HoldoutSpec.ABSENT);
    }

    /** Whether the data come from files rather than a generator. */
    public boolean isNpy() {
        return NPY.equals(kind);
    }

    /** Reads and validates the {@code task:} section; relative paths resolve against {@code baseDir}. */
    static TaskSpec read(SpecSection s, Path baseDir) {
        s.allowOnly(KEYS);
        TaskSpec t = readData(s, baseDir);
        return t.withHoldout(readHoldout(s, baseDir, t.isNpy()));
    }

    private TaskSpec withHoldout(HoldoutSpec h) {
        return new TaskSpec(kind, labels, classes, perClass, x, y, geometry, dim, seed, withinCorrelation, alignedWeight,
                orthogonalWeight, h);
    }

    /** {@code task.holdout}, or the test files {@code task.test_x}/{@code task.test_y} of an npy task. */
    private static HoldoutSpec readHoldout(SpecSection s, Path baseDir, boolean npy) {
        boolean files = s.has("test_x") || s.has("test_y");
        if (files) {
            if (!npy) {
                s.forbid("test_x", "only for kind 'npy'; a generated task holds samples out with task.holdout");
                s.forbid("test_y", "only for kind 'npy'; a generated task holds samples out with task.holdout");
            }
            s.forbid("holdout", "not together with task.test_x/test_y: the test files already are the held-out set");
            Path tx = readPath(s, "test_x", baseDir, "path of the test inputs (.npy, dX × Q), given with task.test_y");
            Path ty = readPath(s, "test_y", baseDir, "path of the test targets (.npy, dY × Q), given with task.test_x");
            return HoldoutSpec.files(tx, ty);
        }
        if (!s.has("holdout")) return HoldoutSpec.ABSENT;
        return HoldoutSpec.read(s.section("holdout"));
    }

    private static TaskSpec readData(SpecSection s, Path baseDir) {
        s.require("kind", "one of " + String.join(", ", KINDS));
        String kind = s.choice("kind", KINDS, null, "task kind");
        switch (kind) {
            case HYPERCUBE -> {
                s.forbid("classes", "only for kind 'onehot'; a hypercube task has 'labels' (dY) and 2^labels classes");
                forbidFiles(s, kind);
                s.require("labels", "the number dY of binary labels (1 to " + MAX_LABELS + ")");
                int labels = (int) SpecValues.between(s.field("labels"), s.integer("labels", 0), 1, MAX_LABELS);
                int perClass = readPerClass(s, 1L << labels);
                return withInput(s.section("input"), kind, labels, 0, perClass);
            }
            case ONEHOT -> {
                s.forbid("labels", "only for kind 'hypercube'; a onehot task counts its classes with 'classes'");
                forbidFiles(s, kind);
                s.require("classes", "the number C of classes (at least 2)");
                int classes = (int) SpecValues.atLeast(s.field("classes"), s.integer("classes", 0), 2);
                int perClass = readPerClass(s, classes);
                return withInput(s.section("input"), kind, 0, classes, perClass);
            }
            default -> {
                String fromFiles = "not used by kind 'npy': the samples come from the files task.x and task.y";
                s.forbid("labels", fromFiles);
                s.forbid("classes", fromFiles);
                s.forbid("per_class", fromFiles);
                s.forbid("input", "not allowed for kind 'npy': the inputs are read from task.x");
                Path x = readPath(s, "x", baseDir, "path of the input matrix X (.npy, dX × P)");
                Path y = readPath(s, "y", baseDir, "path of the target matrix Y (.npy, dY × P)");
                return new TaskSpec(kind, 0, 0, 0, x, y, null, null, 0, 0, 0, 0);
            }
        }
    }

    private static void forbidFiles(SpecSection s, String kind) {
        s.forbid("x", "only for kind 'npy', not '" + kind + "'");
        s.forbid("y", "only for kind 'npy', not '" + kind + "'");
    }

    private static int readPerClass(SpecSection s, long classCount) {
        String field = s.field("per_class");
        int perClass = (int) SpecValues.atLeast(field, s.integer("per_class", 1), 1);
        if (perClass * classCount > Integer.MAX_VALUE) {
            throw new SpecException(field, perClass + " samples per class × " + classCount + " classes is "
                    + perClass * classCount + " samples, more than " + Integer.MAX_VALUE);
        }
        return perClass;
    }

    private static Path readPath(SpecSection s, String key, Path baseDir, String what) {
        s.require(key, what);
        String text = s.text(key, null);
        try {
            return baseDir.resolve(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new SpecException(s.field(key), "not a valid path: " + e.getMessage(), e);
        }
    }

    private static TaskSpec withInput(SpecSection in, String kind, int labels, int classes, int perClass) {
        in.allowOnly(INPUT_KEYS);
        String geometry = in.choice("geometry", GEOMETRIES, WHITENED, "input geometry");
        Integer dim = in.optionalInteger("dim");
        if (dim != null) SpecValues.atLeast(in.field("dim"), dim, 1);
        long seed = SpecValues.atLeast(in.field("seed"), in.longInteger("seed", 0), 0);

        double within = 0;
        if (geometry.equals(WITHIN_CLASS)) {
            within = SpecValues.unitIntervalOpenAbove(in.field("within_correlation"), in.number("within_correlation", 0.5));
        } else {
            in.forbid("within_correlation", "only for geometry 'within_class', not '" + geometry + "'");
        }
        double aligned = 0;
        double orthogonal = 0;
        if (geometry.equals(TARGET_ALIGNED)) {
            aligned = SpecValues.nonNegative(in.field("aligned_weight"), in.number("aligned_weight", 1.0));
            orthogonal = SpecValues.nonNegative(in.field("orthogonal_weight"), in.number("orthogonal_weight", 1.0));
        } else {
            String reason = "only for geometry 'target_aligned', not '" + geometry + "'";
            in.forbid("aligned_weight", reason);
            in.forbid("orthogonal_weight", reason);
        }
        return new TaskSpec(kind, labels, classes, perClass, null, null, geometry, dim, seed, within, aligned, orthogonal);
    }
}
