package org.repgeom.theory;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.task.Task;

/**
 * Mean-field KKT certificate of global optimality for a trained two-layer ReLU network with a
 * first-layer bias (docs/science.md §6), loss of §3.1:
 * {@code L = ‖Y − W2 relu(W̃1 X̃)‖² + λ1‖W̃1‖² + λ2‖W2‖²}.
 *
 * <h2>Convex reformulation and the bound</h2>
 * With preactivations {@code H = W̃1 X̃} (rows {@code h_i}, each in the column space of
 * {@code K_X = X̃ᵀX̃}), {@code R = relu(H)} and {@code K = RᵀR}, the loss is at least the
 * <em>reduced loss</em>
 * <pre>
 *   L ≥ λ1 Σ_i h_iᵀ K_X⁺ h_i + F(K),     F(K) = λ2 tr K_Y (K + λ2 I)⁻¹,
 * </pre>
 * (min-norm first layer {@code W̃1 = H X̃⁺} and the ridge readout; equality at any stationary
 * point in W2 and with W̃1 in the row space of X̃ᵀ). Writing a neuron as mass {@code m = ‖h‖²}
 * times a unit direction, the reduced loss is a convex problem over nonnegative measures
 * ({@code K = Σ m φ(u)φ(u)ᵀ} is linear in the measure, F is matrix-convex). Its gradient in K is
 * {@code −λ2 G}, {@code G = (K + λ2 I)⁻¹ K_Y (K + λ2 I)⁻¹}, so for any other network with kernel
 * K' and neurons h'_i, by convexity {@code F(K') ≥ F(K) − λ2 tr G K' + λ2 tr G K}, hence
 * <pre>
 *   L' ≥ D + Σ_i E(h'_i),   D = λ2 tr K_Y (K + λ2 I)⁻¹ + λ2 tr(G K),
 *   E(h) = λ1 hᵀ K_X⁺ h − λ2 φ(h)ᵀ G φ(h)   (the single-neuron energy, 2-homogeneous).
 * </pre>
 * If {@code E ≥ 0} on the whole column space of K_X then D is a lower bound on the global
 * minimum, and a member whose own loss equals D is a global minimum. Applied to the member
 * itself, {@code L − D ≥ Σ_i E(h_i) ≥ 0}: the gap is the energy left on the used neurons plus any
 * slack in W̃1, W2 — that is why a kernel alone cannot show "E = 0 on the support" and the loss
 * must be supplied. The formula for D was checked against the loss of the explicit optimal
 * network of §5.1 (agreement to 1e-12 relative, {@code KktCertificateTest}).
 *
 * <h2>Exact minimum of E</h2>
 * <b>Copositive reduction</b> (method {@code "copositive-supports"}), used when K_X is invertible
 * and {@code B = K_X⁻¹} has non-positive off-diagonal entries (whitened inputs with bias:
 * {@code K_X = I + 11ᵀ}, {@code B = I − 11ᵀ/(P+1)}). Split {@code h = u − w} with
 * {@code u = h⁺, w = h⁻ ≥ 0} of disjoint supports. Then
 * {@code hᵀBh = uᵀBu − 2 Σ_{i≠j} u_i B_ij w_j + wᵀBw}; the middle term is ≥ 0 (B_ij ≤ 0, only
 * i ≠ j pairs occur because the supports are disjoint) and {@code wᵀBw ≥ 0} (B is PD), while
 * {@code φ(h) = u}. So {@code E(h) ≥ uᵀ A u} with {@code A = λ1 B − λ2 G}, with equality at
 * {@code w = 0}: E ≥ 0 everywhere iff A is copositive, and for unit h with min E < 0 the minimum
 * over unit h equals {@code min_{v ≥ 0, ‖v‖ = 1} vᵀAv} (since {@code ‖u‖ ≤ ‖h‖}). That
 * minimum is attained at some v whose support S it is strictly positive on; there v is an
 * interior local minimum of the Rayleigh quotient of {@code A_SS}, i.e. a lowest eigenvector.
 * (If the lowest eigenvalue is degenerate, moving inside the eigenspace until a coordinate hits
 * 0 yields a minimiser on a smaller support with the same value; so some support carries it with
 * a simple eigenvalue and a positive eigenvector.) Enumerate the {@code 2^P − 1} supports, keep
 * the lowest eigenvector of each A_SS when it has one sign (entries below {@code −1e-9·max} are
 * rejected, tiny negative ones clipped to 0), and report the smallest Rayleigh quotient. Every
 * reported value is the energy of an actual feasible v, so it is never below the true minimum
 * beyond rounding. Limit {@code P ≤ 20}.
 *
 * <p><b>Sign patterns</b> (method {@code "sign-patterns"}), any K_X, {@code P ≤ 12}: the unit
 * minimiser h* of E over {@code col(K_X)} has a pattern (S+, S−, Z); on the subspace
 * {@code V_Z = col(K_X) ∩ {h_Z = 0}} and in the open cone of that pattern E is the quadratic
 * form {@code λ1 K_X⁺ − λ2 D_S+ G D_S+}, so h* is a lowest eigenvector of that form on V_Z (same
 * degeneracy argument). Enumerate the {@code 3^P} patterns (2^P zero sets, an orthonormal
 * basis of V_Z each), keep eigenvectors that match their pattern up to {@code −1e-9·max}, evaluate
 * the true E at them.
 *
 * <p><b>Sampled check</b> (method {@code "sampled: …"}), beyond those limits (P > 20, or a
 * non-M-matrix K_X with P > 12): {@value #SAMPLED_STARTS} random unit directions in col(K_X) (half
 * of them nonnegative with random supports), each refined by {@value #SAMPLED_STEPS} projected
 * gradient steps of E on the sphere (fixed seed, deterministic). The value found is an upper
 * bound on min E, never a proof of E ≥ 0: if it is below {@code −tol · λ1 ‖K_X⁺‖₂} the member is
 * NOT_CERTIFIED (a direction of negative energy is a proof of non-optimality: adding a small
 * neuron there lowers the loss), otherwise the verdict stays NOT_CHECKED.
 *
 * <h2>Tolerances</h2>
 * With the caller's {@code tol}: CERTIFIED iff
 * {@code minEnergy ≥ −tol · λ1 ‖K_X⁺‖₂} (energy of a unit h relative to the largest first-layer
 * cost of a unit h) <em>and</em> {@code |L − D| ≤ tol · L} ({@code relativeGap = (L − D)/L}).
 * Trained members (Adam to a gradient tolerance of 1e-9, §3.4) reach gaps ≈ 1e-7…1e-5; a tol of
 * 1e-4 accepts them and still rejects planted non-optima whose gaps are ≥ 1e-2. A member below
 * the bound by more than tol (negative gap) is not certified either: it signals a loss that does
 * not belong to this kernel.
 */
