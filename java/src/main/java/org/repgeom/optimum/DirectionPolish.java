package org.repgeom.optimum;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Moves the neurons inside their faces: L-BFGS on all coefficients c_i jointly for
 * {@code J = λ1 Σ‖c_i‖² + F(Σ φ(N_i c_i)φ(N_i c_i)ᵀ)}, which is smooth while every neuron
 * keeps its face's signs (steps are capped at the faces' boundaries). The line search measures
 * the true J (φ applied to h, not the face's linear map), so no step raises it even where a
 * neuron sits on or just past its face's boundary. Column generation fixes
 * the directions it adds; this step lets them settle on the optimal ones, which is what makes
 * the loss and kernel converge to rounding rather than slowly.
 */
final class DirectionPolish {
    private DirectionPolish() {
    }

    private record Eval(double value, double[] grad) {
    }

    private static Eval evaluate(OptimumProblem pr, List<Atom> atoms, double[] x) {
        int p = pr.p, dY = pr.dY;
        double[][] acts = new double[atoms.size()][];
        double[][] slopes = new double[atoms.size()][];
        double mass = 0;
        double[] k = new double[p * p];
        int off = 0;
        for (int i = 0; i < atoms.size(); i++) {
            Face f = atoms.get(i).face;
            double[] c = new double[f.q];
            System.arraycopy(x, off, c, 0, f.q);
            off += f.q;
            for (double v : c) mass += v * v;
            double[] h = f.preactivation(c);
            // the true φ and its slope at h: a step that crosses a sign boundary is judged by the real
            // loss, so the polish can never raise J (the face's linear map is only right inside the face)
            double[] d = new double[p];
            for (int s = 0; s < p; s++) {
                d[s] = f.zero[s] ? 0 : h[s] > 0 ? 1 : h[s] < 0 ? pr.negativeSlope : f.slope[s];
                h[s] = f.zero[s] ? 0 : pr.phi(h[s]);
            }
            acts[i] = h;
            slopes[i] = d;
            for (int s = 0; s < p; s++) {
                if (h[s] == 0) continue;
                for (int t = 0; t < p; t++) k[s * p + t] += h[s] * h[t];
            }
        }
        ReadoutState st = new ReadoutState(pr, k);
        double[] grad = new double[x.length];
        off = 0;
        for (int i = 0; i < atoms.size(); i++) {
            Face f = atoms.get(i).face;
            double[] za = st.zt(acts[i]);
            // G a = Z (Zᵀ a); gradient 2λ1 c − 2λ2 Nᵀ D G a
            double[] ga = new double[p];
            for (int s = 0; s < p; s++) {
                double v = 0;
                for (int cc = 0; cc < dY; cc++) v += st.z[s * dY + cc] * za[cc];
                ga[s] = v * slopes[i][s];
            }
            for (int j = 0; j < f.q; j++) {
                double v = 0;
                for (int s = 0; s < p; s++) v += f.basis[s * f.q + j] * ga[s];
                grad[off + j] = 2 * pr.lambda1 * x[off + j] - 2 * pr.lambda2 * v;
            }
            off += f.q;
        }
        return new Eval(pr.lambda1 * mass + st.readoutLoss, grad);
    }

    /** Runs up to maxIter L-BFGS steps (in place on the atoms' coefficients); returns the final loss. */
    static double run(OptimumProblem pr, List<Atom> atoms, int maxIter, double gradTol) {
        int n = 0;
        for (Atom a : atoms) n += a.face.q;
        double[] x = new double[n];
        int off = 0;
        for (Atom a : atoms) {
            System.arraycopy(a.c, 0, x, off, a.face.q);
            off += a.face.q;
        }
        Eval e = evaluate(pr, atoms, x);
        Deque<double[][]> memory = new ArrayDeque<>();
        for (int it = 0; it < maxIter; it++) {
            double gn = 0;
            for (double g : e.grad) gn = Math.max(gn, Math.abs(g));
            if (gn <= gradTol * pr.lambda1) break;
            double[] d = direction(e.grad, memory);
            double slope = 0;
            for (int i = 0; i < n; i++) slope += d[i] * e.grad[i];
            if (slope >= 0) {
                memory.clear();
                d = new double[n];
                for (int i = 0; i < n; i++) d[i] = -e.grad[i];
                slope = 0;
                for (int i = 0; i < n; i++) slope += d[i] * e.grad[i];
            }
            double tMax = 1;
            off = 0;
            for (Atom a : atoms) {
                double[] dc = new double[a.face.q], c = new double[a.face.q];
                System.arraycopy(d, off, dc, 0, a.face.q);
                System.arraycopy(x, off, c, 0, a.face.q);
                tMax = Math.min(tMax, a.face.stepToBoundary(a.face.preactivation(c), a.face.preactivation(dc), 1));
                off += a.face.q;
            }
            if (!(tMax > 1e-14)) break;
            double t = tMax;
            Eval next = null;
            double[] xn = null;
            for (int ls = 0; ls < 40; ls++, t *= 0.5) {
                xn = x.clone();
                for (int i = 0; i < n; i++) xn[i] += t * d[i];
                Eval trial = evaluate(pr, atoms, xn);
                if (trial.value <= e.value + 1e-4 * t * slope) {
                    next = trial;
                    break;
                }
            }
            if (next == null) break;
            double[] s = new double[n], y = new double[n];
            double sy = 0;
            for (int i = 0; i < n; i++) {
                s[i] = xn[i] - x[i];
                y[i] = next.grad[i] - e.grad[i];
                sy += s[i] * y[i];
            }
            if (sy > 1e-300) {
                memory.addFirst(new double[][] {s, y});
                if (memory.size() > 12) memory.removeLast();
            }
            boolean progress = next.value < e.value;
            x = xn;
            e = next;
            if (!progress) break;
        }
        off = 0;
        for (Atom a : atoms) {
            System.arraycopy(x, off, a.c, 0, a.face.q);
            off += a.face.q;
        }
        return e.value;
    }

    private static double[] direction(double[] g, Deque<double[][]> memory) {
        int n = g.length;
        double[] q = new double[n];
        for (int i = 0; i < n; i++) q[i] = -g[i];
        double[] alphas = new double[memory.size()];
        int k = 0;
        for (double[][] sy : memory) {
            double rho = 1 / dot(sy[0], sy[1]);
            alphas[k] = rho * dot(sy[0], q);
            for (int i = 0; i < n; i++) q[i] -= alphas[k] * sy[1][i];
            k++;
        }
        if (!memory.isEmpty()) {
            double[][] last = memory.peekFirst();
            double scale = dot(last[0], last[1]) / dot(last[1], last[1]);
            for (int i = 0; i < n; i++) q[i] *= scale;
        }
        Object[] arr = memory.toArray();
        for (int j = arr.length - 1; j >= 0; j--) {
            double[][] sy = (double[][]) arr[j];
            double rho = 1 / dot(sy[0], sy[1]);
            double beta = rho * dot(sy[1], q);
            for (int i = 0; i < n; i++) q[i] += (alphas[j] - beta) * sy[0][i];
        }
        return q;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
