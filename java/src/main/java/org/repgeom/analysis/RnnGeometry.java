package org.repgeom.analysis;

import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.model.Rnn;
import org.repgeom.task.Task;
import org.repgeom.theory.KktCertificate;

/**
 * The geometry of one trained recurrent member at every time step t = 1…T, measured on its hidden
 * state {@code H_t} (width × P) as {@link MemberGeometry} measures an MLP's last hidden layer: kernel
 * {@code K_t = H_tᵀH_t}, parallelism score, participation ratio, and two alignments — with the
 * output kernel {@code K_Y = YᵀY} (cosine {@link KernelDistance#alignment}) and with the last step's
 * kernel (linear CKA, {@link Cka#linearFromKernels}), which says when the final geometry appears.
 */
public final class RnnGeometry {
    private RnnGeometry() {
    }

    /** One time step's measures. */
    public record Step(int t, double[] kernel, double parallelismScore, double participationRatio,
                       double labelAlignment, double ckaToLast) {
    }

    /** Every step t = 1…T of the member at {@code params[off …]} (runs the forward pass). */
    public static Step[] steps(Rnn rnn, Task task, double[] params, int off) {
        int width = rnn.layout().architecture().width(0), p = task.samples(), steps = rnn.timeSteps();
        rnn.forward(params, off);
        double[] ky = Kernels.outputKernel(task);
        double[][] kernels = new double[steps][];
        double[][] hidden = new double[steps][];
        for (int t = 1; t <= steps; t++) {
            hidden[t - 1] = rnn.hidden(t);
            kernels[t - 1] = RepresentationKernel.of(hidden[t - 1], width, p);
        }
        double[] last = kernels[steps - 1];
        Step[] out = new Step[steps];
        for (int t = 1; t <= steps; t++) {
            double[] k = kernels[t - 1];
            out[t - 1] = new Step(t, k, ParallelismScore.of(hidden[t - 1], width, task).mean(),
                    Dimensionality.participationRatio(k, p), KernelDistance.alignment(k, ky),
                    Cka.linearFromKernels(k, last, p));
        }
        return out;
    }

    /**
     * The member's {@link MemberGeometry} at the last step T (the members.csv / kernels.npy row):
     * kernel, parallelism score, participation ratio and label-span residual of {@code K_T}, and the
     * numerical rank of the input weights {@code [U, b]} in {@code w1_rank}. No closed form of the
     * catalogue covers recurrent networks, so the theory columns, the shape distance, the
     * subgradient and the certificate are NaN / not checked.
     */
    public static MemberGeometry lastStep(Rnn rnn, Task task, double[] params, int off) {
        Step[] steps = steps(rnn, task, params, off);
        Step last = steps[steps.length - 1];
        ParamLayout layout = rnn.layout();
        Architecture arch = layout.architecture();
        int rank = NumericalRank.of(MemberGeometry.augmentedFirstLayer(layout, params, off), arch.width(0),
                arch.inputDim() + 1);
        double span = LabelSpanResidual.of(last.kernel(), Kernels.outputKernel(task));
        return new MemberGeometry(last.kernel(), last.parallelismScore(), last.participationRatio(), rank, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, KktCertificate.Verdict.NOT_CHECKED, Double.NaN, new double[0],
                "not-checked", span);
    }
}
