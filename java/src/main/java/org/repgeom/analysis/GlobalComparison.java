package org.repgeom.analysis;

import java.util.List;
import org.repgeom.model.Mlp;
import org.repgeom.optimum.Optimum;
import org.repgeom.task.Task;

/**
 * A configuration's minima measured against the global optimum over all widths
 * ({@link org.repgeom.optimum.OptimumSolver}): per member the <b>global gap</b>
 * {@code (L − L*)/L*} (L the member's loss evaluated in double precision from its stored
 * parameters, L* the optimum's loss) and the <b>optimum kernel distance</b>
 * {@link KernelDistance#relative} to the optimal kernel; a member is <em>at the global optimum</em>
 * when its gap is at most {@code gapTol}. A member whose loss lies below a <em>certified</em>
 * lower bound by more than {@value #BELOW_TOL} (relative) cannot exist: it is counted in
 * {@code belowBound} and the landscape command fails on it.
 *
 * @param ids              member ids, in the order of the arrays
 * @param gaps             global gap per member
 * @param kernelDistances  optimum kernel distance per member
 * @param atOptimum        members with gap ≤ gapTol
 * @param belowBound       members below the certified bound (a bug somewhere)
 */
public record GlobalComparison(Optimum optimum, int[] ids, double[] gaps, double[] kernelDistances, int atOptimum,
                               int belowBound) {
    /** Relative slack below a certified bound tolerated for rounding. */
    public static final double BELOW_TOL = 1e-7;

    public static GlobalComparison of(Task task, List<LandscapeStatistics.MemberInput> minima, Optimum opt, double gapTol) {
        int n = minima.size();
        int[] ids = new int[n];
        double[] gaps = new double[n], dist = new double[n];
        int at = 0, below = 0;
        for (int i = 0; i < n; i++) {
            LandscapeStatistics.MemberInput m = minima.get(i);
            ids[i] = m.id();
            double loss = new Mlp(m.layout(), task).loss(m.params(), m.offset(), m.lambdas(), 0);
            gaps[i] = (loss - opt.loss()) / opt.loss();
            dist[i] = KernelDistance.relative(m.kernel(), opt.kernel());
            if (gaps[i] <= gapTol) at++;
            if (opt.certified() && loss < opt.lowerBound() * (1 - BELOW_TOL)) below++;
        }
        return new GlobalComparison(opt, ids, gaps, dist, at, below);
    }

    public double fractionAtOptimum() {
        return ids.length == 0 ? Double.NaN : (double) atOptimum / ids.length;
    }

    public double gapMedian() {
        return LandscapeStatistics.quantile(gaps, 0.5);
    }

    public double gapMin() {
        return LandscapeStatistics.quantile(gaps, 0);
    }

    public double kernelDistanceMedian() {
        return LandscapeStatistics.quantile(kernelDistances, 0.5);
    }
}
