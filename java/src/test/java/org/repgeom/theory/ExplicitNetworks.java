package org.repgeom.theory;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * Builds networks whose hidden preactivations are prescribed, so that a closed form can be checked
 * without training: the first layer is the min-norm {@code W̃1 = H1 K_X⁺ X̃ᵀ} (realises H1 exactly
 * when its rows lie in col K_X), deeper layers the min-norm {@code W_l = H_l R_{l−1}⁺} (no bias),
 * and the readout the ridge solution {@code W_out = Y (R_LᵀR_L + λ I)⁻¹ R_Lᵀ}. These are the
 * cheapest weights for the given preactivations, so the loss equals the reduced loss the theory
 * minimises.
 */
final class ExplicitNetworks {
    private ExplicitNetworks() {
    }

    /** A built member: its layout, parameters, λ per layer, and the Mlp to evaluate it. */
    record Built(ParamLayout layout, double[] params, double[] lambdas, Mlp mlp) {
        double loss() {
            return mlp.loss(params, 0, lambdas, 0);
        }

        /** K_l = R_lᵀR_l of hidden layer l (0-based). */
        double[] kernel(int layer) {
            mlp.forward(params, 0);
            int m = layout.architecture().width(layer);
            return org.repgeom.analysis.RepresentationKernel.of(mlp.hidden(layer), m, mlp.hidden(layer).length / m);
        }
    }

    /** Two-layer network with preactivations h (M×P). */
    static Built twoLayer(Task task, Activation act, double[] h, int m, double lambda1, double lambda2) {
        return deep(task, act, List.of(h), new int[] {m}, new double[] {lambda1, lambda2});
    }

    /** Network with hidden preactivations {@code hs.get(l)} (widths[l] × P), bias on the first layer only. */
    static Built deep(Task task, Activation act, List<double[]> hs, int[] widths, double[] lambdas) {
        int p = task.samples(), dX = task.inputDim(), dY = task.outputDim();
        Architecture arch = new Architecture(dX, widths, dY, act, false);
        ParamLayout layout = new ParamLayout(arch);
        double[] params = new double[layout.stride()];

        DMatrixRMaj xAug = new DMatrixRMaj(dX + 1, p);
        for (int i = 0; i < dX; i++) for (int q = 0; q < p; q++) xAug.set(i, q, task.x(i, q));
        for (int q = 0; q < p; q++) xAug.set(dX, q, 1.0);
        DMatrixRMaj kx = new DMatrixRMaj(p, p);
        CommonOps_DDRM.multTransA(xAug, xAug, kx);
        DMatrixRMaj kxPinv = new DMatrixRMaj(p, p);
        CommonOps_DDRM.pinv(kx, kxPinv);
        DMatrixRMaj h1 = new DMatrixRMaj(widths[0], p, true, hs.get(0));
        DMatrixRMaj w1 = new DMatrixRMaj(widths[0], dX + 1);
        CommonOps_DDRM.multTransB(CommonOps_DDRM.mult(h1, kxPinv, null), xAug, w1);
        for (int i = 0; i < widths[0]; i++) {
            for (int c = 0; c < dX; c++) params[layout.weight(0) + i * dX + c] = w1.get(i, c);
            params[layout.bias(0) + i] = w1.get(i, dX);
        }
        DMatrixRMaj r = activate(h1, act);
        for (int l = 1; l < widths.length; l++) {
            DMatrixRMaj hl = new DMatrixRMaj(widths[l], p, true, hs.get(l));
            DMatrixRMaj rPinv = new DMatrixRMaj(p, widths[l - 1]);
            CommonOps_DDRM.pinv(r, rPinv);
            DMatrixRMaj wl = CommonOps_DDRM.mult(hl, rPinv, null);
            System.arraycopy(wl.data, 0, params, layout.weight(l), wl.data.length);
            r = activate(hl, act);
        }
        double out = lambdas[widths.length];
        DMatrixRMaj k = new DMatrixRMaj(p, p);
        CommonOps_DDRM.multTransA(r, r, k);
        for (int i = 0; i < p; i++) k.add(i, i, out);
        CommonOps_DDRM.invert(k);
        DMatrixRMaj y = new DMatrixRMaj(dY, p, true, task.yData());
        DMatrixRMaj readout = new DMatrixRMaj(dY, widths[widths.length - 1]);
        CommonOps_DDRM.multTransB(CommonOps_DDRM.mult(y, k, null), r, readout);
        System.arraycopy(readout.data, 0, params, layout.weight(widths.length), readout.data.length);
        return new Built(layout, params, lambdas.clone(), new Mlp(layout, task));
    }

    private static DMatrixRMaj activate(DMatrixRMaj h, Activation act) {
        DMatrixRMaj r = h.copy();
        for (int i = 0; i < r.data.length; i++) r.data[i] = act.apply(r.data[i]);
        return r;
    }

    /** Relative difference |a − b| / |b|. */
    static double rel(double a, double b) {
        return Math.abs(a - b) / Math.abs(b);
    }
}
