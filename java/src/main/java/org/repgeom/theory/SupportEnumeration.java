package org.repgeom.theory;

import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.repgeom.theory.NeuronEnergy.Minimum;

/**
 * Exact minimum of E by the copositive reduction (method {@code "copositive-supports"}): when
 * {@code K_X⁻¹} is an M-matrix, {@code min E} over unit h is {@code min vᵀAv} over unit v ≥ 0 with
 * {@code A = λ1 K_X⁻¹ − λ2 G}, attained at a one-signed lowest eigenvector of some principal
 * submatrix A_SS; all {@code 2^P − 1} supports are enumerated (docs/certificate.md).
 */
final class SupportEnumeration {

    /** Largest P (2^20 eigenproblems). */
    static final int MAX_P = 20;

    private SupportEnumeration() {
    }

    static Minimum minimum(NeuronEnergy energy) {
        DMatrixRMaj a = energy.kxPinv().copy();
        CommonOps_DDRM.scale(energy.lambda1(), a);
        CommonOps_DDRM.addEquals(a, -energy.lambda2(), energy.g());
        QuadraticForms.symmetrize(a);
        return overSupports(a);
    }

    private static Minimum overSupports(DMatrixRMaj a) {
        int p = a.numRows;
        int total = 1 << p;
        // chunked over masks; each thread keeps one decomposition per size
        int chunks = Math.max(1, Math.min(64, total / 1024));
        Minimum[] best = IntStream.range(0, chunks).parallel().mapToObj(c -> {
            EigenDecomposition_F64<DMatrixRMaj>[] eigs = newEigs(p);
            DMatrixRMaj[] subs = new DMatrixRMaj[p + 1];
            for (int s = 1; s <= p; s++) subs[s] = new DMatrixRMaj(s, s);
            int[] idx = new int[p];
            double bestVal = Double.POSITIVE_INFINITY;
            int bestMask = 0;
            double[] bestVec = null;
            for (int mask = 1 + c; mask < total; mask += chunks) {
                int s = 0;
                for (int i = 0; i < p; i++) {
                    if ((mask >>> i & 1) != 0) idx[s++] = i;
                }
                double[] v;
                if (s == 1) {
                    v = new double[] {1.0};
                    double val = a.get(idx[0], idx[0]);
                    if (val < bestVal) {
                        bestVal = val;
                        bestMask = mask;
                        bestVec = v;
                    }
                    continue;
                }
                DMatrixRMaj sub = subs[s];
                for (int i = 0; i < s; i++) {
                    for (int j = 0; j < s; j++) sub.unsafe_set(i, j, a.unsafe_get(idx[i], idx[j]));
                }
                EigenDecomposition_F64<DMatrixRMaj> eig = eigs[s];
                if (!eig.decompose(sub)) continue;
                int low = 0;
                double lowVal = Double.POSITIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    double ev = eig.getEigenvalue(j).real;
                    if (ev < lowVal) {
                        lowVal = ev;
                        low = j;
                    }
                }
                if (lowVal >= bestVal) continue; // Rayleigh quotient of any candidate is ≥ λmin
                v = oneSigned(eig.getEigenVector(low).data, s);
                if (v == null) continue;
                double val = rayleigh(a, idx, v, s);
                if (val < bestVal) {
                    bestVal = val;
                    bestMask = mask;
                    bestVec = v;
                }
            }
            double[] full = null;
            if (bestVec != null) {
                full = new double[p];
                for (int i = 0, t = 0; i < p; i++) {
                    if ((bestMask >>> i & 1) != 0) full[i] = bestVec[t++];
                }
                QuadraticForms.normalize(full);
            }
            return new Minimum(bestVal, full, supportLabel(bestMask, p));
        }).toArray(Minimum[]::new);
        Minimum m = best[0];
        for (Minimum b : best) {
            if (b.value() < m.value()) m = b;
        }
        return m;
    }

    /** Sign-normalised copy of an eigenvector if it has one sign (up to SIGN_SLACK), negatives clipped. */
    private static double[] oneSigned(double[] e, int s) {
        double max = 0;
        double sum = 0;
        for (int i = 0; i < s; i++) {
            max = Math.max(max, Math.abs(e[i]));
            sum += e[i];
        }
        double sign = sum >= 0 ? 1 : -1;
        double[] v = new double[s];
        for (int i = 0; i < s; i++) {
            double x = sign * e[i];
            if (x < -NeuronEnergy.SIGN_SLACK * max) return null;
            v[i] = Math.max(0, x);
        }
        return v;
    }

    private static double rayleigh(DMatrixRMaj a, int[] idx, double[] v, int s) {
        double num = 0, den = 0;
        for (int i = 0; i < s; i++) {
            den += v[i] * v[i];
            double row = 0;
            for (int j = 0; j < s; j++) row += a.unsafe_get(idx[i], idx[j]) * v[j];
            num += v[i] * row;
        }
        return num / den;
    }

    @SuppressWarnings("unchecked")
    private static EigenDecomposition_F64<DMatrixRMaj>[] newEigs(int p) {
        EigenDecomposition_F64<DMatrixRMaj>[] e = new EigenDecomposition_F64[p + 1];
        for (int s = 2; s <= p; s++) e[s] = DecompositionFactory_DDRM.eig(s, true, true);
        return e;
    }

    private static String supportLabel(int mask, int p) {
        StringBuilder sb = new StringBuilder("copositive-supports").append("(P=").append(p).append(", support {");
        boolean first = true;
        for (int i = 0; i < p; i++) {
            if ((mask >>> i & 1) != 0) {
                if (!first) sb.append(',');
                sb.append(i);
                first = false;
            }
        }
        return sb.append("})").toString();
    }
}
