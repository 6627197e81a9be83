package org.repgeom.model;

import org.repgeom.task.Task;

/**
 * The hidden representations one member computes on a task, in the order the signal meets them, and
 * its output: the hidden layers 1…L of an MLP, or the hidden states h_1…h_T of a recurrent network
 * (its "layers" are its time steps). What the analysis measures stage by stage.
 *
 * @param hidden  stage s's representation (width(s) × P, row-major, after the activation)
 * @param widths  the width of each stage
 * @param output  the network output F (dY × P)
 */
public record Representations(double[][] hidden, int[] widths, double[] output) {

    /** The reference forward pass of the member at {@code params[off …]}. */
    public static Representations of(ParamLayout layout, Task task, double[] params, int off) {
        Architecture arch = layout.architecture();
        int stages = stages(arch);
        double[][] hidden = new double[stages][];
        int[] widths = new int[stages];
        if (arch.isRecurrent()) {
            Rnn rnn = new Rnn(layout, task);
            rnn.forward(params, off);
            for (int t = 0; t < stages; t++) {
                hidden[t] = rnn.hidden(t + 1);
                widths[t] = arch.width(0);
            }
            return new Representations(hidden, widths, rnn.output());
        }
        Mlp mlp = new Mlp(layout, task);
        mlp.forward(params, off);
        for (int l = 0; l < stages; l++) {
            hidden[l] = mlp.hidden(l);
            widths[l] = arch.width(l);
        }
        return new Representations(hidden, widths, mlp.output());
    }

    /** Hidden stages of {@code arch}: its depth L, or its time steps T when recurrent. */
    public static int stages(Architecture arch) {
        return arch.isRecurrent() ? arch.recurrence().timeSteps() : arch.depth();
    }

    /** The width of stage {@code s} of {@code arch}. */
    public static int width(Architecture arch, int s) {
        return arch.isRecurrent() ? arch.width(0) : arch.width(s);
    }
}
