package org.repgeom.study.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;

/**
 * Turns the grid axes of a study into members and groups. Order, outermost to innermost:
 * activation, network ({@link ModelSpec#architecture}: time steps of a recurrent family, then hidden shape),
 * λ entry, learning rate, seed;
 * member ids count up in that order.
 */
final class GridExpansion {
    private GridExpansion() {
    }

    /** Members of the grid, without building them. */
    static long memberCount(ModelSpec model, GridSpec grid) {
        return (long) model.activations().size() * model.networkCount() * grid.lambdas().size()
                * grid.learningRates().size() * grid.seeds().size();
    }

    /**
     * Checks what only the model and grid together decide: every per-layer λ entry matches the
     * depth of every shape it is combined with, and the member count is within
     * {@link StudySpec#MAX_MEMBERS}.
     */
    static void validate(ModelSpec model, GridSpec grid) {
        List<int[]> shapes = model.hiddenShapes();
        for (int i = 0; i < grid.lambdas().size(); i++) {
            LambdaEntry entry = grid.lambdas().get(i);
            if (model.isRecurrent()) {
                if (!entry.fits(3)) {
                    throw new SpecException("grid.lambda[" + i + "]", "has " + ((LambdaEntry.PerLayer) entry).lambdas().length
                            + " per-layer values, but a recurrent network has 3 weight groups; give [λ_in, λ_rec, λ_out]"
                            + " (input [U, b], recurrent W, readout W_out) or a single λ");
                }
                continue;
            }
            for (int[] shape : shapes) {
                if (!entry.fits(shape.length + 1)) {
                    int given = ((LambdaEntry.PerLayer) entry).lambdas().length;
                    throw new SpecException("grid.lambda[" + i + "]", "has " + given + " per-layer values, but hidden widths "
                            + Architecture.widthsLabel(shape) + " (depth " + shape.length + ") have " + (shape.length + 1)
                            + " weight layers; give L+1 values (one per weight layer) or a single λ");
                }
            }
        }
        // a double cannot overflow here, and any rounding only happens far above the limit
        double count = (double) model.activations().size() * model.networkCount() * grid.lambdas().size()
                * grid.learningRates().size() * grid.seeds().size();
        if (count > StudySpec.MAX_MEMBERS) {
            throw new SpecException("grid", String.format(Locale.ROOT,
                    "%d activations × %d shapes × %d λ × %d learning rates × %d seeds = %.0f members, more than the "
                            + "limit of %d; shrink an axis or split the study",
                    model.activations().size(), model.networkCount(), grid.lambdas().size(), grid.learningRates().size(),
                    grid.seeds().size(), count, StudySpec.MAX_MEMBERS));
        }
    }

    /** Every member in grid order; inputDim and outputDim come from the built task. */
    static List<MemberSpec> members(ModelSpec model, GridSpec grid, int inputDim, int outputDim) {
        validate(model, grid);
        List<MemberSpec> members = new ArrayList<>((int) memberCount(model, grid));
        int id = 0;
        for (Activation activation : model.activations()) {
            for (int n = 0; n < model.networkCount(); n++) {
                Architecture arch = model.architecture(inputDim, outputDim, activation, n);
                for (LambdaEntry lambda : grid.lambdas()) {
                    double[] lambdas = lambda.forLayers(arch.layerCount());
                    for (double lr : grid.learningRates()) {
                        for (int s = 0; s < grid.seeds().size(); s++) {
                            members.add(new MemberSpec(id++, grid.seeds().get(s), arch, lambdas, lr));
                        }
                    }
                }
            }
        }
        return members;
    }

    /** Members with identical architectures gathered into groups, in first-appearance order. */
    static List<MemberGroup> groups(List<MemberSpec> members) {
        Map<Architecture, List<MemberSpec>> byArchitecture = new LinkedHashMap<>();
        for (MemberSpec m : members) {
            byArchitecture.computeIfAbsent(m.architecture(), a -> new ArrayList<>()).add(m);
        }
        List<MemberGroup> groups = new ArrayList<>(byArchitecture.size());
        for (Map.Entry<Architecture, List<MemberSpec>> e : byArchitecture.entrySet()) {
            groups.add(new MemberGroup(groups.size(), e.getKey(), e.getValue()));
        }
        return groups;
    }
}
