package org.repgeom.task;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/** Structural checks on a task's X and Y, for tests and for choosing which theory applies. */
public final class TaskChecks {

    private TaskChecks() {
    }

    /** max_{p,q} |(XᵀX − I_P)_{pq}|: how far the input is from whitened. */
    public static double whitenedError(Task task) {
        int p = task.samples();
        DMatrixRMaj x = DMatrixRMaj.wrap(task.inputDim(), p, task.xData().clone());
        DMatrixRMaj kx = CommonOps_DDRM.multTransA(x, x, null);
        for (int i = 0; i < p; i++) {
            kx.add(i, i, -1.0);
        }
        return CommonOps_DDRM.elementMaxAbs(kx);
    }

    /** True iff XᵀX = I_P within {@code tol} in every entry (see {@link #whitenedError}). */
    public static boolean isWhitened(Task task, double tol) {
        return whitenedError(task) <= tol;
    }

    /**
     * True iff Y is a hypercube label matrix: every entry exactly ±1, all 2^dY sign patterns of the
     * columns present, each on equally many samples (any sample order).
     */
    public static boolean isHypercube(Task task) {
        int dY = task.outputDim();
        int p = task.samples();
        if (dY > 30 || p % (1 << dY) != 0) {
            return false; // cannot hold all 2^dY patterns equally often
        }
        int[] counts = new int[1 << dY];
        for (int s = 0; s < p; s++) {
            int code = 0;
            for (int k = 0; k < dY; k++) {
                double v = task.y(k, s);
                if (v == 1.0) {
                    code |= 1 << k;
                } else if (v != -1.0) {
                    return false;
                }
            }
            counts[code]++;
        }
        return allEqual(counts, p >> dY);
    }

    /**
     * True iff Y is a balanced one-hot label matrix: dY ≥ 2, every column a standard basis vector
     * (one entry exactly 1, the rest exactly 0), every class present on equally many samples.
     */
    public static boolean isOneHot(Task task) {
        int dY = task.outputDim();
        int p = task.samples();
        if (dY < 2 || p % dY != 0) {
            return false;
        }
        int[] counts = new int[dY];
        for (int s = 0; s < p; s++) {
            int hot = -1;
            for (int k = 0; k < dY; k++) {
                double v = task.y(k, s);
                if (v == 1.0 && hot < 0) {
                    hot = k;
                } else if (v != 0.0) {
                    return false;
                }
            }
            if (hot < 0) {
                return false;
            }
            counts[hot]++;
        }
        return allEqual(counts, p / dY);
    }

    private static boolean allEqual(int[] counts, int expected) {
        for (int c : counts) {
            if (c != expected) {
                return false;
            }
        }
        return expected > 0;
    }
}
