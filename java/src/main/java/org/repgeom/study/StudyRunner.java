package org.repgeom.study;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.backend.Backend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Json;
import org.repgeom.io.Npy;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * Runs a study: builds the task, trains every group on a backend, measures each member's geometry
 * and writes the output directory.
 *
 * <p>Outputs go first to {@code DIR.incomplete/} next to the requested directory, which is renamed
 * to {@code DIR} only once everything is written: a directory called DIR is always complete. Each
 * group's parameters are written as soon as it is trained, so a crash later loses no trained group.
 * Files: {@code X.npy}, {@code Y.npy} (the task), {@code spec.yaml} (a copy of the spec),
 * {@code params_group<g>.npy} (E_g × stride float64, layout in {@code groups.json}),
 * {@code members.csv}, {@code kernels.npy} (E × P × P float32, last hidden layer, rows in member-id
 * order), {@code loss_curves.npy} (E × T float32, NaN after a member stopped) and
 * {@code summary.json}.
 */
public final class StudyRunner {
    /** Tolerance on max |XᵀX − I| for the task to count as whitened for theory. */
    static final double WHITENED_TOL = 1e-8;

    private final StudySpec spec;
    private final Backend backend;
    private final Task task;
    private final List<MemberGroup> groups;

    /** Builds the study's task and member groups; bad input fails here, before anything is written. */
    public StudyRunner(StudySpec spec, Backend backend) {
        this.spec = spec;
        this.backend = backend;
        this.task = TaskFactory.build(spec.task());
        this.groups = spec.groups(task.inputDim(), task.outputDim());
    }

    /** Number of members the study trains. */
    public int memberCount() {
        return groups.stream().mapToInt(MemberGroup::size).sum();
    }

    /** What a run produced. */
    public record Outcome(Path directory, List<MemberRecord> members, Map<String, Object> summary) {
    }

    /**
     * Runs the study into {@code outDir}. Fails with a {@link SpecException} before any training
     * when {@code outDir} exists and {@code overwrite} is false.
     */
    public Outcome run(Path outDir, Path specFile, boolean overwrite, ProgressListener progress) throws IOException {
        int total = memberCount();
        outDir = outDir.toAbsolutePath().normalize();
        if (Files.exists(outDir) && !overwrite) {
            throw new SpecException("--out", outDir + " already exists; choose another directory or pass --overwrite");
        }
        Path work = outDir.resolveSibling(outDir.getFileName() + ".incomplete");
        deleteRecursively(work);
        Files.createDirectories(work);

        writeTask(work, task);
        if (specFile != null) Files.copy(specFile, work.resolve("spec.yaml"));
        boolean taskFitsTheory = HypercubeReluTheory.applies(task, WHITENED_TOL);

        long start = System.nanoTime();
        StopRule stop = new StopRule(spec.train().maxSteps(), spec.train().tol(), spec.train().window(),
                spec.train().traceEvery());
        OptimizerSettings optimizer = optimizerSettings(spec.optimizer());
        MemberRecord[] records = new MemberRecord[total];
        float[][] curves = new float[total][];
        List<Object> groupInfo = new ArrayList<>();
        for (MemberGroup g : groups) {
            TrainRequest request = request(g, optimizer, stop);
            TrainResult result = backend.train(request, task, progress);
            ParamLayout layout = request.layout();
            Npy.writeFloat64(work.resolve("params_group" + g.index() + ".npy"), new int[] {g.size(), layout.stride()},
                    result.params());
            groupInfo.add(describe(g, layout));
            analyse(g, request, result, taskFitsTheory, records, curves);
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        List<MemberRecord> list = Arrays.asList(records);
        AtomicFiles.writeString(work.resolve("groups.json"), Json.write(groupInfo));
        writeMembersCsv(work.resolve("members.csv"), list);
        writeKernels(work.resolve("kernels.npy"), list, task.samples());
        writeCurves(work.resolve("loss_curves.npy"), curves, stop.traceLength());
        Map<String, Object> summary = StudySummary.of(spec, task, taskFitsTheory, backend.name(), seconds, list);
        AtomicFiles.writeString(work.resolve("summary.json"), Json.write(summary));

        deleteRecursively(outDir);
        AtomicFiles.move(work, outDir);
        return new Outcome(outDir, list, summary);
    }

    static OptimizerSettings optimizerSettings(OptimizerSpec o) {
        OptimizerKind kind = OptimizerKind.valueOf(o.kind().name());
        return new OptimizerSettings(kind, o.finalLrRatio(), o.momentum(), o.beta1(), o.beta2(), o.eps());
    }

    private TrainRequest request(MemberGroup g, OptimizerSettings optimizer, StopRule stop) {
        ParamLayout layout = new ParamLayout(g.architecture());
        int e = g.size(), layers = g.architecture().layerCount();
        double[] params = new double[e * layout.stride()];
        double[] lambdas = new double[e * layers];
        double[] lrs = new double[e];
        for (int i = 0; i < e; i++) {
            MemberSpec m = g.members().get(i);
            InitialWeights.fill(layout, m.seed(), spec.model().initScale(), params, i * layout.stride());
            System.arraycopy(m.lambdas(), 0, lambdas, i * layers, layers);
            lrs[i] = m.lr();
        }
        return new TrainRequest(layout, e, params, lambdas, lrs, optimizer, stop);
    }

    private void analyse(MemberGroup g, TrainRequest req, TrainResult res, boolean taskFitsTheory,
                                MemberRecord[] records, float[][] curves) {
        ParamLayout layout = req.layout();
        int layers = layout.architecture().layerCount(), t = res.traceLength();
        IntStream.range(0, g.size()).parallel().forEach(i -> {
            MemberSpec m = g.members().get(i);
            MemberGeometry geo = MemberGeometry.measure(new Mlp(layout, task), task, res.params(), i * layout.stride(),
                    req.lambdas(), i * layers, taskFitsTheory);
            records[m.id()] = new MemberRecord(m, g.index(), res.status()[i], res.steps()[i], res.finalLoss()[i],
                    res.gradNorm()[i], geo);
            curves[m.id()] = Arrays.copyOfRange(res.lossTrace(), i * t, (i + 1) * t);
        });
    }

    private static Map<String, Object> describe(MemberGroup g, ParamLayout layout) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", g.index());
        m.put("file", "params_group" + g.index() + ".npy");
        m.put("architecture", g.architecture().toString());
        m.put("input_dim", g.architecture().inputDim());
        m.put("hidden_widths", g.architecture().hiddenWidths());
        m.put("output_dim", g.architecture().outputDim());
        m.put("activation", g.architecture().activation().id());
        m.put("stride", layout.stride());
        List<Object> layers = new ArrayList<>();
        for (int l = 0; l < g.architecture().layerCount(); l++) {
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("weight_offset", layout.weight(l));
            layer.put("weight_shape", new int[] {g.architecture().fanOut(l), g.architecture().fanIn(l)});
            layer.put("bias_offset", layout.bias(l));
            layers.add(layer);
        }
        m.put("layers", layers);
        m.put("member_ids", g.members().stream().mapToInt(MemberSpec::id).toArray());
        return m;
    }

