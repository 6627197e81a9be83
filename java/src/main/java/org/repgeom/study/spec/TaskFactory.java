package org.repgeom.study.spec;

import org.repgeom.study.HoldoutSplit;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * Builds the data set a {@link TaskSpec} describes; generator errors become {@link SpecException}s naming the field.
 * With a hold-out ({@code task.holdout}, or test files) {@link #build} gives the training samples only, the
 * set every backend, closed form and certificate works on; {@link #split} gives both parts.
 */
public final class TaskFactory {
    private TaskFactory() {
    }

    /** The training samples of the task. */
    public static Task build(TaskSpec t) {
        return split(t).train();
    }

    /** The task cut into training and held-out samples ({@link HoldoutSplit}). */
    public static HoldoutSplit split(TaskSpec t) {
        return HoldoutSplit.of(full(t), t.holdout());
    }

    private static Task full(TaskSpec t) {
        try {
            return switch (t.kind()) {
                case TaskSpec.HYPERCUBE -> Tasks.hypercube(t.labels(), t.perClass(), input(t));
                case TaskSpec.ONEHOT -> Tasks.oneHot(t.classes(), t.perClass(), input(t));
                case TaskSpec.NPY -> Tasks.fromNpy(t.x(), t.y());
                default -> throw new SpecException("task.kind", "unknown kind '" + t.kind() + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new SpecException(t.isNpy() ? "task" : "task.input", e.getMessage(), e);
        }
    }

    private static InputSpec input(TaskSpec t) {
        return new InputSpec(t.geometry(), t.dim(), t.seed(), t.withinCorrelation(), t.alignedWeight(),
                t.orthogonalWeight());
    }
}
