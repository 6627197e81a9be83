package org.repgeom.task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.study.spec.SpecException;

/** Built-in tasks (labels from {@link Labels}, inputs from {@link InputGeometry}) and tasks loaded from {@code .npy}. */
public final class Tasks {

    private Tasks() {
    }

    /**
     * Hypercube task: Y = {@link Labels#hypercube}(dY, n) (P = n·2^dY, class-major), X from
     * {@code input}. Name e.g. {@code hypercube(dY=3,n=1,whitened dX=8)}.
     */
    public static Task hypercube(int labels, int perClass, InputSpec input) {
        double[] y = Labels.hypercube(labels, perClass);
        return withInput("hypercube(dY=" + labels + ",n=" + perClass, y, labels, 1 << labels, perClass, input);
    }

    /**
     * One-hot task: Y = {@link Labels#oneHot}(C, n) (dY = C, P = n·C, class-major), X from
     * {@code input}. Name e.g. {@code one_hot(C=4,n=2,gaussian dX=8)}.
     */
    public static Task oneHot(int classes, int perClass, InputSpec input) {
        double[] y = Labels.oneHot(classes, perClass);
        return withInput("one_hot(C=" + classes + ",n=" + perClass, y, classes, classes, perClass, input);
    }

    private static Task withInput(String namePrefix, double[] y, int dY, int classes, int perClass, InputSpec in) {
        int p = classes * perClass;
        String g = in.geometry();
        int dX = in.dim() != null ? in.dim() : g.equals("target_aligned") ? dY + p : p;
        double[] x;
        String detail = "";
        switch (g) {
            case "whitened" -> x = InputGeometry.whitened(dX, p, in.seed());
            case "identity" -> {
                if (dX != p) {
                    throw new IllegalArgumentException("identity input has dX = P = " + p + ", got dim " + dX);
                }
                x = InputGeometry.identity(p);
            }
            case "gaussian" -> x = InputGeometry.gaussian(dX, p, in.seed());
            case "within_class" -> {
                x = InputGeometry.withinClassCorrelated(dX, classes, perClass, in.withinCorrelation(), in.seed());
                detail = " rho=" + in.withinCorrelation();
            }
            case "target_aligned" -> {
                x = InputGeometry.targetAligned(dX, y, dY, p, in.alignedWeight(), in.orthogonalWeight(), in.seed());
                detail = " a=" + in.alignedWeight() + " b=" + in.orthogonalWeight();
            }
            default -> throw new IllegalArgumentException("unknown input geometry '" + g + "'; valid: "
                    + String.join(", ", InputSpec.GEOMETRIES));
        }
        return new Task(namePrefix + "," + g + detail + " dX=" + dX + ")", dX, dY, p, x, y);
    }

    /**
     * A task from user files: X (dX × P) and Y (dY × P, or a 1-d array of P targets for dY = 1),
     * any numeric dtype {@link Npy#read} accepts, converted to double. Columns are samples.
     *
     * @throws SpecException with field {@code task.x (<path>)} or {@code task.y (<path>)} when a
     *     file cannot be read, has the wrong number of dimensions or an empty axis, holds NaN/Inf
     *     (the message gives the first bad index), or when the two P differ
     */
    public static Task fromNpy(Path x, Path y) {
        return fromNpy(x, y, "task.x", "task.y");
    }

    /** {@link #fromNpy(Path, Path)} whose errors name the spec fields {@code xKey} and {@code yKey}. */
    public static Task fromNpy(Path x, Path y, String xKey, String yKey) {
        String xField = xKey + " (" + x + ")";
        String yField = yKey + " (" + y + ")";
        NpyArray xa = load(x, xField);
        NpyArray ya = load(y, yField);
        if (xa.ndim() != 2) {
            throw new SpecException(xField, "X must be a 2-d array (dX x P, columns are samples), got shape "
                    + Arrays.toString(xa.shape()));
        }
        if (ya.ndim() != 1 && ya.ndim() != 2) {
            throw new SpecException(yField, "Y must be a 2-d array (dY x P) or 1-d (P targets), got shape "
                    + Arrays.toString(ya.shape()));
        }
        int dX = xa.dim(0);
        int p = xa.dim(1);
        int dY = ya.ndim() == 1 ? 1 : ya.dim(0);
        int pY = ya.dim(ya.ndim() - 1);
        if (dX == 0 || p == 0) {
            throw new SpecException(xField, "X has an empty axis: shape " + Arrays.toString(xa.shape()));
        }
        if (dY == 0 || pY == 0) {
            throw new SpecException(yField, "Y has an empty axis: shape " + Arrays.toString(ya.shape()));
        }
        if (pY != p) {
            throw new SpecException(yField, "Y has P=" + pY + " samples (columns) but X has P=" + p);
        }
        checkFinite(xa, xField);
        checkFinite(ya, yField);
        String name = "npy(" + x.getFileName() + "," + y.getFileName() + ")";
        return new Task(name, dX, dY, p, xa.data(), ya.data());
    }

    private static NpyArray load(Path file, String field) {
        try {
            return Npy.read(file);
        } catch (IOException e) {
            throw new SpecException(field, "cannot load: " + e.getMessage(), e);
        }
    }

    private static void checkFinite(NpyArray a, String field) {
        double[] d = a.data();
        int cols = a.dim(a.ndim() - 1);
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                String at = a.ndim() == 1 ? "index " + i : "index (" + i / cols + ", " + i % cols + ")";
                throw new SpecException(field, "non-finite value " + d[i] + " at " + at + " (flat index " + i + ")");
            }
        }
    }
}
