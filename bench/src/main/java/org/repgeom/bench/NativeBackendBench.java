package org.repgeom.bench;

import org.repgeom.backend.Backend;
import org.repgeom.backend.NativeBackend;

/**
 * The native CPU backend (float32 C kernels through JNI) on workload W. Run:
 * {@code java -jar bench/target/benchmarks.jar NativeBackendBench -p members=1024 -p steps=200 -p width=64}.
 */
public class NativeBackendBench extends BackendBench {
    @Override
    protected Backend backend() {
        return new NativeBackend();
    }
}
