package org.repgeom.study;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Json;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.io.NpyWriter;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * Streams finished chunks into the final files of a study directory — {@code members.csv},
 * {@code kernels.npy}, {@code loss_curves.npy}, {@code params_group<g>.npy}, {@code groups.json}
 * and {@code summary.json}, plus {@code rnn_steps.csv} for recurrent members ({@link RnnSteps}) — holding one chunk at a time, so assembling a million members needs
 * no more memory than training one chunk. Chunks are read in index order, which is member-id
 * order; each group's parameter file is the concatenation of that group's chunks. The summary is
 * accumulated from the rows on the way ({@link StudySummary.Accumulator}).
 */
final class StudyAssembler {
    private final StudyPlan plan;
    private final Task task;
    private final boolean theoryApplies;
    private final StudyOptimum.Settings optimum;

    /** {@code optimum}: how to solve the global optima ({@link StudyOptimum}); null skips them (empty columns). */
    StudyAssembler(StudyPlan plan, Task task, boolean theoryApplies, StudyOptimum.Settings optimum) {
        this.plan = plan;
        this.task = task;
        this.theoryApplies = theoryApplies;
        this.optimum = optimum;
    }

    /**
     * Writes the final files into {@code out}, reading chunk {@code i} from {@code chunkDir.apply(i)};
     * returns the summary.
     */
    Map<String, Object> assemble(Path out, IntFunction<Path> chunkDir, String backend, double seconds, double trainSeconds,
                                 double trainCpuSeconds) throws IOException {
        int total = plan.memberCount(), p = task.samples();
        int traceLength = plan.traceLength();
        StudySummary.Accumulator summary = new StudySummary.Accumulator(task, theoryApplies);
        StudyOptimum optima = new StudyOptimum(plan, task, optimum, System.err);
        Path csvTmp = out.resolve("." + "members.csv.tmp");
        try (NpyWriter kernels = NpyWriter.float32(out.resolve("kernels.npy"), total, p, p);
             NpyWriter curves = NpyWriter.float32(out.resolve("loss_curves.npy"), total, traceLength);
             BufferedWriter csv = Files.newBufferedWriter(csvTmp, StandardCharsets.UTF_8);
             RnnSteps steps = RnnSteps.openIfRecurrent(plan, out, task)) {
            csv.write(MemberCsv.HEADER + MemberCsv.layerHeader(maxDepth()) + StudyOptimum.HEADER);
            csv.newLine();
            for (StudyPlan.Chunk c : plan.chunks()) {
                Path dir = chunkDir.apply(c.index());
                NpyArray k = read(dir, ChunkFiles.KERNELS, c.size(), p * p);
                NpyArray t = read(dir, ChunkFiles.CURVES, c.size(), traceLength);
                kernels.append(k.data());
                curves.append(t.data());
                copyRows(dir.resolve(ChunkFiles.MEMBERS), c, k.data(), csv, summary, optima);
                if (steps != null && plan.groupArchitecture(c.group()).isRecurrent()) {
                    int stride = new ParamLayout(plan.groupArchitecture(c.group())).stride();
                    steps.add(plan, c, read(dir, ChunkFiles.PARAMS, c.size(), stride).data());
                }
            }
            if (steps != null) steps.finish();
            kernels.finish();
            curves.finish();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(csvTmp);
            throw e;
        }
        AtomicFiles.move(csvTmp, out.resolve("members.csv"));

        List<Object> groups = new ArrayList<>();
        for (int g = 0; g < plan.groupCount(); g++) {
            ParamLayout layout = new ParamLayout(plan.groupArchitecture(g));
            try (NpyWriter params = NpyWriter.float64(out.resolve("params_group" + g + ".npy"), plan.groupSize(g),
                    layout.stride())) {
                for (StudyPlan.Chunk c : plan.chunks()) {
                    if (c.group() != g) continue;
                    params.append(read(chunkDir.apply(c.index()), ChunkFiles.PARAMS, c.size(), layout.stride()).data());
                }
                params.finish();
            }
            groups.add(describe(g, layout));
        }
        AtomicFiles.writeString(out.resolve("groups.json"), Json.write(groups));
        if (plan.spec().train().tracesKernels()) KernelTraceFiles.assemble(out, plan, p, chunkDir);
        Map<String, Object> s = summary.summary(plan.spec(), backend, seconds, trainSeconds, trainCpuSeconds);
        optima.annotate(s);
        AtomicFiles.writeString(out.resolve("summary.json"), Json.write(s));
        return s;
    }

