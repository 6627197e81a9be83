package org.repgeom.model;

import org.repgeom.task.Task;

/**
 * The double-precision reference of one member's loss and gradient on a full batch, whatever the
 * architecture ({@link Mlp}, {@link Rnn}): what the Java training loop needs. One instance holds
 * scratch arrays for one architecture and one task; not shared between threads.
 */
public interface Network {

    /** Where the parameters of one member sit. */
    ParamLayout layout();

    /** The full loss of the member at {@code params[off …]}, λ per weight layer at {@code lambdas[lambdaOff …]}. */
    double loss(double[] params, int off, double[] lambdas, int lambdaOff);

    /** The loss, with its gradient written to {@code grad[gOff …]} in the same layout. */
    double lossAndGradient(double[] params, int off, double[] lambdas, int lambdaOff, double[] grad, int gOff);

    /** The reference network of {@code layout}'s architecture on {@code task}. */
    static Network of(ParamLayout layout, Task task) {
        return layout.architecture().isRecurrent() ? new Rnn(layout, task) : new Mlp(layout, task);
    }
}
