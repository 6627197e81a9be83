package org.repgeom.optimum;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.task.Task;

/**
 * The global optima of one task, solved once per (activation, bias, λ1, λ2) and shared by every
 * configuration that differs only in width or learning rate (the optimum over all widths does
 * not depend on them). Thread-safe.
 */
public final class OptimumCatalog {
    /** What the optimum depends on besides the task. */
    public record Key(Activation activation, boolean bias, double lambda1, double lambda2) {
        /** A file-name stem, e.g. {@code optimum_relu_bias_l1=0.01_l2=0.01}. */
        public String stem() {
            return String.format(Locale.ROOT, "optimum_%s_%s_l1=%s_l2=%s", activation.id(), bias ? "bias" : "nobias",
                    num(lambda1), num(lambda2));
        }

        private static String num(double v) {
            return Double.toString(v).replace('E', 'e');
        }
    }

    private final Task task;
    private final OptimumSolver.Options options;
    private final Map<Key, Optimum> solved = new LinkedHashMap<>();

    public OptimumCatalog(Task task, OptimumSolver.Options options) {
        this.task = task;
        this.options = options;
    }

    /** Whether the solver covers this architecture: one hidden layer, φ ∈ {relu, leaky_relu, linear}. */
    public static boolean applies(Architecture arch) {
        Activation a = arch.activation();
        return arch.depth() == 1 && !arch.isRecurrent() && (a == Activation.RELU || a == Activation.LEAKY_RELU || a == Activation.LINEAR);
    }

    /**
     * Whether the solver covers this configuration: {@link #applies(Architecture)} with λ1, λ2 &gt; 0
     * (without weight decay the loss has no minimiser to certify: the infimum is approached, not attained).
     */
    public static boolean applies(Architecture arch, double[] lambdas) {
        return applies(arch) && lambdas.length == 2 && lambdas[0] > 0 && lambdas[1] > 0;
    }

    public static Key key(Architecture arch, double[] lambdas) {
        if (!applies(arch) || lambdas.length != 2) throw new IllegalArgumentException("not a two-layer 1-homogeneous configuration: " + arch);
        return new Key(arch.activation(), arch.hasBias(0), lambdas[0], lambdas[1]);
    }

    /** The optimum for a two-layer configuration (solved on first use). */
    public synchronized Optimum of(Key key) {
        return solved.computeIfAbsent(key, k -> new OptimumSolver(
                OptimumProblem.of(task, k.activation(), k.bias(), k.lambda1(), k.lambda2()), options).solve());
    }

    public Task task() {
        return task;
    }
}