    /** Hidden layers of the study's deepest member: how many per-layer columns members.csv has. */
    private int maxDepth() {
        int depth = 0;
        // a recurrent group has one hidden state but three λ (layerCount − 1 = 2 "depth" columns of λ)
        for (int g = 0; g < plan.groupCount(); g++) depth = Math.max(depth, plan.groupArchitecture(g).layerCount() - 1);
        return depth;
    }

    /** A chunk array, checked to be {@code rows × (row length)}. */
    private static NpyArray read(Path dir, String file, int rows, int rowLength) throws IOException {
        NpyArray a = Npy.read(dir.resolve(file));
        if (a.ndim() < 1 || a.dim(0) != rows || a.size() != (long) rows * rowLength) {
            throw new IOException(dir.resolve(file) + ": expected " + rows + " rows of " + rowLength
                    + " values, found shape " + java.util.Arrays.toString(a.shape()) + " (corrupt chunk)");
        }
        return a;
    }

    /**
     * Copies a chunk's rows into the final CSV, checking each against the plan, adding it to the summary
     * and appending its measures against the global optimum ({@code kernels}: the chunk's, row by row).
     */
    private void copyRows(Path file, StudyPlan.Chunk c, double[] kernels, BufferedWriter csv,
                          StudySummary.Accumulator summary, StudyOptimum optima) throws IOException {
        int pp = task.samples() * task.samples();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            int missing = MemberCsv.missingColumns(header);
            if (missing < 0) throw new IOException(file + ": unexpected header (corrupt chunk)");
            String padding = ",".repeat(missing); // a chunk of an older repgeom lacks the columns added since
            for (int id = c.firstMember(); id < c.endMember(); id++) {
                String line = r.readLine();
                if (line == null) throw new IOException(file + ": ends before member " + id + " (corrupt chunk)");
                line += padding;
                MemberRecord record;
                try {
                    record = MemberCsv.parse(line, plan.member(id), null);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": " + e.getMessage() + " (corrupt or foreign chunk)", e);
                }
                summary.add(record);
                int row = id - c.firstMember();
                csv.write(line);
                csv.write(MemberCsv.layerCells(plan.member(id), maxDepth()));
                csv.write(optima.cells(record, java.util.Arrays.copyOfRange(kernels, row * pp, (row + 1) * pp)));
                csv.newLine();
            }
            if (r.readLine() != null) throw new IOException(file + ": more rows than the chunk's " + c.size());
        }
    }

    private Map<String, Object> describe(int g, ParamLayout layout) {
        var arch = plan.groupArchitecture(g);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("group", g);
        m.put("file", "params_group" + g + ".npy");
        m.put("architecture", arch.toString());
        m.put("input_dim", arch.inputDim());
        m.put("hidden_widths", arch.hiddenWidths());
        m.put("output_dim", arch.outputDim());
        m.put("activation", arch.activation().id());
        if (arch.isRecurrent()) {
            m.put("kind", "rnn");
            m.put("time_steps", arch.recurrence().timeSteps());
            m.put("input", arch.recurrence().input().id());
        }
        m.put("stride", layout.stride());
        m.put("dtype", "float64");
        m.put("layout", "row e of the file is member member_ids[e]; within a row, layer l's weight W_l "
                + "(fan_out x fan_in, row-major: W_l[i, j] at weight_offset + i*fan_in + j) is followed by its bias b_l "
                + "(b_l[i] at bias_offset + i; bias_offset -1: no bias); hidden layer l computes "
                + (arch.isRecurrent() ? "layers 1, 2, 3 are the recurrent network's input weights [U, b], recurrent W and"
                + " readout W_out: h_0 = 0, h_(t+1) = activation(W h_t + U x_t + b), F = W_out h_T"
                : "A_l = activation(W_l A_(l-1) + b_l) with A_0 = X, the last layer is the linear readout F = W A_L"));
        List<Object> layers = new ArrayList<>();
        for (int l = 0; l < arch.layerCount(); l++) {
            Map<String, Object> layer = new LinkedHashMap<>();
            layer.put("layer", l + 1);
            layer.put("kind", arch.isRecurrent() ? new String[] {"input", "recurrent", "readout"}[l]
                    : l < arch.depth() ? "hidden" : "readout");
            layer.put("weight_offset", layout.weight(l));
            layer.put("weight_shape", new int[] {arch.fanOut(l), arch.fanIn(l)});
            layer.put("bias_offset", layout.bias(l));
            layer.put("bias_shape", arch.hasBias(l) ? new int[] {arch.fanOut(l)} : new int[0]);
            layer.put("lambda_column", "lambda" + (l + 1));
            layers.add(layer);
        }
        m.put("layers", layers);
        m.put("member_ids", plan.memberIds(g));
        return m;
    }
}
