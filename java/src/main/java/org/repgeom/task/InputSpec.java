package org.repgeom.task;

import java.util.List;

/**
 * How to build a task's input X; see {@link InputGeometry} for the formulas.
 *
 * @param geometry one of {@link #GEOMETRIES}: {@code whitened | identity | gaussian |
 *     within_class | target_aligned}
 * @param dim input dimension dX, or {@code null} for the default: P for whitened, identity,
 *     gaussian and within_class; dY + P for target_aligned
 * @param seed Philox seed of the random parts
 * @param withinCorrelation ρ of within_class (ignored otherwise)
 * @param alignedWeight a of target_aligned (ignored otherwise)
 * @param orthogonalWeight b of target_aligned (ignored otherwise)
 */
public record InputSpec(String geometry, Integer dim, long seed, double withinCorrelation, double alignedWeight,
        double orthogonalWeight) {

    /** The geometry names accepted, in documentation order. */
    public static final List<String> GEOMETRIES =
            List.of("whitened", "identity", "gaussian", "within_class", "target_aligned");

    public InputSpec {
        if (geometry == null || !GEOMETRIES.contains(geometry)) {
            throw new IllegalArgumentException("unknown input geometry '" + geometry + "'; valid: "
                    + String.join(", ", GEOMETRIES));
        }
        if (dim != null && dim < 1) {
            throw new IllegalArgumentException("input dimension must be >= 1, got " + dim);
        }
    }

    /** A spec with the default dimension, ρ = 0 and weights a = b = 1. */
    public static InputSpec of(String geometry, long seed) {
        return new InputSpec(geometry, null, seed, 0.0, 1.0, 1.0);
    }

    /** The same spec with input dimension {@code dim}. */
    public InputSpec withDim(Integer dim) {
        return new InputSpec(geometry, dim, seed, withinCorrelation, alignedWeight, orthogonalWeight);
    }
}
