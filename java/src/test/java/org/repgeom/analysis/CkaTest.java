package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;

class CkaTest {

    /** Q·A for an M×M Q and an M×P A, plain loops. */
    static double[] mult(double[] q, int m, double[] a, int p) {
        double[] out = new double[m * p];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < m; k++) {
                for (int s = 0; s < p; s++) {
                    out[i * p + s] += q[i * m + k] * a[k * p + s];
                }
            }
        }
        return out;
    }

    static double[] scaled(double[] a, double c) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= c;
        }
        return out;
    }

    @Test
    void selfSimilarityIsOne() {
        Random rnd = new Random(1);
        double[] a = TestData.gaussian(7, 30, rnd);
        assertEquals(1.0, Cka.linear(a, 7, a, 7, 30), 1e-12);
        assertEquals(1.0, Cka.debiased(a, 7, a, 7, 30), 1e-12);
    }

    @Test
    void invariantToOrthogonalTransformIsotropicScalingAndShift() {
        Random rnd = new Random(2);
        int m = 6, mb = 4, p = 25;
        double[] a = TestData.gaussian(m, p, rnd);
        double[] b = TestData.gaussian(mb, p, rnd);
        for (int i = 0; i < 3 * p; i++) {
            b[i] += 0.8 * a[i]; // correlate B with A so the value is not trivially small
        }
        double lin = Cka.linear(a, m, b, mb, p);
        double deb = Cka.debiased(a, m, b, mb, p);
        double[] q = TestData.orthonormalColumns(m, m, rnd);
        double[] a2 = scaled(mult(q, m, a, p), 3.7);
        double[] qb = TestData.orthonormalColumns(mb, mb, rnd);
        double[] b2 = scaled(mult(qb, mb, b, p), 0.02);
        assertEquals(lin, Cka.linear(a2, m, b, mb, p), 1e-12);
        assertEquals(lin, Cka.linear(a2, m, b2, mb, p), 1e-12);
        assertEquals(deb, Cka.debiased(a2, m, b2, mb, p), 1e-12);
        // a constant added to one unit of A changes nothing for linear CKA (centring)
        double[] shifted = a.clone();
        for (int s = 0; s < p; s++) {
            shifted[s] += 5.0;
        }
        assertEquals(lin, Cka.linear(shifted, m, b, mb, p), 1e-12);
        assertTrue(lin > 0.2 && lin < 0.95, "non-trivial value " + lin);
    }

    @Test
    void notInvariantToNonIsotropicScaling() {
        Random rnd = new Random(3);
        int m = 5, p = 40;
        double[] a = TestData.gaussian(m, p, rnd);
        double[] b = TestData.gaussian(m, p, rnd);
        for (int i = 0; i < b.length; i++) {
            b[i] += a[i];
        }
        double lin = Cka.linear(a, m, b, m, p);
        double[] stretched = a.clone();
        for (int s = 0; s < p; s++) {
            stretched[s] *= 10.0; // unit 0 only
        }
        assertTrue(Math.abs(lin - Cka.linear(stretched, m, b, m, p)) > 0.05);
    }

    /** For one unit on each side, linear CKA is the squared Pearson correlation, here 121/175. */
    @Test
    void oneUnitEachIsSquaredCorrelation() {
        double[] a = {1, 2, 3, 4};
        double[] b = {1, 3, 2, 5};
        // centred a = (−1.5, −.5, .5, 1.5), centred b = (−1.75, .25, −.75, 2.25):
        // Σab = 5.5, Σa² = 5, Σb² = 8.75, r² = 30.25 / 43.75 = 121/175
        assertEquals(121.0 / 175.0, Cka.linear(a, 1, b, 1, 4), 1e-14);
        assertEquals(121.0 / 175.0, Cka.linearFromKernels(RepresentationKernel.of(a, 1, 4),
                RepresentationKernel.of(b, 1, 4), 4), 1e-14);
    }

    /** Linear CKA against the Gram-matrix HSIC formula with an explicit H, plain loops. */
    @Test
    void linearMatchesHsicDefinitionByLoops() {
        Random rnd = new Random(4);
        int ma = 3, mb = 2, p = 6;
        double[] a = TestData.gaussian(ma, p, rnd);
        double[] b = TestData.gaussian(mb, p, rnd);
        double[] k = gram(a, ma, p), l = gram(b, mb, p);
        double[] h = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                h[i * p + j] = (i == j ? 1.0 : 0.0) - 1.0 / p;
            }
        }
        double kl = traceOfProduct(mm(mm(h, k, p), h, p), mm(mm(h, l, p), h, p), p);
        double kk = traceOfProduct(mm(mm(h, k, p), h, p), mm(mm(h, k, p), h, p), p);
        double ll = traceOfProduct(mm(mm(h, l, p), h, p), mm(mm(h, l, p), h, p), p);
        double expected = kl / Math.sqrt(kk * ll);
        assertEquals(expected, Cka.linear(a, ma, b, mb, p), 1e-12);
        assertEquals(expected, Cka.linearFromKernels(k, l, p), 1e-12);
    }

    /** Debiased CKA against Song et al.'s unbiased HSIC estimator written out with loops. */
    @Test
    void debiasedMatchesSongUnbiasedHsicByLoops() {
        Random rnd = new Random(5);
        int ma = 3, mb = 4, p = 9;
        double[] a = TestData.gaussian(ma, p, rnd);
        double[] b = TestData.gaussian(mb, p, rnd);
        for (int i = 0; i < 2 * p; i++) {
            b[i] += a[i];
        }
        double[] k = gram(a, ma, p), l = gram(b, mb, p);
        double expected = hsic1(k, l, p) / Math.sqrt(hsic1(k, k, p) * hsic1(l, l, p));
        assertEquals(expected, Cka.debiased(a, ma, b, mb, p), 1e-12);
        assertEquals(expected, Cka.debiasedFromKernels(k, l, p), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Cka.debiasedFromKernels(new double[9], new double[9], 3));
    }

    @Test
    void debiasedIsNearZeroForIndependentRepresentationsWhileLinearIsBiased() {
        Random rnd = new Random(6);
        int p = 200, m = 50;
        double[] a = TestData.gaussian(m, p, rnd);
        double[] b = TestData.gaussian(m, p, rnd);
        double lin = Cka.linear(a, m, b, m, p);
        double deb = Cka.debiased(a, m, b, m, p);
        assertTrue(Math.abs(deb) < 0.05, "debiased " + deb);
        // linear CKA of these independent Gaussians is ≈ 0.2 (M = 50, P = 200): biased upward
        assertTrue(lin > 0.15 && lin > deb + 0.1, "linear " + lin);
    }

    @Test
    void constantRepresentationIsNaN() {
        double[] a = {1, 1, 1, 1, 2, 2, 2, 2};
        double[] b = {1, 2, 3, 4};
        assertTrue(Double.isNaN(Cka.linear(a, 2, b, 1, 4)));
    }

    /**
     * Published values: the demo notebook of Kornblith et al. (2019)
     * (google-research/representation_similarity/Demo.ipynb) prints linear CKA 0.55761 and debiased
     * linear CKA 0.51346 for X = randn(100, 10), Y = randn(100, 10) + X with numpy's legacy
     * generator seeded 1337; the resource files hold that data (written by kornblith_demo.py).
     */
    @Test
    void reproducesThePublishedValuesOfKornblithsDemoNotebook() throws Exception {
        NpyArray x = resource("kornblith_demo_x.npy");
        NpyArray y = resource("kornblith_demo_y.npy");
        assertEquals(10, x.dim(0));
        assertEquals(100, x.dim(1));
        assertEquals(0.55761, Cka.linear(x.data(), 10, y.data(), 10, 100), 5e-6);
        assertEquals(0.51346, Cka.debiased(x.data(), 10, y.data(), 10, 100), 5e-6);
    }

    /** Kornblith et al. 2019, invariance: CKA(X, s·QX) = 1 for orthogonal Q and s > 0, also when B has extra zero units. */
    @Test
    void isotropicallyScaledOrthogonalTransformOfItselfScoresOne() {
        Random rnd = new Random(7);
        int m = 6, p = 30;
        double[] a = TestData.gaussian(m, p, rnd);
        double[] q = TestData.orthonormalColumns(m, m, rnd);
        double[] b = scaled(mult(q, m, a, p), 0.37);
        assertEquals(1.0, Cka.linear(a, m, b, m, p), 1e-12);
        assertEquals(1.0, Cka.debiased(a, m, b, m, p), 1e-12);
        double[] padded = new double[(m + 2) * p];
        System.arraycopy(b, 0, padded, 0, b.length);
        assertEquals(1.0, Cka.linear(a, m, padded, m + 2, p), 1e-12);
    }

    /**
     * Closed form: an isotropic representation (one unit per sample, A = I_P, so HKH = H) against a
     * single non-constant unit b: ⟨H, b_c b_cᵀ⟩ = ‖b_c‖², ‖H‖_F = √(P−1), ‖b_c b_cᵀ‖_F = ‖b_c‖², so
     * CKA = 1/√(P−1) whatever b is.
     */
    @Test
    void isotropicAgainstOneUnitIsOneOverSqrtPMinusOne() {
        Random rnd = new Random(8);
        for (int p : new int[] {4, 9, 50}) {
            double[] identity = new double[p * p];
            for (int i = 0; i < p; i++) identity[i * p + i] = 1.0;
            double[] b = TestData.gaussian(1, p, rnd);
            assertEquals(1 / Math.sqrt(p - 1), Cka.linear(identity, p, b, 1, p), 1e-12);
        }
    }

    static double[] gram(double[] a, int m, int p) {
        double[] k = new double[p * p];
        for (int s = 0; s < p; s++) {
            for (int t = 0; t < p; t++) {
                for (int i = 0; i < m; i++) {
                    k[s * p + t] += a[i * p + s] * a[i * p + t];
                }
            }
        }
        return k;
    }

    static double[] mm(double[] x, double[] y, int p) {
        double[] out = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                for (int k = 0; k < p; k++) {
                    out[i * p + j] += x[i * p + k] * y[k * p + j];
                }
            }
        }
        return out;
    }

    static double traceOfProduct(double[] x, double[] y, int p) {
        double t = 0;
        for (int i = 0; i < p; i++) {
            for (int k = 0; k < p; k++) {
                t += x[i * p + k] * y[k * p + i];
            }
        }
        return t;
    }

    /** Song et al. (2012) unbiased HSIC: K̃, L̃ with zero diagonals. */
    static double hsic1(double[] k, double[] l, int n) {
        double[] kt = k.clone(), lt = l.clone();
        for (int i = 0; i < n; i++) {
            kt[i * n + i] = 0;
            lt[i * n + i] = 0;
        }
        double tr = traceOfProduct(kt, lt, n);
        double sumK = 0, sumL = 0;
        for (int i = 0; i < n * n; i++) {
            sumK += kt[i];
            sumL += lt[i];
        }
        double[] klt = mm(kt, lt, n);
        double sumKL = 0;
        for (double v : klt) {
            sumKL += v;
        }
        return (tr + sumK * sumL / ((n - 1.0) * (n - 2.0)) - 2.0 * sumKL / (n - 2.0)) / (n * (n - 3.0));
    }

    /** Reads a test resource through a temporary copy: inside a jar (the GPU bundle) it is no file. */
    private static NpyArray resource(String name) throws IOException {
        Path tmp = Files.createTempFile("cka-", ".npy");
        try (InputStream in = CkaTest.class.getResourceAsStream(name)) {
            if (in == null) throw new FileNotFoundException("test resource " + name);
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return Npy.read(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
