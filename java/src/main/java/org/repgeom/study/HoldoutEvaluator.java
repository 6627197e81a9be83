package org.repgeom.study;

import java.util.HashSet;
import java.util.Set;
import org.repgeom.analysis.HeldOutSet;
import org.repgeom.analysis.HoldoutMetrics;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.optimum.Optimum;
import org.repgeom.optimum.OptimumCatalog;
import org.repgeom.optimum.OptimumPrediction;
import org.repgeom.optimum.OptimumSolver;

/**
 * Evaluates trained members on a study's held-out samples ({@link HoldoutRecord}): the member's own
 * metrics ({@link HeldOutSet}) and, for two-layer members with a 1-homogeneous activation, the
 * certified global optimum of their configuration on the same points. The optimum is solved on the
 * training samples only, once per (activation, bias, λ1, λ2), and is one optimal network (the
 * narrowest the solver finds); where the optimal kernel is not unique other optima can predict
 * differently at new points. Thread-safe.
 */
final class HoldoutEvaluator {
    private final HeldOutSet set;
    private final OptimumCatalog optima;
    private final Set<OptimumCatalog.Key> reported = new HashSet<>();

    /** For {@code split}; evaluates nothing when it holds nothing out. */
    HoldoutEvaluator(HoldoutSplit split) {
        this.set = split.active() ? new HeldOutSet(split.train(), split.test()) : null;
        // the optimum command's defaults: a solve that runs out of time or needs the sampled oracle is not certified
        this.optima = split.active() ? new OptimumCatalog(split.train(), OptimumSolver.Options.defaults()) : null;
    }

    boolean active() {
        return set != null;
    }

    /** The member at {@code params[off …]} with λ per weight layer {@code lambdas}. */
    HoldoutRecord evaluate(ParamLayout layout, double[] params, int off, double[] lambdas) {
        if (set == null) return HoldoutRecord.NONE;
        Architecture arch = layout.architecture();
        Mlp onTrain = new Mlp(layout, set.train()), onTest = new Mlp(layout, set.test());
        onTrain.forward(params, off);
        onTest.forward(params, off);
        int last = arch.depth() - 1;
        int m = last >= 0 ? arch.width(last) : arch.inputDim();
        double[] rTrain = last >= 0 ? onTrain.hidden(last) : set.train().xCopy();
        double[] rTest = last >= 0 ? onTest.hidden(last) : set.test().xCopy();
        double[] f = onTest.output();
        HoldoutMetrics metrics = set.evaluate(f, rTrain, rTest, m);

        Optimum o = optimum(arch, lambdas);
        if (o == null) return new HoldoutRecord(metrics, Double.NaN, Double.NaN, Double.NaN);
        OptimumPrediction train = OptimumPrediction.of(o, arch.activation(), arch.hasBias(0), set.train());
        OptimumPrediction test = OptimumPrediction.of(o, arch.activation(), arch.hasBias(0), set.test());
        HoldoutMetrics best = set.evaluate(test.output(), train.hidden(), test.hidden(), test.width());
        return new HoldoutRecord(metrics, best.testLoss(), best.ccgp(), distance(f, test.output(), set.test().yData()));
    }

    /** The certified optimum of a two-layer 1-homogeneous configuration; null where there is none. */
    private Optimum optimum(Architecture arch, double[] lambdas) {
        if (!OptimumCatalog.applies(arch, lambdas)) return null;
        OptimumCatalog.Key key = OptimumCatalog.key(arch, lambdas);
        Optimum o = optima.of(key);
        if (o.certified()) return o;
        synchronized (reported) {
            if (reported.add(key)) {
                System.err.printf(java.util.Locale.ROOT, "repgeom: hold-out: the optimum for %s (%s) was not certified "
                        + "(relative gap %.2e); its hold-out columns are left empty%n", key.stem(), o.method(), o.relativeGap());
            }
        }
        return null;
    }

    /**
     * ‖f − g‖/‖y‖ (‖f − g‖ when y = 0): scaled by the targets rather than by g, so it stays meaningful where
     * the optimum predicts 0 (held-out inputs orthogonal to every training input).
     */
    static double distance(double[] f, double[] g, double[] y) {
        double d = 0, n = 0;
        for (int i = 0; i < f.length; i++) {
            d += (f[i] - g[i]) * (f[i] - g[i]);
            n += y[i] * y[i];
        }
        return n > 0 ? Math.sqrt(d / n) : Math.sqrt(d);
    }
}
