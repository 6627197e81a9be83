package org.repgeom.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Neural-collapse statistics NC1–NC4 (Papyan, Han &amp; Donoho 2020, "Prevalence of neural collapse
 * during the terminal phase of deep learning training") of a representation R (M×P, one column
 * h_s per sample) with class labels c(s) ∈ [0, C) and, for NC3/NC4, a linear readout W (C×M) with
 * optional bias b (C); row c of W is the output unit of class c.
 *
 * <p>Notation: class means {@code μ_c = mean_{s: c(s)=c} h_s}, global mean
 * {@code μ_G = mean_s h_s} (the mean over all samples, as in Papyan et al.; equal to the mean of
 * the class means for balanced classes), centred class means {@code M̄ = [μ_c − μ_G]_c} (M×C),
 * within-class covariance {@code Σ_W = (1/P) Σ_s (h_s − μ_{c(s)})(h_s − μ_{c(s)})ᵀ} and
 * between-class covariance {@code Σ_B = (1/C) Σ_c (μ_c − μ_G)(μ_c − μ_G)ᵀ = M̄M̄ᵀ/C}.
 * <ul>
 *   <li><b>NC1</b> = {@code tr(Σ_W Σ_B⁺)/C} (Papyan et al. Fig. 6). The pseudo-inverse keeps the
 *       singular values {@code σ_j > relTol·σ_max} of M̄, default {@link #DEFAULT_PINV_REL_TOL}
 *       (see there why not numpy's ε-level cut-off); it is evaluated as {@code Σ_j (1/σ_j²)·(1/P)Σ_s (u_jᵀ(h_s − μ_{c(s)}))²}
 *       over the left singular vectors u_j of M̄, so no M×M matrix is inverted.</li>
 *   <li><b>NC2</b> = {@code ‖ M̄ᵀM̄/‖M̄ᵀM̄‖_F − (I − 11ᵀ/C)/√(C−1) ‖_F} (the single-number form of
 *       Zhu et al. 2021, "A geometric analysis of neural collapse with unconstrained features";
 *       {@code √(C−1) = ‖I − 11ᵀ/C‖_F}). The centred means are <i>not</i> normalised column by
 *       column, so unequal norms count too; it is 0 iff M̄ is a scaled simplex ETF. Papyan et al.'s
 *       two separate curves are also given: {@link #equinorm} = {@code std_c ‖μ_c − μ_G‖ /
 *       mean_c ‖μ_c − μ_G‖} (population std) and {@link #equiangularity} =
 *       {@code mean_{c≠c'} |cos(μ_c − μ_G, μ_c' − μ_G) + 1/(C−1)|}.</li>
 *   <li><b>NC3</b> (self-duality) = {@code ‖ Wᵀ/‖W‖_F − M̄/‖M̄‖_F ‖_F} (Frobenius norm, not
 *       squared); 0 iff the rows of W are the centred class means up to one positive scale.</li>
 *   <li><b>NC4</b> = fraction of samples whose nearest class mean
 *       {@code argmin_c ‖h_s − μ_c‖} differs from the classifier's {@code argmax_c (W h_s + b)_c}
 *       (ties to the lowest index).</li>
 * </ul>
 * Every class must have at least one sample; C ≥ 2.
 *
 * @param nc1            NC1
 * @param nc2            NC2 (ETF deviation, Frobenius)
 * @param equinorm       Papyan's equinorm deviation
 * @param equiangularity Papyan's equiangularity deviation
 * @param nc3            NC3, NaN without a readout
 * @param nc4            NC4, NaN without a readout
 */
public record NeuralCollapse(double nc1, double nc2, double equinorm, double equiangularity, double nc3,
                            double nc4) {

    /**
     * Default relative cut-off 1e-6 of the pseudo-inverse in NC1. M̄ always has rank ≤ C−1 (its
     * columns, weighted by the class sizes, sum to zero), but after rounding the missing singular
     * value is not 0, it is of the order of the rounding of the class means (≈1e-16 relative in
     * double, ≈1e-7 for representations stored as float). An ε-level cut-off (numpy's pinv) keeps
     * that direction and divides rounding noise by it, so a perfectly collapsed representation
     * would score anything up to O(1). Class means that differ by less than 1e-6 of the largest
     * spread are no separation worth measuring.
     */
    public static final double DEFAULT_PINV_REL_TOL = 1e-6;

    /**
     * All statistics.
     *
     * @param r       M×P row-major representation
     * @param m       number of units M
     * @param classOf class of each of the P samples, in [0, classes)
     * @param classes number of classes C (≥ 2)
     * @param w       readout C×M row-major, or null (then NC3 and NC4 are NaN)
     * @param bias    readout bias of length C, or null for none
     */
    public static NeuralCollapse of(double[] r, int m, int[] classOf, int classes, double[] w, double[] bias) {
        Stats st = new Stats(r, m, classOf, classes);
        return new NeuralCollapse(st.nc1(DEFAULT_PINV_REL_TOL), st.nc2(), st.equinorm(), st.equiangularity(),
                w == null ? Double.NaN : st.nc3(w), w == null ? Double.NaN : st.nc4(w, bias));
    }

    /**
     * Classes of a one-hot (or any score-like) label matrix Y (C×P row-major): class of sample s is
     * {@code argmax_k Y[k][s]} (lowest index on ties), so class c is output row c of the readout.
     */
    public static int[] classesFromOneHot(double[] y, int c, int p) {
        Matrices.checkShape("Y", y, c, p);
        int[] classOf = new int[p];
        for (int s = 0; s < p; s++) {
            int best = 0;
            for (int k = 1; k < c; k++) {
                if (y[k * p + s] > y[best * p + s]) {
                    best = k;
                }
            }
            classOf[s] = best;
        }
        return classOf;
    }

    /** NC1 = tr(Σ_W Σ_B⁺)/C. */
    public static double nc1(double[] r, int m, int[] classOf, int classes) {
        return nc1(r, m, classOf, classes, DEFAULT_PINV_REL_TOL);
    }

    /** NC1 with the pseudo-inverse keeping singular values {@code σ_j > relTol·σ_max} of M̄. */
    public static double nc1(double[] r, int m, int[] classOf, int classes, double relTol) {
        if (!(relTol >= 0 && relTol < 1)) {
            throw new IllegalArgumentException("relTol must be in [0, 1), got " + relTol);
        }
        return new Stats(r, m, classOf, classes).nc1(relTol);
    }

    /** NC2 = ‖M̄ᵀM̄/‖M̄ᵀM̄‖_F − (I − 11ᵀ/C)/√(C−1)‖_F. */
    public static double nc2(double[] r, int m, int[] classOf, int classes) {
        return new Stats(r, m, classOf, classes).nc2();
    }

    /** NC3 = ‖Wᵀ/‖W‖_F − M̄/‖M̄‖_F‖_F for a C×M readout W. */
    public static double nc3(double[] r, int m, int[] classOf, int classes, double[] w) {
        return new Stats(r, m, classOf, classes).nc3(w);
    }

    /** NC4: fraction of samples where the nearest class mean ≠ argmax(W h + b); bias may be null. */
    public static double nc4(double[] r, int m, int[] classOf, int classes, double[] w, double[] bias) {
        return new Stats(r, m, classOf, classes).nc4(w, bias);
    }

    /** Class means and centred means, shared by the statistics. */
    private static final class Stats {
        final double[] r;
        final int m, p, c;
        final int[] classOf;
        final double[][] mu;     // class means, [c][i]
        final double[] centred;  // M̄, M×C row-major

        Stats(double[] r, int m, int[] classOf, int classes) {
            if (classes < 2) {
                throw new IllegalArgumentException("neural collapse needs at least 2 classes, got " + classes);
            }
            this.r = r;
            this.m = m;
            this.p = classOf.length;
            this.c = classes;
            this.classOf = classOf;
            this.mu = ClassPartition.prototypes(r, m, classOf, classes);
            for (int k = 0; k < classes; k++) {
                if (Double.isNaN(mu[k][0])) {
                    throw new IllegalArgumentException("class " + k + " has no samples");
                }
            }
            double[] global = new double[m];
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int t = 0; t < p; t++) {
                    s += r[i * p + t];
                }
                global[i] = s / p;
            }
            centred = new double[m * classes];
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < classes; k++) {
                    centred[i * classes + k] = mu[k][i] - global[i];
                }
            }
        }

        double nc1(double relTol) {
            SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, c, true, false, true);
            if (!svd.decompose(Matrices.copyOf(centred, m, c))) {
                throw new IllegalStateException("SVD of the class means failed");
            }
            double[] sigma = svd.getSingularValues();
            DMatrixRMaj u = svd.getU(null, false);
            int n = svd.numberOfSingularValues();
            double max = 0;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, sigma[j]);
            }
            double tol = relTol * max;
            double total = 0;
            for (int j = 0; j < n; j++) {
                if (!(sigma[j] > tol)) {
                    continue;
                }
                double spread = 0;
                for (int s = 0; s < p; s++) {
                    double proj = 0;
                    for (int i = 0; i < m; i++) {
                        proj += u.get(i, j) * (r[i * p + s] - mu[classOf[s]][i]);
                    }
                    spread += proj * proj;
                }
                total += spread / p / (sigma[j] * sigma[j]);
            }
            // tr(Σ_W Σ_B⁺) = C · Σ_j u_jᵀΣ_W u_j / σ_j², divided by C
            return total;
        }

        /** M̄ᵀM̄, C×C. */
        double[] gram() {
            double[] g = new double[c * c];
            for (int a = 0; a < c; a++) {
                for (int b = 0; b < c; b++) {
                    double s = 0;
                    for (int i = 0; i < m; i++) {
                        s += centred[i * c + a] * centred[i * c + b];
                    }
                    g[a * c + b] = s;
                }
            }
            return g;
        }

        double nc2() {
            double[] g = gram();
            double norm = Matrices.frobeniusNorm(g);
            if (norm == 0) {
                return Double.NaN;
            }
            double etfScale = 1.0 / Math.sqrt(c - 1.0);
            double s = 0;
            for (int a = 0; a < c; a++) {
                for (int b = 0; b < c; b++) {
                    double etf = ((a == b ? 1.0 : 0.0) - 1.0 / c) * etfScale;
                    double d = g[a * c + b] / norm - etf;
                    s += d * d;
                }
            }
            return Math.sqrt(s);
        }

        double equinorm() {
            double[] g = gram();
            double[] norms = new double[c];
            double mean = 0;
            for (int a = 0; a < c; a++) {
                norms[a] = Math.sqrt(g[a * c + a]);
                mean += norms[a];
            }
            mean /= c;
            double var = 0; // two-pass: E[n²] − E[n]² would cancel to √ε-sized noise
            for (double n : norms) {
                var += (n - mean) * (n - mean);
            }
            var /= c;
            return mean == 0 ? Double.NaN : Math.sqrt(var) / mean;
        }

        double equiangularity() {
            double[] g = gram();
            double s = 0;
            for (int a = 0; a < c; a++) {
                for (int b = 0; b < c; b++) {
                    if (a != b) {
                        double den = Math.sqrt(g[a * c + a] * g[b * c + b]);
                        double cos = den == 0 ? 0.0 : g[a * c + b] / den;
                        s += Math.abs(cos + 1.0 / (c - 1));
                    }
                }
            }
            return s / (c * (c - 1.0));
        }

        double nc3(double[] w) {
            Matrices.checkShape("W", w, c, m);
            double nw = Matrices.frobeniusNorm(w);
            double nm = Matrices.frobeniusNorm(centred);
            if (nw == 0 || nm == 0) {
                return Double.NaN;
            }
            double s = 0;
            for (int i = 0; i < m; i++) {
                for (int k = 0; k < c; k++) {
                    double d = w[k * m + i] / nw - centred[i * c + k] / nm;
                    s += d * d;
                }
            }
            return Math.sqrt(s);
        }

        double nc4(double[] w, double[] bias) {
            Matrices.checkShape("W", w, c, m);
            if (bias != null && bias.length != c) {
                throw new IllegalArgumentException("bias has " + bias.length + " entries for " + c + " classes");
            }
            int disagree = 0;
            for (int s = 0; s < p; s++) {
                int ncc = 0, net = 0;
                double bestDist = Double.POSITIVE_INFINITY, bestScore = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    double dist = 0, score = bias == null ? 0.0 : bias[k];
                    for (int i = 0; i < m; i++) {
                        double h = r[i * p + s];
                        double d = h - mu[k][i];
                        dist += d * d;
                        score += w[k * m + i] * h;
                    }
                    if (dist < bestDist) {
                        bestDist = dist;
                        ncc = k;
                    }
                    if (score > bestScore) {
                        bestScore = score;
                        net = k;
                    }
                }
                if (ncc != net) {
                    disagree++;
                }
            }
            return disagree / (double) p;
        }
    }
}
