package org.repgeom.backend.cuda;

import java.util.Locale;
import org.repgeom.model.Architecture;
import org.repgeom.train.OptimizerKind;

/**
 * How one group is trained on one device: the compute kernel's team size, teams per block and placement
 * ({@link FusedLayout}), how many blocks are resident per SM, the launch grid, and how the group is
 * cut into chunks that fit the device's free global memory. Plain Java, so it is tested without a GPU.
 *
 * <p><b>Team size.</b> A team owns one member; each thread computes 4 × 4 outputs of a GEMM at a
 * time. T is the number of such tiles in the step's largest GEMM, rounded up to a warp, within
 * [32, 256]: every thread has work in the largest GEMM and no team is wider than a block may be.
 *
 * <p><b>Placement and teams per block.</b> For each {@link FusedLayout.Placement}, from all-on-chip
 * to all-global, and each teams-per-block b (b·T ≤ 256, b ≤ 15), the block's dynamic shared memory
 * must fit the per-block opt-in limit; among those that fit, the planner takes the first placement
 * that fits at all and, within it, the b that keeps the most members resident per SM:
 * {@code members/SM = b · min(blocks/SM by threads, by shared memory incl. the reserved 1 KiB, by
 * registers, by the hardware block limit)}. Teams of one block share X and Y, so larger b saves
 * shared memory; ties go to the smaller b.
 *
 * <p><b>Chunks.</b> Device memory holds the shared inputs (padded X, Y, the learning-rate schedule)
 * once and two sets of chunk buffers (parameters, λ, learning rates, trace, results, global
 * scratch), so that one chunk's transfers overlap the other's training. The chunk is as large as
 * fits in {@code free × (1 − headroom)}, but at most E and no more than needed to fill the device
 * about four times over (so that progress is reported and transfers overlap), and no host staging
 * array above 1 GiB ({@code -Drepgeom.cuda.chunk=N} caps it further); when not even one member fits,
 * planning fails and says how many bytes a member needs and how many are free.
 */
public final class CudaLaunchPlan implements KernelPlan {
    /** Fraction of free device memory left untouched (other processes, driver, fragmentation). */
    public static final double HEADROOM = 0.10;
    /** Largest host staging array of one chunk, bytes. */
    static final long HOST_ARRAY_LIMIT = 1L << 30;
    /** System property capping the members per chunk (tests of the chunked, double-buffered path). */
    public static final String CHUNK_PROPERTY = "repgeom.cuda.chunk";
    /** Warp size of every CUDA device. */
    public static final int WARP = 32;

    private final FusedLayout layout;
    private final int blocksPerMultiprocessor;
    private final int chunkMembers;
    private final int gridBlocks;
    private final long sharedBytes;
    private final long chunkBytes;
    private final long perMemberBytes;

    private CudaLaunchPlan(FusedLayout layout, int blocksPerSm, int chunkMembers, int gridBlocks, long sharedBytes,
                           long perMemberBytes, long chunkBytes) {
        this.layout = layout;
        this.blocksPerMultiprocessor = blocksPerSm;
        this.chunkMembers = chunkMembers;
        this.gridBlocks = gridBlocks;
        this.sharedBytes = sharedBytes;
        this.perMemberBytes = perMemberBytes;
        this.chunkBytes = chunkBytes;
    }

    /** Threads per team for this architecture on P samples (see class comment). */
    public static int teamThreads(Architecture arch, int samples) {
        long tiles = 0;
        for (int l = 0; l < arch.layerCount(); l++) {
            tiles = Math.max(tiles, tiles(arch.fanOut(l), samples));         // forward
            tiles = Math.max(tiles, tiles(arch.fanOut(l), arch.fanIn(l)));   // weight gradient
            if (l > 0) tiles = Math.max(tiles, tiles(arch.fanIn(l), samples)); // hidden error
        }
        long t = (tiles + WARP - 1) / WARP * WARP;
        return (int) Math.max(WARP, Math.min(FusedLayout.MAX_BLOCK_THREADS, t));
    }