    private static void writeTask(Path dir, Task task) throws IOException {
        Npy.writeFloat64(dir.resolve("X.npy"), new int[] {task.inputDim(), task.samples()}, task.xData());
        Npy.writeFloat64(dir.resolve("Y.npy"), new int[] {task.outputDim(), task.samples()}, task.yData());
    }

    static final String CSV_HEADER = "id,group,seed,activation,widths,depth,lambdas,lr,status,steps,final_loss,"
            + "theory_loss,loss_gap,grad_norm,subgradient_norm,ps,kernel_distance,shape_distance,certificate,min_energy,w1_rank,participation_ratio,config";

    private static void writeMembersCsv(Path file, List<MemberRecord> records) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write(CSV_HEADER);
            w.newLine();
            for (MemberRecord r : records) {
                MemberSpec m = r.spec();
                MemberGeometry g = r.geometry();
                String lambdas = String.join("/", Arrays.stream(m.lambdas()).mapToObj(StudyRunner::num).toList());
                w.write(String.join(",", Integer.toString(m.id()), Integer.toString(r.group()), Long.toString(m.seed()),
                        m.architecture().activation().id(), m.architecture().widthsLabel(),
                        Integer.toString(m.architecture().depth()), lambdas, num(m.lr()), r.status().name(),
                        Integer.toString(r.steps()), num(r.finalLoss()), num(g.theoryLoss()), num(r.lossGap()),
                        num(r.gradNorm()), num(g.minNormSubgradient()), num(g.parallelismScore()), num(g.kernelDistance()), num(g.shapeDistance()),
                        g.certificate().name(), num(g.minEnergy()),
                        Integer.toString(g.w1Rank()),
                        num(g.participationRatio()), '"' + m.configurationKey() + '"'));
                w.newLine();
            }
        }
        AtomicFiles.move(tmp, file);
    }

    /** Full precision, empty for NaN (pandas reads it as missing). */
    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static void writeKernels(Path file, List<MemberRecord> records, int p) throws IOException {
        float[] all = new float[records.size() * p * p];
        for (int i = 0; i < records.size(); i++) {
            double[] k = records.get(i).geometry().kernel();
            for (int j = 0; j < p * p; j++) all[i * p * p + j] = (float) k[j];
        }
        Npy.writeFloat32(file, new int[] {records.size(), p, p}, all);
    }

    private static void writeCurves(Path file, float[][] curves, int t) throws IOException {
        float[] all = new float[curves.length * t];
        for (int i = 0; i < curves.length; i++) System.arraycopy(curves[i], 0, all, i * t, t);
        Npy.writeFloat32(file, new int[] {curves.length, t}, all);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
