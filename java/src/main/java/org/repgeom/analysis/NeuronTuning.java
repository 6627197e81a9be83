package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * Single-neuron tuning of a trained member's first hidden layer (docs/science.md §4.7 "single-neuron
 * tuning", §5.1): which neurons are used, how they group by preactivation direction, and which
 * labels each group responds to.
 *
 * <p><b>Preactivations.</b> Neuron i's preactivation over the samples is
 * {@code h_i = W̃1_i X̃ = W1_i X + b_i 1ᵀ} (a P-vector). At a global minimum of the two-layer ReLU
 * on a whitened hypercube task every used neuron lies on one of the 2·dY rays {@code t(1 ± y_k)}
 * (§5.1): it fires for exactly the samples where label k has one sign, so the neurons fall into
 * 2·dY groups, each <em>modular</em> (driven by one label).
 *
 * <p><b>Used neurons.</b> A neuron's weight in the network is its mass
 * {@code m_i = ‖W̃1_i‖ · ‖W_2[:, i]‖} (incoming row norm times outgoing column norm; for a
 * positively homogeneous φ the network depends on the neuron only through this product and its
 * direction). Neuron i is <em>used</em> when {@code m_i ≥ usedFraction · max_j m_j}. Default
 * {@link #DEFAULT_USED_FRACTION} = 1e-3: under weight decay a dead neuron's weights shrink
 * geometrically, and on the trained example study (Adam 1e-2 → 1e-6, 60k steps) dead neurons sit
 * at 1e-11 … 1e-74 of the largest mass while the smallest members of a ray measure 1e-4 … 1e-2,
 * every one of them on its ray; 1e-3 counts the neurons that carry the function and leaves out
 * those still decaying towards zero. The group counts of that study are the same for every cut
 * from 1e-6 to 1e-2.
 *
 * <p><b>Groups.</b> Used neurons are sorted by mass (largest first) and clustered greedily by
 * direction: a neuron joins the existing group whose leader (its first, heaviest neuron) has the
 * largest cosine {@code cos(h_i, h_leader) ≥ 1 − cosineTol} with it, or else starts a new group.
 * For odd activations (linear, tanh) the pair (w̃1, w2) and (−w̃1, −w2) compute the same function,
 * so the sign of a neuron is no property of the minimum: there neurons are oriented (h_i ↦ −h_i
 * when that raises the cosine) and compared by |cos|. Default {@link #DEFAULT_COSINE_TOL} = 1e-2:
 * distinct optimal rays are far apart ({@code cos(1+y_k, 1+y_j) = 1/2}, {@code cos(1+y_k, 1−y_k) = 0})
 * while trained neurons sit on their ray to ~1e-5.
 *
 * <p><b>Selectivity.</b> Fit h (or a group's mass-weighted mean direction) by least squares on
 * {@code [1, y_1 … y_dY]}: with the centred {@code h_c} and centred label rows {@code y_k^c},
 * {@code β = argmin ‖h_c − Σ_k β_k y_k^c‖} (minimum-norm solution when the labels are collinear,
 * e.g. one-hot). Label k's share of the label-explained variance is
 * {@code s_k = β_k² ‖y_k^c‖² / Σ_j β_j² ‖y_j^c‖²} (exact variance shares for balanced hypercube
 * labels, whose centred rows are orthogonal). The <em>selectivity index</em> is {@code max_k s_k}:
 * 1 for a modular neuron (one label), {@code 1/dY} for an even mix of all labels; a group is
 * modular when it is ≥ {@link #MODULAR_SELECTIVITY}. Also reported: the label fit's
 * {@code R² = ‖Σ β_k y_k^c‖² / ‖h_c‖²} and the <em>offset share</em>
 * {@code (1ᵀh)² / (P ‖h‖²)}, the fraction of ‖h‖² along the constant vector — 1/2 on a ReLU ray
 * {@code t(1 ± y_k)} (the source of the {@code dY·11ᵀ} shift of K*), 0 for a centred odd neuron.
 *
 * <p><b>What trained minima show</b> (example study, dY = 3, and the dY = 2 study of
 * {@code LandscapeCommandTest}): ReLU minima of width ≥ 2·dY have exactly 2·dY groups, every
 * neuron modular (selectivity 1 to 4 digits), offset share 1/2. tanh minima are modular too —
 * every neuron ±a·y_k, dY groups up to sign, offset 0 — not mixed: an odd φ maps a mix
 * {@code a y_1 + b y_2} into the label span as well, but tanh saturates it more than a single
 * label of the same norm: {@code ‖tanh(a·y_1)‖² = P tanh²(a) ≈ P(a² − 2a⁴/3)} against
 * {@code ‖tanh(a(y_1 + y_2)/√2)‖² = (P/2) tanh²(√2 a) ≈ P(a² − 4a⁴/3)}, so for the same weight
 * cost a single-label neuron delivers more output and weight decay favours it (plain gradient
 * descent in numpy finds the same). Mixed
 * selectivity (indices 0.5 … 1, a different mix in every seed) is what linear networks show,
 * whose hidden layer has an exact rotation symmetry.
 *
 * <p>Deeper networks: the same measurement on the first hidden layer (outgoing norms from the
 * second layer's weights).
 */
public final class NeuronTuning {
    /** Default relative mass below which a neuron counts as unused; see the class comment. */
    public static final double DEFAULT_USED_FRACTION = 1e-3;
    /** Default cosine tolerance of the direction clustering; see the class comment. */
    public static final double DEFAULT_COSINE_TOL = 1e-2;
    /** Selectivity index at or above which a group counts as modular (tuned to one label). */
    public static final double MODULAR_SELECTIVITY = 0.99;

    /**
     * One group of used neurons with a common preactivation direction.
     *
     * @param size         neurons in the group
     * @param mass         their total mass Σ m_i
     * @param selectivity  selectivity index of the group's mass-weighted mean direction
     * @param label        0-based label with the largest share
     * @param sign         sign of that label's coefficient (+1: responds to y_label = +1); for odd
     *                     activations the orientation of the group's leader
     * @param shares       s_k per label
     * @param r2           fraction of the centred preactivation explained by the labels
     * @param offsetShare  (1ᵀh)²/(P‖h‖²) of the mean direction
     */
    public record Group(int size, double mass, double selectivity, int label, int sign, double[] shares, double r2,
                        double offsetShare) {
        public boolean modular() {
            return selectivity >= MODULAR_SELECTIVITY;
        }

        /** "+y2" for a modular group (1-based label), else the labels with share ≥ 5 %, e.g. "y1:0.62 y2:0.38". */
        public String describe(boolean signed) {
            if (modular()) return (signed ? (sign > 0 ? "+" : "-") : "") + "y" + (label + 1);
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < shares.length; k++) {
                if (shares[k] >= 0.05) {
                    if (sb.length() > 0) sb.append(' ');
                    sb.append(String.format(Locale.ROOT, "y%d:%.2f", k + 1, shares[k]));
                }
            }
            return sb.toString();
        }
    }

    /**
     * The tuning of one member.
     *
     * @param width              neurons in the first hidden layer
     * @param used               neurons above the mass cut
     * @param groups             groups, heaviest first
     * @param neuronSelectivity  selectivity index of each used neuron, heaviest neuron first
     * @param meanSelectivity    mass-weighted mean of the used neurons' selectivity
     * @param minSelectivity     smallest selectivity of a used neuron
     * @param signSymmetric      whether neurons were compared up to sign (odd activation)
     */
    public record Result(int width, int used, List<Group> groups, double[] neuronSelectivity, double meanSelectivity,
                         double minSelectivity, boolean signSymmetric) {
        public int groupCount() {
            return groups.size();
        }

        public int modularGroups() {
            return (int) groups.stream().filter(Group::modular).count();
        }

        /**
         * Distinct (label, sign) pairs among the modular groups — (label) alone when sign-symmetric.
         * 2·dY at a two-layer ReLU optimum on a hypercube task.
         */
        public int modularRays() {
            Set<Integer> rays = new TreeSet<>();
            for (Group g : groups) {
                if (g.modular()) rays.add(signSymmetric ? g.label() : 2 * g.label() + (g.sign() > 0 ? 1 : 0));
            }
            return rays.size();
        }

        /** Mass-weighted mean offset share of the groups. */
        public double meanOffsetShare() {
            double num = 0, den = 0;
            for (Group g : groups) {
                num += g.mass() * g.offsetShare();
                den += g.mass();
            }
            return den == 0 ? Double.NaN : num / den;
        }
    }

    private final Task task;
    private final int p;
    private final int dY;
    /** Centred label rows (dY × P). */
    private final double[] yc;
    /** ‖y_k^c‖². */
    private final double[] yNorm2;
    /** Pseudo-inverse of Y_cᵀ (dY × P): β = pinv · h_c. */
    private final DMatrixRMaj pinv;

    private NeuronTuning(Task task) {
        this.task = task;
        this.p = task.samples();
        this.dY = task.outputDim();
        yc = new double[dY * p];
        yNorm2 = new double[dY];
        for (int k = 0; k < dY; k++) {
            double mean = 0;
            for (int s = 0; s < p; s++) mean += task.y(k, s);
            mean /= p;
            for (int s = 0; s < p; s++) {
                double v = task.y(k, s) - mean;
                yc[k * p + s] = v;
                yNorm2[k] += v * v;
            }
        }
        DMatrixRMaj ycT = new DMatrixRMaj(dY, p, true, yc.clone());
        CommonOps_DDRM.transpose(ycT);
        pinv = new DMatrixRMaj(dY, p);
        CommonOps_DDRM.pinv(ycT, pinv);
    }

    /** Prepares the label regression for a task (once per study). */
    public static NeuronTuning forTask(Task task) {
        return new NeuronTuning(task);
    }

    /** {@link #measure(ParamLayout, double[], int, double, double)} with the default tolerances. */
    public Result measure(ParamLayout layout, double[] params, int off) {
        return measure(layout, params, off, DEFAULT_USED_FRACTION, DEFAULT_COSINE_TOL);
    }

    /**
     * Measures the member stored at {@code params[off …]} (layout of {@code layout}).
     *
     * @param usedFraction relative mass cut, in [0, 1]
     * @param cosineTol    neurons join a group when their cosine to its leader is ≥ 1 − cosineTol
     */
    public Result measure(ParamLayout layout, double[] params, int off, double usedFraction, double cosineTol) {
        if (!(usedFraction >= 0 && usedFraction <= 1)) throw new IllegalArgumentException("usedFraction must be in [0, 1]");
        if (!(cosineTol >= 0 && cosineTol < 1)) throw new IllegalArgumentException("cosineTol must be in [0, 1)");
        Architecture arch = layout.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != dY) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        int m = arch.width(0), d = arch.inputDim();
        boolean odd = arch.activation() == Activation.LINEAR || arch.activation() == Activation.TANH;

        // preactivations H = W1 X + b 1ᵀ and masses
        double[][] h = new double[m][p];
        double[] mass = new double[m];
        int w1 = off + layout.weight(0), b1 = off + layout.bias(0);
        int w2 = off + layout.weight(1), fanOut2 = arch.fanOut(1);
        double maxMass = 0;
        boolean biased = layout.bias(0) >= 0;
        for (int i = 0; i < m; i++) {
            double bias = biased ? params[b1 + i] : 0.0;
            double in2 = bias * bias;
            Arrays.fill(h[i], bias);
            for (int c = 0; c < d; c++) {
                double w = params[w1 + i * d + c];
                in2 += w * w;
                for (int s = 0; s < p; s++) h[i][s] += w * task.x(c, s);
            }
            double out2 = 0;
            for (int r = 0; r < fanOut2; r++) {
                double w = params[w2 + r * m + i];
                out2 += w * w;
            }
            mass[i] = Math.sqrt(in2 * out2);
            maxMass = Math.max(maxMass, mass[i]);
        }
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            if (maxMass > 0 && mass[i] >= usedFraction * maxMass && norm(h[i]) > 0) used.add(i);
        }
        used.sort(Comparator.comparingDouble((Integer i) -> -mass[i]).thenComparingInt(i -> i));

        // greedy leader clustering by direction
        List<double[]> leaders = new ArrayList<>();
        List<double[]> sums = new ArrayList<>();
        List<double[]> groupMass = new ArrayList<>(); // {mass, size}
        double[] neuronSel = new double[used.size()];
        double selNum = 0, selDen = 0, selMin = Double.NaN;
        int n = 0;
        for (int i : used) {
            double[] u = unit(h[i]);
            int best = -1;
            double bestCos = 1 - cosineTol;
            int bestSign = 1;
            for (int g = 0; g < leaders.size(); g++) {
                double c = dot(u, leaders.get(g));
                int sign = 1;
                if (odd && c < 0) {
                    c = -c;
                    sign = -1;
                }
                if (c >= bestCos) {
                    bestCos = c;
                    best = g;
                    bestSign = sign;
                }
            }
            if (best < 0) {
                leaders.add(u);
                sums.add(new double[p]);
                groupMass.add(new double[2]);
                best = leaders.size() - 1;
                bestSign = 1;
            }
            double[] sum = sums.get(best);
            for (int s = 0; s < p; s++) sum[s] += bestSign * mass[i] * u[s];
            groupMass.get(best)[0] += mass[i];
            groupMass.get(best)[1] += 1;

            double sel = fit(h[i]).selectivity;
            neuronSel[n++] = sel;
            if (!Double.isNaN(sel)) {
                selNum += mass[i] * sel;
                selDen += mass[i];
                selMin = Double.isNaN(selMin) ? sel : Math.min(selMin, sel);
            }
        }
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < leaders.size(); g++) {
            Fit f = fit(sums.get(g));
            groups.add(new Group((int) groupMass.get(g)[1], groupMass.get(g)[0], f.selectivity, f.label, f.sign,
                    f.shares, f.r2, offsetShare(sums.get(g))));
        }
        groups.sort(Comparator.comparingDouble((Group g) -> -g.mass()));
        return new Result(m, used.size(), List.copyOf(groups), neuronSel, selDen == 0 ? Double.NaN : selNum / selDen,
                selMin, odd);
    }

    /** The label regression of one preactivation vector. */
    record Fit(double selectivity, int label, int sign, double[] shares, double r2) {
    }

    /** Least-squares fit of h on [1, y_1 … y_dY] (see class comment); NaN selectivity when no label explains anything. */
    Fit fit(double[] h) {
        double mean = 0;
        for (double v : h) mean += v;
        mean /= p;
        double[] hc = new double[p];
        double hc2 = 0;
        for (int s = 0; s < p; s++) {
            hc[s] = h[s] - mean;
            hc2 += hc[s] * hc[s];
        }
        double[] beta = new double[dY];
        for (int k = 0; k < dY; k++) {
            double b = 0;
            for (int s = 0; s < p; s++) b += pinv.get(k, s) * hc[s];
            beta[k] = b;
        }
        double[] shares = new double[dY];
        double total = 0;
        int top = 0;
        for (int k = 0; k < dY; k++) {
            shares[k] = beta[k] * beta[k] * yNorm2[k];
            total += shares[k];
            if (shares[k] > shares[top]) top = k;
        }
        double explained2 = 0;
        for (int s = 0; s < p; s++) {
            double v = 0;
            for (int k = 0; k < dY; k++) v += beta[k] * yc[k * p + s];
            explained2 += v * v;
        }
        if (total <= 0 || hc2 <= 0) {
            Arrays.fill(shares, Double.NaN);
            return new Fit(Double.NaN, -1, 0, shares, hc2 <= 0 ? Double.NaN : 0.0);
        }
        for (int k = 0; k < dY; k++) shares[k] /= total;
        return new Fit(shares[top], top, beta[top] >= 0 ? 1 : -1, shares, explained2 / hc2);
    }

    private double offsetShare(double[] h) {
        double sum = 0, sq = 0;
        for (double v : h) {
            sum += v;
            sq += v * v;
        }
        return sq == 0 ? Double.NaN : sum * sum / (p * sq);
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double[] unit(double[] a) {
        double n = norm(a);
        double[] u = new double[a.length];
        for (int i = 0; i < a.length; i++) u[i] = a[i] / n;
        return u;
    }
}
