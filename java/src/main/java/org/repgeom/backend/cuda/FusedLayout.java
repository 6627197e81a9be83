package org.repgeom.backend.cuda;

import static org.repgeom.backend.cuda.TeamRegions.align;
import static org.repgeom.backend.cuda.TeamRegions.checkedInt;
import static org.repgeom.backend.cuda.TeamRegions.place;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * Where every array of the fused CUDA compute kernels lives, in floats: the block-shared part of shared
 * memory (X, Y), each team's region of shared memory, and each team's global scratch area — and the
 * {@code rg_cuda_config} bytes that tell the compute kernel (cuda/repgeom_train.cu) so. It trusts
 * these numbers; this class is their only source.
 *
 * <p>Shapes: every sample-axis array (X, Y, Z_l, A_l, F) is stored row-major with the odd row stride
 * {@code ldp = P | 1}; the parameters are kept in an internal layout where W_l has the odd row
 * stride {@code ldw_l = fanIn_l | 1} (odd strides keep the transposed reads of the GEMMs free of
 * shared-memory bank conflicts), followed by b_l. A team's shared region starts with its reduction
 * buffer, {@code 2 × (T / warp) × 4} doubles plus one int for broadcasting the member index, then
 * the partial sums of the readout's split GEMMs ({@link #split}; always in shared memory).
 * Arrays are placed per {@link Placement}: each class of arrays either in shared memory or in the
 * team's global scratch area, 16-byte aligned.
 */
public final class FusedLayout implements KernelLayout {
    /** Most hidden layers the kernels take (RG_MAX_DEPTH). */
    public static final int MAX_DEPTH = 16;
    /** The config's int fields before its per-layer arrays (fin, fout, ...): rg_cuda_config's order. */
    public static final int CONFIG_SCALAR_INTS = 29;
    /** sizeof(rg_cuda_config): 5 doubles and 29 + 9 × 17 ints. */
    public static final int CONFIG_BYTES = 5 * 8 + (CONFIG_SCALAR_INTS + 9 * (MAX_DEPTH + 1)) * 4;
    /** Most threads in a block (the kernels' launch bound). */
    public static final int MAX_BLOCK_THREADS = 256;
    /** Named barriers 1..15 serve the teams of a block. */
    public static final int MAX_TEAMS_PER_BLOCK = 15;
    /** Values one team reduction carries (RG_RED_VALS). */
    static final int RED_VALS = 4;
    /** Rows × columns of a thread's register tile in the team GEMM (RG_TR × RG_TC). */
    public static final int TILE_ROWS = 4;
    public static final int TILE_COLS = 4;
    /** Most k-slices of a split readout GEMM (RG_MAX_SPLIT). */
    public static final int MAX_SPLIT = 16;
    /** Fewest k values per slice worth a split. */
    static final int MIN_SLICE = 4;

    /**
     * Which classes of arrays live in global memory (bit values of RG_PLACE_*: 1 X and Y, 2 the hidden
     * layers' parameters, 4 the hidden layers' Z and A, 8 the optimiser moments, 16 F, 32 the readout
     * layer's parameters). In the planner's order: the arrays every GEMM reads (parameters, hidden
     * activations) leave shared memory last; the small ones (X, Y, the readout's weights, F) stay on
     * chip as long as they fit beside what had to go.
     */
    public enum Placement {
        /** Everything in shared memory: the on-chip path. */
        ON_CHIP(0),
        /** Optimiser moments in global memory (touched once per step, elementwise). */
        MOMENTS_GLOBAL(8),
        /** Moments, X and Y in global memory. */
        MOMENTS_XY_GLOBAL(8 | 1),
        /** Moments and the hidden layers' activations in global memory; parameters, X, Y and F on chip. */
        HIDDEN_ACTIVATIONS_GLOBAL(8 | 4),
        /** Moments, X, Y and all activations (F too) in global memory; parameters on chip. */
        ACTIVATIONS_GLOBAL(8 | 1 | 4 | 16),
        /**
         * The hidden layers' parameters and activations and all moments in global memory; X, Y, the
         * readout's parameters and F on chip (the large-width fallback, W1024 class).
         */
        HIDDEN_GLOBAL(8 | 4 | 2),
        /** Every array in global memory (only the reduction and split buffers in shared memory). */
        ALL_GLOBAL(8 | 1 | 4 | 2 | 16 | 32);

