package org.repgeom.study;

import org.repgeom.study.spec.StudySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.io.Npy;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;
import org.repgeom.train.TrainState;

/**
 * Test support (and a dev tool until every backend records kernels itself): retrains a finished
 * study's members on the Java reference backend in segments of {@code every} steps, continuing the
 * optimiser state ({@link JavaBackend#trainSegment}, which joins up bit for bit to one uninterrupted
 * run), and writes the kernel trace files of the study-directory contract: {@code kernel_trace.npy}
 * (float32, members × T × P × P, last hidden layer), {@code kernel_trace_steps.npy},
 * {@code kernel_trace_members.npy} (int64) and {@code kernel_trace_layer<k>.npy} for the other
 * hidden layers. Time points are step 0, every {@code every} steps, and the step at which the last
 * member stopped; a member that stopped earlier keeps its final kernel.
 *
 * <p>{@code main(STUDY_DIR EVERY)} does it for a study trained with {@code --backend java}; the
 * last time point then equals {@code kernels.npy} exactly, which it checks.
 */
public final class KernelTraceRecorder {
    private KernelTraceRecorder() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int every = Integer.parseInt(args[1]);
        Recorded r = record(dir, every);
        System.out.println("recorded " + r.members() + " members at " + r.times() + " time points (every " + every
                + " steps) into " + dir + "; largest distance of a retrained last kernel to the study's final kernel: " + r.finalGap());
    }

    /**
     * What was recorded: members traced, time points, and the largest relative kernel distance between
     * a retrained member at its last step and its final kernel in the study (0 up to the stationarity
     * polish when the study was trained on the Java backend; large if the retraining went elsewhere).
     */
    public record Recorded(int members, int times, double finalGap) {
    }

    /** Records every member of the study, trained from the copy of its spec in {@code spec.yaml}. */
    public static Recorded record(Path dir, int every) throws IOException {
        return record(dir, StudySpec.parse(Files.readString(dir.resolve("spec.yaml")), dir, "study"), every);
    }

    /** Records every member of the study, trained from {@code spec}. */
    public static Recorded record(Path dir, StudySpec spec, int every) throws IOException {
        RunDirectory run = RunDirectory.open(dir);
        Task task = run.task();
        int p = task.samples(), pp = p * p;
        OptimizerSettings optimizer = StudyRunner.optimizerSettings(spec.optimizer());
        StopRule stop = new StopRule(spec.train().maxSteps(), spec.train().tol(), spec.train().window(),
                spec.train().traceEvery());
        int maxDepth = 0;
        for (RunDirectory.Group g : run.groups()) maxDepth = Math.max(maxDepth, g.architecture().depth());
        List<Integer> ids = new ArrayList<>();
        List<Segments> byGroup = new ArrayList<>();
        List<Long> steps = List.of();
        for (RunDirectory.Group g : run.groups()) {
            Segments s = train(run, spec, task, g, optimizer, stop, every);
            if (s.steps.size() > steps.size()) steps = s.steps; // segment ends lie on one grid: shorter lists are prefixes
            for (int id : g.memberIds()) ids.add(id);
            byGroup.add(s);
        }
        int m = ids.size(), t = steps.size();
        for (int layer = 1; layer <= maxDepth; layer++) {
            float[] out = new float[m * t * pp];
            java.util.Arrays.fill(out, Float.NaN);
            int row = 0;
            boolean any = false;
            for (int gi = 0; gi < run.groups().size(); gi++) {
                RunDirectory.Group g = run.groups().get(gi);
                int depth = g.architecture().depth();
                boolean last = layer == maxDepth;
                int source = last ? depth : layer; // the last file holds each member's own last hidden layer
                if (!last && layer >= depth) { row += g.size(); continue; }
                any = true;
                Segments seg = byGroup.get(gi);
                float[] k = seg.kernels.get(source - 1);
                int own = seg.steps.size();
                for (int local = 0; local < g.size(); local++, row++) {
                    for (int time = 0; time < t; time++) { // a group that stopped earlier keeps its final kernels
                        System.arraycopy(k, (local * own + Math.min(time, own - 1)) * pp, out, (row * t + time) * pp, pp);
                    }
                }
            }
            if (!any) continue;
            Path file = dir.resolve(layer == maxDepth ? "kernel_trace.npy" : "kernel_trace_layer" + layer + ".npy");
            Npy.writeFloat32(file, new int[] {m, t, p, p}, out);
        }
        writeInt64(dir.resolve("kernel_trace_steps.npy"), steps.stream().mapToLong(Long::longValue).toArray());
        writeInt64(dir.resolve("kernel_trace_members.npy"), ids.stream().mapToLong(Integer::longValue).toArray());
        return new Recorded(m, t, byGroup.stream().mapToDouble(Segments::finalGap).max().orElse(0));
    }

    /** Recorded steps and, per hidden layer, members × T × P × P kernels of one group. */
    private record Segments(List<Long> steps, List<float[]> kernels, double finalGap) {
    }

    private static Segments train(RunDirectory run, StudySpec spec, Task task, RunDirectory.Group g, OptimizerSettings optimizer,
                                  StopRule stop, int every) throws IOException {
        ParamLayout layout = g.layout();
        Architecture arch = g.architecture();
        int e = g.size(), layers = arch.layerCount(), stride = layout.stride();
        double[] params = new double[e * stride], lambdas = new double[e * layers], lrs = new double[e];
        java.util.Map<Integer, RunDirectory.MemberRow> rows = new java.util.HashMap<>();
        for (RunDirectory.MemberRow r : run.members()) rows.put(r.id(), r);
        for (int i = 0; i < e; i++) {
            RunDirectory.MemberRow r = rows.get(g.memberIds()[i]);
            InitialWeights.fill(layout, r.integer("seed"), spec.model().initScale(), params, i * stride);
            for (int l = 0; l < layers; l++) lambdas[i * layers + l] = r.number("lambda" + (l + 1));
            lrs[i] = r.number("lr");
        }
        TrainRequest req = new TrainRequest(layout, e, params, lambdas, lrs, optimizer, stop);
        TrainState state = TrainState.initial(optimizer.kind(), e, stride, stop.traceLength(), params);
        JavaBackend backend = new JavaBackend();
        double gap = 0;
        List<Long> steps = new ArrayList<>();
        List<List<double[]>> snapshots = new ArrayList<>(); // per time, per member, the hidden-layer kernels
        int step = 0;
        steps.add(0L);
        snapshots.add(kernels(task, layout, state.params(), e));
        while (!state.finished()) {
            step = Math.min(stop.maxSteps(), step + every);
            state = backend.trainSegment(req, state, step, task, ProgressListener.NONE);
            steps.add((long) step);
            snapshots.add(kernels(task, layout, state.params(), e));
        }
        // the study's final parameters may differ from the trained ones by the stationarity polish: the last
        // time point is the member's final kernel, as the contract says
        List<double[]> trained = snapshots.get(snapshots.size() - 1);
        List<double[]> last = kernels(task, layout, run.params(g), e);
        for (int j = 0; j < last.size(); j++) {
            gap = Math.max(gap, org.repgeom.analysis.KernelDistance.relative(trained.get(j), last.get(j)));
        }
        snapshots.set(snapshots.size() - 1, last);
        int t = steps.size(), pp = task.samples() * task.samples();
        List<float[]> out = new ArrayList<>();
        for (int l = 0; l < arch.depth(); l++) {
            float[] k = new float[e * t * pp];
            for (int time = 0; time < t; time++) {
                for (int i = 0; i < e; i++) {
                    double[] src = snapshots.get(time).get(i * arch.depth() + l);
                    for (int j = 0; j < pp; j++) k[(i * t + time) * pp + j] = (float) src[j];
                }
            }
            out.add(k);
        }
        return new Segments(steps, out, gap);
    }

    /** Every member's hidden-layer kernels, member-major then layer. */
    private static List<double[]> kernels(Task task, ParamLayout layout, double[] params, int members) {
        Mlp mlp = new Mlp(layout, task);
        Architecture arch = layout.architecture();
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            mlp.forward(params, i * layout.stride());
            for (int l = 0; l < arch.depth(); l++) out.add(RepresentationKernel.of(mlp.hidden(l), arch.width(l), task.samples()));
        }
        return out;
    }

    /** A 1-d little-endian int64 .npy file. */
    public static void writeInt64(Path file, long[] values) throws IOException {
        String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (" + values.length + ",), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buf.putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (long v : values) buf.putLong(v);
        Files.write(file, buf.array());
    }
}
