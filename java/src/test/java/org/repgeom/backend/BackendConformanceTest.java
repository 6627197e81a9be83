package org.repgeom.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Bias;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.Network;
import org.repgeom.model.Recurrence;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.InputSpec;
import org.repgeom.task.Task;
import org.repgeom.task.Tasks;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.OptimizerState;
import org.repgeom.train.StopRule;
import org.repgeom.train.TrainState;

/**
 * What every float32 backend must do, checked against the double-precision Java reference member by
 * member from the same Philox init. A backend's test class subclasses this one and says only how to
 * train, how to train with the members split differently, and how to compute hidden layers
 * (optionally: segments and on-device init). The cases: every activation × depth × optimiser, bias
 * on all layers with padded shapes, a wide output layer, per-member λ and learning rates (every
 * request), divergence, convergence, chunking, segments; and the kernels' building blocks one at a
 * time: the batched GEMM, each activation, the first optimiser update.
 *
 * <p>Tolerances (one copy, {@link #traceTolerance}, {@link #paramTolerance}). One float32 loss
 * evaluation here carries a relative error of about 1e-6 (unit roundoff 6e-8 times sums of a few
 * dozen terms). With step sizes well inside the stable range (lr·‖H‖ &lt; 1, losses falling
 * monotonically), a perturbation of the parameters is not amplified by the update map, so after T
 * steps the accumulated difference is at most about T·1e-7 ≈ 3e-5 relative for T = 300: we allow
 * 1e-4 on every trace entry and the final loss, and 1e-4 of the member's largest parameter on every
 * parameter. Adam normalises each step, which amplifies rounding where a gradient entry is tiny; its
 * runs are shorter and its parameter tolerance is 1e-3. ReLU-like activations (threshold class) get
 * 1e-3 on the trace and 2e-3 on parameters: when a pre-activation passes within rounding (~1e-6) of
 * the kink, float and double can put that sample on different sides for one step; φ' jumps by O(1)
 * there, so that one step's gradient differs by O(1) and the parameters by O(lr) (times 1/(1−μ) with
 * momentum), i.e. ~1e-4 … 1e-3 at these step sizes. The smooth activations (linear, tanh, GELU)
 * exercise the same arithmetic at the strict tolerance. Deeper networks with bias on every layer
 * (more terms per gradient entry, the transposed-gradient paths) get twice the trace tolerance on
 * parameters.
 *
 * <p>Hidden layers: |R − R_ref| ≤ {@link #FORWARD_TOL}·(1 + |R_ref|) elementwise. Inputs and
 * parameters are rounded to float32 (u = 2⁻²⁴ ≈ 6e-8) and each pre-activation, a dot product of
 * K ≤ 70 terms plus a bias, is accumulated in float32: at most about K·u·Σ|w·a| per layer. At these
 * inits (weights ~ scale/√fanIn, scale ≤ 1.5, unit-variance inputs) Σ|w·a| is a few times (1 + |z|),
 * the activations are at most 1.13-Lipschitz and three layers add their errors: a few 1e-6·(1 + |R|)
 * at worst, ~1e-7 typically (measured on the native backend, AVX-512: 5.0e-7). Near a kink float and
 * double may fall on different sides, but φ is continuous there.
 */
public abstract class BackendConformanceTest {
    /** Relative-to-(1 + |R|) tolerance of hidden layers (class comment). */
    static final double FORWARD_TOL = 1e-5;
    /** float32 unit roundoff. */
    static final double U = 0x1p-24;

    // ---------------------------------------------------------------------------------------------
    // what a backend says about itself

    /** Trains the request (the backend's usual configuration). */
    protected abstract TrainResult train(TrainRequest req, Task task, ProgressListener progress);

    /**
     * Trains the request with its members split differently (other thread counts, chunk sizes,
     * blocks): the result must agree with {@link #train} bit for bit.
     */
    protected abstract TrainResult trainSplitDifferently(TrainRequest req, Task task, ProgressListener progress);

    /** members × width × P floats of hidden layer {@code layer}. */
    protected abstract float[] hidden(ParamLayout layout, double[] params, int members, Task task, int layer);

    /** Whether {@link #trainSplitDifferently} reports every member to the progress listener. */
    protected boolean reportsProgress() {
        return true;
    }

    /** The backend for checkpointed training, or null when it has none. */
    protected Backend segmentedBackend() {
        return null;
    }

    /**
     * The backend under test where it declines checkpointed training, or null: its segment cases then
     * check the refusal instead of skipping (a device run counts every skip as missing evidence).
     */
    protected Backend backendWithoutSegments() {
        return null;
    }

    /** Whether the backend records kernel traces ({@link KernelTraceRequest}). */
    protected boolean recordsKernelTrace() {
        return true;
    }

    /** Whether the backend trains recurrent networks; the recurrent cases are skipped where it does not. */
    protected boolean trainsRecurrent() {
        return true;
    }

    /**
     * Every way this backend may train {@code req} (instruction-set variants, layouts), each result under
     * a name for the messages; by default the one {@link #train} run. The divergence-rule case runs them all.
     */
    protected Map<String, TrainResult> trainEveryVariant(TrainRequest req, Task task) {
        return Map.of("as chosen", train(req, task, ProgressListener.NONE));
    }

    /** The backend's own Philox init (members × stride floats), or null when it has none. */
    protected float[] initialParams(ParamLayout layout, long[] seeds, double[] scales) {
        return null;
    }

    // ---------------------------------------------------------------------------------------------
    // shared helpers

    static double traceTolerance(Activation act) {
        return act.isThresholdClass() ? 1e-3 : 1e-4;
    }

    static double paramTolerance(Activation act, OptimizerKind kind) {
        return act.isThresholdClass() ? 2e-3 : kind == OptimizerKind.ADAM ? 1e-3 : 1e-4;
    }

    static OptimizerSettings settings(OptimizerKind k) {
        return switch (k) {
            case GD -> OptimizerSettings.gd();
            case MOMENTUM -> OptimizerSettings.momentum(0.9, 0.1);
            case ADAM -> OptimizerSettings.adam(0.1);
        };
    }

