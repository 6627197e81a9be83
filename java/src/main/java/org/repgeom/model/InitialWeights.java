package org.repgeom.model;

import org.repgeom.rng.Philox4x32;

/**
 * Initial parameters of one member as a pure function of {@code (seed, layer, index)}: entry j of
 * the augmented weight W̃_l = [W_l, b_l] is {@code init_scale / sqrt(fan_in) · N(0,1)} drawn by
 * {@link Philox4x32#gaussian(long, int, long)} with stream = l and index = j. W_l's entries have
 * index {@code i * fanIn + c} (row-major), b_l's entries index {@code fanOut * fanIn + i}, so adding
 * or removing a bias never changes the weights. Same member, same numbers, on every backend.
 */
public final class InitialWeights {
    private InitialWeights() {
    }

    /** Writes member {@code seed}'s initial parameters into {@code dst[offset … offset+stride)}. */
    public static void fill(ParamLayout layout, long seed, double initScale, double[] dst, int offset) {
        Architecture a = layout.architecture();
        for (int l = 0; l < a.layerCount(); l++) {
            int fanIn = a.fanIn(l), fanOut = a.fanOut(l);
            double std = initScale / Math.sqrt(fanIn);
            int w = offset + layout.weight(l);
            for (int j = 0; j < fanOut * fanIn; j++) {
                dst[w + j] = std * Philox4x32.gaussian(seed, l, j);
            }
            if (a.hasBias(l)) {
                int b = offset + layout.bias(l);
                for (int i = 0; i < fanOut; i++) {
                    dst[b + i] = std * Philox4x32.gaussian(seed, l, (long) fanOut * fanIn + i);
                }
            }
        }
    }

    /** One member's initial parameters in a fresh array. */
    public static double[] of(ParamLayout layout, long seed, double initScale) {
        double[] p = new double[layout.stride()];
        fill(layout, seed, initScale, p, 0);
        return p;
    }
}
