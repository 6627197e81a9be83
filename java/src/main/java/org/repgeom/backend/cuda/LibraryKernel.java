package org.repgeom.backend.cuda;

import java.util.Locale;

/**
 * The library path's elementwise kernels in {@code cuda/repgeom_library.cu}, in the order of its
 * {@code RG_LIBRARY_KERNELS} list (the ordinal is the host runner's id; the name the device symbol).
 */
public enum LibraryKernel {
    BIAS_ACT_FORWARD,
    ACT_BACKWARD,
    LOSS_GRAD,
    BIAS_GRAD,
    PENALTY_GRAD,
    STEP_CONTROL,
    OPTIMIZER_UPDATE,
    FINISH_MEMBERS;

    /** The CUDA symbol, e.g. {@code bias_act_forward}. */
    public String kernelName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
