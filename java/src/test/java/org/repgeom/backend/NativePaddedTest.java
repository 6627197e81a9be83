package org.repgeom.backend;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The native backend's first training layout, one member at a time over the padded sample axis
 * ({@code native/repgeom_train.c}), forced on for the whole conformance suite. The suite's tasks have
 * P ≤ 24, which the backend trains across the vector lanes when left to choose, while the benchmark
 * workloads and every study with P ≥ 32 take the padded layout: this checks that layout member by
 * member against the reference on every case of the suite.
 */
class NativePaddedTest extends NativeBackendTest {
    private int oldMode;

    @BeforeEach
    void padded() {
        oldMode = NativeKernels.forceLayout(1);
    }

    @AfterEach
    void restore() {
        NativeKernels.forceLayout(oldMode);
    }
}
