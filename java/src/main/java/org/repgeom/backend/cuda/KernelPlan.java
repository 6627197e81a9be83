package org.repgeom.backend.cuda;

/**
 * How one group is launched: the kernel's layout, members per launch and blocks per launch.
 * {@link CudaLaunchPlan} (mlp_train_fused) and {@link RnnLaunchPlan} (rnn_train_fused).
 */
public interface KernelPlan {
    KernelLayout layout();

    /** Members per launch (the last chunk may be smaller). */
    int chunkMembers();

    /** Blocks per launch; teams take members from a counter, so any grid covers any chunk. */
    int gridBlocks();

    /** Number of chunks for {@code members} members. */
    default int chunks(int members) {
        return (members + chunkMembers() - 1) / chunkMembers();
    }
}