        final int bits;

        Placement(int bits) {
            this.bits = bits;
        }

        boolean xyGlobal() {
            return (bits & 1) != 0;
        }

        boolean thetaGlobal() {
            return (bits & 2) != 0;
        }

        boolean actGlobal() {
            return (bits & 4) != 0;
        }

        boolean momentsGlobal() {
            return (bits & 8) != 0;
        }

        boolean fGlobal() {
            return (bits & 16) != 0;
        }

        boolean readoutGlobal() {
            return (bits & 32) != 0;
        }

        /**
         * The training kernel compiled for this placement: {@code mlp_train_fused_<placement>} (the
         * placement is a compile-time constant there, so every array has a known memory space).
         */
        public String kernelName() {
            return "mlp_train_fused_" + name().toLowerCase(Locale.ROOT);
        }

        /** A short description for logs and {@code repgeom devices}. */
        public String describe() {
            return switch (this) {
                case ON_CHIP -> "fused, all on chip";
                case MOMENTS_GLOBAL -> "fused, optimizer moments in global memory";
                case MOMENTS_XY_GLOBAL -> "fused, moments and data in global memory";
                case HIDDEN_ACTIVATIONS_GLOBAL -> "fused, parameters and data on chip, hidden activations in global memory";
                case ACTIVATIONS_GLOBAL -> "fused, parameters on chip, activations in global memory";
                case HIDDEN_GLOBAL -> "fused, hidden layers in global memory, data and readout on chip";
                case ALL_GLOBAL -> "fused, global-memory fallback";
            };
        }
    }

    private final Architecture arch;
    private final ParamLayout params;
    private final int samples;
    private final int ldp;
    private final OptimizerKind optimizer;
    private final int teamThreads;
    private final int warp;
    private final int teamsPerBlock;
    private final Placement placement;
    private final int layers;
    private final int[] ldw, tw, tb, zOff, aOff;
    private final int thetaSize;
    private final int xOff, yOff, sharedFloats;
    private final int redOff, thetaOff, fOff, m1Off, m2Off, teamFloats, scratchFloats;
    private final int splitForward, splitWeight, partOff, partFloats, roOff;

