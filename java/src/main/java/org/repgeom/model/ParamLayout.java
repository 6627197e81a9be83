package org.repgeom.model;

/**
 * Where each parameter of one member lives inside its slice of a group's parameter block.
 *
 * <p>A member's slice is {@code [W_0 | b_0 | W_1 | b_1 | … | W_L]}: each W_l is row-major
 * {@code fanOut × fanIn} (row i = the incoming weights of unit i), each b_l (when present) has
 * {@code fanOut} entries. A group stores its members back to back, so member e starts at
 * {@code e * stride()}. The native and CUDA kernels use exactly this layout.
 */
public final class ParamLayout {
    private final Architecture arch;
    private final int[] weightOffset;
    private final int[] biasOffset; // -1 where the layer has no bias
    private final int stride;

    public ParamLayout(Architecture arch) {
        this.arch = arch;
        int layers = arch.layerCount();
        weightOffset = new int[layers];
        biasOffset = new int[layers];
        long off = 0;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = (int) off;
            off += (long) arch.fanOut(l) * arch.fanIn(l);
            if (arch.hasBias(l)) {
                biasOffset[l] = (int) off;
                off += arch.fanOut(l);
            } else {
                biasOffset[l] = -1;
            }
            if (off > Integer.MAX_VALUE) throw new IllegalArgumentException("network too large: " + arch);
        }
        stride = (int) off;
    }

    public Architecture architecture() {
        return arch;
    }

    /** Parameters per member. */
    public int stride() {
        return stride;
    }

    /** Offset of W_l within a member's slice. */
    public int weight(int layer) {
        return weightOffset[layer];
    }

    /** Offset of b_l within a member's slice, or -1 if layer l has no bias. */
    public int bias(int layer) {
        return biasOffset[layer];
    }

    /** Number of entries of the augmented weight W̃_l = [W_l, b_l]: what λ_l multiplies. */
    public int augmentedSize(int layer) {
        return arch.fanOut(layer) * arch.fanIn(layer) + (arch.hasBias(layer) ? arch.fanOut(layer) : 0);
    }
}
