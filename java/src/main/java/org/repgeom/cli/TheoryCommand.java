package org.repgeom.cli;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.repgeom.model.Activation;
import org.repgeom.study.MemberSpec;
import org.repgeom.study.SpecException;
import org.repgeom.study.StudySpec;
import org.repgeom.study.TaskFactory;
import org.repgeom.task.Task;
import org.repgeom.theory.HypercubeReluTheory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code repgeom theory}: the closed-form optimum (docs/science.md §5.1) for a task, either the task of a
 * spec (every λ pair of its two-layer ReLU members) or one given by options.
 */
@Command(name = "theory", mixinStandardHelpOptions = true,
        description = "Print the optimal kernel coefficient and minimal loss of the two-layer ReLU on a whitened hypercube task.")
final class TheoryCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC.yaml", description = "take the task and λ values from a study spec")
    Path specFile;

    @Option(names = "--labels", description = "dY, number of binary labels (without a spec)")
    Integer labels;

    @Option(names = "--per-class", defaultValue = "1", description = "samples per class (default: ${DEFAULT-VALUE})")
    int perClass;

    @Option(names = "--lambda1", description = "first-layer weight decay λ1")
    Double lambda1;

    @Option(names = "--lambda2", description = "readout weight decay λ2 (default: λ1)")
    Double lambda2;

    @Override
    public Integer call() {
        if (specFile != null) return fromSpec();
        if (labels == null || lambda1 == null) {
            throw new SpecException("theory", "give a SPEC.yaml, or --labels and --lambda1 (and optionally --per-class, --lambda2)");
        }
        if (labels < 1 || labels > 30) throw new SpecException("--labels", "must be in 1…30 (P = per_class · 2^labels), got " + labels);
        if (perClass < 1) throw new SpecException("--per-class", "must be ≥ 1, got " + perClass);
        long pLong = (long) perClass << labels;
        if (pLong > Integer.MAX_VALUE) {
            throw new SpecException("--labels", "P = " + perClass + " · 2^" + labels + " = " + pLong + " samples is too many");
        }
        int p = (int) pLong;
        System.out.println(HypercubeReluTheory.of(p, labels, lambda1, lambda2 == null ? lambda1 : lambda2).describe());
        return 0;
    }

    private int fromSpec() {
        StudySpec spec = StudySpec.load(specFile);
        Task task = TaskFactory.build(spec.task());
        System.out.println("task: " + task);
        if (!HypercubeReluTheory.applies(task, 1e-8)) {
            System.out.println("no closed form: the task is not a whitened hypercube task (docs/science.md §5.1)");
            return 0;
        }
        List<MemberSpec> members = spec.members(task.inputDim(), task.outputDim());
        Set<List<Double>> pairs = new LinkedHashSet<>();
        for (MemberSpec m : members) {
            if (m.architecture().depth() == 1 && m.architecture().activation() == Activation.RELU) {
                pairs.add(List.of(m.lambda(0), m.lambda(1)));
            }
        }
        if (pairs.isEmpty()) System.out.println("the spec has no two-layer ReLU members; theory covers only those");
        for (List<Double> l : pairs) {
            System.out.println();
            System.out.println(HypercubeReluTheory.forTask(task, l.get(0), l.get(1)).describe());
        }
        return 0;
    }
}
