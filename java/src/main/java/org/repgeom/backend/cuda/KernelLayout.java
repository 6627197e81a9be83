package org.repgeom.backend.cuda;

import org.repgeom.model.Architecture;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * What the host needs to know of a fused training kernel's memory layout to launch it: the block shape,
 * its shared memory and global scratch, the padded data and the configuration bytes. Implemented by
 * {@link FusedLayout} (mlp_train_fused) and {@link RnnLayout} (rnn_train_fused).
 */
public interface KernelLayout {
    Architecture architecture();

    int samples();

    int teamThreads();

    int teamsPerBlock();

    int blockThreads();

    /** Dynamic shared memory of one block, bytes. */
    long blockSharedBytes();

    /** Global scratch of one block, bytes. */
    long blockScratchBytes();

    /** The entry point compiled for this layout's placement. */
    String kernelName();

    /** A rows × P array (sample axis contiguous) in the kernel's padded layout. */
    float[] pad(double[] rowsBySamples, int rows);

    /** The kernel's configuration struct, little-endian bytes. */
    byte[] config(OptimizerSettings opt, StopRule stop);
}
