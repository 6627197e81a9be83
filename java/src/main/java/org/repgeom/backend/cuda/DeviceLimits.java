package org.repgeom.backend.cuda;

/**
 * What the planner needs to know about a CUDA device (all from cuDeviceGetAttribute /
 * cuDeviceTotalMem), so that planning is plain Java and testable without one.
 *
 * @param name                    device name
 * @param major                   compute capability, major
 * @param minor                   compute capability, minor
 * @param multiprocessors         SM count
 * @param sharedPerBlockOptin     most dynamic shared memory one block may opt in to, bytes
 * @param sharedPerMultiprocessor shared memory of one SM, bytes
 * @param reservedSharedPerBlock  shared memory the system reserves per resident block, bytes
 * @param maxThreadsPerMultiprocessor resident threads per SM
 * @param maxBlocksPerMultiprocessor  resident blocks per SM
 * @param registersPerMultiprocessor  32-bit registers per SM
 * @param totalMemory             global memory, bytes
 */
public record DeviceLimits(String name, int major, int minor, int multiprocessors, int sharedPerBlockOptin,
                           int sharedPerMultiprocessor, int reservedSharedPerBlock, int maxThreadsPerMultiprocessor,
                           int maxBlocksPerMultiprocessor, int registersPerMultiprocessor, long totalMemory) {

    /** Compute capability as "9.0". */
    public String computeCapability() {
        return major + "." + minor;
    }

    /** A one-line description: name, capability, SMs, memory. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s (compute %s, %d SMs, %.1f GiB, %d KiB shared/block)", name,
                computeCapability(), multiprocessors, totalMemory / (double) (1L << 30), sharedPerBlockOptin / 1024);
    }

    /** An H100 SXM (sm_90) as the CUDA driver reports it; for tests and planning examples. */
    public static DeviceLimits h100() {
        return new DeviceLimits("NVIDIA H100 80GB HBM3", 9, 0, 132, 232_448, 233_472, 1024, 2048, 32, 65_536,
                85_000_000_000L);
    }

    /** An A100 (sm_80); for tests. */
    public static DeviceLimits a100() {
        return new DeviceLimits("NVIDIA A100-SXM4-40GB", 8, 0, 108, 166_912, 167_936, 1024, 2048, 32, 65_536,
                42_000_000_000L);
    }

    /** A consumer Ada card (sm_89, 100 KiB shared per SM); for tests. */
    public static DeviceLimits rtx4090() {
        return new DeviceLimits("NVIDIA GeForce RTX 4090", 8, 9, 128, 101_376, 102_400, 1024, 1536, 24, 65_536,
                25_000_000_000L);
    }
}
