package org.repgeom.theory;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.repgeom.theory.NeuronEnergy.Minimum;

/**
 * Exact minimum of E for any K_X by sign-pattern enumeration (method {@code "sign-patterns"}):
 * within each of the {@code 3^P} patterns (S+, S−, zeros) E is a quadratic form on a subspace of
 * col(K_X), whose lowest eigenvector is kept when it matches its pattern (docs/certificate.md).
 */
final class SignPatternEnumeration {

    /** Largest P (3^12 eigenproblems). */
    static final int MAX_P = 12;

    private SignPatternEnumeration() {
    }

    static Minimum minimum(NeuronEnergy energy, DMatrixRMaj u) {
        DMatrixRMaj kxPinv = energy.kxPinv();
        int p = kxPinv.numRows;
        int r = u.numCols;
        double bestVal = Double.POSITIVE_INFINITY;
        double[] bestH = null;
        String bestLabel = "";
        for (int zero = 0; zero < (1 << p); zero++) {
            int nz = Integer.bitCount(zero);
            // basis of V_Z = col(K_X) ∩ {h_Z = 0}: B = U N, N = null space of U_Z (r×q)
            DMatrixRMaj basis;
            if (nz == 0) {
                basis = u;
            } else {
                DMatrixRMaj uz = new DMatrixRMaj(nz, r);
                for (int i = 0, t = 0; i < p; i++) {
                    if ((zero >>> i & 1) == 0) continue;
                    for (int c = 0; c < r; c++) uz.set(t, c, u.get(i, c));
                    t++;
                }
                DMatrixRMaj n = nullSpace(uz);
                if (n == null || n.numCols == 0) continue;
                basis = new DMatrixRMaj(p, n.numCols);
                CommonOps_DDRM.mult(u, n, basis);
            }
            int q = basis.numCols;
            DMatrixRMaj base = QuadraticForms.congruence(basis, kxPinv); // Bᵀ K_X⁺ B
            int free = ~zero & ((1 << p) - 1);
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(q, true, true);
            // S+ ⊆ free; S− = free \ S+
            for (int plus = free; ; plus = (plus - 1) & free) {
                DMatrixRMaj bp = basis.copy(); // D_S+ B
                for (int i = 0; i < p; i++) {
                    if ((plus >>> i & 1) == 0) {
                        for (int c = 0; c < q; c++) bp.set(i, c, 0.0);
                    }
                }
                DMatrixRMaj form = base.copy();
                CommonOps_DDRM.scale(energy.lambda1(), form);
                CommonOps_DDRM.addEquals(form, -energy.lambda2(), QuadraticForms.congruence(bp, energy.g()));
                QuadraticForms.symmetrize(form);
                if (eig.decompose(form)) {
                    int low = SymmetricEigen.lowest(eig, q);
                    if (eig.getEigenvalue(low).real < bestVal) {
                        DMatrixRMaj h = new DMatrixRMaj(p, 1);
                        CommonOps_DDRM.mult(basis, eig.getEigenVector(low), h);
                        double[] hv = matchPattern(h.data, plus, free);
                        if (hv != null) {
                            double val = energy.at(hv);
                            if (val < bestVal) {
                                bestVal = val;
                                bestH = hv;
                                bestLabel = patternLabel(plus, free, p);
                            }
                        }
                    }
                }
                if (plus == 0) break;
            }
        }
        if (bestH == null) {
            return new Minimum(Double.NaN, null, "sign-patterns: no candidate");
        }
        return new Minimum(bestVal, bestH, "sign-patterns(P=" + p + ", pattern " + bestLabel + ")");
    }

    /** h (or −h) normalised, if its signs match the pattern: > 0 on plus, < 0 on free \ plus. */
    private static double[] matchPattern(double[] h, int plus, int free) {
        int p = h.length;
        double max = 0;
        for (double x : h) max = Math.max(max, Math.abs(x));
        if (max == 0) return null;
        outer:
        for (double sign : new double[] {1, -1}) {
            double[] v = new double[p];
            for (int i = 0; i < p; i++) {
                double x = sign * h[i] / max;
                if ((free >>> i & 1) == 0) {
                    v[i] = 0;
                } else if ((plus >>> i & 1) != 0) {
                    if (x < -NeuronEnergy.SIGN_SLACK) continue outer;
                    v[i] = x;
                } else {
                    if (x > NeuronEnergy.SIGN_SLACK) continue outer;
                    v[i] = x;
                }
            }
            QuadraticForms.normalize(v);
            return v;
        }
        return null;
    }

    /** Orthonormal basis of the null space of m (cols × q), via SVD. */
    private static DMatrixRMaj nullSpace(DMatrixRMaj m) {
        int cols = m.numCols;
        SingularValueDecomposition_F64<DMatrixRMaj> svd =
                DecompositionFactory_DDRM.svd(m.numRows, cols, false, true, false);
        if (!svd.decompose(m.copy())) return null;
        double[] sv = svd.getSingularValues();
        double tolSv = 1e-10 * Math.max(1.0, Arrays.stream(sv).max().orElse(0));
        DMatrixRMaj v = svd.getV(null, false); // cols × cols
        int rank = 0;
        boolean[] kept = new boolean[cols];
        for (int j = 0; j < svd.numberOfSingularValues(); j++) {
            if (sv[j] > tolSv) rank++;
            else kept[j] = true;
        }
        for (int j = svd.numberOfSingularValues(); j < cols; j++) kept[j] = true;
        DMatrixRMaj n = new DMatrixRMaj(cols, cols - rank);
        for (int j = 0, c = 0; j < cols && c < cols - rank; j++) {
            if (!kept[j]) continue;
            for (int i = 0; i < cols; i++) n.set(i, c, v.get(i, j));
            c++;
        }
        return n;
    }

    private static String patternLabel(int plus, int free, int p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p; i++) {
            sb.append((free >>> i & 1) == 0 ? '0' : (plus >>> i & 1) != 0 ? '+' : '-');
        }
        return sb.toString();
    }
}
