package org.repgeom.theory;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.repgeom.analysis.Kernels;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Bias;
import org.repgeom.task.Task;

/**
 * The one place that decides which closed form of the catalogue describes a configuration (task,
 * architecture, λ per weight layer): {@code run} (members.csv, summary.json), {@code theory SPEC},
 * {@code landscape}, the report and {@code verify-theory} all ask it. Every formula depends on the
 * data only through {@code K_X} and {@code K_Y}, so the task is matched by its kernels, not by how
 * it was generated:
 * <ul>
 *   <li>threshold-class activation (relu, leaky_relu, clipped_relu), one hidden layer, a bias, ±1
 *       hypercube labels with any per-label scales and an input kernel of the form
 *       {@code γ²(I_C ⊗ W_ρ) + Σ_k α_k² y_k y_kᵀ + 11ᵀ} (whitened, within-class, target-aligned,
 *       anisotropic): {@link HypercubeRayTheory} ({@code hypercube-ray});</li>
 *   <li>ReLU, one hidden layer, one-hot labels: {@link OneHotReluTheory} with a bias on whitened input
 *       ({@code one-hot-bias}), or without bias on {@code XᵀX = g I} ({@code one-hot-no-bias});</li>
 *   <li>linear, any depth, whitened input, no bias or labels whose rows sum to zero:
 *       {@link DeepLinearTheory} ({@code linear} for one hidden layer, {@code deep-linear});</li>
 *   <li>tanh (odd class), one hidden layer, whitened unit hypercube, dY | M:
 *       {@link OddActivationTheory} ({@code tanh-odd});</li>
 *   <li>ReLU with L ≥ 2 hidden layers, a bias on the first only, whitened unit hypercube:
 *       {@link DeepReluTheory} ({@code deep-relu}), a kernel per hidden layer.</li>
 * </ul>
 * Everything else gets {@link ConfigurationTheory#none} with one phrase saying why. Results are
 * cached per architecture and λ, so a study computes each form once.
 */
public final class TheoryLookup {
    /** Tolerance on the task's kernels when matching them against a form's model (relative to the largest entry). */
    public static final double TOL = 1e-8;

    private final Task task;
    private final double[] augmentedInputKernel;
    private final double[] inputKernel;
    private final double[] hypercubeScales;
    private final boolean oneHot;
    private final boolean whitenedUnitHypercube;
    private final Map<String, ConfigurationTheory> cache = new ConcurrentHashMap<>();

    public TheoryLookup(Task task) {
        this.task = task;
        this.augmentedInputKernel = Kernels.augmentedInputKernel(task);
        this.inputKernel = Kernels.linear(task.xData(), task.inputDim(), task.samples());
        this.hypercubeScales = TaskKernels.hypercubeScales(task, TOL);
        this.oneHot = isOneHot(task);
        this.whitenedUnitHypercube = TaskKernels.isWhitenedUnitHypercube(task, task.outputDim(), task.samples(), TOL);
    }

    /** Whether the task is the whitened class-major unit hypercube (docs/science.md §5.1's task). */
    public boolean whitenedUnitHypercube() {
        return whitenedUnitHypercube;
    }

    public Task task() {
        return task;
    }

    /** The closed form for members of {@code arch} trained with λ = {@code lambdas} (one per weight layer). */
    public ConfigurationTheory lookup(Architecture arch, double[] lambdas) {
        String key = arch + Arrays.toString(lambdas);
        return cache.computeIfAbsent(key, k -> find(arch, lambdas.clone()));
    }

