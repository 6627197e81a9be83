package org.repgeom.backend.cuda;

import java.util.Locale;
import org.repgeom.model.Architecture;
import org.repgeom.train.OptimizerKind;

/**
 * How a recurrent group is trained by rnn_train_fused on one device: the {@link RnnLayout} (team size,
 * teams per block, placement), resident blocks, grid and chunk size. The rules of {@link CudaLaunchPlan}:
 * a team of 32…256 threads (the tiles of the step's largest GEMM), all arrays on chip with the
 * teams-per-block that keeps the most members resident, else every array in global scratch; chunks as
 * large as two chunk buffer sets allow in the free memory less headroom, at most about four times what
 * fills the device ({@code -Drepgeom.cuda.chunk=N} caps them). Plain Java, tested without a GPU.
 */
public final class RnnLaunchPlan implements KernelPlan {
    private final RnnLayout layout;
    private final int blocksPerMultiprocessor;
    private final int chunkMembers;
    private final int gridBlocks;

    private RnnLaunchPlan(RnnLayout layout, int blocksPerSm, int chunkMembers, int gridBlocks) {
        this.layout = layout;
        this.blocksPerMultiprocessor = blocksPerSm;
        this.chunkMembers = chunkMembers;
        this.gridBlocks = gridBlocks;
    }

    /** Threads per team: the 4 × 4 tiles of the largest GEMM of a step, rounded up to a warp, in [32, 256]. */
    public static int teamThreads(Architecture arch, int samples) {
        long m = arch.width(0), dX = arch.inputDim(), dY = arch.outputDim();
        long tiles = Math.max(Math.max(tiles(m, samples), tiles(m, m)), Math.max(tiles(m, dX), tiles(dY, Math.max(m, samples))));
        long t = (tiles + CudaLaunchPlan.WARP - 1) / CudaLaunchPlan.WARP * CudaLaunchPlan.WARP;
        return (int) Math.max(CudaLaunchPlan.WARP, Math.min(FusedLayout.MAX_BLOCK_THREADS, t));
    }

    private static long tiles(long rows, long cols) {
        return ((rows + FusedLayout.TILE_ROWS - 1) / FusedLayout.TILE_ROWS) * ((cols + FusedLayout.TILE_COLS - 1) / FusedLayout.TILE_COLS);
    }

    /** The layout: on chip with the best teams per block, else all global (registers: of that variant, 0 if unknown). */
    public static RnnLayout chooseLayout(Architecture arch, int samples, OptimizerKind opt, DeviceLimits d,
                                         java.util.function.ToIntFunction<FusedLayout.Placement> registers) {
        int team = teamThreads(arch, samples);
        for (FusedLayout.Placement placement : new FusedLayout.Placement[] {FusedLayout.Placement.ON_CHIP, FusedLayout.Placement.ALL_GLOBAL}) {
            RnnLayout best = null;
            long bestMembers = 0;
            int maxTeams = Math.min(FusedLayout.MAX_TEAMS_PER_BLOCK, FusedLayout.MAX_BLOCK_THREADS / team);
            for (int b = 1; b <= maxTeams; b++) {
                RnnLayout l = new RnnLayout(arch, samples, opt, team, CudaLaunchPlan.WARP, b, placement);
                if (l.blockSharedBytes() > d.sharedPerBlockOptin()) break;
                long members = (long) b * CudaLaunchPlan.residentBlocks(d, l.blockThreads(), l.blockSharedBytes(),
                        registers.applyAsInt(placement));
                if (members > bestMembers) {
                    best = l;
                    bestMembers = members;
                }
            }
            if (best != null) return best;
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s on %d samples does not fit %s even with every array"
                + " in global memory", arch, samples, d.name()));
    }

    /**
     * Plans training {@code members} recurrent members on device {@code d} with {@code freeBytes} free.
     *
     * @throws IllegalArgumentException when not even one member fits, with the numbers
     */
    public static RnnLaunchPlan plan(Architecture arch, int samples, OptimizerKind opt, int stride, int traceLength,
                                     int maxSteps, int members, DeviceLimits d,
                                     java.util.function.ToIntFunction<FusedLayout.Placement> registers, long freeBytes) {
        RnnLayout layout = chooseLayout(arch, samples, opt, d, registers);
        int blocksPerSm = Math.max(1, CudaLaunchPlan.residentBlocks(d, layout.blockThreads(), layout.blockSharedBytes(),
                registers.applyAsInt(layout.placement())));
        long residentBlocks = (long) blocksPerSm * d.multiprocessors();
        long perMember = CudaLaunchPlan.perMemberBytes(arch, stride, traceLength);
        long shared = 4L * layout.ldp() * (arch.inputDim() + arch.outputDim()) + 24L * maxSteps + 64;
        long budget = (long) (freeBytes * (1 - CudaLaunchPlan.HEADROOM)) - shared;
        // two chunk buffer sets, each with the scratch of a full grid (or, where that leaves no room, of one block)
        long scratchPerSet = residentBlocks * layout.blockScratchBytes();
        long maxChunk = budget <= 2 * scratchPerSet ? 0 : (budget - 2 * scratchPerSet) / (2 * perMember);
        if (maxChunk < 1) {
            residentBlocks = 1;
            scratchPerSet = layout.blockScratchBytes();
            maxChunk = budget <= 2 * scratchPerSet ? 0 : (budget - 2 * scratchPerSet) / (2 * perMember);
        }
        if (maxChunk < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "not even one member of %s fits on %s: it needs %d bytes of device memory (%d per member, %d scratch"
                            + " per block, %d shared, double-buffered), %d bytes are free (%.0f%% kept as headroom)",
                    arch, d.name(), shared + 2 * (perMember + layout.blockScratchBytes()), perMember,
                    layout.blockScratchBytes(), shared, freeBytes, CudaLaunchPlan.HEADROOM * 100));
        }
        maxChunk = Math.min(maxChunk, CudaLaunchPlan.HOST_ARRAY_LIMIT / Math.max(4L * stride, 4L * traceLength));
        long preferred = Math.max(4L * blocksPerSm * d.multiprocessors() * layout.teamsPerBlock(), (members + 3) / 4);
        int override = Integer.getInteger(CudaLaunchPlan.CHUNK_PROPERTY, 0);
        if (override > 0) preferred = override;
        int chunk = (int) Math.max(1, Math.min(Math.min(members, maxChunk), preferred));
        int blocks = (int) Math.max(1, Math.min(residentBlocks, (chunk + layout.teamsPerBlock() - 1) / layout.teamsPerBlock()));
        return new RnnLaunchPlan(layout, blocksPerSm, chunk, blocks);
    }

    @Override
    public RnnLayout layout() {
        return layout;
    }

    public int blocksPerMultiprocessor() {
        return blocksPerMultiprocessor;
    }

    @Override
    public int chunkMembers() {
        return chunkMembers;
    }

    @Override
    public int gridBlocks() {
        return gridBlocks;
    }

    @Override
    public String toString() {
        return layout + ", " + blocksPerMultiprocessor + " blocks/SM, chunks of " + chunkMembers + " members on "
                + gridBlocks + " blocks";
    }
}
