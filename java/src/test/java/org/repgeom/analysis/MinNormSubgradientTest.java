package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.rng.Philox4x32;
import org.repgeom.task.Task;

/** {@link MinNormSubgradient} on cases with known answers, and its box least-squares solver. */
class MinNormSubgradientTest {

    private static Task randomTask(int dX, int dY, int p, long seed) {
        double[] x = new double[dX * p];
        double[] y = new double[dY * p];
        for (int i = 0; i < x.length; i++) x[i] = Philox4x32.gaussian(seed, 900, i);
        for (int i = 0; i < y.length; i++) y[i] = Philox4x32.gaussian(seed, 901, i);
        return new Task("random", dX, dY, p, x, y);
    }

    private static double rawNorm(Mlp mlp, double[] params, double[] lambdas) {
        double[] grad = new double[params.length];
        mlp.lossAndGradient(params, 0, lambdas, 0, grad, 0);
        return Matrices.frobeniusNorm(grad);
    }

    // ---- 1. no kinks: the subdifferential is the gradient ----

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"TANH", "GELU", "LINEAR", "RELU", "LEAKY_RELU", "CLIPPED_RELU"})
    void withoutKinksTheMinNormSubgradientIsTheGradient(Activation act) {
        Task task = randomTask(4, 3, 9, 21);
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(4, 6, 3, act));
        double[] params = InitialWeights.of(layout, 7, 1.5);
        double[] lambdas = {0.03, 0.07};
        Mlp mlp = new Mlp(layout, task);
        // Random pre-activations are nowhere within 1e-9·max|z| of a kink.
        MinNormSubgradient.Result r = MinNormSubgradient.of(mlp, task, params, 0, lambdas, 0, 1e-9);
        assertEquals(0, r.kinkEntries());
        double raw = rawNorm(mlp, params, lambdas);
        assertTrue(raw > 1e-2);
        assertEquals(raw, r.gradientNorm(), 1e-12 * raw);
        assertEquals(raw, r.minNormSubgradient(), 1e-12 * raw);
    }

    @Test
    void smoothActivationsHaveNoKinksWhateverTheTolerance() {
        Task task = randomTask(3, 2, 5, 4);
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(3, 4, 2, Activation.TANH));
        double[] params = InitialWeights.of(layout, 2, 1.0);
        params[layout.bias(0)] = -params[layout.weight(0)] * task.x(0, 0) - params[layout.weight(0) + 1] * task.x(1, 0)
                - params[layout.weight(0) + 2] * task.x(2, 0); // z_00 = 0: no kink for tanh
        double[] lambdas = {0.01, 0.01};
        Mlp mlp = new Mlp(layout, task);
        MinNormSubgradient.Result r = MinNormSubgradient.of(mlp, task, params, 0, lambdas, 0, 0.5);
        assertEquals(0, r.kinkEntries());
        assertEquals(r.gradientNorm(), r.minNormSubgradient(), 1e-12 * r.gradientNorm());
    }

    // ---- 2. a hand-built kink whose choice cancels the first-layer gradient exactly ----

    /**
     * One ReLU unit, w = 1, b = 0, readout v = 1, inputs x = (1, 0, 2): z = (1, 0, 2), sample 2 on
     * the kink. Targets Y = (2, −1, 1.5) give F − Y = (−1, 1, 0.5), δ = 2v(F − Y) = (−2, 2, 1). With
     * x̃_p = (x_p, 1) and λ1 = 0 the first-layer gradient is
     * {@code g(s) = δ_1 x̃_1 + s δ_2 x̃_2 + δ_3 x̃_3 = −2(1,1) + 2s(0,1) + (2,1) = (0, 2s − 1)}:
     * the training choice s = 0 gives (0, −1), s = ½ gives 0. The readout gradient is
     * {@code 2 Σ_p (F − Y)_p R_p + 2λ2 v = 2(−1 + 0 + 1) + 2·¼ = ½}, so raw = √(1 + ¼), min-norm = ½.
     */
    @Test
    void aKinkChoiceCancelsTheFirstLayerGradient() {
        Task task = new Task("hand", 1, 1, 3, new double[] {1, 0, 2}, new double[] {2, -1, 1.5});
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(1, 1, 1, Activation.RELU));
        double[] params = new double[layout.stride()];
        params[layout.weight(0)] = 1;
        params[layout.bias(0)] = 0;
        params[layout.weight(1)] = 1;
        double[] lambdas = {0.0, 0.25};
        Mlp mlp = new Mlp(layout, task);

        MinNormSubgradient.Result r = MinNormSubgradient.of(mlp, task, params, 0, lambdas, 0);
        assertEquals(1, r.kinkEntries());
        assertEquals(Math.sqrt(1.25), r.gradientNorm(), 1e-15);
        assertEquals(0.5, r.minNormSubgradient(), 1e-15);
    }

    /** Same network with leaky ReLU: s ranges over [0.01, 1], training takes 0.01, g = (0, 2s − 1). */
    @Test
    void leakyReluTrainsWithTheLeakySlopeButTheKinkStillCancels() {
        Task task = new Task("hand", 1, 1, 3, new double[] {1, 0, 2}, new double[] {2, -1, 1.5});
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(1, 1, 1, Activation.LEAKY_RELU));
        double[] params = new double[layout.stride()];
        params[layout.weight(0)] = 1;
        params[layout.weight(1)] = 1;
        double[] lambdas = {0.0, 0.25};
        MinNormSubgradient.Result r = MinNormSubgradient.of(new Mlp(layout, task), task, params, 0, lambdas, 0);
        double firstLayer = 2 * Activation.LEAKY_SLOPE - 1;
        assertEquals(Math.sqrt(firstLayer * firstLayer + 0.25), r.gradientNorm(), 1e-15);
        assertEquals(0.5, r.minNormSubgradient(), 1e-15);
    }

    /**
     * Clipped ReLU's upper kink: x = (0.5, 1, 1.5) with w = 1, b = 0 puts sample 2 at z = 1 where
     * training takes the left slope 1. With v = 1, λ = 0 and Y chosen so that F − Y = (e1, e2, 0):
     * g(s) = 2 e1 (0.5, 1) + 2 e2 s (1, 1). Taking e1 = 1, e2 = −1: g(s) = (1 − 2s, 2 − 2s),
     * ‖g‖² minimal at s = 3/4 (inside [0, 1]) with g = (−½, ½), so first-layer part √½;
     * at s = 1 (training) g = (−1, 0). Readout: 2 Σ (F − Y)_p R_p = 2(0.5 − 1) = −1.
     */
    @Test
    void clippedReluUpperKinkUsesTheWholeInterval() {
        double[] x = {0.5, 1, 1.5};
        double[] f = {0.5, 1, 1};
        double[] y = {f[0] - 1, f[1] + 1, f[2]};
        Task task = new Task("hand", 1, 1, 3, x, y);
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(1, 1, 1, Activation.CLIPPED_RELU));
        double[] params = new double[layout.stride()];
        params[layout.weight(0)] = 1;
        params[layout.weight(1)] = 1;
        double[] lambdas = {0.0, 0.0};
        MinNormSubgradient.Result r = MinNormSubgradient.of(new Mlp(layout, task), task, params, 0, lambdas, 0);
        assertEquals(1, r.kinkEntries());
        assertEquals(Math.sqrt(1 + 1), r.gradientNorm(), 1e-15);
        assertEquals(Math.sqrt(0.5 + 1), r.minNormSubgradient(), 1e-14);
    }

    // ---- 3. never above the raw norm; equal to a brute-force grid minimum ----

    /**
     * A random network in which unit 0 is put on the kink for the first {@code kinkSamples}
     * samples (its weights projected so that those pre-activations vanish). The other units are
     * generic. The min-norm subgradient is compared with a brute-force minimum over a grid of s
     * for unit 0, computed from Mlp's own gradient for everything else.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void matchesABruteForceGridAndNeverExceedsTheRawNorm(int kinkSamples) {
        int improved = 0;
        for (Activation act : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.CLIPPED_RELU}) {
            for (long seed = 1; seed <= 5; seed++) {
                if (checkAgainstGrid(act, kinkSamples, seed)) improved++;
            }
        }
        // Not vacuous: in several cases the best choice is far from the training one.
        assertTrue(improved >= 3, improved + " of 15 cases improved by the kink choice");
    }

    /** Returns true when the kink choice lowered unit 0's squared gradient by more than 10 %. */
    private static boolean checkAgainstGrid(Activation act, int kinkSamples, long seed) {
        int dX = 3, p = 6, width = 3, dY = 2;
        Task task = randomTask(dX, dY, p, seed);
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(dX, width, dY, act));
        double[] params = InitialWeights.of(layout, seed + 40, 0.8);
        double[] lambdas = {0.05, 0.02};
        putUnitOnKink(params, layout, task, 0, kinkSamples);
        Mlp mlp = new Mlp(layout, task);
        MinNormSubgradient.Result r = MinNormSubgradient.of(mlp, task, params, 0, lambdas, 0);
        String who = act + " seed " + seed + " with " + kinkSamples + " kink samples";
        assertEquals(kinkSamples, r.kinkEntries(), who);
        double raw = rawNorm(mlp, params, lambdas);
        assertEquals(raw, r.gradientNorm(), 1e-12 * raw, who);
        assertTrue(r.minNormSubgradient() <= raw * (1 + 1e-12), who);

        // Brute force: rows other than unit 0 are fixed, take them from Mlp's gradient.
        double[] grad = new double[layout.stride()];
        mlp.lossAndGradient(params, 0, lambdas, 0, grad, 0);
        double others = 0;
        for (int i = 0; i < grad.length; i++) {
            boolean unit0 = (i >= layout.weight(0) && i < layout.weight(0) + dX) || i == layout.bias(0);
            if (!unit0) others += grad[i] * grad[i];
        }
        mlp.forward(params, 0); // unitRowGradient reads the forward pass
        int n = kinkSamples == 1 ? 20_000 : 600;
        double best = Double.POSITIVE_INFINITY;
        for (int a = 0; a <= n; a++) {
            for (int b = 0; b <= (kinkSamples == 2 ? n : 0); b++) {
                double[] s = {(double) a / n, (double) b / n};
                best = Math.min(best, squaredNorm(unitRowGradient(mlp, task, params, layout, lambdas[0], 0, s, act)));
            }
        }
        double gridSq = others + best, exactSq = r.minNormSubgradient() * r.minNormSubgradient();
        // Rounding the exact minimiser to the grid moves each choice by ≤ h/2 (a bound coordinate not at
        // all, the gradient vanishes along the free ones), so the grid value exceeds the exact one by at
        // most ‖A d‖² ≤ (h/2)² (Σ_j ‖column j of A over its interval‖)².
        double[] atZero = unitRowGradient(mlp, task, params, layout, lambdas[0], 0, new double[] {0, 0}, act);
        double columnSum = 0;
        for (int j = 0; j < kinkSamples; j++) {
            double[] unitChoice = new double[2];
            unitChoice[j] = 1;
            double[] atOne = unitRowGradient(mlp, task, params, layout, lambdas[0], 0, unitChoice, act);
            double sq = 0;
            for (int c = 0; c <= dX; c++) sq += (atOne[c] - atZero[c]) * (atOne[c] - atZero[c]);
            columnSum += Math.sqrt(sq);
        }
        // Compare unit 0's part alone (the other rows are common to both and would hide differences).
        double rowExact = exactSq - others, rowGrid = best, rowRaw = raw * raw - others;
        double halfSpacing = 0.5 / n;
        double slack = 1e-12 * raw * raw;
        assertTrue(rowExact <= rowGrid + slack, who + ": " + rowExact + " > grid " + rowGrid);
        assertTrue(rowGrid - rowExact <= Math.pow(halfSpacing * columnSum, 2) + slack,
                who + ": grid " + rowGrid + " vs exact " + rowExact);
        return rowExact < 0.9 * rowRaw;
    }

    private static double squaredNorm(double[] v) {
        double s = 0;
        for (double x : v) s += x * x;
        return s;
    }

    /**
     * Row {@code unit} of ∇W̃1 written out directly: Σ_p δ_ip s_ip x̃_p + 2λ1 w̃_i, δ = W2ᵀ 2(F − Y),
     * with s_ip = φ'(z_ip) except for samples p = 0, 1, … on the kink which take s[p] mapped
     * to [lo, hi] of the activation at 0. Reads the last forward pass of {@code mlp}.
     */
    private static double[] unitRowGradient(Mlp mlp, Task task, double[] params, ParamLayout layout, double lambda1,
                                            int unit, double[] kinkChoice, Activation act) {
        int dX = task.inputDim(), p = task.samples(), dY = task.outputDim(), width = layout.architecture().width(0);
        double[] f = mlp.output(), z = mlp.preActivation(0);
        double lo = act == Activation.LEAKY_RELU ? Activation.LEAKY_SLOPE : 0.0;
        double[] g = new double[dX + 1];
        for (int c = 0; c < dX; c++) g[c] = 2 * lambda1 * params[layout.weight(0) + unit * dX + c];
        g[dX] = 2 * lambda1 * params[layout.bias(0) + unit];
        for (int s = 0; s < p; s++) {
            double delta = 0;
            for (int k = 0; k < dY; k++) delta += params[layout.weight(1) + k * width + unit] * 2 * (f[k * p + s] - task.y(k, s));
            double zs = z[unit * p + s];
            double slope = Math.abs(zs) < 1e-9 ? lo + (1 - lo) * kinkChoice[s] : act.derivative(zs);
            for (int c = 0; c < dX; c++) g[c] += delta * slope * task.x(c, s);
            g[dX] += delta * slope;
        }
        return g;
    }

    /** Makes unit i's pre-activation vanish on samples 0 … count−1 (w ⊥ x_p − x_0, b = −w·x_0). */
    private static void putUnitOnKink(double[] params, ParamLayout layout, Task task, int unit, int count) {
        int dX = task.inputDim(), w = layout.weight(0) + unit * dX;
        double[] row = new double[dX];
        System.arraycopy(params, w, row, 0, dX);
        for (int q = 1; q < count; q++) {
            double[] d = new double[dX];
            double dd = 0, wd = 0;
            for (int c = 0; c < dX; c++) {
                d[c] = task.x(c, q) - task.x(c, 0);
                dd += d[c] * d[c];
                wd += row[c] * d[c];
            }
            for (int c = 0; c < dX; c++) row[c] -= wd / dd * d[c]; // one difference suffices for count ≤ 2
        }
        double b = 0;
        for (int c = 0; c < dX; c++) b -= row[c] * task.x(c, 0);
        System.arraycopy(row, 0, params, w, dX);
        params[layout.bias(0) + unit] = b;
    }

    // ---- the solver on its own ----

    /** KKT at the returned point, and no random feasible point does better, with k > m (rank deficient). */
    @Test
    void boxLeastSquaresSatisfiesKktOnRankDeficientProblems() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int m = 1 + rnd.nextInt(4), k = 1 + rnd.nextInt(7);
            double[] a = TestData.gaussian(m, k, rnd), c = TestData.gaussian(m, 1, rnd);
            if (trial % 3 == 0) for (int row = 0; row < m; row++) a[row * k + k - 1] = a[row * k]; // duplicate column
            double[] lo = new double[k], hi = new double[k], start = new double[k];
            for (int j = 0; j < k; j++) {
                lo[j] = rnd.nextDouble() - 1;
                hi[j] = lo[j] + rnd.nextDouble();
                start[j] = trial % 4 == 1 ? lo[j] + 0.3 * (hi[j] - lo[j]) : rnd.nextBoolean() ? lo[j] : hi[j];
            }
            double[] s = BoxLeastSquares.minimize(a, m, k, c, lo, hi, start);
            double value = BoxLeastSquares.squaredResidual(a, m, k, c, s);
            assertTrue(value <= BoxLeastSquares.squaredResidual(a, m, k, c, start) + 1e-12);
            double[] r = c.clone();
            for (int row = 0; row < m; row++) for (int j = 0; j < k; j++) r[row] += a[row * k + j] * s[j];
            for (int j = 0; j < k; j++) {
                assertTrue(s[j] >= lo[j] && s[j] <= hi[j]);
                double gradJ = 0; // ∂/∂s_j of ½‖r‖²
                for (int row = 0; row < m; row++) gradJ += a[row * k + j] * r[row];
                if (s[j] > lo[j] && s[j] < hi[j]) assertEquals(0, gradJ, 1e-9, "trial " + trial + " free " + j);
                else if (s[j] == lo[j]) assertTrue(gradJ >= -1e-9, "trial " + trial + " at lo " + j);
                else assertTrue(gradJ <= 1e-9, "trial " + trial + " at hi " + j);
            }
            for (int probe = 0; probe < 50; probe++) {
                double[] t = new double[k];
                for (int j = 0; j < k; j++) t[j] = lo[j] + rnd.nextDouble() * (hi[j] - lo[j]);
                assertTrue(value <= BoxLeastSquares.squaredResidual(a, m, k, c, t) + 1e-12, "trial " + trial);
            }
        }
    }

    // ---- depth ≠ 1 and arguments ----

    @Test
    void deeperNetworksReportTheRawNormAndNaN() {
        Task task = randomTask(3, 2, 5, 8);
        ParamLayout layout = new ParamLayout(new Architecture(3, new int[] {4, 4}, 2, Activation.RELU, false));
        double[] params = InitialWeights.of(layout, 3, 1.0);
        double[] lambdas = {0.01, 0.01, 0.01};
        Mlp mlp = new Mlp(layout, task);
        MinNormSubgradient.Result r = MinNormSubgradient.of(mlp, task, params, 0, lambdas, 0);
        assertTrue(Double.isNaN(r.minNormSubgradient()));
        assertEquals(rawNorm(mlp, params, lambdas), r.gradientNorm(), 0.0);
        assertEquals(0, r.kinkEntries());
        assertThrows(IllegalArgumentException.class, () -> MinNormSubgradient.of(mlp, task, params, 0, lambdas, 0, -1));
    }

    @Test
    void readsTheMemberAtItsOffset() {
        Task task = new Task("hand", 1, 1, 3, new double[] {1, 0, 2}, new double[] {2, -1, 1.5});
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(1, 1, 1, Activation.RELU));
        int stride = layout.stride();
        double[] group = new double[2 * stride];
        java.util.Arrays.fill(group, 0, stride, 0.3); // a different member first
        group[stride + layout.weight(0)] = 1;
        group[stride + layout.weight(1)] = 1;
        double[] lambdas = {0.1, 0.1, 0.0, 0.25};
        MinNormSubgradient.Result r = MinNormSubgradient.of(new Mlp(layout, task), task, group, stride, lambdas, 2);
        assertEquals(Math.sqrt(1.25), r.gradientNorm(), 1e-15);
        assertEquals(0.5, r.minNormSubgradient(), 1e-15);
    }
}
