package org.repgeom.theory;

/**
 * The scalar problem behind every deep closed form (docs/science.md §5.5 and {@link DeepReluTheory}):
 * <pre>
 *   minimise  f(σ) = (s − σ)² + μ σ^q   over σ ≥ 0,      s ≥ 0, μ ≥ 0, 0 &lt; q ≤ 1.
 * </pre>
 * q = 1 (two weight layers) is convex: {@code σ = (s − μ/2)_+}. For q &lt; 1 (three or more weight
 * layers, q = 2/L) f is nonconvex: σ^q has infinite slope at 0, so σ = 0 is always a local minimum,
 * and a second local minimum exists where {@code f'(σ) = 2(σ − s) + μ q σ^{q−1} = 0} has its larger
 * root. The function {@code h(σ) = 2(s − σ) − μ q σ^{q−1}} is concave on σ &gt; 0 (σ^{q−1} is convex),
 * tends to −∞ at 0⁺, and is negative at σ = s; so it has two roots or none, and its peak is at
 * {@code σ_peak = (μ q (1 − q) / 2)^{1/(2−q)}}. If {@code h(σ_peak) > 0} the larger root lies in
 * {@code (σ_peak, s)}, where h decreases, and is found by bisection; it is the interior local
 * minimum. The global minimum is whichever of {0, root} has the smaller f (0 on a tie): the answer
 * jumps from 0 to a finite value as s crosses a threshold, it does not grow continuously from 0.
 */
final class PowerShrinkage {
    private PowerShrinkage() {
    }

    /** The global minimiser of {@code (s − σ)² + μ σ^q} over σ ≥ 0 (see the class comment). */
    static double argmin(double s, double mu, double q) {
        if (!(s >= 0 && mu >= 0 && q > 0 && q <= 1)) {
            throw new IllegalArgumentException("need s ≥ 0, μ ≥ 0, 0 < q ≤ 1; got s=" + s + ", μ=" + mu + ", q=" + q);
        }
        if (mu == 0) return s;
        if (q == 1) return Math.max(0.0, s - mu / 2);
        double root = interiorRoot(s, mu, q);
        if (Double.isNaN(root)) return 0.0;
        return value(root, s, mu, q) < value(0, s, mu, q) ? root : 0.0;
    }

    /** The larger stationary point of f on (0, s), or NaN when f has none (then σ = 0 is the only minimum). */
    static double interiorRoot(double s, double mu, double q) {
        if (q == 1) return s - mu / 2 > 0 ? s - mu / 2 : Double.NaN;
        double peak = Math.pow(mu * q * (1 - q) / 2, 1 / (2 - q));
        if (!(peak < s) || slope(peak, s, mu, q) <= 0) return Double.NaN;
        double lo = peak, hi = s; // slope(lo) > 0 ≥ slope(hi)
        for (int i = 0; i < 200 && hi - lo > 1e-15 * s; i++) {
            double mid = 0.5 * (lo + hi);
            if (slope(mid, s, mu, q) > 0) lo = mid;
            else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /** {@code f(σ) = (s − σ)² + μ σ^q}. */
    static double value(double sigma, double s, double mu, double q) {
        double gap = s - sigma;
        return gap * gap + (sigma == 0 ? 0.0 : mu * Math.pow(sigma, q));
    }

    /** {@code h(σ) = −f'(σ) = 2(s − σ) − μ q σ^{q−1}}. */
    private static double slope(double sigma, double s, double mu, double q) {
        return 2 * (s - sigma) - mu * q * Math.pow(sigma, q - 1);
    }
}