    /** E members of {@code arch}, member e with seed e, λ_l and lr differing across members. */
    static TrainRequest request(Architecture arch, int members, double lr, OptimizerSettings opt, StopRule stop) {
        ParamLayout layout = new ParamLayout(arch);
        int layers = arch.layerCount();
        double[] params = new double[members * layout.stride()];
        double[] lambdas = new double[members * layers];
        double[] lrs = new double[members];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, e, 1.0, params, e * layout.stride());
            for (int l = 0; l < layers; l++) lambdas[e * layers + l] = 1e-3 * (1 + e) * (1 + 0.5 * l);
            lrs[e] = lr * (1.0 - 0.2 * e / Math.max(1, members - 1));
        }
        return new TrainRequest(layout, members, params, lambdas, lrs, opt, stop);
    }

    /** The request with member {@code e}'s learning rate replaced. */
    static TrainRequest withLearningRate(TrainRequest req, int e, double lr) {
        double[] lrs = req.learningRates().clone();
        lrs[e] = lr;
        return new TrainRequest(req.layout(), req.members(), req.initialParams(), req.lambdas(), lrs, req.optimizer(), req.stop(),
                req.kernelTrace());
    }

    /** Member {@code e} of the request alone, with the given stop rule. */
    static TrainRequest memberAlone(TrainRequest req, int e, StopRule stop) {
        int stride = req.layout().stride(), layers = req.architecture().layerCount();
        return new TrainRequest(req.layout(), 1, Arrays.copyOfRange(req.initialParams(), e * stride, (e + 1) * stride),
                Arrays.copyOfRange(req.lambdas(), e * layers, (e + 1) * layers), new double[] {req.learningRates()[e]},
                req.optimizer(), stop);
    }

    static double[] memberParams(TrainResult r, ParamLayout layout, int e) {
        return Arrays.copyOfRange(r.params(), e * layout.stride(), (e + 1) * layout.stride());
    }

    static TrainResult reference(TrainRequest req, Task task) {
        return new JavaBackend(2).train(req, task, ProgressListener.NONE);
    }

    /** A backend's result against the reference's, member by member (see the class comment). */
    static void assertMatches(TrainRequest req, Task task, TrainResult ref, TrainResult got, double traceTol,
                              double paramTol, String what) {
        int stride = req.layout().stride();
        int layers = req.architecture().layerCount();
        Network mlp = Network.of(req.layout(), task);
        double[] grad = new double[stride];
        assertEquals(ref.traceLength(), got.traceLength());
        for (int e = 0; e < req.members(); e++) {
            String m = what + ", member " + e;
            assertEquals(ref.status()[e], got.status()[e], m + ": status");
            assertEquals(ref.steps()[e], got.steps()[e], m + ": steps");
            for (int k = 0; k < ref.traceLength(); k++) {
                float a = ref.lossTrace()[e * ref.traceLength() + k], b = got.lossTrace()[e * ref.traceLength() + k];
                if (Float.isNaN(a)) {
                    assertTrue(Float.isNaN(b), m + ": trace[" + k + "] should be NaN, is " + b);
                } else {
                    assertEquals(a, b, traceTol * Math.abs(a), m + ": trace[" + k + "]");
                }
            }
            assertEquals(ref.finalLoss()[e], got.finalLoss()[e], traceTol * Math.abs(ref.finalLoss()[e]), m + ": final loss");
            double scale = 0, diff = 0;
            for (int i = 0; i < stride; i++) {
                double p = ref.params()[e * stride + i], q = got.params()[e * stride + i];
                scale = Math.max(scale, Math.abs(p));
                diff = Math.max(diff, Math.abs(p - q));
            }
            assertTrue(diff <= paramTol * scale, m + ": parameters differ by " + diff + " (scale " + scale + ")");
            // Final loss and gradient norm are evaluated at the backend's own final parameters: compare them with
            // the double-precision evaluation there (comparing with the reference's gradient norm would mix in
            // ‖H‖·‖Δθ‖, large near a minimum where the raw gradient is a small difference of large terms).
            double exact = mlp.lossAndGradient(got.params(), e * stride, req.lambdas(), e * layers, grad, 0);
            assertEquals(exact, got.finalLoss()[e], 1e-5 * exact, m + ": final loss at the final parameters");
            double norm = 0;
            for (double g : grad) norm += g * g;
            norm = Math.sqrt(norm);
            assertEquals(norm, got.gradNorm()[e], 1e-3 * norm + 1e-4, m + ": gradient norm at the final parameters");
        }
    }

    /**
     * A backend's kernel trace against the reference's, time point by time point: every entry of K_l
     * within {@code tol} of the largest |K_l| at that point (a kernel is a sum over units of products of
     * activations, so parameters within a relative δ give kernels within about 2δ of its scale), no
     * NaN left anywhere, and the last time point of each layer is the kernel of the backend's own final
     * parameters (the reference's, in double, at them: the float forward pass within {@link #FORWARD_TOL}).
     */
    static void assertKernelTraceMatches(TrainRequest req, Task task, TrainResult ref, TrainResult got, double tol,
                                         String what) {
        KernelTraceRequest kt = req.kernelTrace();
        int p = task.samples(), pp = p * p, depth = req.architecture().depth();
        int points = kt.schedule(req.stop().maxSteps()).points();
        assertEquals(req.kernelTraceFloats(p), ref.kernelTrace().length, what + ": reference trace length");
        assertEquals(ref.kernelTrace().length, got.kernelTrace().length, what + ": trace length");
        Mlp mlp = new Mlp(req.layout(), task);
        for (int j = 0; j < kt.count(); j++) {
            int e = kt.members()[j];
            mlp.forward(got.params(), e * req.layout().stride());
            for (int l = 0; l < depth; l++) {
                double[] fin = org.repgeom.analysis.RepresentationKernel.of(mlp.hidden(l), req.architecture().width(l), p);
                for (int k = 0; k < points; k++) {
                    int at = ((j * depth + l) * points + k) * pp;
                    double scale = 0;
                    for (int i = 0; i < pp; i++) scale = Math.max(scale, Math.abs(ref.kernelTrace()[at + i]));
                    for (int i = 0; i < pp; i++) {
                        float a = ref.kernelTrace()[at + i], b = got.kernelTrace()[at + i];
                        String m = what + ", member " + e + ", layer " + l + ", point " + k + ", entry " + i;
                        assertFalse(Float.isNaN(a) || Float.isNaN(b), m + ": NaN");
                        assertEquals(a, b, tol * scale + 1e-6, m);
                        if (k == points - 1) assertEquals(fin[i], b, 4 * FORWARD_TOL * (1 + scale), m + ": the final kernel");
                    }
                }
            }
        }
    }

    /** members × stride parameters, member e from seed 100 + e at init scale 0.6 … 1.5 (biases are random too). */
    static double[] forwardParams(ParamLayout layout, int members) {
        double[] p = new double[members * layout.stride()];
        for (int e = 0; e < members; e++) {
            InitialWeights.fill(layout, 100 + e, 0.6 + 0.9 * e / Math.max(1, members - 1), p, e * layout.stride());
        }
        return p;
    }

    /** Every member's block of hidden layer {@code layer} against the reference; returns max |Δ| / (1 + |R|). */
    static double assertHiddenMatches(ParamLayout layout, double[] params, int members, Task task, int layer, float[] got,
                                      String what) {
        Mlp mlp = new Mlp(layout, task);
        int block = layout.architecture().width(layer) * task.samples();
        assertEquals((long) members * block, got.length, what + ": length");
        double worst = 0;
        for (int e = 0; e < members; e++) {
            mlp.forward(params, e * layout.stride());
            double[] ref = mlp.hidden(layer);
            assertEquals(block, ref.length);
            for (int i = 0; i < block; i++) {
                double r = ref[i], q = got[e * block + i];
                double rel = Math.abs(q - r) / (1 + Math.abs(r));
                worst = Math.max(worst, rel);
                if (!(rel <= FORWARD_TOL)) {
                    throw new AssertionError(what + ", member " + e + ", unit " + i / task.samples() + ", sample "
                            + i % task.samples() + ": backend " + q + " vs reference " + r);
                }
            }
        }
        return worst;
    }

    /** dX = 19, P = 24, dY = 3: nothing a multiple of a SIMD width or tile. */
    static Task raggedTask() {
        return Tasks.hypercube(3, 3, InputSpec.of("gaussian", 9).withDim(19));
    }

    /** P = 12, dX = 6, dY = 2. */
    static Task smallTask() {
        return Tasks.hypercube(2, 3, InputSpec.of("gaussian", 4).withDim(6));
    }

    static Stream<Arguments> everyActivationDepthOptimizer() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (int depth = 1; depth <= 3; depth++) {
                for (OptimizerKind k : OptimizerKind.values()) out.add(Arguments.of(a, depth, k));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> everyActivationDepthBias() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (int depth = 1; depth <= 3; depth++) {
                for (boolean biasAll : new boolean[] {false, true}) out.add(Arguments.of(a, depth, biasAll));
            }
        }
        return out.stream();
    }

    // ---------------------------------------------------------------------------------------------
    // building blocks, one at a time

    /**
     * The batched GEMM (with its bias column): layer 0 of a linear network is W·x + b, each entry a
     * float32 dot product of dX + 1 terms of float-rounded values; its error is at most
     * (dX + 1)·u·Σ|w·x| (+ u·|z| for the final rounding), entry by entry, computed here in double.
     */
    @Test
    void bgemmIsTheDotProductWithinItsRoundingBound() {
        Task task = raggedTask();
        int dX = task.inputDim(), P = task.samples();
        for (int width : new int[] {1, 7, 20, 33, 70}) {
            Architecture arch = new Architecture(dX, new int[] {width}, 3, Activation.LINEAR, true);
            ParamLayout layout = new ParamLayout(arch);
            int members = 3;
            double[] p = forwardParams(layout, members);
            float[] got = hidden(layout, p, members, task, 0);
            double[] x = task.xData();
            for (int e = 0; e < members; e++) {
                int off = e * layout.stride();
                for (int i = 0; i < width; i++) {
                    for (int s = 0; s < P; s++) {
                        double b = (float) p[off + layout.bias(0) + i];
                        double z = b, abs = Math.abs(b);
                        for (int k = 0; k < dX; k++) {
                            double t = (double) (float) p[off + layout.weight(0) + i * dX + k] * (float) x[k * P + s];
                            z += t;
                            abs += Math.abs(t);
                        }
                        double q = got[(e * width + i) * P + s];
                        double bound = (dX + 1) * U * abs + U * Math.abs(z);
                        assertTrue(Math.abs(q - z) <= bound, "width " + width + ", member " + e + ", unit " + i + ", sample "
                                + s + ": " + q + " vs " + z + " (bound " + bound + ")");
                    }
                }
            }
        }
    }

    /**
     * Each activation on its own: φ applied by the backend to its own pre-activations (the linear
     * network with the same parameters, the same GEMM in the same order) against φ in double at those
     * float values: a float evaluation of φ, within a few ulps of (1 + |φ|).
     */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationIsPhiOfThePreActivation(Activation act) {
        Task task = raggedTask();
        Architecture linear = new Architecture(19, new int[] {33}, 3, Activation.LINEAR, true);
        Architecture withAct = new Architecture(19, new int[] {33}, 3, act, true);
        ParamLayout layout = new ParamLayout(linear);
        double[] p = forwardParams(layout, 4);
        // scale the weights up so that pre-activations cover GELU's and tanh's curved range and clipped ReLU's top
        for (int i = 0; i < p.length; i++) p[i] *= 3;
        float[] z = hidden(layout, p, 4, task, 0);
        float[] a = hidden(new ParamLayout(withAct), p, 4, task, 0);
        int clippedTop = 0;
        for (int i = 0; i < z.length; i++) {
            double want = act.apply(z[i]);
            assertEquals(want, a[i], 8 * U * (1 + Math.abs(want)), act + " at z = " + z[i]);
            if (z[i] > 1) clippedTop++;
        }
        assertTrue(clippedTop > 0 && clippedTop < z.length / 2, "pre-activations on both sides of the kinks");
    }

    /**
     * The first optimiser update, for every optimiser: θ₁ = θ₀ − lr_e·d(g) with g the gradient (data
     * term and each member's λ_l) at θ₀ rounded to float, and d the reference update
     * ({@link OptimizerState}). The backend's float gradient is within about 60·u ≈ 4e-6 of the
     * absolute sums of its terms, a small multiple of max|g| here: we allow lr·1e-5·max|g| plus the
     * rounding of θ. Adam's d(g) = g/(|g| + ε) is steep where |g| is tiny; entries above 1 % of max|g|
     * get lr·2e-3 (the derivative of d there is at most 100/max|g|), the others |Δθ| ≤ lr.
     */
    @ParameterizedTest
    @EnumSource(OptimizerKind.class)
    void firstOptimizerUpdateIsTheReferenceUpdate(OptimizerKind kind) {
        Task task = smallTask();
        Architecture arch = new Architecture(6, new int[] {7, 5}, 2, Activation.TANH, true);
        TrainRequest req = request(arch, 3, 1e-2, settings(kind), new StopRule(1, 0, 1, 1));
        TrainResult got = train(req, task, ProgressListener.NONE);
        ParamLayout layout = req.layout();
        int stride = layout.stride(), layers = arch.layerCount();
        Mlp mlp = new Mlp(layout, task);
        for (int e = 0; e < req.members(); e++) {
            assertEquals(1, got.steps()[e]);
            double[] theta = new double[stride];
            for (int i = 0; i < stride; i++) theta[i] = (float) req.initialParams()[e * stride + i];
            double[] g = new double[stride];
            mlp.lossAndGradient(theta, 0, req.lambdas(), e * layers, g, 0);
            double gmax = Arrays.stream(g).map(Math::abs).max().orElseThrow();
            double[] want = theta.clone();
            double lr = req.optimizer().learningRate(req.learningRates()[e], 0, 1);
            new OptimizerState(req.optimizer(), stride).update(want, 0, g, 0, lr);
            for (int i = 0; i < stride; i++) {
                double q = got.params()[e * stride + i], w = want[i];
                double tol = kind != OptimizerKind.ADAM ? lr * 1e-5 * gmax
                        : Math.abs(g[i]) >= 1e-2 * gmax ? lr * 2e-3 : lr * (1 + 1e-6);
                tol += 2 * U * Math.abs(w);
                assertEquals(w, q, tol, kind + ", member " + e + ", parameter " + i + " (g = " + g[i] + ")");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // training: the same numbers as the reference

    @ParameterizedTest(name = "{0}, depth {1}, {2}")
    @MethodSource("org.repgeom.backend.BackendConformanceTest#everyActivationDepthOptimizer")
    void matchesTheReference(Activation act, int depth, OptimizerKind kind) {
        // P = 12 (not a multiple of the SIMD width), dX = 6, dY = 2; widths 7, 5, 6
        Task task = smallTask();
        Architecture arch = new Architecture(6, Arrays.copyOf(new int[] {7, 5, 6}, depth), 2, act, false);
        // step sizes inside the stable range of these (unnormalised Gaussian) inputs at every depth: the
        // reference loss falls monotonically under GD (asserted below), so rounding is not amplified
        double lr = switch (kind) {
            case GD -> 2e-3;
            case MOMENTUM -> 2e-4;
            case ADAM -> 1e-3;
        };
        int steps = kind == OptimizerKind.ADAM ? 150 : 300;
        TrainRequest req = request(arch, 3, lr, settings(kind), new StopRule(steps, 0, 50, 10));
        TrainResult ref = reference(req, task);
        assertMatches(req, task, ref, train(req, task, ProgressListener.NONE), traceTolerance(act), paramTolerance(act, kind),
                act + " depth " + depth + " " + kind);
        for (int e = 0; e < 3; e++) {
            assertTrue(ref.finalLoss()[e] < ref.lossTrace()[e * ref.traceLength()], "the run trains");
            for (int k = 1; kind == OptimizerKind.GD && k < ref.traceLength(); k++) {
                int i = e * ref.traceLength() + k;
                assertTrue(ref.lossTrace()[i] <= ref.lossTrace()[i - 1], "GD in its stable range");
            }
        }
    }

    @Test
    void biasOnAllHiddenLayersWideLayersAndPaddedShapes() {
        // dX = 19, P = 24, widths 20, 33, 17: register-block and tile remainders, the transposed-gradient path
        Task task = raggedTask();
        for (Activation act : new Activation[] {Activation.RELU, Activation.TANH, Activation.GELU}) {
            for (int depth = 2; depth <= 3; depth++) {
                Architecture arch = new Architecture(19, Arrays.copyOf(new int[] {20, 33, 17}, depth), 3, act, true);
                // ReLU: a shorter horizon, since each kink flip (class comment) is amplified by later steps
                int steps = act.isThresholdClass() ? 100 : 200;
                TrainRequest req = request(arch, 4, 5e-4, OptimizerSettings.momentum(0.8, 0.5), new StopRule(steps, 0, 50, 20));
                double tol = traceTolerance(act);
                assertMatches(req, task, reference(req, task), train(req, task, ProgressListener.NONE), tol, 2 * tol,
                        act + " depth " + depth + " bias on all");
            }
        }
    }

    @Test
    void noBiasOnAnyLayer() {
        // model.bias: none (the deep-linear and no-bias one-hot closed forms are stated without biases)
        Task task = raggedTask();
        for (Activation act : new Activation[] {Activation.RELU, Activation.LINEAR}) {
            for (int depth = 1; depth <= 2; depth++) {
                Architecture arch = new Architecture(19, Arrays.copyOf(new int[] {20, 33}, depth), 3, act, Bias.NONE);
                int steps = act.isThresholdClass() ? 100 : 200;
                TrainRequest req = request(arch, 4, 5e-4, OptimizerSettings.momentum(0.8, 0.5), new StopRule(steps, 0, 50, 20));
                double tol = traceTolerance(act);
                assertMatches(req, task, reference(req, task), train(req, task, ProgressListener.NONE), tol, 2 * tol,
                        act + " depth " + depth + " no bias");
            }
        }
    }

    @Test
    void wideOutputLayer() {
        // one-hot, 10 classes: dY = 10 takes the transposed readout-gradient path
        Task task = Tasks.oneHot(10, 2, InputSpec.of("gaussian", 5).withDim(12));
        Architecture arch = Architecture.twoLayer(12, 24, 10, Activation.GELU);
        TrainRequest req = request(arch, 3, 5e-3, OptimizerSettings.gd(), new StopRule(200, 0, 50, 25));
        assertMatches(req, task, reference(req, task), train(req, task, ProgressListener.NONE),
                traceTolerance(Activation.GELU), paramTolerance(Activation.GELU, OptimizerKind.GD), "one-hot, dY = 10");
    }

    @Test
    void twoGroupsOfOneStudy() {
        // one study, two groups (widths 4 and 12) trained one after the other, as the study layer does
        Task task = Tasks.hypercube(2, 4, InputSpec.of("whitened", 2));
        for (int width : new int[] {4, 12}) {
            Architecture arch = Architecture.twoLayer(task.inputDim(), width, 2, Activation.RELU);
            TrainRequest req = request(arch, 5, 1e-2, OptimizerSettings.gd(), new StopRule(300, 0, 100, 30));
            assertMatches(req, task, reference(req, task), train(req, task, ProgressListener.NONE),
                    traceTolerance(Activation.RELU), paramTolerance(Activation.RELU, OptimizerKind.GD), "width " + width);
        }
    }

    /**
     * The kernel trace (train.kernel_every) of some members against the reference's: a schedule that
     * does not divide the budget (an extra time point at the end), two hidden layers with bias, a member
     * that converges early (its later points hold its final kernel), untraced members in between.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Activation.class, names = {"RELU", "TANH"})
    void kernelTraceMatchesTheReference(Activation act) {
        assumeTrue(recordsKernelTrace(), "no kernel trace on this backend");
        assertKernelTraceCases((req, task) -> train(req, task, ProgressListener.NONE), act);
    }

    /** The cases of {@link #kernelTraceMatchesTheReference} for one way of training (also run per native layout). */
    static void assertKernelTraceCases(java.util.function.BiFunction<TrainRequest, Task, TrainResult> train, Activation act) {
        Task task = smallTask();
        Architecture arch = new Architecture(6, new int[] {7, 5}, 2, act, true);
        TrainRequest req = request(arch, 5, 2e-3, OptimizerSettings.gd(), new StopRule(130, 0, 50, 10))
                .withKernelTrace(new KernelTraceRequest(20, new int[] {0, 2, 3}));
        TrainResult ref = reference(req, task);
        TrainResult got = train.apply(req, task);
        double tol = 2 * paramTolerance(act, OptimizerKind.GD);
        assertMatches(req, task, ref, got, traceTolerance(act), paramTolerance(act, OptimizerKind.GD), act + " traced");
        assertKernelTraceMatches(req, task, ref, got, tol, act + " kernel trace");
        // a converging Adam run: members stop at window boundaries, their later points repeat the final kernel
        Architecture one = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        TrainRequest conv = request(one, 4, 1e-2, OptimizerSettings.adam(1.0), new StopRule(2000, 3e-2, 100, 100))
                .withKernelTrace(new KernelTraceRequest(150, new int[] {1, 3}));
        TrainResult cref = reference(conv, Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6)));
        assertTrue(cref.steps()[1] < 2000 && cref.steps()[3] < 2000, "members converge early");
        TrainResult cgot = train.apply(conv, Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6)));
        assertKernelTraceMatches(conv, Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6)), cref, cgot,
                2 * paramTolerance(Activation.TANH, OptimizerKind.ADAM), "converging Adam kernel trace");
        // untraced requests carry no trace
        assertEquals(0, train.apply(request(one, 2, 1e-2, OptimizerSettings.gd(), new StopRule(10, 0, 5, 5)), task)
                .kernelTrace().length);
    }

    /** A member that diverges holds the kernel of its last finite parameters from its final step on; the others are untouched by it. */
    @Test
    void kernelTraceOfADivergingMember() {
        assumeTrue(recordsKernelTrace(), "no kernel trace on this backend");
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.LINEAR);
        StopRule stop = new StopRule(300, 0, 100, 1);
        TrainRequest req = withLearningRate(request(arch, 3, 1e-3, OptimizerSettings.gd(), stop), 1, 0.1)
                .withKernelTrace(KernelTraceRequest.all(4, 3));
        TrainResult got = train(req, task, ProgressListener.NONE);
        assertEquals(MemberStatus.DIVERGED, got.status()[1]);
        int p = task.samples(), pp = p * p, points = req.kernelTrace().schedule(300).points();
        int s = got.steps()[1], from = req.kernelTrace().schedule(300).firstPointFrom(s);
        Mlp mlp = new Mlp(req.layout(), task);
        mlp.forward(got.params(), req.layout().stride());
        double[] fin = org.repgeom.analysis.RepresentationKernel.of(mlp.hidden(0), 5, p);
        double scale = Arrays.stream(fin).map(Math::abs).max().orElseThrow();
        assertTrue(from < points, "the member stops before the last time point");
        for (int k = 0; k < points; k++) {
            int at = (points + k) * pp;
            for (int i = 0; i < pp; i++) {
                float v = got.kernelTrace()[at + i];
                assertTrue(Float.isFinite(v), "point " + k + " is finite");
                if (k >= from) assertEquals(fin[i], v, 1e-5 * scale, "point " + k + ": the final kernel");
            }
        }
        // the members beside it as when traced alone
        TrainResult alone = train(memberAlone(req, 2, stop).withKernelTrace(KernelTraceRequest.all(4, 1)), task, ProgressListener.NONE);
        assertArrayEquals(alone.kernelTrace(), Arrays.copyOfRange(got.kernelTrace(), 2 * points * pp, 3 * points * pp));
    }

    // ---------------------------------------------------------------------------------------------
    // stop rule, divergence

    @Test
    void convergedStatusAndStepsAgreeWithTheReference() {
        // a loose tolerance: every member stops at a window boundary, clear-cut in both precisions
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.TANH);
        TrainRequest req = request(arch, 4, 1e-2, OptimizerSettings.adam(1.0), new StopRule(2000, 3e-2, 100, 100));
        TrainResult ref = reference(req, task);
        for (int e = 0; e < 4; e++) {
            assertEquals(MemberStatus.CONVERGED, ref.status()[e]);
            assertTrue(ref.steps()[e] < 2000);
        }
        assertMatches(req, task, ref, train(req, task, ProgressListener.NONE), traceTolerance(Activation.TANH),
                paramTolerance(Activation.TANH, OptimizerKind.ADAM), "converging Adam");
        // tol = 0: the whole budget, final trace entry at maxSteps
        TrainRequest full = request(arch, 2, 1e-2, OptimizerSettings.gd(), new StopRule(200, 0, 100, 50));
        TrainResult f = train(full, task, ProgressListener.NONE);
        for (int e = 0; e < 2; e++) {
            assertEquals(MemberStatus.MAX_STEPS, f.status()[e]);
            assertEquals(200, f.steps()[e]);
            float last = f.lossTrace()[e * f.traceLength() + 4];
            assertEquals(f.finalLoss()[e], last, 1e-6 * last);
        }
        // the end-of-budget convergence check
        TrainRequest loose = request(arch, 2, 1e-2, OptimizerSettings.gd(), new StopRule(200, 0.5, 100, 50));
        assertMatches(loose, task, reference(loose, task), train(loose, task, ProgressListener.NONE),
                traceTolerance(Activation.TANH), paramTolerance(Activation.TANH, OptimizerKind.GD), "end-of-budget check");
    }

    /**
     * A member whose loss blows up stops as DIVERGED with the parameters of the step before: they equal,
     * bit for bit, those of a run that simply stops there; no trace entry after it; the other members
     * end exactly as when trained alone.
     */
    @Test
    void aDivergingMemberKeepsItsLastFiniteStepAndTouchesNoOther() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 5, 2, Activation.LINEAR); // (ReLU would die, not diverge)
        StopRule stop = new StopRule(300, 0, 100, 1);
        TrainRequest req = withLearningRate(request(arch, 3, 1e-3, OptimizerSettings.gd(), stop), 1, 0.1); // grows geometrically
        ParamLayout layout = req.layout();
        TrainResult got = train(req, task, ProgressListener.NONE);
        TrainResult ref = reference(req, task);
        assertEquals(MemberStatus.DIVERGED, got.status()[1]);
        assertEquals(MemberStatus.DIVERGED, ref.status()[1]);
        int s = got.steps()[1]; // (not necessarily the reference's step: float32 overflows at 3e38, double at 1e308)
        assertTrue(s >= 3, "diverges after a few steps, at " + s);
        double[] mine = memberParams(got, layout, 1);
        for (double v : mine) assertTrue(Double.isFinite(v));
        assertTrue(Double.isFinite(got.finalLoss()[1]), "last finite parameters are kept");
        for (int k = 0; k < got.traceLength(); k++) {
            float v = got.lossTrace()[got.traceLength() + k];
            assertEquals(k < s, !Float.isNaN(v), "trace[" + k + "] recorded only before the divergence");
        }
        TrainResult upTo = train(memberAlone(req, 1, new StopRule(s - 1, 0, 100, 1)), task, ProgressListener.NONE);
        assertArrayEquals(upTo.params(), mine, "the parameters of a run stopped at step " + (s - 1));
        assertEquals(upTo.finalLoss()[0], got.finalLoss()[1], 0.0);
        for (int e : new int[] {0, 2}) {
            TrainResult one = train(memberAlone(req, e, stop), task, ProgressListener.NONE);
            assertEquals(MemberStatus.MAX_STEPS, got.status()[e]);
            assertArrayEquals(one.params(), memberParams(got, layout, e), "member " + e + " as when trained alone");
            assertEquals(one.finalLoss()[0], got.finalLoss()[e], 0.0);
            assertEquals(ref.finalLoss()[e], got.finalLoss()[e], 1e-4 * ref.finalLoss()[e]);
        }
        // and at once: plain GD at lr 1000 overflows within a few steps
        TrainResult wild = train(withLearningRate(req, 1, 1e3), task, ProgressListener.NONE);
        assertEquals(MemberStatus.DIVERGED, wild.status()[1]);
        assertTrue(Double.isFinite(wild.finalLoss()[1]));
        for (double v : memberParams(wild, layout, 1)) assertTrue(Double.isFinite(v));
    }

    /**
     * A finite loss with a gradient that overflows float32 (first-layer weights ~1e18, readout ~1e3:
     * the readout gradient ~1e41) is a divergence at step 0: status DIVERGED, 0 steps, the initial
     * parameters kept, and no trace entry — the reference checks the gradient before recording.
     */
    @Test
    void aNonFiniteGradientStopsBeforeTheStepIsRecorded() {
        Task task = smallTask();
        Architecture arch = Architecture.twoLayer(6, 7, 2, Activation.LINEAR);
        ParamLayout layout = new ParamLayout(arch);
        double[] p = InitialWeights.of(layout, 7, 1.0);
        for (int i = 0; i < layout.augmentedSize(0); i++) p[i] *= 1e18;
        for (int i = layout.weight(1); i < p.length; i++) p[i] *= 1e3;
        TrainRequest req = new TrainRequest(layout, 1, p, new double[] {1e-3, 1e-3}, new double[] {1e-30}, OptimizerSettings.gd(),
                new StopRule(50, 0, 10, 1));
        TrainResult r = train(req, task, ProgressListener.NONE);
        assertEquals(MemberStatus.DIVERGED, r.status()[0]);
        assertEquals(0, r.steps()[0]);
        for (int i = 0; i < p.length; i++) assertEquals((float) p[i], (float) r.params()[i], 0.0f);
        for (float v : r.lossTrace()) assertTrue(Float.isNaN(v));
        assertTrue(Double.isFinite(r.finalLoss()[0]) && r.finalLoss()[0] > 1e30, "finite loss at the kept parameters");
        assertTrue(Double.isInfinite(r.gradNorm()[0]) || Double.isNaN(r.gradNorm()[0]) || r.gradNorm()[0] > 1e38);
    }

    /**
     * One divergence rule on every backend, the reference's ({@link JavaBackend#representable}): a loss
     * float32 cannot hold is DIVERGED even where the double sums keep it finite. Plain GD at lr 0.2 on a
     * linear network takes member 1 from a loss of ~1e13 at step 3 to ~4e40 at step 4, where every
     * gradient entry is still below 1e32: only the loss rule stops it at step 4 (a backend that waited for
     * an infinity would go on a step). The recurrent case (T = 1, input weights and readout scaled by
     * 1e10) starts at a loss of ~1e40 with gradients below 1e31: DIVERGED at step 0. Each premise is
     * checked on the reference in double; every variant of the backend must then agree on the status,
     * the step, the trace up to it and the parameters kept.
     */
    @Test
    void aLossBeyondFloat32RangeDivergesAtTheReferenceStep() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture linear = Architecture.twoLayer(6, 5, 2, Activation.LINEAR);
        TrainRequest req = withLearningRate(request(linear, 2, 1e-3, OptimizerSettings.gd(), new StopRule(40, 0, 100, 1)), 1, 0.2);
        assertLossRuleDivergence(req, task, 4, "mlp");
        if (!trainsRecurrent()) return;
        Architecture rnn = Architecture.recurrent(6, 5, 2, Activation.LINEAR, new Recurrence(1, Recurrence.Input.EVERY));
        TrainRequest big = request(rnn, 2, 1e-3, OptimizerSettings.gd(), new StopRule(40, 0, 100, 1));
        ParamLayout layout = big.layout();
        int stride = layout.stride();
        double[] p = big.initialParams();
        for (int i = 0; i < layout.augmentedSize(0); i++) p[stride + i] *= 1e10; // [U, b] of member 1
        for (int i = layout.weight(2); i < stride; i++) p[stride + i] *= 1e10;    // its W_out
        assertLossRuleDivergence(big, task, 0, "rnn");
    }

    /**
     * Member 1 of {@code req} (plain GD) diverges on the reference at {@code step} because its loss there
     * is finite but above float32's range while its gradient is within it; every variant agrees.
     */
    private void assertLossRuleDivergence(TrainRequest req, Task task, int step, String what) {
        TrainResult ref = reference(req, task);
        assertEquals(MemberStatus.DIVERGED, ref.status()[1], what + ": the reference diverges");
        assertEquals(step, ref.steps()[1], what + ": the reference's step");
        // the premise: theta_step (one GD step from the kept theta_{step-1}; the initial parameters at step 0)
        int stride = req.layout().stride(), layers = req.architecture().layerCount();
        Network net = Network.of(req.layout(), task);
        double[] theta = memberParams(ref, req.layout(), 1), grad = new double[stride];
        double before = net.lossAndGradient(theta, 0, req.lambdas(), layers, grad, 0);
        if (step > 0) {
            assertTrue(before < 1e-3 * Float.MAX_VALUE, what + ": the loss before, " + before + ", is far inside float32");
            double lr = req.optimizer().learningRate(req.learningRates()[1], step - 1, req.stop().maxSteps());
            new OptimizerState(req.optimizer(), stride).update(theta, 0, grad, 0, lr);
        }
        double loss = net.lossAndGradient(theta, 0, req.lambdas(), layers, grad, 0);
        assertTrue(Double.isFinite(loss) && loss > 10.0 * Float.MAX_VALUE, what + ": the loss at the step, " + loss);
        for (double g : grad) assertTrue(Math.abs(g) < 1e-5 * Float.MAX_VALUE, what + ": a gradient entry " + g);
        for (Map.Entry<String, TrainResult> run : trainEveryVariant(req, task).entrySet()) {
            TrainResult got = run.getValue();
            String m = what + ", " + run.getKey();
            assertEquals(MemberStatus.DIVERGED, got.status()[1], m + ": status");
            assertEquals(step, got.steps()[1], m + ": the step it diverged at");
            int len = got.traceLength();
            for (int k = 0; k < len; k++) {
                float a = ref.lossTrace()[len + k], b = got.lossTrace()[len + k];
                assertEquals(k * req.stop().traceEvery() < step, !Float.isNaN(b), m + ": trace[" + k + "] only before the step");
                if (!Float.isNaN(a)) assertEquals(a, b, 1e-4 * a, m + ": trace[" + k + "]");
            }
            double scale = 0, diff = 0;
            for (int i = 0; i < stride; i++) {
                double r = ref.params()[stride + i], q = got.params()[stride + i];
                assertTrue(Double.isFinite(q), m + ": the kept parameters are finite");
                scale = Math.max(scale, Math.abs(r));
                diff = Math.max(diff, Math.abs(r - q));
            }
            assertTrue(diff <= 1e-4 * scale, m + ": the kept parameters differ by " + diff + " (scale " + scale + ")");
            // at step 0 the kept (initial) parameters' loss is itself beyond float32: a float backend may say infinity
            if (step > 0) assertEquals(ref.finalLoss()[1], got.finalLoss()[1], 1e-4 * ref.finalLoss()[1], m + ": final loss");
            else assertFalse(JavaBackend.representable(got.finalLoss()[1]), m + ": final loss " + got.finalLoss()[1]);
            assertEquals(MemberStatus.MAX_STEPS, got.status()[0], m + ": the other member");
            assertEquals(ref.finalLoss()[0], got.finalLoss()[0], 1e-4 * ref.finalLoss()[0], m + ": the other member's loss");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // chunking, segments

    @Test
    void resultsDoNotDependOnHowMembersAreSplitAndTheRequestIsUntouched() {
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.twoLayer(6, 9, 2, Activation.LEAKY_RELU);
        TrainRequest req = request(arch, 11, 1e-2, OptimizerSettings.adam(1e-2), new StopRule(300, 1e-9, 100, 50));
        if (recordsKernelTrace()) req = req.withKernelTrace(new KernelTraceRequest(70, new int[] {0, 5, 6, 10}));
        double[] init = req.initialParams().clone();
        AtomicInteger reported = new AtomicInteger();
        TrainResult one = train(req, task, ProgressListener.NONE);
        TrainResult split = trainSplitDifferently(req, task, reported::addAndGet);
        if (reportsProgress()) assertEquals(11, reported.get(), "every member reported once");
        assertArrayEquals(one.params(), split.params());
        assertArrayEquals(one.lossTrace(), split.lossTrace());
        assertArrayEquals(one.finalLoss(), split.finalLoss());
        assertArrayEquals(one.steps(), split.steps());
        assertArrayEquals(one.kernelTrace(), split.kernelTrace());
        assertArrayEquals(init, req.initialParams());
    }

    static Stream<Arguments> everyOptimizerWithSchedule() {
        return Stream.of(
                Arguments.of("gd", new OptimizerSettings(OptimizerKind.GD, 0.02, 0.9, 0.9, 0.999, 1e-8)),
                Arguments.of("momentum", OptimizerSettings.momentum(0.9, 0.1)),
                Arguments.of("adam", OptimizerSettings.adam(0.1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.repgeom.backend.BackendConformanceTest#everyOptimizerWithSchedule")
    void segmentsJoinUpToOneUninterruptedRun(String optName, OptimizerSettings opt) {
        Backend backend = segmentedBackend();
        if (backend == null) {
            assertDeclinesSegments(opt, Architecture.twoLayer(6, 7, 2, Activation.TANH));
            return;
        }
        assertSegmentsJoinUp(backend, opt);
    }

    /**
     * A backend without checkpointed training says so ({@link Backend#supportsSegments} false, which the
     * study runner reads) and refuses a segment with an exception naming it, leaving the state untouched.
     */
    private void assertDeclinesSegments(OptimizerSettings opt, Architecture arch) {
        Backend b = backendWithoutSegments();
        assumeTrue(b != null, "no checkpointed training on this backend");
        assertFalse(b.supportsSegments(), b.name() + " trains in segments: give the suite its segmentedBackend()");
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        StopRule stop = new StopRule(240, 1e-2, 20, 10);
        TrainRequest req = request(arch, 2, 1e-2, opt, stop);
        TrainState from = TrainState.initial(opt.kind(), 2, req.layout().stride(), stop.traceLength(), req.initialParams());
        TrainState before = from.copy();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> b.trainSegment(req, from, 20, task, ProgressListener.NONE));
        assertTrue(e.getMessage().contains(b.name()), e.getMessage());
        assertTrue(from.sameAs(before), "a refused segment leaves the state unchanged");
    }

    /**
     * Training in segments ({@link Backend#trainSegment}) joins up bit for bit to one uninterrupted
     * {@link Backend#train}: with a decaying schedule, members that diverge or converge before, at and
     * after segment boundaries.
     */
    static void assertSegmentsJoinUp(Backend backend, OptimizerSettings opt) {
        assertSegmentsJoinUp(backend, opt, Architecture.twoLayer(6, 7, 2, Activation.TANH));
    }

    /** {@link #assertSegmentsJoinUp(Backend, OptimizerSettings)} for a network of {@code arch} (dX = 6, dY = 2). */
    static void assertSegmentsJoinUp(Backend backend, OptimizerSettings opt, Architecture arch) {
        assertTrue(backend.supportsSegments());
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        StopRule stop = new StopRule(240, 1e-2, 20, 10);
        int members = 6;
        double lr = switch (opt.kind()) {
            case GD -> 0.1;
            case MOMENTUM -> 3e-2;
            case ADAM -> 1e-2;
        };
        TrainRequest req = withLearningRate(request(arch, members, lr, opt, stop), 1, opt.kind() == OptimizerKind.ADAM ? 1e6 : 1e4);
        req = withLearningRate(req, 4, lr * 0.05); // slow: runs the whole budget or converges late
        // feed-forward members record their kernels too (recurrent networks have no kernel trace)
        if (!arch.isRecurrent()) req = req.withKernelTrace(new KernelTraceRequest(9, new int[] {0, 1, 4, 5}));

        TrainResult whole = backend.train(req, task, ProgressListener.NONE);
        for (int segment : new int[] {2, 4, 7, 20, 50, 240, 1000}) {
            TrainState st = TrainState.initial(opt.kind(), members, req.layout().stride(), stop.traceLength(), req.initialParams())
                    .withKernelTrace(req.kernelTraceFloats(task.samples()));
            AtomicInteger done = new AtomicInteger();
            int calls = 0;
            for (int until = segment; !st.finished(); until += segment) {
                TrainState given = st, before = st.copy();
                st = backend.trainSegment(req, given, Math.min(until, stop.maxSteps()), task, done::addAndGet);
                assertTrue(given.sameAs(before), "the given state is left unchanged");
                calls++;
                for (int e = 0; e < members; e++) {
                    if (st.status()[e] == TrainState.RUNNING) assertEquals(Math.min(until, stop.maxSteps()), st.step()[e]);
                }
            }
            assertEquals(members, done.get(), "every member is reported once, when it stops");
            assertTrue(calls <= (stop.maxSteps() + segment - 1) / segment, "no call after everyone stopped");
            TrainResult seg = TrainResult.of(st);
            String what = backend.name() + " " + opt.kind() + " in segments of " + segment;
            assertArrayEquals(whole.params(), seg.params(), what + ": params");
            assertArrayEquals(whole.lossTrace(), seg.lossTrace(), what + ": trace");
            assertArrayEquals(whole.finalLoss(), seg.finalLoss(), what + ": final loss");
            assertArrayEquals(whole.gradNorm(), seg.gradNorm(), what + ": grad norm");
            assertArrayEquals(whole.steps(), seg.steps(), what + ": steps");
            assertArrayEquals(whole.status(), seg.status(), what + ": status");
            assertArrayEquals(whole.kernelTrace(), seg.kernelTrace(), what + ": kernel trace");
        }
        // the group really has a diverging, a converged and a budget-limited or late member
        // (Adam's normalised steps grow the parameters only linearly: no overflow to diverge on)
        if (opt.kind() != OptimizerKind.ADAM) assertEquals(MemberStatus.DIVERGED, whole.status()[1], Arrays.toString(whole.status()));
        assertTrue(Arrays.asList(whole.status()).contains(MemberStatus.CONVERGED), Arrays.toString(whole.status()));
        assertTrue(Arrays.stream(whole.steps()).anyMatch(s -> s > 20 && s % 7 != 0), Arrays.toString(whole.steps()));
        assertFalse(Arrays.stream(whole.steps()).allMatch(s -> s == whole.steps()[0]), Arrays.toString(whole.steps()));
    }

    // ---------------------------------------------------------------------------------------------
    // recurrent networks (rnn_train_fused): the same loop with backpropagation through time

    static Stream<Arguments> recurrentCases() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            out.add(Arguments.of(a, 1, Recurrence.Input.EVERY, OptimizerKind.GD));
            out.add(Arguments.of(a, 3, Recurrence.Input.EVERY, OptimizerKind.GD));
        }
        out.add(Arguments.of(Activation.RELU, 4, Recurrence.Input.FIRST, OptimizerKind.GD));
        out.add(Arguments.of(Activation.TANH, 3, Recurrence.Input.FIRST, OptimizerKind.MOMENTUM));
        out.add(Arguments.of(Activation.RELU, 3, Recurrence.Input.EVERY, OptimizerKind.MOMENTUM));
        out.add(Arguments.of(Activation.TANH, 3, Recurrence.Input.EVERY, OptimizerKind.ADAM));
        out.add(Arguments.of(Activation.RELU, 3, Recurrence.Input.EVERY, OptimizerKind.ADAM));
        return out.stream();
    }

    /**
     * Recurrent members match the reference member by member at the feedforward tolerances: the
     * unrolled network is a T-layer network with shared weights, and the step sizes keep the
     * reference loss falling, so rounding is not amplified.
     */
    @ParameterizedTest(name = "rnn {0}, T={1}, input {2}, {3}")
    @MethodSource("org.repgeom.backend.BackendConformanceTest#recurrentCases")
    void recurrentMembersMatchTheReference(Activation act, int steps, Recurrence.Input input, OptimizerKind kind) {
        assumeTrue(trainsRecurrent(), "no recurrent networks on this backend");
        Task task = smallTask(); // P = 12, dX = 6, dY = 2
        Architecture arch = Architecture.recurrent(6, 5, 2, act, new Recurrence(steps, input));
        double lr = switch (kind) {
            case GD -> 2e-3;
            case MOMENTUM -> 2e-4;
            case ADAM -> 1e-3;
        };
        int budget = kind == OptimizerKind.ADAM ? 150 : 300;
        TrainRequest req = request(arch, 3, lr, settings(kind), new StopRule(budget, 0, 50, 10));
        TrainResult ref = reference(req, task);
        assertMatches(req, task, ref, train(req, task, ProgressListener.NONE), traceTolerance(act),
                paramTolerance(act, kind), "rnn " + act + " T=" + steps + " " + input + " " + kind);
        for (int e = 0; e < 3; e++) {
            assertTrue(ref.finalLoss()[e] < ref.lossTrace()[e * ref.traceLength()], "the run trains");
        }
    }

    /** The window rule stops recurrent members at the reference's step; a blow-up is DIVERGED with finite parameters. */
    @Test
    void recurrentStopAndDivergenceRulesAgreeWithTheReference() {
        assumeTrue(trainsRecurrent(), "no recurrent networks on this backend");
        Task task = Tasks.hypercube(2, 2, InputSpec.of("gaussian", 4).withDim(6));
        Architecture arch = Architecture.recurrent(6, 5, 2, Activation.TANH, new Recurrence(3, Recurrence.Input.EVERY));
        TrainRequest req = request(arch, 4, 1e-2, OptimizerSettings.adam(1.0), new StopRule(2000, 3e-2, 100, 100));
        TrainResult ref = reference(req, task);
        for (int e = 0; e < 4; e++) assertEquals(MemberStatus.CONVERGED, ref.status()[e]);
        assertMatches(req, task, ref, train(req, task, ProgressListener.NONE), traceTolerance(Activation.TANH),
                paramTolerance(Activation.TANH, OptimizerKind.ADAM), "converging recurrent Adam");
        Architecture linear = Architecture.recurrent(6, 5, 2, Activation.LINEAR, new Recurrence(3, Recurrence.Input.EVERY));
        TrainRequest wild = withLearningRate(request(linear, 2, 1e-3, OptimizerSettings.gd(), new StopRule(300, 0, 100, 1)),
                1, 1.0);
        TrainResult got = train(wild, task, ProgressListener.NONE);
        assertEquals(MemberStatus.DIVERGED, reference(wild, task).status()[1]);
        assertEquals(MemberStatus.DIVERGED, got.status()[1]);
        assertEquals(MemberStatus.MAX_STEPS, got.status()[0]);
        assertTrue(Double.isFinite(got.finalLoss()[1]), "the last finite parameters are kept");
        for (double v : memberParams(got, wild.layout(), 1)) assertTrue(Double.isFinite(v));
    }

    @ParameterizedTest(name = "rnn {0}")
    @MethodSource("org.repgeom.backend.BackendConformanceTest#everyOptimizerWithSchedule")
    void recurrentSegmentsJoinUpToOneUninterruptedRun(String optName, OptimizerSettings opt) {
        Backend backend = segmentedBackend();
        assumeTrue(trainsRecurrent(), "no recurrent networks on this backend");
        Architecture arch = Architecture.recurrent(6, 7, 2, Activation.TANH, new Recurrence(3, Recurrence.Input.EVERY));
        if (backend == null) {
            assertDeclinesSegments(opt, arch);
            return;
        }
        assertSegmentsJoinUp(backend, opt, arch);
    }

    // ---------------------------------------------------------------------------------------------
    // forward pass, init

    @ParameterizedTest(name = "{0}, depth {1}, bias on all {2}")
    @MethodSource("org.repgeom.backend.BackendConformanceTest#everyActivationDepthBias")
    void everyHiddenLayerMatchesTheReference(Activation act, int depth, boolean biasAll) {
        Task task = raggedTask();
        Architecture arch = new Architecture(19, Arrays.copyOf(new int[] {20, 33, 17}, depth), 3, act, biasAll);
        ParamLayout layout = new ParamLayout(arch);
        int members = 7;
        double[] p = forwardParams(layout, members);
        for (int layer = 0; layer < depth; layer++) {
            assertHiddenMatches(layout, p, members, task, layer, hidden(layout, p, members, task, layer),
                    act + " depth " + depth + " layer " + layer);
        }
    }

    @Test
    void hiddenLayersOfSmallShapesAndWideLayers() {
        // P = 12, dX = 6 and a 70-wide layer (register-block remainders)
        Task task = smallTask();
        for (int[] widths : new int[][] {{1}, {7, 5}, {70, 3, 16}}) {
            ParamLayout layout = new ParamLayout(new Architecture(6, widths, 2, Activation.GELU, true));
            double[] p = forwardParams(layout, 3);
            for (int layer = 0; layer < widths.length; layer++) {
                assertHiddenMatches(layout, p, 3, task, layer, hidden(layout, p, 3, task, layer),
                        Arrays.toString(widths) + " layer " + layer);
            }
        }
    }

    /**
     * The backend's Philox init against InitialWeights: the Philox words and uniforms are exact, so every
     * value agrees with the reference rounded to float except where log/cos (not correctly rounded in
     * glibc, Java or CUDA) move a value across a float rounding boundary: at most one float ulp, and
     * rarely (the double error is a few 1e-16 relative, a float ulp 6e-8: ~1e-8 of the values).
     */
    @Test
    void philoxInitIsInitialWeights() {
        Architecture arch = new Architecture(37, new int[] {64, 50}, 5, Activation.RELU, true);
        ParamLayout layout = new ParamLayout(arch);
        int members = 24, stride = layout.stride();
        long[] seeds = new long[members];
        double[] scales = new double[members];
        long[] special = {0, 1, 42, -1, 0x123456789abcdefL, Long.MIN_VALUE, 1L << 32, 7};
        for (int e = 0; e < members; e++) {
            seeds[e] = e < special.length ? special[e] : e * 0x9E3779B97F4A7C15L;
            scales[e] = e % 4 == 3 ? 1e-3 : 0.5 + e / 10.0;
        }
        float[] dev = initialParams(layout, seeds, scales);
        assumeTrue(dev != null, "no on-device init on this backend");
        int exact = 0;
        for (int e = 0; e < members; e++) {
            double[] ref = InitialWeights.of(layout, seeds[e], scales[e]);
            for (int i = 0; i < stride; i++) {
                float want = (float) ref[i], got = dev[e * stride + i];
                if (want == got) exact++;
                else assertTrue(Math.abs(want - got) <= Math.ulp(want), "seed " + seeds[e] + " entry " + i + ": " + got + " vs " + want);
            }
        }
        assertTrue(exact >= members * stride - 4, exact + " of " + members * stride + " bit-exact");
    }
}
