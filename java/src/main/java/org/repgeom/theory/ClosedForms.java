package org.repgeom.theory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.repgeom.model.Activation;
import org.repgeom.task.InputGeometry;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Labels;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;

/**
 * The catalogue of closed forms that {@code repgeom verify-theory} reproduces by training: one
 * {@link Case} per formula (docs/science.md §5), each at one small configuration (P ≤ 16, dY ≤ 3)
 * with the task, the architecture(s), λ per layer, the predicted kernel of every hidden layer and
 * the minimal loss. The theory classes hold the formulas and their derivations:
 * {@link HypercubeRayTheory} (whitened, n ≥ 1, within-class, target-aligned, anisotropic,
 * threshold class), {@link OddActivationTheory} (linear, tanh), {@link DeepReluTheory},
 * {@link DeepLinearTheory} (L ≥ 2), {@link OneHotReluTheory} (with and without bias).
 */
public final class ClosedForms {
    private ClosedForms() {
    }

    /** Tolerance on {@code max |K_X − model|} when checking that a case's task fits its theory. */
    public static final double APPLIES_TOL = 1e-9;

    /**
     * What a theory predicts for a case.
     *
     * @param layerKernels K*_l for hidden layers l = 1…L (P×P row-major, the task's sample order)
     * @param minimalLoss  L* (NaN where unknown)
     * @param formula      one short line for the table
     */
    public record Prediction(double[][] layerKernels, double minimalLoss, String formula) {
    }

    /** How the members of a case are trained: Adam with a geometric learning-rate decay. */
    public record Training(int steps, double learningRate, double finalLrRatio, double initScale) {
        /** docs/science.md §3.4: Adam, lr 1e-2 decaying geometrically to 1e-6 over 60k steps, for λ ≥ 1e-2 at P ≤ 16. */
        public static Training standard() {
            return new Training(60_000, 1e-2, 1e-4, 1.0);
        }

        /** The same schedule over {@code steps} steps. */
        public Training withSteps(int steps) {
            return new Training(steps, learningRate, finalLrRatio, initScale);
        }
    }

    /**
     * One closed form at one configuration.
     *
     * @param id          short name used on the command line ({@code --cases})
     * @param title       what is checked, with the docs/science.md section
     * @param task        the data
     * @param activation  φ of every hidden layer
     * @param widths      hidden widths of each architecture to train (several for the width sweep)
     * @param lambdas     λ per weight layer (L + 1 of them)
     * @param prediction  the closed form
     * @param certifiable whether {@link KktCertificate} applies (two-layer ReLU)
     * @param training    optimiser schedule
     */
    public record Case(String id, String title, Task task, Activation activation, List<int[]> widths,
                       double[] lambdas, Prediction prediction, boolean certifiable, Training training) {
        public int depth() {
            return widths.get(0).length;
        }

        /** True for the width sweep (several architectures, one prediction). */
        public boolean isSweep() {
            return widths.size() > 1;
        }
    }