    private static long tiles(long rows, long cols) {
        return ((rows + FusedLayout.TILE_ROWS - 1) / FusedLayout.TILE_ROWS) * ((cols + FusedLayout.TILE_COLS - 1) / FusedLayout.TILE_COLS);
    }

    /**
     * Resident blocks per SM for a block of {@code threads} threads using {@code sharedBytes} of
     * dynamic shared memory and {@code registers} registers per thread (0: unknown, not limiting).
     */
    static int residentBlocks(DeviceLimits d, int threads, long sharedBytes, int registers) {
        int byThreads = d.maxThreadsPerMultiprocessor() / threads;
        long bySmem = d.sharedPerMultiprocessor() / (sharedBytes + d.reservedSharedPerBlock());
        // registers are allocated per warp in units of 256
        long regsPerWarp = registers <= 0 ? 0 : ((long) registers * WARP + 255) / 256 * 256;
        long byRegs = regsPerWarp == 0 ? Integer.MAX_VALUE
                : d.registersPerMultiprocessor() / (regsPerWarp * ((threads + WARP - 1) / WARP));
        return (int) Math.min(Math.min(byThreads, bySmem), Math.min(byRegs, d.maxBlocksPerMultiprocessor()));
    }

    /** The best layout for this architecture on this device (see class comment). */
    public static FusedLayout chooseLayout(Architecture arch, int samples, OptimizerKind opt, DeviceLimits d,
                                           int registers) {
        int team = teamThreads(arch, samples);
        for (FusedLayout.Placement placement : FusedLayout.Placement.values()) {
            FusedLayout best = null;
            long bestMembers = 0;
            int maxTeams = Math.min(FusedLayout.MAX_TEAMS_PER_BLOCK, FusedLayout.MAX_BLOCK_THREADS / team);
            for (int b = 1; b <= maxTeams; b++) {
                FusedLayout l = new FusedLayout(arch, samples, opt, team, WARP, b, placement);
                if (l.blockSharedBytes() > d.sharedPerBlockOptin()) break;
                long members = (long) b * residentBlocks(d, l.blockThreads(), l.blockSharedBytes(), registers);
                if (members > bestMembers) {
                    best = l;
                    bestMembers = members;
                }
            }
            if (best != null) return best;
        }
        FusedLayout minimal = new FusedLayout(arch, samples, opt, team, WARP, 1, FusedLayout.Placement.ALL_GLOBAL);
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "%s on %d samples does not fit %s: even with every array in global memory a block needs %d bytes of"
                        + " shared memory, the device allows %d", arch, samples, d.name(), minimal.blockSharedBytes(),
                d.sharedPerBlockOptin()));
    }

    /** Device bytes one member needs in a chunk: parameters, λ, learning rate, trace and results. */
    static long perMemberBytes(Architecture arch, int stride, int traceLength) {
        return 4L * stride + 4L * arch.layerCount() + 8 + 4L * traceLength + 8 + 8 + 4 + 4;
    }

    /**
     * Plans training {@code members} members of {@code arch} on P samples for {@code maxSteps} steps
     * on device {@code d} with {@code freeBytes} of free global memory.
     *
     * @param registers registers per thread of mlp_train_fused on this device (0 if unknown)
     * @throws IllegalArgumentException when not even one member fits, with the numbers
     */
    public static CudaLaunchPlan plan(Architecture arch, int samples, OptimizerKind opt, int stride, int traceLength,
                                      int maxSteps, int members, DeviceLimits d, int registers, long freeBytes) {
        FusedLayout layout = chooseLayout(arch, samples, opt, d, registers);
        int blocksPerSm = Math.max(1, residentBlocks(d, layout.blockThreads(), layout.blockSharedBytes(), registers));
        long residentBlocksTotal = (long) blocksPerSm * d.multiprocessors();
        long fill = residentBlocksTotal * layout.teamsPerBlock();
        long perMember = perMemberBytes(arch, stride, traceLength);
        long shared = 4L * layout.ldp() * (arch.inputDim() + arch.outputDim()) + 24L * maxSteps + 64;
        long budget = (long) (freeBytes * (1 - HEADROOM)) - shared;
        // two chunk buffer sets: members' arrays plus the scratch of a full grid each
        long scratchPerSet = residentBlocksTotal * layout.blockScratchBytes();
        long maxChunk = budget <= 2 * scratchPerSet ? 0 : (budget - 2 * scratchPerSet) / (2 * perMember);
        if (maxChunk < 1) {
            // retry with the smallest grid: one block per set
            scratchPerSet = layout.blockScratchBytes();
            maxChunk = budget <= 2 * scratchPerSet ? 0 : (budget - 2 * scratchPerSet) / (2 * perMember);
            residentBlocksTotal = 1;
        }
        if (maxChunk < 1) {
            long need = shared + 2 * (perMember + layout.blockScratchBytes());
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "not even one member of %s fits on %s: it needs %d bytes of device memory (%d per member, %d"
                            + " scratch per block, %d shared, double-buffered), %d bytes are free (%.0f%% kept as headroom)",
                    arch, d.name(), need, perMember, layout.blockScratchBytes(), shared, freeBytes, HEADROOM * 100));
        }
        // every host staging array (parameters, trace) stays below 1 GiB
        long biggestArray = Math.max(4L * stride, 4L * traceLength);
        if (biggestArray > HOST_ARRAY_LIMIT) {
            throw new IllegalArgumentException("one member's parameters or loss trace (" + biggestArray + " bytes) exceed "
                    + HOST_ARRAY_LIMIT + " bytes");
        }
        maxChunk = Math.min(maxChunk, HOST_ARRAY_LIMIT / biggestArray);
        long preferred = Math.max(4 * fill, (members + 3) / 4);
        int override = Integer.getInteger(CHUNK_PROPERTY, 0);
        if (override > 0) preferred = override;
        int chunk = (int) Math.min(Math.min(members, maxChunk), preferred);
        int grid = (int) Math.max(1, Math.min(residentBlocksTotal, (chunk + layout.teamsPerBlock() - 1) / layout.teamsPerBlock()));
        long chunkBytes = chunk * perMember + (long) grid * layout.blockScratchBytes();
        return new CudaLaunchPlan(layout, blocksPerSm, chunk, grid, shared, perMember, chunkBytes);
    }

    public FusedLayout layout() {
        return layout;
    }

    /** Resident blocks per SM the plan assumes. */
    public int blocksPerMultiprocessor() {
        return blocksPerMultiprocessor;
    }

    /** Members per launch (the last chunk may be smaller). */
    public int chunkMembers() {
        return chunkMembers;
    }

    /** Blocks per launch; teams take members from a counter, so any grid covers any chunk. */
    public int gridBlocks() {
        return gridBlocks;
    }

    /** Number of chunks for {@code members} members. */
    public int chunks(int members) {
        return (members + chunkMembers - 1) / chunkMembers;
    }

    /** Device bytes of the shared inputs (X, Y, schedule). */
    public long sharedBytes() {
        return sharedBytes;
    }

    /** Device bytes one member needs in a chunk buffer set. */
    public long perMemberBytes() {
        return perMemberBytes;
    }

    /** Device bytes of one chunk buffer set (members and scratch). */
    public long chunkBytes() {
        return chunkBytes;
    }

    /** Total device memory the plan allocates: shared inputs and two chunk buffer sets. */
    public long deviceBytes() {
        return sharedBytes + 2 * chunkBytes;
    }

    @Override
    public String toString() {
        return layout + ", " + blocksPerMultiprocessor + " blocks/SM, chunks of " + chunkMembers + " members on "
                + gridBlocks + " blocks, " + deviceBytes() + " B device memory";
    }
}
