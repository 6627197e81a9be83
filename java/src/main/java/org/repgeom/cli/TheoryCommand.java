package org.repgeom.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.Arrays;
import java.util.Locale;
import org.repgeom.io.Json;
import org.repgeom.model.Architecture;
import org.repgeom.theory.ConfigurationTheory;
import org.repgeom.theory.TheoryLookup;
import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import org.repgeom.study.spec.TaskFactory;
import org.repgeom.task.Task;
import org.repgeom.theory.HypercubeReluTheory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code repgeom theory}: the closed-form optimum for a task. With a spec: for every configuration
 * of the spec (activation, widths, bias, λ) the closed form that applies ({@link TheoryLookup}, the
 * same lookup {@code run} uses) with its formula, minimal loss and smallest widths, or why none
 * applies. With options: the two-layer ReLU on the whitened hypercube.
 */
@Command(name = "theory", mixinStandardHelpOptions = true,
        description = "Print the closed-form optimum of every configuration of a spec (or of the two-layer ReLU on a whitened hypercube task).")
final class TheoryCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC.yaml", description = "take the task and configurations from a study spec")
    Path specFile;

    @Option(names = "--labels", description = "dY, number of binary labels (without a spec)")
    Integer labels;

    @Option(names = "--per-class", defaultValue = "1", description = "samples per class (default: ${DEFAULT-VALUE})")
    int perClass;

    @Option(names = "--lambda1", description = "first-layer weight decay λ1")
    Double lambda1;

    @Option(names = "--lambda2", description = "readout weight decay λ2 (default: λ1)")
    Double lambda2;

    @Option(names = "--json", description = "with a spec: one JSON array, an object per configuration (for scripts)")
    boolean json;

    @Override
    public Integer call() {
        if (specFile != null) {
            if (labels != null || lambda1 != null || lambda2 != null) {
                throw new SpecException("theory", "give a SPEC.yaml or --labels and --lambda1, not both (the spec has its own labels and λ)");
            }
            return fromSpec();
        }
        if (labels == null || lambda1 == null) {
            throw new SpecException("theory", "give a SPEC.yaml, or --labels and --lambda1 (and optionally --per-class, --lambda2)");
        }
        if (labels < 1 || labels > 30) throw new SpecException("--labels", "must be in 1…30 (P = per_class · 2^labels), got " + labels);
        if (perClass < 1) throw new SpecException("--per-class", "must be ≥ 1, got " + perClass);
        long pLong = (long) perClass << labels;
        if (pLong > Integer.MAX_VALUE) {
            throw new SpecException("--labels", "P = " + perClass + " · 2^" + labels + " = " + pLong + " samples is too many");
        }
        positiveFinite("--lambda1", lambda1);
        if (lambda2 != null) positiveFinite("--lambda2", lambda2);
        int p = (int) pLong;
        System.out.println(HypercubeReluTheory.of(p, labels, lambda1, lambda2 == null ? lambda1 : lambda2).describe());
        return 0;
    }

    private int fromSpec() {
        StudySpec spec = StudySpec.load(specFile);
        Task task = TaskFactory.build(spec.task());
        if (!json) System.out.println("task: " + task);
        TheoryLookup lookup = new TheoryLookup(task);
        Set<String> seen = new LinkedHashSet<>();
        List<Object> rows = new ArrayList<>();
        for (MemberSpec m : spec.members(task.inputDim(), task.outputDim())) {
            Architecture arch = m.architecture();
            String key = arch.activation().id() + " " + arch.widthsLabel() + " bias " + arch.bias().id() + " λ="
                    + Arrays.toString(m.lambdas());
            if (!seen.add(key)) continue;
            ConfigurationTheory t = lookup.lookup(arch, m.lambdas());
            if (json) rows.add(row(arch, m.lambdas(), task, t));
            else System.out.println(describe(key, arch, t));
        }
        if (json) System.out.println(Json.write(rows));
        return 0;
    }

    /** One configuration for {@code --json}: exact numbers, the last layer's K* as P rows. */
    private static void positiveFinite(String option, double value) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new SpecException(option, "must be a positive finite number, got " + value);
        }
    }

    private static Map<String, Object> row(Architecture arch, double[] lambdas, Task task, ConfigurationTheory t) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("activation", arch.activation().id());
        r.put("widths", Arrays.stream(arch.hiddenWidths()).boxed().toList());
        r.put("bias", arch.bias().id());
        r.put("lambdas", Arrays.stream(lambdas).boxed().toList());
        r.put("labels", task.outputDim());
        r.put("theory_class", TheoryLookup.theoryClass(arch.activation()));
        r.put("applies", t.applies());
        if (!t.applies()) {
            r.put("why", t.why());
            return r;
        }
        r.put("form", t.form());
        r.put("formula", t.formula());
        r.put("minimal_loss", t.minimalLoss());
        r.put("minimal_widths", Arrays.stream(t.minimalWidths()).boxed().toList());
        r.put("too_narrow", t.tooNarrow());
        r.put("trivial", t.trivial());
        double[] k = t.lastKernel();
        int p = task.samples();
        List<Object> kernel = new ArrayList<>();
        for (int i = 0; i < p; i++) kernel.add(Arrays.stream(Arrays.copyOfRange(k, i * p, (i + 1) * p)).boxed().toList());
        r.put("kernel", kernel);
        return r;
    }

    /** One line per configuration: the form, or why none applies. */
    static String describe(String key, Architecture arch, ConfigurationTheory t) {
        String cls = TheoryLookup.theoryClass(arch.activation());
        if (!t.applies()) return String.format(Locale.ROOT, "%-44s [%s] no closed form: %s", key, cls, t.why());
        String line = String.format(Locale.ROOT, "%-44s [%s] %s: %s, L* = %.6g, widths ≥ %s", key, cls, t.form(),
                t.formula(), t.minimalLoss(), Arrays.toString(t.minimalWidths()));
        return t.tooNarrow() == null ? line : line + " (not attainable: " + t.tooNarrow() + ")";
    }
}
