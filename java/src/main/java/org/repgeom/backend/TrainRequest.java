package org.repgeom.backend;

import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * One group to train: E members of one architecture, their initial parameters as one
 * member-major block ({@code [member][W_0 | b_0 | … | W_L]}, see {@link ParamLayout}), and the
 * per-member scalars beside it: λ per weight layer ({@code lambdas[e * (L+1) + l]}) and the
 * initial learning rate ({@code learningRates[e]}).
 */
public record TrainRequest(ParamLayout layout, int members, double[] initialParams, double[] lambdas,
                           double[] learningRates, OptimizerSettings optimizer, StopRule stop) {

    public TrainRequest {
        int layers = layout.architecture().layerCount();
        if (members < 1) throw new IllegalArgumentException("a group needs at least one member");
        if (initialParams.length != (long) members * layout.stride()) {
            throw new IllegalArgumentException("parameter block has " + initialParams.length + " entries, expected "
                    + members + " x " + layout.stride());
        }
        if (lambdas.length != (long) members * layers) {
            throw new IllegalArgumentException("expected " + members * layers + " lambdas, got " + lambdas.length);
        }
        if (learningRates.length != members) {
            throw new IllegalArgumentException("expected " + members + " learning rates, got " + learningRates.length);
        }
    }

    public Architecture architecture() {
        return layout.architecture();
    }
}
