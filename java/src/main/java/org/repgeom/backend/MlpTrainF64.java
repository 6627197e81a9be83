package org.repgeom.backend;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * {@code mlp_train_fused_f64}: the double-precision training loop of the reference
 * ({@link JavaBackend#mlp_train_fused}) run in C where that gives the same bits, else in Java. For the
 * stationarity polish, which trains every member again for up to 5000 double steps: the C loop is the
 * Java one operation for operation (no fused multiply-add, the same order), so the polished parameters,
 * losses and verdicts are those of the Java loop whichever ran; the conformance test holds it to that.
 *
 * <p>The C loop runs when the native library loaded and, for tanh and gelu members, when this JVM's
 * {@link Math#tanh} returns fdlibm's bits ({@link StrictMath#tanh}, which the C loop reproduces): true of
 * JDK 17; JDK 25 on x86-64 has its own Math.tanh intrinsic (it differed from StrictMath.tanh on 11 % of
 * arguments in [-5, 5] when measured), so there tanh and gelu members stay in Java. The system
 * property {@code repgeom.polish.native=false} keeps every member in Java (A/B timing).
 */
public final class MlpTrainF64 {
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("repgeom.polish.native"));
    private static final boolean NATIVE = ENABLED && NativeKernels.isAvailable();
    private static final boolean NATIVE_TANH = NATIVE && tanhIsFdlibm();
    /** Set on a thread inside {@link #javaOnly}. */
    private static final ThreadLocal<Boolean> JAVA_ONLY = ThreadLocal.withInitial(() -> false);

    private MlpTrainF64() {
    }

    /** Whether members with activation {@code a} train in C here. */
    public static boolean runsNatively(Activation a) {
        if (JAVA_ONLY.get()) return false;
        return a == Activation.TANH || a == Activation.GELU ? NATIVE_TANH : NATIVE;
    }

    /** Runs {@code work} on this thread with every call here in Java (for the conformance test and A/B timing). */
    public static <T> T javaOnly(Supplier<T> work) {
        boolean was = JAVA_ONLY.get();
        JAVA_ONLY.set(true);
        try {
            return work.get();
        } finally {
            JAVA_ONLY.set(was);
        }
    }

    /**
     * {@link JavaBackend#mlp_train_fused} on {@code mlp} (built for {@code task}), in C where
     * {@link #runsNatively} says so: the same arguments, the same outcome and the same bits in params,
     * grad and trace.
     */
    public static JavaBackend.MemberOutcome mlp_train_fused_f64(Mlp mlp, Task task, double[] params, int off,
                                                                double[] lambdas, int lambdaOff, double lr0,
                                                                OptimizerSettings opt, StopRule stop, double[] grad,
                                                                float[] trace, int traceOff) {
        if (!runsNatively(mlp.layout().architecture().activation())) {
            return JavaBackend.mlp_train_fused(mlp, params, off, lambdas, lambdaOff, lr0, opt, stop, grad, trace,
                    traceOff);
        }
        return nativeLoop(mlp.layout(), task, params, off, lambdas, lambdaOff, lr0, opt, stop, grad, trace, traceOff);
    }

    /** The C loop itself, whatever the activation (the conformance test's other side). */
    static JavaBackend.MemberOutcome nativeLoop(ParamLayout layout, Task task, double[] params, int off,
                                                double[] lambdas, int lambdaOff, double lr0, OptimizerSettings opt,
                                                StopRule stop, double[] grad, float[] trace, int traceOff) {
        Architecture arch = layout.architecture();
        if (arch.isRecurrent()) throw new IllegalArgumentException("mlp_train_fused_f64 trains feed-forward networks");
        int depth = arch.depth();
        int[] shape = new int[7 + 3 * depth + 4];
        shape[0] = depth;
        shape[1] = arch.activation().ordinal();
        shape[2] = task.samples();
        shape[3] = opt.kind().ordinal();
        shape[4] = stop.maxSteps();
        shape[5] = stop.window();
        shape[6] = stop.traceEvery();
        shape[7] = arch.inputDim();
        for (int l = 0; l < depth; l++) shape[8 + l] = arch.width(l);
        shape[8 + depth] = arch.outputDim();
        for (int l = 0; l <= depth; l++) {
            shape[9 + depth + l] = layout.weight(l);
            shape[10 + 2 * depth + l] = layout.bias(l);
        }
        double[] hyper = {opt.momentum(), opt.beta1(), opt.beta2(), opt.eps(), stop.tol()};
        // the schedule in Java: Math.pow may be an intrinsic whose bits C's pow need not share
        double[] lrs = new double[stop.maxSteps()];
        for (int t = 0; t < lrs.length; t++) lrs[t] = opt.learningRate(lr0, t, stop.maxSteps());
        double[] outcome = new double[4];
        NativeKernels.mlp_train_fused_f64(shape, hyper, task.xData(), task.yData(), params, off, lambdas, lambdaOff,
                lrs, grad, trace, traceOff, outcome);
        return new JavaBackend.MemberOutcome(outcome[0], outcome[1], (int) outcome[2],
                MemberStatus.values()[(int) outcome[3]]);
    }

    /**
     * Whether Math.tanh is fdlibm's here and the C tanh agrees with it, on a fixed sample that covers
     * every branch of the algorithm (tiny, below 1, above 1, saturated, signed zeros, inf, NaN).
     */
    private static boolean tanhIsFdlibm() {
        SplittableRandom r = new SplittableRandom(0x7a11L);
        double[] xs = new double[1 << 15];
        for (int i = 0; i < xs.length; i++) {
            double m = Math.scalb(1.0 + r.nextDouble(), r.nextInt(-60, 6)); // |x| from 2^-60 to 64
            xs[i] = r.nextBoolean() ? m : -m;
        }
        double[] special = {0.0, -0.0, 1.0, -1.0, 22.0, -22.0, 0x1p-55, Double.MIN_VALUE, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, Double.NaN, 0.5 * Math.log(3.0), 1.5 * Math.log(2.0)};
        System.arraycopy(special, 0, xs, 0, special.length);
        double[] c = new double[xs.length];
        try {
            NativeKernels.tanh_f64(xs, c);
        } catch (LinkageError e) {
            return false;
        }
        for (int i = 0; i < xs.length; i++) {
            long strict = Double.doubleToLongBits(StrictMath.tanh(xs[i]));
            if (Double.doubleToLongBits(Math.tanh(xs[i])) != strict || Double.doubleToLongBits(c[i]) != strict) {
                return false;
            }
        }
        return true;
    }
}
