package org.repgeom.study;

import org.repgeom.study.spec.GridSpec;
import org.repgeom.study.spec.LambdaEntry;
import org.repgeom.study.spec.ModelSpec;
import org.repgeom.study.spec.OptimizerSpec;
import org.repgeom.study.spec.StudySpec;
import org.repgeom.study.spec.TaskSpec;
import org.repgeom.study.spec.TrainSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.repgeom.model.Activation;
import org.repgeom.task.Task;

/**
 * SHA-256 fingerprints that say whether two runs are parts of the same study.
 *
 * <p>The <b>spec hash</b> covers the canonical content of a spec: every setting that decides
 * which members exist and how they are trained — name, task generator settings, activations,
 * hidden shapes, bias, init scale, every seed, λ and learning rate, optimizer and stopping rule —
 * written as {@code key=value} lines with numbers in Java's shortest round-trip form. It does not
 * cover the output directory, comments, key order, YAML spelling ({@code 1e-2} vs {@code 0.01})
 * or the paths of npy data files, so shards on different machines with different {@code --out}
 * agree.
 *
 * <p>The <b>task hash</b> covers the data themselves: dX, dY, P and the bits of every entry of X
 * and Y, so a generator that changed, or a different npy file under the same name, is caught.
 */
public final class StudyFingerprint {
    private StudyFingerprint() {
    }

    /** Hex SHA-256 of the spec's canonical content. */
    public static String spec(StudySpec spec) {
        Hasher h = new Hasher();
        h.line("format", "repgeom-spec/1");
        h.line("name", spec.name());
        TaskSpec t = spec.task();
        h.line("task.kind", t.kind());
        h.line("task.labels", t.labels());
        h.line("task.classes", t.classes());
        h.line("task.per_class", t.perClass());
        h.line("task.input.geometry", t.geometry());
        h.line("task.input.dim", t.dim());
        h.line("task.input.seed", t.seed());
        h.line("task.input.within_correlation", t.withinCorrelation());
        h.line("task.input.aligned_weight", t.alignedWeight());
        h.line("task.input.orthogonal_weight", t.orthogonalWeight());
        if (t.holdout().active()) h.line("task.holdout", t.holdout().canonical()); // absent before hold-out existed
        ModelSpec m = spec.model();
        for (Activation a : m.activations()) h.line("model.activation", a.id());
        for (int[] shape : m.hiddenShapes()) h.line("model.shape", java.util.Arrays.toString(shape));
        h.line("model.bias_all", m.biasOnAllHidden());
        if (m.bias() == org.repgeom.model.Bias.NONE) h.line("model.bias_none", true); // absent before bias: none existed
        h.line("model.init_scale", m.initScale());
        if (m.isRecurrent()) { // absent for feedforward models, so their fingerprints stay as they were
            for (int steps : m.timeSteps()) h.line("model.time_steps", steps);
            h.line("model.input", m.input().id());
        }
        GridSpec g = spec.grid();
        for (int i = 0; i < g.seeds().size(); i++) h.line("grid.seed", g.seeds().get(i));
        for (LambdaEntry l : g.lambdas()) {
            String text = l instanceof LambdaEntry.Uniform u ? Double.toString(u.lambda())
                    : java.util.Arrays.toString(((LambdaEntry.PerLayer) l).lambdas());
            h.line("grid.lambda", text);
        }
        for (double lr : g.learningRates()) h.line("grid.lr", lr);
        OptimizerSpec o = spec.optimizer();
        h.line("optimizer.kind", o.kind().id());
        h.line("optimizer.lr", o.lr());
        h.line("optimizer.final_lr_ratio", o.finalLrRatio());
        h.line("optimizer.momentum", o.momentum());
        h.line("optimizer.beta1", o.beta1());
        h.line("optimizer.beta2", o.beta2());
        h.line("optimizer.eps", o.eps());
        TrainSpec tr = spec.train();
        h.line("train.max_steps", tr.maxSteps());
        h.line("train.tol", tr.tol());
        h.line("train.window", tr.window());
        h.line("train.trace_every", tr.traceEvery());
        if (tr.tracesKernels()) { // only then: the hashes of studies without a kernel trace stay as they were
            h.line("train.kernel_every", tr.kernelEvery());
            h.line("train.kernel_trace_members", tr.kernelTraceMembers());
        }
        return h.hex();
    }

    /** Hex SHA-256 of the task's shape and data. */
    public static String task(Task task) {
        Hasher h = new Hasher();
        h.line("format", "repgeom-task/1");
        h.line("dX", task.inputDim());
        h.line("dY", task.outputDim());
        h.line("P", task.samples());
        for (double v : task.xData()) h.bits(v);
        for (double v : task.yData()) h.bits(v);
        return h.hex();
    }

    /** The first 12 hex digits, for messages. */
    static String abbrev(String hash) {
        return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
    }

    private static final class Hasher {
        private final MessageDigest digest;

        Hasher() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
        }

        void line(String key, Object value) {
            digest.update((key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8));
        }

        void bits(double v) {
            long b = Double.doubleToLongBits(v);
            for (int i = 0; i < 8; i++) digest.update((byte) (b >>> (8 * i)));
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
