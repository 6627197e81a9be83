package org.repgeom.theory;

import org.repgeom.analysis.Kernels;
import org.repgeom.task.Task;

/**
 * Small checks and builders the closed forms share: whether a task's kernels have the structure a
 * theory assumes (every formula here depends on the data only through {@code K_X = X̃ᵀX̃} and
 * {@code K_Y = YᵀY}, docs/science.md §4.1), and the label-sign vectors of a scaled hypercube task.
 */
final class TaskKernels {
    private TaskKernels() {
    }

    /** {@code max |XᵀX − I_P| ≤ tol} (needs dX ≥ P). */
    static boolean isWhitened(Task task, double tol) {
        int dX = task.inputDim(), p = task.samples();
        if (dX < p) return false;
        double[] k = Kernels.linear(task.xData(), dX, p);
        for (int s = 0; s < p; s++) {
            for (int q = 0; q < p; q++) {
                if (Math.abs(k[s * p + q] - (s == q ? 1.0 : 0.0)) > tol) return false;
            }
        }
        return true;
    }

    /** {@code max |A − B| ≤ tol · max(1, max |B|)} for two arrays of the same length. */
    static boolean close(double[] a, double[] b, double tol) {
        if (a.length != b.length) return false;
        double scale = 1;
        for (double v : b) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= tol * scale)) return false;
        }
        return true;
    }

    /** Whether {@code task} is the whitened class-major unit hypercube with these labels and samples. */
    static boolean isWhitenedUnitHypercube(Task task, int labels, int samples, double tol) {
        if (task.outputDim() != labels || task.samples() != samples || !isWhitened(task, tol)) return false;
        double[] scales = hypercubeScales(task, tol);
        if (scales == null) return false;
        for (double s : scales) if (Math.abs(s - 1) > tol) return false;
        return true;
    }

    /**
     * Row scales s_k of a scaled hypercube task (every entry of row k is ±s_k, s_k &gt; 0, all 2^dY
     * sign patterns present, n samples each, class-major order: sample c·n + j has bit k of c set
     * iff y_k &gt; 0), or null when Y is not of that form.
     */
    static double[] hypercubeScales(Task task, double tol) {
        int dY = task.outputDim(), p = task.samples();
        if (dY >= 31 || p % (1 << dY) != 0) return null;
        int n = p >> dY;
        double[] scales = new double[dY];
        for (int k = 0; k < dY; k++) {
            double s = Math.abs(task.y(k, 0));
            if (!(s > 0)) return null;
            for (int q = 0; q < p; q++) {
                int c = q / n;
                double expected = ((c >>> k) & 1) == 1 ? s : -s;
                if (Math.abs(task.y(k, q) - expected) > tol * s) return null;
            }
            scales[k] = s;
        }
        return scales;
    }

    /** ±1 sign rows of a class-major hypercube with n per class: {@code y[k][c·n + j] = bit k of c ? 1 : −1}. */
    static double[] hypercubeSigns(int dY, int n) {
        return org.repgeom.task.Labels.hypercube(dY, n);
    }

    /** P×P matrix {@code Σ_k w_k y_k y_kᵀ + w_0 11ᵀ} from dY×P rows y (row-major). */
    static double[] labelKernel(double[] y, int dY, int p, double[] w, double w0) {
        double[] k = new double[p * p];
        for (int s = 0; s < p; s++) {
            for (int q = 0; q < p; q++) {
                double v = w0;
                for (int l = 0; l < dY; l++) v += w[l] * y[l * p + s] * y[l * p + q];
                k[s * p + q] = v;
            }
        }
        return k;
    }
}
