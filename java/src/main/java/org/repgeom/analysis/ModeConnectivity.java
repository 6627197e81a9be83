package org.repgeom.analysis;

import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * Mode connectivity of two two-layer minima A and B (widths M_A, M_B, same activation, task and
 * λ) along the <em>measure-space path</em>: the network of width {@code M_A + M_B} whose neurons
 * are those of A scaled by {@code √(1−t)} and those of B scaled by {@code √t},
 * <pre>
 *   W̃1(t) = [ √(1−t) W̃1_A ; √t W̃1_B ],     W2(t) = [ √(1−t) W2_A , √t W2_B ],     t ∈ [0, 1],
 * </pre>
 * each neuron's incoming row [w, b] and outgoing column both scaled. At t = 0 the B neurons are
 * zero and contribute nothing (φ(0) = 0 for every activation here), so θ(0) computes A with
 * A's loss, θ(1) computes B. The loss is §3.1's, {@code L = ‖Y − f‖² + λ1‖W̃1‖² + λ2‖W2‖²}.
 *
 * <p><b>Why the path cannot rise above the endpoints for positively homogeneous φ</b> (ReLU,
 * leaky ReLU, linear: {@code φ(a z) = a φ(z)} for a ≥ 0). A neuron scaled by √s on both sides
 * contributes {@code √s w2 φ(√s h) = s · w2 φ(h)}, so {@code f_t = (1−t) f_A + t f_B}: the path is
 * the segment {@code μ_t = (1−t) μ_A + t μ_B} between the two neuron measures. The penalty is
 * linear in t, {@code (1−t) pen_A + t pen_B}, and the fit term is a convex quadratic:
 * <pre>
 *   ‖Y − (1−t) f_A − t f_B‖² = (1−t) ‖Y − f_A‖² + t ‖Y − f_B‖² − t(1−t) ‖f_A − f_B‖²,
 *   L(t) = (1−t) L_A + t L_B − t(1−t) ‖f_A − f_B‖²   ≤ max(L_A, L_B).
 * </pre>
 * So there is never a barrier, and the path dips below the chord exactly by
 * {@code t(1−t)‖f_A − f_B‖²}. If both endpoints are global minima the loss along the path cannot
 * drop below L*, hence {@code f_A = f_B}: all global minima compute the same function, and the
 * path stays at L* (the set of global minima, in measure space, is convex). This class evaluates
 * the path numerically (exact loss through {@link Mlp}) and reports the residual of that identity,
 * which is rounding error for homogeneous φ.
 *
 * <p>For φ that are not positively homogeneous (tanh, GELU, clipped ReLU) scaling a neuron
 * changes its shape, no such bound holds, and the barrier is whatever the evaluation finds.
 *
 * <p>Measured on the example study (dY = 3, whitened, 3 pairs per configuration): for ReLU the
 * identity above holds to ≤ 2.5e-15 relative on every pair; pairs of global minima have
 * {@code ‖f_A − f_B‖² ≤ 4e-8}, so the path is flat up to the endpoints' own loss difference; pairs of non-global width-4
 * minima with different functions ({@code ‖f_A − f_B‖² ≈ 4}) dip 9 % below the chord. For tanh
 * the pairs compute the same function to ≤ 3e-6 and yet the path rises above them, by 21–23 % at
 * width 4 and 0.5 % at width 16 for λ = 1e-2 (2.7× at width 4, λ = 1e-3) and not at width 64:
 * the rise is this path's, from the √t scaling of saturating neurons, not a sign of separate
 * basins; it shrinks with width as the mass spreads over more neurons with smaller preactivations,
 * where tanh is nearly linear.
 *
 * <p>Deeper networks are not covered (the two-layer neuron measure has no direct analogue).
 */
public final class ModeConnectivity {
    /** Default number of evenly spaced points t = 0, 1/(n−1), …, 1. */
    public static final int DEFAULT_POINTS = 21;

    private ModeConnectivity() {
    }

    /**
     * The path evaluated at {@code t.length} points.
     *
     * @param t               the grid
     * @param loss            L(t) at each point
     * @param functionGap2    ‖f_A − f_B‖_F²
     * @param barrier         max over the interior points (0 &lt; t &lt; 1) of L(t) − max(L_A, L_B): ≤ 0 (up to
     *                        rounding) when the path never rises above the larger endpoint, negative when it
     *                        stays strictly below
     * @param relativeBarrier barrier / max(L_A, L_B)
     * @param identityResidual max_t |L(t) − ((1−t) L_A + t L_B − t(1−t)‖f_A − f_B‖²)| / max(L_A, L_B):
     *                        rounding error for homogeneous φ, the effect of non-homogeneity otherwise
     * @param homogeneous     whether φ is positively homogeneous (the bound holds)
     */
    public record Result(double[] t, double[] loss, double functionGap2, double barrier, double relativeBarrier,
                         double identityResidual, boolean homogeneous) {
        public double lossA() {
            return loss[0];
        }

        public double lossB() {
            return loss[loss.length - 1];
        }

        /** True when the path never rises above the larger endpoint by more than {@code relTol} of it. */
        public boolean connected(double relTol) {
            return relativeBarrier <= relTol;
        }
    }

