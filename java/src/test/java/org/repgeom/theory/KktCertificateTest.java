package org.repgeom.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.repgeom.analysis.Kernels;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.theory.KktCertificate.Method;
import org.repgeom.theory.KktCertificate.Result;
import org.repgeom.theory.KktCertificate.Verdict;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

class KktCertificateTest {

    /** A two-layer ReLU member (params in {@link ParamLayout} order) with its Mlp and λ. */
    private record Member(Task task, ParamLayout layout, double[] params, double[] lambdas) {
        Mlp mlp() {
            return new Mlp(layout, task);
        }

        double loss() {
            return mlp().loss(params, 0, lambdas, 0);
        }

        double[] kernel() {
            Mlp mlp = mlp();
            mlp.forward(params, 0);
            return RepresentationKernel.of(mlp.hidden(0), layout.architecture().width(0), task.samples());
        }

        Result certify(double tol) {
            return KktCertificate.certify(mlp(), task, params, 0, lambdas, 0, tol);
        }
    }

    /**
     * A network with the given preactivations H (M×P): min-norm first layer W̃1 = H X̃⁺ and the
     * ridge readout W2 = Y Rᵀ(R Rᵀ + λ2 I)⁻¹ (so its loss is the reduced loss of the class doc).
     */
    private static Member network(Task task, DMatrixRMaj h, double lambda1, double lambda2) {
        int p = task.samples(), dX = task.inputDim(), dY = task.outputDim(), m = h.numRows;
        DMatrixRMaj xAug = new DMatrixRMaj(dX + 1, p);
        for (int i = 0; i < dX; i++) {
            for (int s = 0; s < p; s++) xAug.set(i, s, task.x(i, s));
        }
        for (int s = 0; s < p; s++) xAug.set(dX, s, 1.0);
        DMatrixRMaj pinv = new DMatrixRMaj(p, dX + 1);
        CommonOps_DDRM.pinv(xAug, pinv);
        DMatrixRMaj w1 = new DMatrixRMaj(m, dX + 1);
        CommonOps_DDRM.mult(h, pinv, w1);
        DMatrixRMaj r = h.copy();
        for (int i = 0; i < r.data.length; i++) r.data[i] = Math.max(0, r.data[i]);
        DMatrixRMaj gram = new DMatrixRMaj(m, m);
        CommonOps_DDRM.multTransB(r, r, gram);
        for (int i = 0; i < m; i++) gram.add(i, i, lambda2);
        DMatrixRMaj ry = new DMatrixRMaj(m, dY);
        CommonOps_DDRM.multTransB(r, new DMatrixRMaj(dY, p, true, task.yData()), ry);
        DMatrixRMaj w2t = new DMatrixRMaj(m, dY);
        assertTrue(CommonOps_DDRM.solve(gram, ry, w2t));

        ParamLayout layout = new ParamLayout(Architecture.twoLayer(dX, m, dY, Activation.RELU));
        double[] params = new double[layout.stride()];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < dX; c++) params[layout.weight(0) + i * dX + c] = w1.get(i, c);
            params[layout.bias(0) + i] = w1.get(i, dX);
            for (int k = 0; k < dY; k++) params[layout.weight(1) + k * m + i] = w2t.get(i, k);
        }
        return new Member(task, layout, params, new double[] {lambda1, lambda2});
    }

    /** §5.1 neurons on the rays t(1 ± y_k) for the labels in {@code labels}, t = scale · optimal t. */
    private static Member rays(Task task, double lambda, double scale, int... labels) {
        int p = task.samples();
        double c = HypercubeReluTheory.forTask(task, lambda, lambda).coefficient();
        double t = scale * Math.sqrt(c / 2);
        DMatrixRMaj h = new DMatrixRMaj(2 * labels.length, p);
        for (int j = 0; j < labels.length; j++) {
            for (int s = 0; s < p; s++) {
                double yk = task.y(labels[j], s);
                h.set(2 * j, s, t * (1 + yk));
                h.set(2 * j + 1, s, t * (1 - yk));
            }
        }
        return network(task, h, lambda, lambda);
    }

    private static int[] allLabels(Task task) {
        int[] l = new int[task.outputDim()];
        for (int k = 0; k < l.length; k++) l[k] = k;
        return l;
    }

    @ParameterizedTest
    @CsvSource({"2, 1, 1e-2", "2, 2, 1e-2", "3, 1, 1e-3", "3, 1, 0.3"})
    void explicitOptimumIsCertifiedAndMeetsTheBound(int dY, int n, double lambda) {
        Task task = Tasks.hypercube(dY, n, InputSpec.of("whitened", 3));
        Member opt = rays(task, lambda, 1.0, allLabels(task));
        double loss = opt.loss();
        double lStar = HypercubeReluTheory.forTask(task, lambda, lambda).minimalLoss();
        assertEquals(lStar, loss, 1e-10 * lStar);

        Result r = opt.certify(1e-8);
        // the dual bound formula, checked against the measured loss of the optimal network
        assertEquals(loss, r.dualBound(), 1e-10 * loss, r.toString());
        assertEquals(Verdict.CERTIFIED, r.verdict(), r.toString());
        assertEquals(0.0, r.minEnergy(), 1e-10, r.toString()); // used neurons sit at E = 0
        assertTrue(r.method().startsWith("copositive-supports"), r.method());
        assertNotNull(r.minimiser());
    }

    @Test
    void rayScaleTooSmallIsRejected() {
        Task task = Tasks.hypercube(2, 1, InputSpec.of("whitened", 3));
        double lambda = 1e-2;
        Member planted = rays(task, lambda, 0.7, 0, 1);
        double lStar = HypercubeReluTheory.forTask(task, lambda, lambda).minimalLoss();
        Result r = planted.certify(1e-4);
        assertTrue(r.loss() > lStar * (1 + 1e-3), r.toString());
        assertEquals(Verdict.NOT_CERTIFIED, r.verdict(), r.toString());
        assertTrue(r.minEnergy() < 0, r.toString()); // the used rays want more mass
        // D is a lower bound only when E ≥ 0; here E < 0 on the used rays, and L − D ≥ Σ E(h_i) is
        // negative: the loss sits far *below* D (measured gap −0.60)
        assertTrue(r.relativeGap() < -1e-1, r.toString());
        System.out.println("t x 0.7: " + r);
    }

    @Test
    void unfitLabelShowsNegativeEnergy() {
        Task task = Tasks.hypercube(2, 1, InputSpec.of("whitened", 3));
        double lambda = 1e-2;
        Member oneLabel = rays(task, lambda, 1.0, 0); // neurons for label 0 only
        Result r = oneLabel.certify(1e-4);
        assertEquals(Verdict.NOT_CERTIFIED, r.verdict(), r.toString());
        assertTrue(r.minEnergy() < -1e-3, r.toString());
        // the most negative direction is a ray of the unfit label: 1 ± y_1 (support = one sign of y_1)
        double[] v = r.minimiser();
        int p = task.samples();
        double sign = 0;
        for (int s = 0; s < p; s++) {
            if (v[s] > 1e-9) {
                double y1 = task.y(1, s);
                assertTrue(sign == 0 || sign == y1, "support mixes signs of y_1: " + r.method());
                sign = y1;
            }
        }
        System.out.println("one label: " + r);
    }

    private static TrainResult train(Task task, int width, int members, double lambda, int steps) {
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(task.inputDim(), width, task.outputDim(),
                Activation.RELU));
        double[] init = new double[members * layout.stride()];
        double[] lambdas = new double[2 * members];
        double[] lrs = new double[members];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, 100 + e, 1.0, init, e * layout.stride());
            lambdas[2 * e] = lambdas[2 * e + 1] = lambda;
            lrs[e] = 1e-2;
        }
        TrainRequest request = new TrainRequest(layout, members, init, lambdas, lrs, OptimizerSettings.adam(1e-4),
                new StopRule(steps, 1e-9, 1000, 100));
        return new JavaBackend(2).train(request, task, ProgressListener.NONE);
    }

    @Test
    void trainedMembersAreCertifiedAndNarrowOnesAreNot() {
        Task task = Tasks.hypercube(2, 1, InputSpec.of("whitened", 3));
        double lambda = 1e-2;
        double lStar = HypercubeReluTheory.forTask(task, lambda, lambda).minimalLoss();
        int members = 4;
        TrainResult wide = train(task, 16, members, lambda, 40_000);
        ParamLayout layout = new ParamLayout(Architecture.twoLayer(task.inputDim(), 16, 2, Activation.RELU));
        Mlp mlp = new Mlp(layout, task);
        double[] lambdas = {lambda, lambda};
        for (int e = 0; e < members; e++) {
            Result r = KktCertificate.certify(mlp, task, wide.params(), e * layout.stride(), lambdas, 0, 1e-4);
            System.out.println("width 16 member " + e + ": " + r + ", loss/L* - 1 = " + (r.loss() / lStar - 1));
            assertEquals(Verdict.CERTIFIED, r.verdict(), "member " + e + ": " + r);
            assertTrue(r.minEnergy() > -1e-6, r.toString());
        }

        // M = 2 < 2·dY: the global minimum is out of reach, every converged member is rejected
        TrainResult narrow = train(task, 2, members, lambda, 40_000);
        ParamLayout small = new ParamLayout(Architecture.twoLayer(task.inputDim(), 2, 2, Activation.RELU));
        Mlp smallMlp = new Mlp(small, task);
        for (int e = 0; e < members; e++) {
            Result r = KktCertificate.certify(smallMlp, task, narrow.params(), e * small.stride(), lambdas, 0, 1e-4);
            System.out.println("width 2 member " + e + ": " + r + ", loss/L* - 1 = " + (r.loss() / lStar - 1));
            assertTrue(r.loss() > lStar * (1 + 1e-2), r.toString());
            assertEquals(Verdict.NOT_CERTIFIED, r.verdict(), "member " + e + ": " + r);
            assertTrue(r.minEnergy() < 0, r.toString());
        }
    }

    /** {@code A = λ1 K_X⁺ − λ2 G}, built independently of the certificate (EJML pinv / solve). */
    private static DMatrixRMaj[] forms(Task task, double[] k, double lambda1, double lambda2) {
        int p = task.samples();
        DMatrixRMaj kxPinv = new DMatrixRMaj(p, p);
        CommonOps_DDRM.pinv(new DMatrixRMaj(p, p, true, Kernels.augmentedInputKernel(task)), kxPinv);
        DMatrixRMaj shifted = new DMatrixRMaj(p, p, true, k.clone());
        for (int i = 0; i < p; i++) shifted.add(i, i, lambda2);
        DMatrixRMaj inv = new DMatrixRMaj(p, p);
        assertTrue(CommonOps_DDRM.invert(shifted, inv));
        DMatrixRMaj t = new DMatrixRMaj(p, p);
        CommonOps_DDRM.mult(inv, new DMatrixRMaj(p, p, true, Kernels.outputKernel(task)), t);
        DMatrixRMaj g = new DMatrixRMaj(p, p);
        CommonOps_DDRM.mult(t, inv, g);
        return new DMatrixRMaj[] {kxPinv, g};
    }

    @Test
    void enumerationIsNeverBeatenByRandomSampling() {
        Task task = Tasks.hypercube(3, 1, InputSpec.of("whitened", 5)); // P = 8
        double lambda = 1e-2;
        Member oneLabel = rays(task, lambda, 0.8, 1);
        double[] k = oneLabel.kernel();
        Result r = KktCertificate.certify(k, task, lambda, lambda, oneLabel.loss(), 1e-4);
        DMatrixRMaj[] f = forms(task, k, lambda, lambda);
        // the reported value is attained at the reported minimiser
        assertEquals(r.minEnergy(), KktCertificate.energy(r.minimiser(), f[0], f[1], lambda, lambda), 1e-12);

        Random rnd = new Random(7);
        int p = task.samples();
        double sampled = Double.POSITIVE_INFINITY;
        for (int trial = 0; trial < 200_000; trial++) {
            double[] h = new double[p];
            int mask = 1 + rnd.nextInt((1 << p) - 1);
            boolean anySign = trial % 4 == 0; // some samples with negative entries too
            double n = 0;
            for (int i = 0; i < p; i++) {
                if ((mask >>> i & 1) != 0) h[i] = anySign ? rnd.nextGaussian() : Math.abs(rnd.nextGaussian());
                n += h[i] * h[i];
            }
            if (n == 0) continue;
            sampled = Math.min(sampled, KktCertificate.energy(h, f[0], f[1], lambda, lambda) / n);
        }
        System.out.println("P=8 enumerated " + r.minEnergy() + ", sampled " + sampled + " (" + r.method() + ")");
        assertTrue(sampled >= r.minEnergy() - 1e-9, "sampled " + sampled + " < enumerated " + r.minEnergy());
        assertTrue(sampled - r.minEnergy() < 0.1 * Math.abs(r.minEnergy()), "sampling should come close");

        // the general sign-pattern enumeration agrees with the copositive reduction
        Result general = KktCertificate.certify(k, task, lambda, lambda, oneLabel.loss(), 1e-4, Method.SIGN_PATTERNS);
        assertEquals(r.minEnergy(), general.minEnergy(), 1e-10, general.toString());
        Member opt = rays(task, lambda, 1.0, 0, 1, 2);
        Result optGeneral = KktCertificate.certify(opt.kernel(), task, lambda, lambda, opt.loss(), 1e-8,
                Method.SIGN_PATTERNS);
        assertEquals(Verdict.CERTIFIED, optGeneral.verdict(), optGeneral.toString());
        assertEquals(0.0, optGeneral.minEnergy(), 1e-10);
    }

    @Test
    void signPatternsOnNonWhitenedInputAgreeWithSampling() {
        // Gaussian inputs, dX = 3 < P: K_X has rank 4 and K_X⁺ positive off-diagonals
        Task task = Tasks.hypercube(3, 1, InputSpec.of("gaussian", 11)); // P = 8
        double lambda = 1e-2;
        int p = task.samples();
        Random rnd = new Random(3);
        DMatrixRMaj w = new DMatrixRMaj(3, task.inputDim() + 1);
        for (int i = 0; i < w.data.length; i++) w.data[i] = rnd.nextGaussian();
        DMatrixRMaj xAug = new DMatrixRMaj(task.inputDim() + 1, p);
        for (int i = 0; i < task.inputDim(); i++) {
            for (int s = 0; s < p; s++) xAug.set(i, s, task.x(i, s));
        }
        for (int s = 0; s < p; s++) xAug.set(task.inputDim(), s, 1.0);
        DMatrixRMaj h = new DMatrixRMaj(3, p);
        CommonOps_DDRM.mult(w, xAug, h);
        Member random = network(task, h, lambda, lambda);
        double[] k = random.kernel();
        Result r = KktCertificate.certify(k, task, lambda, lambda, random.loss(), 1e-4);
        assertTrue(r.method().startsWith("sign-patterns"), r.method());
        assertEquals(Verdict.NOT_CERTIFIED, r.verdict(), r.toString());
        DMatrixRMaj[] f = forms(task, k, lambda, lambda);
        double sampled = Double.POSITIVE_INFINITY;
        for (int trial = 0; trial < 100_000; trial++) {
            double[] wv = new double[task.inputDim() + 1];
            for (int i = 0; i < wv.length; i++) wv[i] = rnd.nextGaussian();
            double[] hv = new double[p];
            double n = 0;
            for (int s = 0; s < p; s++) {
                for (int i = 0; i < wv.length; i++) hv[s] += wv[i] * xAug.get(i, s);
                n += hv[s] * hv[s];
            }
            sampled = Math.min(sampled, KktCertificate.energy(hv, f[0], f[1], lambda, lambda) / n);
        }
        System.out.println("gaussian P=8 enumerated " + r.minEnergy() + ", sampled " + sampled + " (" + r.method() + ")");
        assertTrue(sampled >= r.minEnergy() - 1e-9, "sampled " + sampled + " < enumerated " + r.minEnergy());
        assertTrue(sampled - r.minEnergy() < 0.1 * Math.abs(r.minEnergy()), "sampling should come close");
    }

    @Test
    void sixteenSamplesAndLimits() {
        Task task = Tasks.hypercube(2, 4, InputSpec.of("whitened", 3)); // P = 16
        double lambda = 1e-2;
        Member opt = rays(task, lambda, 1.0, 0, 1);
        double[] k = opt.kernel();
        double loss = opt.loss();
        KktCertificate.certify(k, task, lambda, lambda, loss, 1e-8); // warm-up
        long t0 = System.nanoTime();
        Result r = KktCertificate.certify(k, task, lambda, lambda, loss, 1e-8);
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.println("P=16 certificate: " + ms + " ms, " + r);
        assertEquals(Verdict.CERTIFIED, r.verdict(), r.toString());

        Task big = Tasks.hypercube(3, 3, InputSpec.of("whitened", 3)); // P = 24
        Member bigOpt = rays(big, lambda, 1.0, 0, 1, 2);
        Result nc = KktCertificate.certify(bigOpt.kernel(), big, lambda, lambda, bigOpt.loss(), 1e-8);
        // beyond P = 20: a sampled check, which can refute but never certify
        assertEquals(Verdict.NOT_CHECKED, nc.verdict(), nc.toString());
        assertTrue(nc.method().startsWith("sampled"), nc.method());
        assertTrue(nc.minEnergy() > -1e-10, nc.toString());
        assertEquals(bigOpt.loss(), nc.dualBound(), 1e-9 * bigOpt.loss()); // the bound is still reported
        Member bigOneLabel = rays(big, lambda, 1.0, 0);
        Result refuted = KktCertificate.certify(bigOneLabel.kernel(), big, lambda, lambda, bigOneLabel.loss(), 1e-4);
        System.out.println("P=24 one label: " + refuted);
        assertEquals(Verdict.NOT_CERTIFIED, refuted.verdict(), refuted.toString());
        assertTrue(refuted.method().startsWith("sampled"), refuted.method());
        // at P = 16 the sampled search reaches the exact minimum of the one-label network
        Member oneLabel16 = rays(task, lambda, 1.0, 0);
        Result exact16 = KktCertificate.certify(oneLabel16.kernel(), task, lambda, lambda, oneLabel16.loss(), 1e-4);
        System.out.println("P=16 one label: " + exact16);
        assertTrue(refuted.minEnergy() < 0 && exact16.minEnergy() < 0);

        Task gauss = Tasks.hypercube(2, 4, InputSpec.of("gaussian", 3)); // P = 16, general K_X
        Result ng = KktCertificate.certify(new double[256], gauss, lambda, lambda, 32.0, 1e-8);
        System.out.println("P=16 gaussian zero net: " + ng);
        assertTrue(ng.method().startsWith("sampled"), ng.method());
        assertEquals(Verdict.NOT_CERTIFIED, ng.verdict(), ng.toString()); // the zero net is far from optimal here
    }
}
