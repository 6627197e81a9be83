package org.repgeom.theory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.repgeom.analysis.KernelDistance;
import org.repgeom.analysis.ParallelismScore;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.backend.Backend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * Trains a matched ensemble for a {@link ClosedForms.Case} on a backend and compares every member
 * with the closed form.
 *
 * <p>Per member (seed s = 0…S−1, initial weights {@code InitialWeights(seed = s)}), after training:
 * <ul>
 *   <li>kernel error: {@code max_l ‖K_l − K*_l‖_F / ‖K*_l‖_F} over the hidden layers
 *       ({@link KernelDistance#relative}), from a double-precision forward pass of the final
 *       parameters;</li>
 *   <li>converged: the stop rule fired, i.e. the loss changed by at most {@value #CONVERGED_TOL}
 *       (relative) over the last {@value #WINDOW} steps, before the step budget ran out;</li>
 *   <li>loss gap {@code (L − L*)/L*};</li>
 *   <li>PS of the last hidden layer on the label signs (NaN for one-hot labels);</li>
 *   <li>the {@link KktCertificate} verdict at tolerance {@value #CERTIFY_TOL} where the case is
 *       certifiable (two-layer ReLU).</li>
 * </ul>
 * A member <em>reaches K*</em> when its kernel error is below {@value #KERNEL_TOL}. A case passes
 * when the median kernel error over its members is below {@value #KERNEL_TOL}; the width sweep
 * passes when no member narrower than 2·dY reaches K* and the median at its widest width does.
 */
public final class TheoryVerifier {
    /** Kernel-error tolerance: a member "reaches K*" below it; a case passes when its median is below it. */
    public static final double KERNEL_TOL = 1e-2;
    /** Relative loss change over {@link #WINDOW} steps at which a member counts as converged (and stops). */
    public static final double CONVERGED_TOL = 1e-8;
    /** Convergence window, steps. */
    public static final int WINDOW = 1000;
    /** Certificate tolerance (as {@code MemberGeometry.CERTIFY_TOL}). */
    public static final double CERTIFY_TOL = 1e-3;

    private final Backend backend;

    public TheoryVerifier(Backend backend) {
        this.backend = backend;
    }

    /** One trained member, measured. */
    public record Member(int width, long seed, MemberStatus status, double kernelError, double lossGap, double ps,
                         KktCertificate.Verdict certificate) {
        public boolean reached() {
            return kernelError < KERNEL_TOL;
        }
    }

    /** A case's members and verdict. */
    public record Row(ClosedForms.Case testCase, List<Member> members, double seconds) {
        public int converged() {
            return (int) members.stream().filter(m -> m.status() == MemberStatus.CONVERGED).count();
        }

        /** Members of the widest architecture (all of them, outside the sweep). */
        public List<Member> reference() {
            int widest = members.stream().mapToInt(Member::width).max().orElse(0);
            return members.stream().filter(m -> m.width() == widest).toList();
        }

        public double medianKernelError() {
            return median(reference().stream().mapToDouble(Member::kernelError).toArray());
        }

        public double medianLossGap() {
            return median(reference().stream().mapToDouble(Member::lossGap).toArray());
        }

        public double medianPs() {
            return median(reference().stream().mapToDouble(Member::ps).toArray());
        }

        /** Fraction CERTIFIED among the reference members; NaN where the certificate does not apply. */
        public double certifiedFraction() {
            if (!testCase.certifiable()) return Double.NaN;
            List<Member> ref = reference();
            return ref.stream().filter(m -> m.certificate() == KktCertificate.Verdict.CERTIFIED).count()
                    / (double) ref.size();
        }

        /**
         * Per width: {@code [width, members reaching K*, members, members CERTIFIED]}, e.g.
         * {@code [5, 0, 16, 0]}.
         */
        public List<int[]> reachedByWidth() {
            List<int[]> out = new ArrayList<>();
            for (int[] w : testCase.widths()) {
                int width = w[0];
                List<Member> at = members.stream().filter(m -> m.width() == width).toList();
                int certified = (int) at.stream().filter(m -> m.certificate() == KktCertificate.Verdict.CERTIFIED).count();
                out.add(new int[] {width, (int) at.stream().filter(Member::reached).count(), at.size(), certified});
            }
            return out;
        }

        /** See the class comment. */
        public boolean pass() {
            if (!(medianKernelError() < KERNEL_TOL)) return false;
            if (!testCase.isSweep()) return true;
            int threshold = 2 * testCase.task().outputDim();
            for (int[] r : reachedByWidth()) {
                if (r[0] < threshold && r[1] > 0) return false;
            }
            return true;
        }

        /** The sweep's per-width counts ("reach K* (certified): M=5:0/16(0) M=6:12/16(12) …"), empty otherwise. */
        public String detail() {
            if (!testCase.isSweep()) return "";
            StringBuilder sb = new StringBuilder("reach K* (certified):");
            for (int[] r : reachedByWidth()) {
                sb.append(String.format(Locale.ROOT, " M=%d:%d/%d(%d)", r[0], r[1], r[2], r[3]));
            }
            return sb.toString();
        }
    }

    /** Trains {@code seeds} members per architecture of the case with its schedule and measures them. */
    public Row run(ClosedForms.Case c, int seeds, ClosedForms.Training training, ProgressListener progress) {
        long start = System.nanoTime();
        List<Member> members = new ArrayList<>();
        for (int[] widths : c.widths()) {
            members.addAll(trainAndMeasure(c, widths, seeds, training, progress));
        }
        return new Row(c, members, (System.nanoTime() - start) / 1e9);
    }

    private List<Member> trainAndMeasure(ClosedForms.Case c, int[] widths, int seeds, ClosedForms.Training training,
            ProgressListener progress) {
        Task task = c.task();
        Architecture arch = new Architecture(task.inputDim(), widths, task.outputDim(), c.activation(), false);
        ParamLayout layout = new ParamLayout(arch);
        int layers = arch.layerCount(), stride = layout.stride();
        double[] params = new double[seeds * stride];
        double[] lambdas = new double[seeds * layers];
        double[] lrs = new double[seeds];
        for (int s = 0; s < seeds; s++) {
            InitialWeights.fill(layout, s, training.initScale(), params, s * stride);
            System.arraycopy(c.lambdas(), 0, lambdas, s * layers, layers);
            lrs[s] = training.learningRate();
        }
        StopRule stop = new StopRule(training.steps(), CONVERGED_TOL, WINDOW, training.steps());
        TrainRequest request = new TrainRequest(layout, seeds, params, lambdas, lrs,
                OptimizerSettings.adam(training.finalLrRatio()), stop);
        TrainResult result = backend.train(request, task, progress);
        Task signs = signTask(task);
        ConfigurationTheory theory = new TheoryLookup(task).lookup(arch, c.lambdas());
        if (!theory.applies()) {
            throw new IllegalStateException("case " + c.id() + ": the theory lookup finds no form (" + theory.why() + ")");
        }
        return IntStream.range(0, seeds).parallel()
                .mapToObj(s -> measure(c, theory, layout, task, signs, result, s))
                .toList();
    }

    /** Measures member s against the form the lookup gives (the same one {@code run} uses). */
    private static Member measure(ClosedForms.Case c, ConfigurationTheory theory, ParamLayout layout, Task task,
            Task signs, TrainResult result, int s) {
        Architecture arch = layout.architecture();
        int p = task.samples(), off = s * layout.stride();
        Mlp mlp = new Mlp(layout, task);
        double loss = mlp.loss(result.params(), off, c.lambdas(), 0);
        double error = 0;
        double[] last = null;
        for (int l = 0; l < arch.depth(); l++) {
            double[] k = RepresentationKernel.of(mlp.hidden(l), arch.width(l), p);
            error = Math.max(error, KernelDistance.relative(k, theory.layerKernels()[l]));
            last = k;
        }
        int top = arch.depth() - 1;
        double ps = signs == null ? Double.NaN
                : ParallelismScore.of(mlp.hidden(top), arch.width(top), signs).mean();
        KktCertificate.Verdict verdict = KktCertificate.Verdict.NOT_CHECKED;
        if (theory.certifiable() && arch.depth() == 1) {
            verdict = KktCertificate.certify(last, task, c.lambdas()[0], c.lambdas()[1], loss, CERTIFY_TOL).verdict();
        }
        double lStar = theory.minimalLoss();
        return new Member(arch.width(0), s, result.status()[s], error, (loss - lStar) / lStar, ps, verdict);
    }

    /** The task with Y replaced by its signs when Y is a scaled hypercube (for PS); null otherwise. */
    static Task signTask(Task task) {
        if (TaskKernels.hypercubeScales(task, 1e-9) == null) return null;
        double[] y = task.yCopy();
        for (int i = 0; i < y.length; i++) y[i] = Math.signum(y[i]);
        return new Task(task.name(), task.inputDim(), task.outputDim(), task.samples(), task.xData(), y);
    }

    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
}