    /** True for φ with φ(a z) = a φ(z), a ≥ 0. */
    public static boolean isPositivelyHomogeneous(Activation phi) {
        return phi == Activation.RELU || phi == Activation.LEAKY_RELU || phi == Activation.LINEAR;
    }

    /**
     * Evaluates the path between member A ({@code paramsA[offA …]}, layout {@code layoutA}) and
     * member B on {@code points ≥ 2} evenly spaced t.
     *
     * @param lambdas λ1, λ2 (both members must have been trained with them for the endpoints to be their minima)
     */
    public static Result path(Task task, ParamLayout layoutA, double[] paramsA, int offA, ParamLayout layoutB,
                              double[] paramsB, int offB, double[] lambdas, int points) {
        Architecture a = layoutA.architecture(), b = layoutB.architecture();
        if (a.depth() != 1 || b.depth() != 1) throw new IllegalArgumentException("mode connectivity needs two-layer networks");
        if (a.activation() != b.activation() || a.inputDim() != b.inputDim() || a.outputDim() != b.outputDim()) {
            throw new IllegalArgumentException("members differ in activation or input/output size: " + a + " vs " + b);
        }
        if (points < 2) throw new IllegalArgumentException("need at least 2 points, got " + points);
        if (lambdas.length != 2) throw new IllegalArgumentException("need λ1, λ2");
        int ma = a.width(0), mb = b.width(0), d = a.inputDim(), dY = a.outputDim();
        Architecture joint = Architecture.twoLayer(d, ma + mb, dY, a.activation());
        ParamLayout lj = new ParamLayout(joint);
        Mlp mlp = new Mlp(lj, task);
        double[] theta = new double[lj.stride()];

        double[] t = new double[points];
        double[] loss = new double[points];
        for (int k = 0; k < points; k++) {
            t[k] = k == points - 1 ? 1.0 : (double) k / (points - 1);
            fill(theta, lj, layoutA, paramsA, offA, 0, Math.sqrt(1 - t[k]));
            fill(theta, lj, layoutB, paramsB, offB, ma, Math.sqrt(t[k]));
            loss[k] = mlp.loss(theta, 0, lambdas, 0);
        }
        double[] fa = output(task, layoutA, paramsA, offA), fb = output(task, layoutB, paramsB, offB);
        double gap2 = 0;
        for (int i = 0; i < fa.length; i++) gap2 += (fa[i] - fb[i]) * (fa[i] - fb[i]);

        double la = loss[0], lb = loss[points - 1], top = Math.max(la, lb);
        double max = points == 2 ? top : Double.NEGATIVE_INFINITY, residual = 0;
        for (int k = 0; k < points; k++) {
            if (k > 0 && k < points - 1) max = Math.max(max, loss[k]);
            double predicted = (1 - t[k]) * la + t[k] * lb - t[k] * (1 - t[k]) * gap2;
            residual = Math.max(residual, Math.abs(loss[k] - predicted));
        }
        double scale = top > 0 ? top : 1.0;
        return new Result(t, loss, gap2, max - top, (max - top) / scale, residual / scale,
                isPositivelyHomogeneous(a.activation()));
    }

    /** Copies member {@code src}'s neurons, scaled by {@code s}, into units {@code first …} of the joint network. */
    private static void fill(double[] theta, ParamLayout joint, ParamLayout src, double[] params, int off, int first,
                             double s) {
        Architecture a = src.architecture();
        int m = a.width(0), d = a.inputDim(), dY = a.outputDim(), mj = joint.architecture().width(0);
        int w1 = off + src.weight(0), b1 = off + src.bias(0), w2 = off + src.weight(1);
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < d; c++) theta[joint.weight(0) + (first + i) * d + c] = s * params[w1 + i * d + c];
            if (src.bias(0) >= 0) theta[joint.bias(0) + first + i] = s * params[b1 + i];
            for (int r = 0; r < dY; r++) theta[joint.weight(1) + r * mj + first + i] = s * params[w2 + r * m + i];
        }
    }

    private static double[] output(Task task, ParamLayout layout, double[] params, int off) {
        Mlp mlp = new Mlp(layout, task);
        mlp.forward(params, off);
        return mlp.output();
    }
}
