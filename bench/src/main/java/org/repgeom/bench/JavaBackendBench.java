package org.repgeom.bench;

import org.repgeom.backend.Backend;
import org.repgeom.backend.JavaBackend;

/**
 * The Java reference backend on workload W. Run:
 * {@code java -jar bench/target/benchmarks.jar JavaBackendBench -p members=1024 -p steps=200 -p width=16}.
 */
public class JavaBackendBench extends BackendBench {
    @Override
    protected Backend backend() {
        return new JavaBackend();
    }
}
