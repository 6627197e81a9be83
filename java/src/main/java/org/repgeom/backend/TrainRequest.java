package org.repgeom.backend;

import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * One group to train: E members of one architecture, their initial parameters as one
 * member-major block ({@code [member][W_0 | b_0 | … | W_L]}, see {@link ParamLayout}), and the
 * per-member scalars beside it: λ per weight layer ({@code lambdas[e * (L+1) + l]}) and the
 * initial learning rate ({@code learningRates[e]}); {@code kernelTrace} says which members record
 * their kernels during training (null: none).
 */
public record TrainRequest(ParamLayout layout, int members, double[] initialParams, double[] lambdas,
                           double[] learningRates, OptimizerSettings optimizer, StopRule stop,
                           KernelTraceRequest kernelTrace) {

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
        if (kernelTrace != null) kernelTrace.rows(members); // every traced member is in the group
    }

    /** A request that records no kernel trace. */
    public TrainRequest(ParamLayout layout, int members, double[] initialParams, double[] lambdas,
                        double[] learningRates, OptimizerSettings optimizer, StopRule stop) {
        this(layout, members, initialParams, lambdas, learningRates, optimizer, stop, null);
    }

    /** This request with the given kernel trace (null: none). */
    public TrainRequest withKernelTrace(KernelTraceRequest trace) {
        return new TrainRequest(layout, members, initialParams, lambdas, learningRates, optimizer, stop, trace);
    }

    /** Floats of the request's kernel trace ({@link KernelTraceRequest}); 0 without one. */
    public int kernelTraceFloats(int samples) {
        return kernelTrace == null ? 0 : kernelTrace.floats(layout.architecture(), samples, stop.maxSteps());
    }

    public Architecture architecture() {
        return layout.architecture();
    }
}