    /**
     * The layout for one architecture on P samples, teams of {@code teamThreads} threads whose
     * warps have {@code warp} threads (32 on a GPU, 1 in the host emulation),
     * {@code teamsPerBlock} teams per block and the given placement.
     */
    public FusedLayout(Architecture arch, int samples, OptimizerKind optimizer, int teamThreads, int warp,
                       int teamsPerBlock, Placement placement) {
        if (arch.depth() > MAX_DEPTH) {
            throw new IllegalArgumentException("the CUDA kernels take at most " + MAX_DEPTH + " hidden layers, got " + arch.depth());
        }
        if (samples < 1) throw new IllegalArgumentException("samples must be positive");
        if (warp < 1 || teamThreads < warp || teamThreads % warp != 0) {
            throw new IllegalArgumentException("team of " + teamThreads + " threads is not a multiple of the warp " + warp);
        }
        if (teamsPerBlock < 1 || teamsPerBlock > MAX_TEAMS_PER_BLOCK || teamsPerBlock * teamThreads > MAX_BLOCK_THREADS) {
            throw new IllegalArgumentException(teamsPerBlock + " teams of " + teamThreads + " threads do not make a block");
        }
        this.arch = arch;
        this.params = new ParamLayout(arch);
        this.samples = samples;
        this.ldp = samples | 1;
        this.optimizer = optimizer;
        this.teamThreads = teamThreads;
        this.warp = warp;
        this.teamsPerBlock = teamsPerBlock;
        this.placement = placement;
        this.layers = arch.layerCount();
        ldw = new int[layers];
        tw = new int[layers];
        tb = new int[layers];
        long off = 0;
        for (int l = 0; l < layers; l++) {
            ldw[l] = arch.fanIn(l) | 1;
            tw[l] = (int) off;
            off += (long) arch.fanOut(l) * ldw[l];
            if (arch.hasBias(l)) {
                tb[l] = (int) off;
                off += arch.fanOut(l);
            } else {
                tb[l] = -1;
            }
        }
        thetaSize = checkedInt(off, "parameters");

        // block-shared part: X, Y
        long shared = 0;
        if (!placement.xyGlobal()) {
            xOff = 0;
            shared = align((long) arch.inputDim() * ldp);
            yOff = (int) shared;
            shared = align(shared + (long) arch.outputDim() * ldp);
        } else {
            xOff = 0;
            yOff = 0;
        }
        sharedFloats = checkedInt(shared, "shared data");

        // team region (shared) and team scratch (global)
        long[] region = {0, 0}; // [0] shared, [1] global
        redOff = 0;
        region[0] = align(2L * 2 * (teamThreads / warp) * RED_VALS + 2);
        // the readout's split GEMMs: forward F = W_L A (dY x P, k over fanIn), weight gradient G_F A^T
        // (dY x fanIn, k over P); their partial sums always in shared memory
        int out = arch.depth(), dY = arch.outputDim();
        splitForward = split(dY, samples, arch.fanIn(out));
        splitWeight = split(dY, arch.fanIn(out), samples);
        long part = 0;
        if (splitForward > 1) part = (long) splitForward * dY * samples;
        if (splitWeight > 1) part = Math.max(part, (long) splitWeight * dY * arch.fanIn(out));
        partFloats = checkedInt(part, "split partial sums");
        partOff = place(region, false, part);
        // the hidden layers' parameters [0, tw[L]) and the readout's [tw[L], thetaSize): one block where
        // both live in the same memory, else each in its own
        int readoutAt = tw[arch.depth()];
        if (placement.thetaGlobal() == placement.readoutGlobal()) {
            thetaOff = place(region, placement.thetaGlobal(), thetaSize);
            roOff = thetaOff + readoutAt;
        } else {
            thetaOff = place(region, placement.thetaGlobal(), readoutAt);
            roOff = place(region, placement.readoutGlobal(), (long) thetaSize - readoutAt);
        }
        zOff = new int[layers];
        aOff = new int[layers];
        for (int l = 0; l < arch.depth(); l++) {
            long n = (long) arch.width(l) * ldp;
            zOff[l] = place(region, placement.actGlobal(), n);
            aOff[l] = place(region, placement.actGlobal(), n);
        }
        fOff = place(region, placement.fGlobal(), (long) arch.outputDim() * ldp);
        m1Off = optimizer == OptimizerKind.GD ? 0 : place(region, placement.momentsGlobal(), thetaSize);
        m2Off = optimizer == OptimizerKind.ADAM ? place(region, placement.momentsGlobal(), thetaSize) : 0;
        teamFloats = checkedInt(region[0], "team region");
        scratchFloats = checkedInt(region[1], "team scratch");
    }

    /**
     * k-slices of a split GEMM with R x N outputs and k axis K (cuda: team_gemm_split): the largest
     * power of two up to {@link #MAX_SPLIT} whose (1 x {@value #TILE_COLS} tile, slice) work items
     * still fit one largest team ({@value #MAX_BLOCK_THREADS} threads) and whose slices keep at least
     * {@value #MIN_SLICE} k values. A function of the shape alone, never of the team: the sums, and
     * so the results, are the same bits for every team size.
     */
    static int split(int rows, int cols, int k) {
        long tiles = (long) rows * ((cols + TILE_COLS - 1) / TILE_COLS);
        int s = 1;
        while (s < MAX_SPLIT && tiles * 2 * s <= MAX_BLOCK_THREADS && k / (2 * s) >= MIN_SLICE) s *= 2;
        return s;
    }

    public Architecture architecture() {
        return arch;
    }

    public int samples() {
        return samples;
    }

    /** Row stride of the sample-axis arrays: P rounded up to odd. */
    public int ldp() {
        return ldp;
    }

    public int teamThreads() {
        return teamThreads;
    }

    public int teamsPerBlock() {
        return teamsPerBlock;
    }

    public int blockThreads() {
        return teamThreads * teamsPerBlock;
    }

    public Placement placement() {
        return placement;
    }

    @Override
    public String kernelName() {
        return placement.kernelName();
    }

    /** Floats of the internal parameter layout. */
    public int thetaSize() {
        return thetaSize;
    }

    /** Offset of the readout's parameters (W_L, then b_L) in its memory (team region or scratch). */
    public int readoutOffset() {
        return roOff;
    }

