package org.repgeom.analysis;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Centred kernel alignment (CKA) between two representations of the same P samples.
 *
 * <p><b>Linear CKA</b> (Kornblith et al. 2019, "Similarity of neural network representations
 * revisited"). With Gram matrices {@code K = AᵀA}, {@code L = BᵀB} (A is M_A×P, B is M_B×P,
 * one column per sample), the centring matrix {@code H = I − 11ᵀ/P} and
 * {@code HSIC(K, L) = tr(HKH · HLH)/(P−1)²},
 * <pre>  CKA(K, L) = HSIC(K, L) / √(HSIC(K, K) · HSIC(L, L))  ∈ [0, 1].</pre>
 * For linear kernels this equals {@code ‖A_c B_cᵀ‖²_F / (‖A_c A_cᵀ‖_F ‖B_c B_cᵀ‖_F)} with
 * {@code A_c = A H} (each unit centred over the samples), which is how {@link #linear} computes
 * it (cost M_A·M_B·P, no P×P matrix). It is invariant to orthogonal transforms and isotropic
 * scalings of either representation (and to adding a constant to a unit), not to non-isotropic
 * scalings. For one unit on each side it is the squared Pearson correlation of the two units.
 *
 * <p><b>Debiased CKA</b> (Nguyen, Raghu &amp; Kornblith 2021, "Do wide and deep networks learn the
 * same things?", and {@code cka(..., debiased=True)} in Kornblith's reference notebook
 * {@code google-research/representation_similarity}): HSIC is replaced by the unbiased estimator of
 * Song et al. (2012),
 * <pre>  HSIC₁(K, L) = [tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((P−1)(P−2)) − 2·1ᵀK̃L̃1/(P−2)] / (P(P−3)),</pre>
 * with {@code K̃}, {@code L̃} the Gram matrices with their diagonal set to zero, and
 * {@code CKA₁ = HSIC₁(K, L)/√(HSIC₁(K, K)·HSIC₁(L, L))}. It is computed, as in the reference code,
 * by "unbiased centring" (U-centring): {@code K̃} with zero diagonal, off-diagonal entries
 * {@code K̃_ij − r_i − r_j} where {@code r_i = Σ_j K̃_ij/(P−2) − Σ_jl K̃_jl/(2(P−1)(P−2))}, diagonal
 * zeroed again; then {@code ⟨U(K), U(L)⟩_F = P(P−3)·HSIC₁(K, L)} and the score is
 * {@code ⟨U(K),U(L)⟩_F / (‖U(K)‖_F ‖U(L)‖_F)}. Unlike linear CKA its expectation for independent
 * representations is ≈ 0 (it can be slightly negative), whereas linear CKA is biased upward when
 * the number of units is not small compared with P. Needs P ≥ 4.
 *
 * <p>Degenerate input (a representation constant over the samples, so its centred Gram matrix is
 * zero) gives NaN.
 */
public final class Cka {
    private Cka() {
    }

    /**
     * Linear CKA of representations A (M_A×P) and B (M_B×P), computed in feature space.
     *
     * @param a  M_A×P row-major
     * @param ma number of units of A
     * @param b  M_B×P row-major
     * @param mb number of units of B
     * @param p  number of samples P (≥ 2)
     */
    public static double linear(double[] a, int ma, double[] b, int mb, int p) {
        Matrices.checkShape("A", a, ma, p);
        Matrices.checkShape("B", b, mb, p);
        DMatrixRMaj ac = centredRows(a, ma, p);
        DMatrixRMaj bc = centredRows(b, mb, p);
        DMatrixRMaj ab = new DMatrixRMaj(ma, mb);
        CommonOps_DDRM.multTransB(ac, bc, ab);
        DMatrixRMaj aa = new DMatrixRMaj(ma, ma);
        CommonOps_DDRM.multTransB(ac, ac, aa);
        DMatrixRMaj bb = new DMatrixRMaj(mb, mb);
        CommonOps_DDRM.multTransB(bc, bc, bb);
        double num = Matrices.frobeniusInner(ab.data, ab.data);
        double den = Matrices.frobeniusNorm(aa.data) * Matrices.frobeniusNorm(bb.data);
        return den == 0 ? Double.NaN : num / den;
    }

    /**
     * Linear CKA from two P×P Gram matrices (e.g. representation kernels {@code RᵀR}); equals
     * {@link #linear} on the representations that produced them.
     */
    public static double linearFromKernels(double[] k, double[] l, int p) {
        Matrices.checkShape("K", k, p, p);
        Matrices.checkShape("L", l, p, p);
        double[] kc = doubleCentred(k, p);
        double[] lc = doubleCentred(l, p);
        return ratio(kc, lc);
    }

    /** Debiased CKA of representations A (M_A×P) and B (M_B×P); P ≥ 4. */
    public static double debiased(double[] a, int ma, double[] b, int mb, int p) {
        return debiasedFromKernels(RepresentationKernel.of(a, ma, p), RepresentationKernel.of(b, mb, p), p);
    }

    /** Debiased CKA from two P×P Gram matrices; P ≥ 4. */
    public static double debiasedFromKernels(double[] k, double[] l, int p) {
        Matrices.checkShape("K", k, p, p);
        Matrices.checkShape("L", l, p, p);
        if (p < 4) {
            throw new IllegalArgumentException("debiased CKA needs P >= 4 samples, got " + p);
        }
        return ratio(uCentred(k, p), uCentred(l, p));
    }

    /** {@code ⟨X, Y⟩_F / (‖X‖_F ‖Y‖_F)}, NaN when either is zero. */
    private static double ratio(double[] x, double[] y) {
        double den = Matrices.frobeniusNorm(x) * Matrices.frobeniusNorm(y);
        return den == 0 ? Double.NaN : Matrices.frobeniusInner(x, y) / den;
    }

    /** Each row of the M×P matrix minus its mean over the P samples, as a new EJML matrix. */
    static DMatrixRMaj centredRows(double[] a, int m, int p) {
        double[] c = new double[m * p];
        for (int i = 0; i < m; i++) {
            double mean = 0;
            for (int s = 0; s < p; s++) {
                mean += a[i * p + s];
            }
            mean /= p;
            for (int s = 0; s < p; s++) {
                c[i * p + s] = a[i * p + s] - mean;
            }
        }
        return DMatrixRMaj.wrap(m, p, c);
    }

    /** {@code HKH}: row means, column means removed and the grand mean added back. */
    static double[] doubleCentred(double[] k, int p) {
        double[] row = new double[p];
        double[] col = new double[p];
        double all = 0;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double v = k[i * p + j];
                row[i] += v;
                col[j] += v;
                all += v;
            }
        }
        double[] c = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                c[i * p + j] = k[i * p + j] - row[i] / p - col[j] / p + all / ((double) p * p);
            }
        }
        return c;
    }

    /**
     * U-centring of Kornblith's {@code center_gram(gram, unbiased=True)}: zero the diagonal,
     * {@code r_i = Σ_j K̃_ij/(P−2)}, {@code r_i −= Σ r/(2(P−1))}, subtract {@code r_i + r_j}, zero the
     * diagonal. Assumes K symmetric.
     */
    static double[] uCentred(double[] k, int p) {
        double[] u = k.clone();
        for (int i = 0; i < p; i++) {
            u[i * p + i] = 0;
        }
        double[] r = new double[p];
        double total = 0;
        for (int i = 0; i < p; i++) {
            double s = 0;
            for (int j = 0; j < p; j++) {
                s += u[i * p + j];
            }
            r[i] = s / (p - 2);
            total += r[i];
        }
        double shift = total / (2.0 * (p - 1));
        for (int i = 0; i < p; i++) {
            r[i] -= shift;
        }
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                u[i * p + j] = i == j ? 0.0 : u[i * p + j] - r[i] - r[j];
            }
        }
        return u;
    }
}
