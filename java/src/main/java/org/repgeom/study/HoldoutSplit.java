package org.repgeom.study;

import org.repgeom.study.spec.HoldoutSpec;
import org.repgeom.study.spec.SpecException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.repgeom.analysis.ClassPartition;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * A task cut into the samples members train on and the samples held out ({@link HoldoutSpec}). Both
 * keep the original sample order. Generated tasks are generated whole and then cut, so the held-out
 * inputs come from the same geometry as the training inputs (for {@code target_aligned} inputs a
 * held-out condition shares the label-aligned directions with the training conditions).
 *
 * @param train       the training samples (all samples when nothing is held out)
 * @param test        the held-out samples; null when nothing is held out
 * @param testIndices indices of the held-out samples in the full task (empty for test files)
 */
public record HoldoutSplit(Task train, Task test, int[] testIndices) {

    /** Whether samples are held out. */
    public boolean active() {
        return test != null;
    }

    /** Cuts {@code full} as {@code h} says; bad indices or an empty side fail naming the field. */
    public static HoldoutSplit of(Task full, HoldoutSpec h) {
        if (!h.active()) return new HoldoutSplit(full, null, new int[0]);
        if (HoldoutSpec.FILES.equals(h.unit())) return withFiles(full, h);
        int p = full.samples();
        boolean[] held = new boolean[p];
        String field = "task.holdout." + (h.drawn() ? "fraction" : h.unit());
        if (HoldoutSpec.SAMPLES.equals(h.unit())) {
            for (int s : h.drawn() ? draw(p, h, field, "samples") : checked(h.indices(), p, field, "sample", "P")) {
                held[s] = true;
            }
        } else {
            ClassPartition classes = ClassPartition.ofColumns(full.yData(), full.outputDim(), p);
            int c = classes.classCount();
            boolean[] heldClass = new boolean[c];
            for (int k : h.drawn() ? draw(c, h, field, "classes") : checked(h.indices(), c, field, "class", "classes")) {
                heldClass[k] = true;
            }
            for (int s = 0; s < p; s++) held[s] = heldClass[classes.classOf()[s]];
        }
        int q = 0;
        for (boolean b : held) if (b) q++;
        if (q == p) throw new SpecException(field, "holds out every sample; at least one must stay for training");
        int[] testIdx = new int[q];
        int[] trainIdx = new int[p - q];
        for (int s = 0, a = 0, b = 0; s < p; s++) {
            if (held[s]) testIdx[a++] = s;
            else trainIdx[b++] = s;
        }
        return new HoldoutSplit(columns(full, trainIdx, full.name() + " [train]"),
                columns(full, testIdx, full.name() + " [held-out]"), testIdx);
    }

    private static HoldoutSplit withFiles(Task full, HoldoutSpec h) {
        Task test = Tasks.fromNpy(h.testX(), h.testY(), "task.test_x", "task.test_y");
        if (test.inputDim() != full.inputDim()) {
            throw new SpecException("task.test_x (" + h.testX() + ")", "has dX=" + test.inputDim()
                    + " rows, the training inputs task.x have dX=" + full.inputDim());
        }
        if (test.outputDim() != full.outputDim()) {
            throw new SpecException("task.test_y (" + h.testY() + ")", "has dY=" + test.outputDim()
                    + " rows, the training targets task.y have dY=" + full.outputDim());
        }
        return new HoldoutSplit(full, test, new int[0]);
    }

    /** Listed indices, each below {@code n}. */
    private static int[] checked(int[] indices, int n, String field, String noun, String count) {
        for (int i : indices) {
            if (i >= n) {
                throw new SpecException(field, noun + " index " + i + " is out of range: the task has " + n + " "
                        + (count.equals("P") ? "samples (P)" : count) + ", indices 0.." + (n - 1));
            }
        }
        return indices;
    }

    /** round(fraction·n) indices of 0..n−1 (at least 1, at most n − 1), drawn with the seed; ascending. */
    private static int[] draw(int n, HoldoutSpec h, String field, String noun) {
        int k = (int) Math.round(h.fraction() * n);
        if (k < 1 || k > n - 1) {
            throw new SpecException(field, h.fraction() + " of " + n + " " + noun + " rounds to " + k
                    + "; it must hold out at least one and keep at least one");
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom rng = new SplittableRandom(h.seed());
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] out = Arrays.copyOf(perm, k);
        Arrays.sort(out);
        return out;
    }

    /** The task made of the given columns of {@code full}. */
    static Task columns(Task full, int[] idx, String name) {
        int dX = full.inputDim(), dY = full.outputDim(), p = full.samples(), q = idx.length;
        double[] x = new double[dX * q], y = new double[dY * q];
        for (int a = 0; a < q; a++) {
            for (int i = 0; i < dX; i++) x[i * q + a] = full.xData()[i * p + idx[a]];
            for (int k = 0; k < dY; k++) y[k * q + a] = full.yData()[k * p + idx[a]];
        }
        return new Task(name, dX, dY, q, x, y);
    }
}