    /** Internal offset of W_L: the hidden layers' parameters are [0, this), the readout's [this, thetaSize). */
    public int readoutStart() {
        return tw[arch.depth()];
    }

    public int sharedFloats() {
        return sharedFloats;
    }

    public int teamFloats() {
        return teamFloats;
    }

    public int scratchFloats() {
        return scratchFloats;
    }

    /** k-slices of the readout's forward GEMM (1: not split). */
    public int splitForward() {
        return splitForward;
    }

    /** k-slices of the readout's weight-gradient GEMM (1: not split). */
    public int splitWeight() {
        return splitWeight;
    }

    /** Offset and size (floats) of the split GEMMs' partial sums in each team's shared region. */
    public int partOffset() {
        return partOff;
    }

    public int partFloats() {
        return partFloats;
    }

    /** Dynamic shared memory of one block, bytes. */
    public long blockSharedBytes() {
        return 4L * (sharedFloats + (long) teamsPerBlock * teamFloats);
    }

    /** Global scratch of one block, bytes. */
    public long blockScratchBytes() {
        return 4L * teamsPerBlock * scratchFloats;
    }

    /** X padded to the kernel's layout: dX × ldp floats, row-major, padding zero. */
    public float[] pad(double[] rowsBySamples, int rows) {
        float[] out = new float[rows * ldp];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < samples; t++) out[i * ldp + t] = (float) rowsBySamples[i * samples + t];
        }
        return out;
    }

    /**
     * The rg_cuda_config bytes (little-endian, as the struct in cuda/repgeom_train.cu) for a run with
     * these optimiser settings and stop rule. {@code opt} and {@code stop} may be null for
     * mlp_forward / philox_init, which read only the shape.
     */
    public byte[] config(OptimizerSettings opt, StopRule stop) {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(opt == null ? 0 : opt.momentum());
        b.putDouble(opt == null ? 0 : opt.beta1());
        b.putDouble(opt == null ? 0 : opt.beta2());
        b.putDouble(opt == null ? 1 : opt.eps());
        b.putDouble(stop == null ? 0 : stop.tol());
        b.putInt(arch.depth());
        b.putInt(layers);
        b.putInt(arch.activation().ordinal());
        b.putInt(optimizer.ordinal());
        b.putInt(samples);
        b.putInt(ldp);
        b.putInt(stop == null ? 1 : stop.maxSteps());
        b.putInt(stop == null ? 1 : stop.window());
        b.putInt(stop == null ? 1 : stop.traceEvery());
        b.putInt(stop == null ? 1 : stop.traceLength());
        b.putInt(params.stride());
        b.putInt(thetaSize);
        b.putInt(teamThreads);
        b.putInt(teamsPerBlock);
        b.putInt(sharedFloats);
        b.putInt(teamFloats);
        b.putInt(scratchFloats);
        b.putInt(placement.bits);
        b.putInt(xOff);
        b.putInt(yOff);
        b.putInt(thetaOff);
        b.putInt(fOff);
        b.putInt(m1Off);
        b.putInt(m2Off);
        b.putInt(redOff);
        b.putInt(splitForward);
        b.putInt(splitWeight);
        b.putInt(partOff);
        b.putInt(roOff);
        putPerLayer(b, l -> arch.fanIn(l));
        putPerLayer(b, l -> arch.fanOut(l));
        putPerLayer(b, l -> ldw[l]);
        putPerLayer(b, l -> tw[l]);
        putPerLayer(b, l -> tb[l]);
        putPerLayer(b, params::weight);
        putPerLayer(b, params::bias);
        putPerLayer(b, l -> l < arch.depth() ? zOff[l] : 0);
        putPerLayer(b, l -> l < arch.depth() ? aOff[l] : 0);
        if (b.position() != CONFIG_BYTES) throw new AssertionError("config size " + b.position());
        return b.array();
    }

    private void putPerLayer(ByteBuffer b, java.util.function.IntUnaryOperator f) {
        for (int l = 0; l <= MAX_DEPTH; l++) b.putInt(l < layers ? f.applyAsInt(l) : 0);
    }

    public String toString() {
        return "FusedLayout[" + arch + ", P=" + samples + ", " + teamsPerBlock + " x " + teamThreads + " threads, "
                + placement.describe() + ", " + blockSharedBytes() + " B shared/block, " + 4L * scratchFloats
                + " B scratch/team]";
    }
}