    /** Every case, in table order. */
    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        cases.add(reluWhitened());
        cases.add(reluWithinClass());
        cases.add(reluTargetAligned());
        cases.add(clippedRelu());
        cases.add(leakyRelu());
        cases.add(reluAnisotropic());
        cases.add(linear());
        cases.add(tanh());
        cases.add(deepRelu());
        cases.add(deepRelu3());
        cases.add(deepLinear2());
        cases.add(deepLinear3());
        cases.add(oneHotWithBias());
        cases.add(oneHotWithoutBias());
        cases.add(widthSweep());
        return cases;
    }

    /** The cases with the given ids, in table order. */
    public static List<Case> select(List<String> ids) {
        List<Case> all = all();
        List<String> known = all.stream().map(Case::id).toList();
        for (String id : ids) {
            if (!known.contains(id)) {
                throw new IllegalArgumentException("unknown case '" + id + "'; known: " + String.join(", ", known));
            }
        }
        return all.stream().filter(c -> ids.contains(c.id())).toList();
    }

    private static final double LAMBDA = 1e-2;
    private static final long TASK_SEED = 0;

    private static Case twoLayer(String id, String title, Task task, Activation act, int width, double l1, double l2,
            double[] kernel, double loss, String formula, boolean certifiable) {
        return new Case(id, title, task, act, List.<int[]>of(new int[] {width}), new double[] {l1, l2},
                new Prediction(new double[][] {kernel}, loss, formula), certifiable, Training.standard());
    }

    private static void check(boolean applies, String id) {
        if (!applies) throw new IllegalStateException("case " + id + ": the task does not fit its theory");
    }

    /** §5.1: ReLU, whitened, dY = 3, n = 1. */
    static Case reluWhitened() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", TASK_SEED));
        HypercubeRayTheory t = HypercubeRayTheory.whitened(3, 1, LAMBDA, LAMBDA);
        check(t.applies(task, APPLIES_TOL), "relu-whitened");
        return twoLayer("relu-whitened", "ReLU, whitened, dY=3 n=1 (§5.1)", task, Activation.RELU, 16, LAMBDA, LAMBDA,
                t.kernel(), t.minimalLoss(), t.formula(), true);
    }

    /** §5.2 within-class correlation: ReLU, dY = 3, n = 2 (P = 16), ρ = 0.5 (XᵀX = I_C ⊗ W_ρ). */
    static Case reluWithinClass() {
        double rho = 0.5;
        Task task = Tasks.hypercube(3, 2, new InputSpec("within_class", null, TASK_SEED, rho, 1, 1));
        HypercubeRayTheory t = HypercubeRayTheory.withinClass(3, 2, rho, LAMBDA, LAMBDA);
        check(t.applies(task, APPLIES_TOL), "relu-within-class");
        return twoLayer("relu-within-class", "ReLU, n=2, within-class ρ=0.5, dY=3 P=16 (§5.2)", task,
                Activation.RELU, 16, LAMBDA, LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), true);
    }

    /** §5.2 target-aligned: X = a Q_A Y + b Q_B with a = 2, b = 1 (neurons off the kink), dY = 2, n = 2. */
    static Case reluTargetAligned() {
        double a = 2, b = 1;
        Task task = Tasks.hypercube(2, 2, new InputSpec("target_aligned", null, TASK_SEED, 0, a, b));
        HypercubeRayTheory t = HypercubeRayTheory.targetAligned(2, 2, a, b, LAMBDA, LAMBDA);
        check(t.applies(task, APPLIES_TOL), "relu-target-aligned");
        return twoLayer("relu-target-aligned", "ReLU, target-aligned a=2 b=1, dY=2 n=2 (§5.2)", task, Activation.RELU,
                16, LAMBDA, LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), true);
    }

    /** §5.2 threshold class: clipped ReLU, φ'(0⁺) = 1, on the §5.1 task (activations stay below the clip). */
    static Case clippedRelu() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", TASK_SEED));
        double slope = HypercubeRayTheory.slopeOf(Activation.CLIPPED_RELU);
        HypercubeRayTheory t = HypercubeRayTheory.of(3, 1, new double[] {1, 1, 1}, HypercubeRayTheory.InputModel.whitened(),
                LAMBDA, LAMBDA, slope);
        check(t.applies(task, APPLIES_TOL) && t.maxActivation(16) <= 1, "clipped-relu");
        return twoLayer("clipped-relu", "clipped ReLU (threshold class, λ1/φ'(0)², φ'(0)=1), dY=3", task,
                Activation.CLIPPED_RELU, 16, LAMBDA, LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), false);
    }

    /** Threshold class: leaky ReLU (slope 0.01 below 0) has the ReLU optimum (its neurons sit on the kink). */
    static Case leakyRelu() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", TASK_SEED));
        HypercubeRayTheory t = HypercubeRayTheory.of(3, 1, new double[] {1, 1, 1}, HypercubeRayTheory.InputModel.whitened(),
                LAMBDA, LAMBDA, HypercubeRayTheory.slopeOf(Activation.LEAKY_RELU));
        check(t.applies(task, APPLIES_TOL) && HypercubeRayTheory.kinkStable(Activation.LEAKY_SLOPE, task.samples()),
                "leaky-relu");
        return twoLayer("leaky-relu", "leaky ReLU 0.01 (threshold class, on the kink), dY=3", task,
                Activation.LEAKY_RELU, 16, LAMBDA, LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), false);
    }

    /**
     * §5.2 anisotropic input and output: labels scaled s = (1.5, 1, 0.5), input aligned per label
     * α = (0, 0.5, 1) on top of a whitened part (γ = 1); dY = 3, n = 1.
     */
    static Case reluAnisotropic() {
        double[] s = {1.5, 1.0, 0.5};
        double[] alpha = {0.0, 0.5, 1.0};
        Task task = anisotropicTask(s, alpha, 1.0);
        HypercubeRayTheory t = HypercubeRayTheory.of(3, 1, s, new HypercubeRayTheory.InputModel(1.0, 0.0, alpha),
                LAMBDA, LAMBDA, 1.0);
        check(t.applies(task, APPLIES_TOL), "relu-anisotropic");
        return twoLayer("relu-anisotropic", "ReLU, anisotropic s=(1.5,1,.5) α=(0,.5,1), dY=3 (§5.2)", task,
                Activation.RELU, 16, LAMBDA, LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), true);
    }

    /**
     * Hypercube task (dY = scales.length, n = 1) with row k of Y equal to {@code s_k y_k} and input
     * {@code X = Q_A diag(α) Y_± + γ Q_B}, so {@code XᵀX = Σ α_k² y_k y_kᵀ + γ² I}.
     */
    static Task anisotropicTask(double[] scales, double[] alpha, double gamma) {
        int dY = scales.length, p = 1 << dY;
        double[] signs = Labels.hypercube(dY, 1);
        double[] y = signs.clone(), aligned = signs.clone();
        for (int k = 0; k < dY; k++) {
            for (int q = 0; q < p; q++) {
                y[k * p + q] *= scales[k];
                aligned[k * p + q] *= alpha[k];
            }
        }
        int dX = dY + p;
        double[] x = InputGeometry.targetAligned(dX, aligned, dY, p, 1.0, gamma, TASK_SEED);
        return new Task("hypercube(dY=" + dY + ",n=1,anisotropic s=" + Arrays.toString(scales) + " α="
                + Arrays.toString(alpha) + " dX=" + dX + ")", dX, dY, p, x, y);
    }

    /** §5.3 odd: linear, whitened, dY = 3 (K* = c K_Y; §5.5 with L = 2). */
    static Case linear() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", TASK_SEED));
        OddActivationTheory t = OddActivationTheory.linear(3, 1, LAMBDA, LAMBDA);
        check(t.applies(task, APPLIES_TOL), "linear");
        return twoLayer("linear", "linear, whitened, dY=3 (§5.3 odd, §5.5 L=2)", task, Activation.LINEAR, 8, LAMBDA,
                LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), false);
    }

    /** §5.3 odd: tanh, whitened, dY = 2, n = 2, M = 8 (c from a scalar minimisation). */
    static Case tanh() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("whitened", TASK_SEED));
        OddActivationTheory t = OddActivationTheory.tanh(2, 2, 8, LAMBDA, LAMBDA);
        check(t.applies(task, APPLIES_TOL), "tanh");
        return twoLayer("tanh", "tanh, whitened, dY=2 n=2, M=8 (§5.3 odd; c depends on M)", task, Activation.TANH, 8,
                LAMBDA, LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), false);
    }

    /** §5.4 deep: ReLU with 2 hidden layers (bias on the first), whitened, dY = 2, n = 2. */
    static Case deepRelu() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("whitened", TASK_SEED));
        double[] lambdas = {LAMBDA, LAMBDA, LAMBDA};
        DeepReluTheory t = DeepReluTheory.of(2, 2, lambdas);
        check(t.applies(task, APPLIES_TOL), "deep-relu");
        return new Case("deep-relu", "deep ReLU, 2 hidden layers, whitened dY=2 n=2 (§5.4 deep)", task, Activation.RELU,
                List.<int[]>of(new int[] {16, 16}), lambdas,
                new Prediction(new double[][] {t.layerKernel(1), t.layerKernel(2)}, t.minimalLoss(), t.formula()),
                false, Training.standard());
    }

    /** §5.4 deep: ReLU with 3 hidden layers and unequal λ = (0.02, 0.005, 0.01; readout 0.01), dY = 2, n = 2. */
    static Case deepRelu3() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("whitened", TASK_SEED));
        double[] lambdas = {0.02, 0.005, 0.01, 0.01};
        DeepReluTheory t = DeepReluTheory.of(2, 2, lambdas);
        check(t.applies(task, APPLIES_TOL), "deep-relu-3");
        return new Case("deep-relu-3", "deep ReLU, 3 hidden layers, λ=(.02,.005,.01,.01), dY=2 n=2", task,
                Activation.RELU, List.<int[]>of(new int[] {16, 16, 16}), lambdas,
                new Prediction(new double[][] {t.layerKernel(1), t.layerKernel(2), t.layerKernel(3)}, t.minimalLoss(),
                        t.formula()), false, Training.standard());
    }

    /** Singular values of the deep-linear targets: the third is cut by L = 3 at λ = 0.1 but kept by L = 2. */
    static final double[] DEEP_LINEAR_SINGULAR_VALUES = {3.0, 1.5, 0.3};

    /** Y = diag(s/√P) Y_± on the dY = 3, n = 1 hypercube (singular values s, rows summing to 0), whitened X. */
    static Task deepLinearTask() {
        double[] s = DEEP_LINEAR_SINGULAR_VALUES;
        int dY = s.length, p = 1 << dY;
        double[] y = Labels.hypercube(dY, 1);
        for (int k = 0; k < dY; k++) {
            for (int q = 0; q < p; q++) y[k * p + q] *= s[k] / Math.sqrt(p);
        }
        double[] x = InputGeometry.whitened(p, p, TASK_SEED);
        return new Task("deep-linear(s=" + Arrays.toString(s) + ",whitened dX=" + p + ")", p, dY, p, x, y);
    }

    private static Case deepLinear(String id, String title, double[] lambdas, int width) {
        Task task = deepLinearTask();
        DeepLinearTheory t = DeepLinearTheory.of(task.yData(), task.outputDim(), task.samples(), lambdas);
        if (!DeepLinearTheory.applies(task, APPLIES_TOL)) throw new IllegalStateException("case " + id);
        int hidden = lambdas.length - 1;
        double[][] kernels = new double[hidden][];
        int[] widths = new int[hidden];
        for (int l = 1; l <= hidden; l++) {
            kernels[l - 1] = t.layerKernel(l);
            widths[l - 1] = width;
        }
        double[] sigma = t.mapSingularValues();
        String formula = String.format(Locale.ROOT, "K_l=V diag(σ^{2l/L}…)Vᵀ, σ=%.3g/%.3g/%.3g", sigma[0], sigma[1],
                sigma[2]);
        return new Case(id, title, task, Activation.LINEAR, List.<int[]>of(widths), lambdas,
                new Prediction(kernels, t.minimalLoss(), formula), false, Training.standard());
    }

    /** §5.5, L = 2: σ = (s − sqrt(λ1λ2))_+ at λ = 0.1. */
    static Case deepLinear2() {
        return deepLinear("deep-linear-2", "deep linear L=2, s=(3,1.5,.3), λ=0.1 (§5.5)", new double[] {0.1, 0.1}, 8);
    }

    /** §5.5, L = 3, unequal λ: the scalar problem is nonconvex and the weakest direction is cut. */
    static Case deepLinear3() {
        return deepLinear("deep-linear-3", "deep linear L=3, λ=(.05,.1,.2): s=.3 cut (§5.5)",
                new double[] {0.05, 0.1, 0.2}, 8);
    }

    /** §5.6 with bias: one-hot C = 4, n = 2, whitened. */
    static Case oneHotWithBias() {
        Task task = Tasks.oneHot(4, 2, InputSpec.of("whitened", TASK_SEED));
        OneHotReluTheory t = OneHotReluTheory.withBias(4, 2, LAMBDA, LAMBDA);
        check(t.applies(task, APPLIES_TOL), "onehot-bias");
        return twoLayer("onehot-bias", "one-hot C=4 n=2, ReLU with bias (§5.6)", task, Activation.RELU, 16, LAMBDA,
                LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), true);
    }

    /**
     * §5.6 without bias, reproduced by a biased network on {@code X = sqrt(P)·Bᵀ} (B an orthonormal
     * basis of 1⊥, so X̃ᵀX̃ = P·I) at λ1' = P·λ1 ({@link OneHotReluTheory} class comment).
     */
    static Case oneHotWithoutBias() {
        int classes = 4, n = 2, p = classes * n;
        double[] x = centredFrame(p);
        double[] y = Labels.oneHot(classes, n);
        Task task = new Task("one_hot(C=4,n=2, X=sqrt(P)·B^T, X̃ᵀX̃=P·I: bias-free equivalent)", p - 1, classes, p, x, y);
        double l1 = p * LAMBDA;
        OneHotReluTheory t = OneHotReluTheory.withoutBias(classes, n, p, l1, LAMBDA);
        check(t.applies(task, APPLIES_TOL), "onehot-nobias");
        return twoLayer("onehot-nobias", "one-hot C=4 n=2, no bias (≡ X̃ᵀX̃=P·I, λ1'=P·λ1) (§5.6)", task,
                Activation.RELU, 16, l1, LAMBDA, t.kernel(), t.minimalLoss(), t.formula(), true);
    }

    /**
     * {@code X = sqrt(P)·Bᵀ} ((P−1)×P) with B the Helmert basis of 1⊥ (column j: (1,…,1,−j,0,…)/norm),
     * so {@code XᵀX = P I − 11ᵀ} and {@code X̃ᵀX̃ = P I}.
     */
    static double[] centredFrame(int p) {
        double[] x = new double[(p - 1) * p];
        for (int j = 1; j < p; j++) {
            double norm = Math.sqrt(j * (j + 1.0));
            for (int q = 0; q < j; q++) x[(j - 1) * p + q] = Math.sqrt(p) / norm;
            x[(j - 1) * p + j] = -j * Math.sqrt(p) / norm;
        }
        return x;
    }

    /** Widths of the sweep around the threshold 2·dY = 6 (dY = 3). */
    static final int[] SWEEP_WIDTHS = {5, 6, 8, 12, 32};

    /** §5.1 threshold: K* is reached iff M ≥ 2·dY; fraction of seeds that reach it per width. */
    static Case widthSweep() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", TASK_SEED));
        HypercubeRayTheory t = HypercubeRayTheory.whitened(3, 1, LAMBDA, LAMBDA);
        List<int[]> widths = new ArrayList<>();
        for (int m : SWEEP_WIDTHS) widths.add(new int[] {m});
        return new Case("width-sweep", "ReLU whitened dY=3: K* iff M ≥ 2·dY = 6 (§5.1)", task, Activation.RELU,
                widths, new double[] {LAMBDA, LAMBDA},
                new Prediction(new double[][] {t.kernel()}, t.minimalLoss(), "reached iff M ≥ 2dY = " + t.minimalWidth()),
                true, Training.standard());
    }
}