public final class KktCertificate {

    /** Outcome of a certificate. */
    public enum Verdict { CERTIFIED, NOT_CERTIFIED, NOT_CHECKED }

    /**
     * @param verdict      CERTIFIED, NOT_CERTIFIED or NOT_CHECKED (then minEnergy is NaN, or the
     *                     sampled upper bound when method starts with "sampled")
     * @param minEnergy    min of E over unit preactivation patterns h ∈ col(K_X) (see class doc;
     *                     copositive method: {@code min vᵀAv} over unit v ≥ 0)
     * @param loss         the member's loss, as supplied
     * @param dualBound    {@code D = λ2 tr K_Y (K+λ2 I)⁻¹ + λ2 tr(G K)}
     * @param relativeGap  {@code (loss − D) / loss}
     * @param method       how minEnergy was obtained, with the minimising support / pattern, or
     *                     why it was not checked
     * @param minimiser    unit P-vector attaining minEnergy (null when not checked)
     */
    public record Result(Verdict verdict, double minEnergy, double loss, double dualBound, double relativeGap,
            String method, double[] minimiser) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s(minEnergy=%.3e, loss=%.9g, bound=%.9g, gap=%.3e, %s)",
                    verdict, minEnergy, loss, dualBound, relativeGap, method);
        }
    }

    /** Largest P for the support enumeration (2^20 eigenproblems). */
    public static final int MAX_SUPPORT_P = 20;
    /** Largest P for the sign-pattern enumeration (3^12 eigenproblems). */
    public static final int MAX_PATTERN_P = 12;
    /** Relative size of an eigenvector entry of the wrong sign still treated as zero. */
    private static final double SIGN_SLACK = 1e-9;

    private KktCertificate() {
    }

    /**
     * Certifies a member from its representation kernel and loss.
     *
     * @param k       P×P row-major {@code K = RᵀR}, R = relu(W̃1 X̃)
     * @param task    the task (X, Y) it was trained on
     * @param loss    the member's full loss (§3.1 convention)
     * @param tol     relative tolerance, see the class doc (e.g. 1e-4 for trained members)
     */
    public static Result certify(double[] k, Task task, double lambda1, double lambda2, double loss, double tol) {
        return certify(k, task, lambda1, lambda2, loss, tol, Method.AUTO);
    }

    /** Which minimisation to run; AUTO picks the copositive reduction when it applies. */
    public enum Method { AUTO, SUPPORTS, SIGN_PATTERNS, SAMPLED }

    /** {@link #certify(double[], Task, double, double, double, double)} with a forced method (tests). */
    public static Result certify(double[] k, Task task, double lambda1, double lambda2, double loss, double tol,
            Method method) {
        return certify(k, task, true, lambda1, lambda2, loss, tol, method);
    }

    /**
     * The certificate of a member with ({@code bias}) or without a first-layer bias: the first layer's
     * input kernel is {@code X̃ᵀX̃} or {@code XᵀX}; everything else is the same.
     */
    public static Result certify(double[] k, Task task, boolean bias, double lambda1, double lambda2, double loss,
            double tol, Method method) {
        int p = task.samples();
        if (k.length != p * p) {
            throw new IllegalArgumentException("kernel has " + k.length + " entries, expected P² = " + p * p);
        }
        if (!(lambda1 > 0 && lambda2 > 0)) {
            throw new IllegalArgumentException("λ1, λ2 must be positive, got " + lambda1 + ", " + lambda2);
        }
        DMatrixRMaj kMat = new DMatrixRMaj(p, p, true, k);
        DMatrixRMaj ky = new DMatrixRMaj(p, p, true, Kernels.outputKernel(task));
        DMatrixRMaj kx = new DMatrixRMaj(p, p, true, bias ? Kernels.augmentedInputKernel(task)
                : Kernels.linear(task.xData(), task.inputDim(), p));

        // G = (K + λ2 I)⁻¹ K_Y (K + λ2 I)⁻¹ and the bound D
        DMatrixRMaj shifted = kMat.copy();
        for (int i = 0; i < p; i++) {
            shifted.add(i, i, lambda2);
        }
        DMatrixRMaj inv = new DMatrixRMaj(p, p);
        if (!CommonOps_DDRM.invert(shifted, inv)) {
            throw new IllegalArgumentException("K + λ2 I is singular");
        }
        DMatrixRMaj tmp = new DMatrixRMaj(p, p);
        CommonOps_DDRM.mult(inv, ky, tmp);
        double readout = lambda2 * CommonOps_DDRM.trace(tmp);
        DMatrixRMaj g = new DMatrixRMaj(p, p);
        CommonOps_DDRM.mult(tmp, inv, g);
        symmetrize(g);
        double gk = 0;
        for (int i = 0; i < p * p; i++) {
            gk += g.data[i] * kMat.data[i]; // tr(G K), both symmetric
        }
        double bound = readout + lambda2 * gk;
        double gap = (loss - bound) / loss;

        // K_X⁺ via its eigen-decomposition
        Eig kxEig = Eig.of(kx);
        double maxEv = kxEig.values[p - 1];
        double cut = 1e-10 * Math.max(maxEv, 1e-300);
        int rank = 0;
        for (double v : kxEig.values) {
            if (v > cut) rank++;
        }
        DMatrixRMaj u = new DMatrixRMaj(p, rank); // orthonormal basis of col(K_X)
        DMatrixRMaj kxPinv = new DMatrixRMaj(p, p);
        double minPos = Double.POSITIVE_INFINITY;
        for (int j = 0, c = 0; j < p; j++) {
            double ev = kxEig.values[j];
            if (ev <= cut) continue;
            minPos = Math.min(minPos, ev);
            for (int a = 0; a < p; a++) {
                u.set(a, c, kxEig.vectors.get(a, j));
                for (int b = 0; b < p; b++) {
                    kxPinv.add(a, b, kxEig.vectors.get(a, j) * kxEig.vectors.get(b, j) / ev);
                }
            }
            c++;
        }
        double energyScale = lambda1 / minPos; // λ1 ‖K_X⁺‖₂

        boolean mMatrix = rank == p && offDiagonalsNonPositive(kxPinv);
        Method chosen = method == Method.AUTO ? (mMatrix ? Method.SUPPORTS : Method.SIGN_PATTERNS) : method;
        Minimum min;
        if (chosen == Method.SAMPLED) {
            min = sampledMinimum(kxPinv, g, u, lambda1, lambda2, mMatrix);
        } else if (chosen == Method.SUPPORTS && !mMatrix) {
            min = Minimum.notChecked("copositive reduction needs K_X invertible with K_X⁻¹ off-diagonals ≤ 0");
        } else if ((chosen == Method.SUPPORTS && p > MAX_SUPPORT_P)
                || (chosen == Method.SIGN_PATTERNS && p > MAX_PATTERN_P)) {
            min = sampledMinimum(kxPinv, g, u, lambda1, lambda2, mMatrix);
        } else {
            DMatrixRMaj a = kxPinv.copy();
            CommonOps_DDRM.scale(lambda1, a);
            CommonOps_DDRM.addEquals(a, -lambda2, g);
            symmetrize(a);
            min = chosen == Method.SUPPORTS ? minOverSupports(a) : minOverSignPatterns(kxPinv, g, u, lambda1, lambda2);
        }
        Verdict verdict;
        if (Double.isNaN(min.value)) {
            verdict = Verdict.NOT_CHECKED;
        } else if (min.sampled) {
            verdict = min.value < -tol * energyScale ? Verdict.NOT_CERTIFIED : Verdict.NOT_CHECKED;
        } else {
            boolean energyOk = min.value >= -tol * energyScale;
            boolean gapOk = Math.abs(loss - bound) <= tol * Math.abs(loss);
            verdict = energyOk && gapOk ? Verdict.CERTIFIED : Verdict.NOT_CERTIFIED;
        }
        return new Result(verdict, min.value, loss, bound, gap, min.description, min.vector);
    }

    /**
     * Certifies member {@code params[off …]} of a two-layer ReLU group: runs the forward pass for K
     * and the loss ({@code lambdas[lambdaOff]} = λ1, {@code lambdas[lambdaOff + 1]} = λ2).
     */
    public static Result certify(Mlp mlp, Task task, double[] params, int off, double[] lambdas, int lambdaOff,
            double tol) {
        Architecture arch = mlp.layout().architecture();
        if (arch.depth() != 1 || arch.activation() != Activation.RELU) {
            throw new IllegalArgumentException("the certificate is for two-layer ReLU networks, got " + arch);
        }
        double loss = mlp.loss(params, off, lambdas, lambdaOff);
        double[] k = RepresentationKernel.of(mlp.hidden(0), arch.width(0), task.samples());
        return certify(k, task, lambdas[lambdaOff], lambdas[lambdaOff + 1], loss, tol);
    }

    /** The kind of method a result's {@code method} text names: copositive-supports, sign-patterns, sampled or not-checked. */
    public static String methodKind(String method) {
        if (method == null) return "not-checked";
        for (String kind : new String[] {"copositive-supports", "sign-patterns", "sampled"}) {
            if (method.startsWith(kind)) return kind;
        }
        return "not-checked";
    }

    /** Single-neuron energy {@code E(h) = λ1 hᵀ K_X⁺ h − λ2 relu(h)ᵀ G relu(h)} (for tests and tools). */
    static double energy(double[] h, DMatrixRMaj kxPinv, DMatrixRMaj g, double lambda1, double lambda2) {
        int p = h.length;
        double[] r = new double[p];
        for (int i = 0; i < p; i++) r[i] = Math.max(0, h[i]);
        return lambda1 * quad(kxPinv, h) - lambda2 * quad(g, r);
    }

    // ---- copositivity over supports ------------------------------------------------------

    private static Minimum minOverSupports(DMatrixRMaj a) {
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
                normalize(full);
            }
            return new Minimum(bestVal, full, supportLabel("copositive-supports", bestMask, p));
        }).toArray(Minimum[]::new);
        Minimum m = best[0];
        for (Minimum b : best) {
            if (b.value < m.value) m = b;
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
            if (x < -SIGN_SLACK * max) return null;
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

    // ---- sign patterns for general K_X ----------------------------------------------------

    private static Minimum minOverSignPatterns(DMatrixRMaj kxPinv, DMatrixRMaj g, DMatrixRMaj u, double lambda1,
            double lambda2) {
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
            DMatrixRMaj base = congruence(basis, kxPinv); // Bᵀ K_X⁺ B
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
                CommonOps_DDRM.scale(lambda1, form);
                CommonOps_DDRM.addEquals(form, -lambda2, congruence(bp, g));
                symmetrize(form);
                if (eig.decompose(form)) {
                    int low = 0;
                    for (int j = 1; j < q; j++) {
                        if (eig.getEigenvalue(j).real < eig.getEigenvalue(low).real) low = j;
                    }
                    if (eig.getEigenvalue(low).real < bestVal) {
                        DMatrixRMaj h = new DMatrixRMaj(p, 1);
                        CommonOps_DDRM.mult(basis, eig.getEigenVector(low), h);
                        double[] hv = matchPattern(h.data, plus, free);
                        if (hv != null) {
                            double val = energy(hv, kxPinv, g, lambda1, lambda2);
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
                    if (x < -SIGN_SLACK) continue outer;
                    v[i] = x;
                } else {
                    if (x > SIGN_SLACK) continue outer;
                    v[i] = x;
                }
            }
            normalize(v);
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

    // ---- small helpers ----------------------------------------------------------------------

    private record Minimum(double value, double[] vector, String description, boolean sampled) {
        Minimum(double value, double[] vector, String description) {
            this(value, vector, description, false);
        }

        static Minimum notChecked(String why) {
            return new Minimum(Double.NaN, null, "not checked: " + why);
        }
    }

    /** Random starts for the sampled check. */
    public static final int SAMPLED_STARTS = 2000;
    /** Projected gradient steps per start in the sampled check. */
    public static final int SAMPLED_STEPS = 100;

    /** Upper bound on min E by random starts + projected gradient descent on the unit sphere of col(K_X). */
    private static Minimum sampledMinimum(DMatrixRMaj kxPinv, DMatrixRMaj g, DMatrixRMaj u, double lambda1,
            double lambda2, boolean mMatrix) {
        int p = kxPinv.numRows;
        int r = u.numCols;
        double lip = lambda1 * Eig.of(kxPinv).values[p - 1] + lambda2 * Math.abs(Eig.of(g).values[p - 1])
                + lambda2 * Math.abs(Eig.of(g).values[0]);
        double step = 0.5 / Math.max(lip, 1e-300);
        java.util.Random rnd = new java.util.Random(0x5eedL);
        double best = Double.POSITIVE_INFINITY;
        double[] bestH = null;
        double[] h = new double[p];
        double[] grad = new double[p];
        double[] coef = new double[r];
        for (int start = 0; start < SAMPLED_STARTS; start++) {
            if (mMatrix && start % 2 == 0) { // r = p: nonnegative start with a random support
                for (int i = 0; i < p; i++) h[i] = rnd.nextBoolean() ? Math.abs(rnd.nextGaussian()) : 0.0;
            } else {
                for (int c = 0; c < r; c++) coef[c] = rnd.nextGaussian();
                for (int i = 0; i < p; i++) {
                    double x = 0;
                    for (int c = 0; c < r; c++) x += u.unsafe_get(i, c) * coef[c];
                    h[i] = x;
                }
            }
            normalize(h);
            for (int it = 0; it < SAMPLED_STEPS; it++) {
                // ∇E = 2λ1 K_X⁺ h − 2λ2 D(h > 0) G h⁺, projected onto col(K_X), then back to the sphere
                for (int i = 0; i < p; i++) {
                    double a = 0, b = 0;
                    for (int j = 0; j < p; j++) {
                        a += kxPinv.unsafe_get(i, j) * h[j];
                        b += g.unsafe_get(i, j) * Math.max(0, h[j]);
                    }
                    grad[i] = 2 * lambda1 * a - (h[i] > 0 ? 2 * lambda2 * b : 0.0);
                }
                for (int c = 0; c < r; c++) {
                    double x = 0;
                    for (int i = 0; i < p; i++) x += u.unsafe_get(i, c) * grad[i];
                    coef[c] = x;
                }
                for (int i = 0; i < p; i++) {
                    double x = 0;
                    for (int c = 0; c < r; c++) x += u.unsafe_get(i, c) * coef[c];
                    h[i] -= step * x;
                }
                normalize(h);
            }
            double e = energy(h, kxPinv, g, lambda1, lambda2);
            if (e < best) {
                best = e;
                bestH = h.clone();
            }
        }
        return new Minimum(best, bestH, "sampled: " + SAMPLED_STARTS + " starts × " + SAMPLED_STEPS
                + " projected-gradient steps (upper bound on min E, not exact; P=" + p + ")", true);
    }

    private record Eig(double[] values, DMatrixRMaj vectors) {
        /** Symmetric eigen-decomposition, eigenvalues ascending, eigenvectors as columns. */
        static Eig of(DMatrixRMaj m) {
            int n = m.numRows;
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
            if (!eig.decompose(m.copy())) {
                throw new IllegalStateException("eigen-decomposition failed");
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            Arrays.sort(order, (x, y) -> Double.compare(eig.getEigenvalue(x).real, eig.getEigenvalue(y).real));
            double[] values = new double[n];
            DMatrixRMaj vectors = new DMatrixRMaj(n, n);
            for (int j = 0; j < n; j++) {
                values[j] = eig.getEigenvalue(order[j]).real;
                DMatrixRMaj vec = eig.getEigenVector(order[j]);
                for (int i = 0; i < n; i++) vectors.set(i, j, vec.get(i));
            }
            return new Eig(values, vectors);
        }
    }

    @SuppressWarnings("unchecked")
    private static EigenDecomposition_F64<DMatrixRMaj>[] newEigs(int p) {
        EigenDecomposition_F64<DMatrixRMaj>[] e = new EigenDecomposition_F64[p + 1];
        for (int s = 2; s <= p; s++) e[s] = DecompositionFactory_DDRM.eig(s, true, true);
        return e;
    }

    private static boolean offDiagonalsNonPositive(DMatrixRMaj b) {
        int p = b.numRows;
        double scale = 0;
        for (int i = 0; i < p; i++) scale = Math.max(scale, Math.abs(b.get(i, i)));
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                if (i != j && b.get(i, j) > 1e-9 * scale) return false;
            }
        }
        return true;
    }

    /** Bᵀ M B. */
    private static DMatrixRMaj congruence(DMatrixRMaj b, DMatrixRMaj m) {
        DMatrixRMaj mb = new DMatrixRMaj(m.numRows, b.numCols);
        CommonOps_DDRM.mult(m, b, mb);
        DMatrixRMaj out = new DMatrixRMaj(b.numCols, b.numCols);
        CommonOps_DDRM.multTransA(b, mb, out);
        return out;
    }

    private static void symmetrize(DMatrixRMaj m) {
        int n = m.numRows;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double v = 0.5 * (m.get(i, j) + m.get(j, i));
                m.set(i, j, v);
                m.set(j, i, v);
            }
        }
    }

    static double quad(DMatrixRMaj m, double[] v) {
        int n = v.length;
        double s = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) row += m.unsafe_get(i, j) * v[j];
            s += v[i] * row;
        }
        return s;
    }

    private static void normalize(double[] v) {
        double n = 0;
        for (double x : v) n += x * x;
        n = Math.sqrt(n);
        if (n > 0) {
            for (int i = 0; i < v.length; i++) v[i] /= n;
        }
    }

    private static String supportLabel(String method, int mask, int p) {
        StringBuilder sb = new StringBuilder(method).append("(P=").append(p).append(", support {");
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

    private static String patternLabel(int plus, int free, int p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p; i++) {
            sb.append((free >>> i & 1) == 0 ? '0' : (plus >>> i & 1) != 0 ? '+' : '-');
        }
        return sb.toString();
    }
}