    private ConfigurationTheory find(Architecture arch, double[] lambdas) {
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            return ConfigurationTheory.none("architecture does not fit the task");
        }
        if (arch.isRecurrent()) return ConfigurationTheory.none("recurrent network: no closed form in the catalogue");
        for (double l : lambdas) {
            if (!(l > 0 && Double.isFinite(l))) return ConfigurationTheory.none("λ = 0 on a layer: every form needs λ > 0");
        }
        Activation act = arch.activation();
        int depth = arch.depth();
        if (act == Activation.LINEAR) return linear(arch, lambdas);
        if (act == Activation.GELU) {
            return ConfigurationTheory.none("gelu is in no theory class (neither threshold nor odd)");
        }
        if (act == Activation.TANH) {
            return depth == 1 ? tanh(arch, lambdas) : ConfigurationTheory.none("no closed form for deep tanh networks");
        }
        // threshold class
        if (depth >= 2) {
            if (act != Activation.RELU) return ConfigurationTheory.none("deep closed form only for relu");
            return deepRelu(arch, lambdas);
        }
        if (hypercubeScales != null) return hypercube(arch, lambdas);
        if (oneHot) return oneHot(arch, lambdas);
        return ConfigurationTheory.none("labels are neither a ±1 hypercube nor one-hot");
    }

    private ConfigurationTheory hypercube(Architecture arch, double[] lambdas) {
        if (arch.bias() == Bias.NONE) return ConfigurationTheory.none("hypercube forms assume a first-layer bias");
        int dY = task.outputDim(), p = task.samples(), n = p >> dY;
        HypercubeRayTheory.InputModel model = fitInputModel(dY, n);
        if (model == null) return ConfigurationTheory.none("input kernel not of the ray family (whitened/within-class/aligned)");
        Activation act = arch.activation();
        HypercubeRayTheory t = HypercubeRayTheory.of(dY, n, hypercubeScales, model, lambdas[0], lambdas[1],
                HypercubeRayTheory.slopeOf(act));
        if (!t.applies(task, TOL)) {
            return ConfigurationTheory.none("input kernel not of the ray family (whitened/within-class/aligned)");
        }
        int width = arch.width(0);
        if (act == Activation.LEAKY_RELU && !HypercubeRayTheory.kinkStable(Activation.LEAKY_SLOPE, p)) {
            return ConfigurationTheory.none("leaky slope too large for the kink to be stable");
        }
        if (act == Activation.CLIPPED_RELU && t.maxActivation(Math.max(width, t.minimalWidth())) > 1) {
            return ConfigurationTheory.none("clipped_relu would clip the optimum (activation > 1)");
        }
        return ConfigurationTheory.of("hypercube-ray", new double[][] {t.kernel()}, t.minimalLoss(), t.formula(),
                act == Activation.RELU, new int[] {t.minimalWidth()}, arch.hiddenWidths());
    }

    /**
     * γ², ρ and α_k of the ray family's input kernel, estimated from the task's {@code K_X} on its
     * eigen-directions (1, y_k) and within-class blocks; null when they are out of range. The caller
     * then checks the whole matrix ({@link HypercubeRayTheory#applies}).
     */
    HypercubeRayTheory.InputModel fitInputModel(int dY, int n) {
        int p = task.samples();
        double[] kx = augmentedInputKernel;
        double[] y = TaskKernels.hypercubeSigns(dY, n);
        double ones = 0, diag = 0, within = 0;
        int withinCount = 0;
        for (int s = 0; s < p; s++) {
            diag += kx[s * p + s];
            for (int q = 0; q < p; q++) {
                ones += kx[s * p + q];
                if (s != q && s / n == q / n) {
                    within += kx[s * p + q];
                    withinCount++;
                }
            }
        }
        diag /= p;
        double gammaBeta = ones / p - p; // γ²β: K_X's eigenvalue on 1 minus P
        double gamma2 = gammaBeta, rho = 0;
        if (n > 1) {
            within /= withinCount;
            gamma2 = ((n - 1) * (diag - within) + gammaBeta) / n;
            rho = gamma2 > 0 ? 1 - (diag - within) / gamma2 : 0;
            if (Math.abs(rho) < 1e-12) rho = 0;
        }
        if (!(gamma2 >= -TOL) || !(rho >= 0 && rho < 1)) return null;
        gamma2 = Math.max(gamma2, 0);
        double[] alpha = new double[dY];
        for (int k = 0; k < dY; k++) {
            double quad = 0;
            for (int s = 0; s < p; s++) {
                for (int q = 0; q < p; q++) quad += y[k * p + s] * kx[s * p + q] * y[k * p + q];
            }
            double a2 = quad / ((double) p * p) - gammaBeta / p;
            if (a2 < -TOL) return null;
            alpha[k] = Math.sqrt(Math.max(a2, 0));
        }
        return new HypercubeRayTheory.InputModel(gamma2, rho, alpha);
    }

    private ConfigurationTheory oneHot(Architecture arch, double[] lambdas) {
        if (arch.activation() != Activation.RELU) return ConfigurationTheory.none("one-hot closed form only for relu");
        int classes = task.outputDim(), n = task.samples() / classes;
        int[] minWidth = {classes};
        if (arch.bias() == Bias.NONE) {
            int p = task.samples();
            double gain = 0;
            for (int s = 0; s < p; s++) gain += inputKernel[s * p + s] / p;
            OneHotReluTheory t = OneHotReluTheory.withoutBias(classes, n, gain, lambdas[0], lambdas[1]);
            if (!t.applies(task, inputKernel, TOL)) return ConfigurationTheory.none("input is not whitened (XᵀX ≠ g·I)");
            return ConfigurationTheory.of("one-hot-no-bias", new double[][] {t.kernel()}, t.minimalLoss(), t.formula(),
                    true, minWidth, arch.hiddenWidths());
        }
        OneHotReluTheory t = OneHotReluTheory.withBias(classes, n, lambdas[0], lambdas[1]);
        if (!t.applies(task, augmentedInputKernel, TOL)) {
            // X̃ᵀX̃ = g I: the biased network is the bias-free problem in disguise (OneHotReluTheory)
            double gain = augmentedInputKernel[0];
            OneHotReluTheory free = OneHotReluTheory.withoutBias(classes, n, gain, lambdas[0], lambdas[1]);
            if (!(gain > 0) || !free.applies(task, augmentedInputKernel, TOL)) {
                return ConfigurationTheory.none("input is not whitened (XᵀX ≠ I)");
            }
            return ConfigurationTheory.of("one-hot-no-bias", new double[][] {free.kernel()}, free.minimalLoss(),
                    free.formula(), true, minWidth, arch.hiddenWidths());
        }
        return ConfigurationTheory.of("one-hot-bias", new double[][] {t.kernel()}, t.minimalLoss(), t.formula(), true,
                minWidth, arch.hiddenWidths());
    }

    private ConfigurationTheory linear(Architecture arch, double[] lambdas) {
        if (!TaskKernels.isWhitened(task, TOL)) return ConfigurationTheory.none("input is not whitened (XᵀX ≠ I)");
        if (arch.bias() != Bias.NONE && !DeepLinearTheory.applies(task, TOL)) {
            return ConfigurationTheory.none("a bias with labels whose rows do not sum to 0");
        }
        DeepLinearTheory t = DeepLinearTheory.of(task.yData(), task.outputDim(), task.samples(), lambdas);
        int depth = arch.depth();
        double[][] kernels = new double[depth][];
        for (int l = 1; l <= depth; l++) kernels[l - 1] = t.layerKernel(l);
        int[] minWidths = new int[depth];
        Arrays.fill(minWidths, t.rank());
        double[] sigma = t.mapSingularValues();
        StringBuilder formula = new StringBuilder("K_l=V diag(σ^{2l/L}…)Vᵀ, σ=");
        for (int i = 0; i < sigma.length; i++) formula.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.3g", sigma[i]));
        return ConfigurationTheory.of(depth == 1 ? "linear" : "deep-linear", kernels, t.minimalLoss(),
                formula.toString(), false, minWidths, arch.hiddenWidths());
    }

    private ConfigurationTheory tanh(Architecture arch, double[] lambdas) {
        int dY = task.outputDim(), p = task.samples();
        if (arch.bias() == Bias.NONE) return ConfigurationTheory.none("tanh form assumes a first-layer bias");
        if (!TaskKernels.isWhitenedUnitHypercube(task, dY, p, TOL)) {
            return ConfigurationTheory.none("tanh form needs the whitened unit hypercube");
        }
        int width = arch.width(0);
        if (width % dY != 0) return ConfigurationTheory.none("tanh form needs dY | width (dY = " + dY + ")");
        OddActivationTheory t = OddActivationTheory.tanh(dY, p >> dY, width, lambdas[0], lambdas[1]);
        return ConfigurationTheory.of("tanh-odd", new double[][] {t.kernel()}, t.minimalLoss(), t.formula(), false,
                new int[] {dY}, arch.hiddenWidths());
    }

    private ConfigurationTheory deepRelu(Architecture arch, double[] lambdas) {
        if (arch.bias() != Bias.FIRST) return ConfigurationTheory.none("deep relu form assumes a bias on the first layer only");
        int dY = task.outputDim(), p = task.samples();
        if (!TaskKernels.isWhitenedUnitHypercube(task, dY, p, TOL)) {
            return ConfigurationTheory.none("deep relu form needs the whitened unit hypercube");
        }
        DeepReluTheory t = DeepReluTheory.of(dY, p >> dY, lambdas);
        int depth = arch.depth();
        double[][] kernels = new double[depth][];
        for (int l = 1; l <= depth; l++) kernels[l - 1] = t.layerKernel(l);
        return ConfigurationTheory.of("deep-relu", kernels, t.minimalLoss(), t.formula(), false, t.minimalWidths(),
                arch.hiddenWidths());
    }

    /**
     * The theory class of an activation: {@code threshold} (relu, leaky_relu, clipped_relu: a kink at 0
     * on which optimal neurons sit; K* ∝ K_Y + dY 11ᵀ on the hypercube), {@code odd} (linear, tanh:
     * K* ∝ K_Y) or {@code none} (gelu: neither; no closed form, and its minima can break the
     * task's symmetry — see the span residual).
     */
    public static String theoryClass(Activation a) {
        if (a.isThresholdClass()) return "threshold";
        return a == Activation.LINEAR || a == Activation.TANH ? "odd" : "none";
    }

    /** Class-major one-hot labels with equal class sizes. */
    private static boolean isOneHot(Task task) {
        int c = task.outputDim(), p = task.samples();
        if (c < 2 || p % c != 0) return false;
        int n = p / c;
        for (int k = 0; k < c; k++) {
            for (int s = 0; s < p; s++) {
                if (Math.abs(task.y(k, s) - (s / n == k ? 1.0 : 0.0)) > TOL) return false;
            }
        }
        return true;
    }
}
