package org.repgeom.backend.cuda;

import static org.repgeom.backend.cuda.TeamRegions.align;
import static org.repgeom.backend.cuda.TeamRegions.checkedInt;
import static org.repgeom.backend.cuda.TeamRegions.place;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * Where every array of the recurrent compute kernel ({@code rnn_train_fused}, cuda/repgeom_rnn.cu) lives,
 * in floats, and the {@code rg_rnn_cuda_config} bytes that tell the kernel so; the recurrent twin of
 * {@link FusedLayout}.
 *
 * <p>Per member (width M, T steps, P samples, {@code ldp = P | 1}): the parameters in an internal layout
 * (U with row stride {@code dX | 1}, b, W and W_out with row stride {@code M | 1}); Z and H, M rows of
 * {@code ldr = (T·ldp) | 1} floats where column {@code t·ldp} of row i holds Z_t and h_{t+1} of unit i
 * (every time step of BPTT kept on chip, and the recurrent weight gradient one GEMM over the
 * concatenated columns); the input term U x + b and the summed input gradient (M × ldp each); F (dY × ldp);
 * the optimiser moments. Two placements: all of it in the team's shared-memory region
 * ({@link FusedLayout.Placement#ON_CHIP}), or all but the reduction buffer in the team's global scratch
 * area with X and Y read from global memory ({@link FusedLayout.Placement#ALL_GLOBAL}).
 */
public final class RnnLayout implements KernelLayout {
    /** sizeof(rg_rnn_cuda_config): 5 doubles and 40 ints. */
    public static final int CONFIG_BYTES = 5 * 8 + 40 * 4;

    private final Architecture arch;
    private final ParamLayout params;
    private final int samples;
    private final int ldp;
    private final int ldr;
    private final OptimizerKind optimizer;
    private final int teamThreads;
    private final int teamsPerBlock;
    private final FusedLayout.Placement placement;
    private final int ldu, ldw, tu, tb, tw, tv, thetaSize;
    private final int xOff, yOff, sharedFloats;
    private final int redOff, thetaOff, zOff, hOff, inOff, gaOff, fOff, m1Off, m2Off, teamFloats, scratchFloats;

    /**
     * The layout of a recurrent architecture on P samples: teams of {@code teamThreads} threads in warps of
     * {@code warp} (32 on a GPU, 1 or 32 in the host emulation), {@code teamsPerBlock} teams per block,
     * placement ON_CHIP or ALL_GLOBAL.
     */
    public RnnLayout(Architecture arch, int samples, OptimizerKind optimizer, int teamThreads, int warp, int teamsPerBlock,
                     FusedLayout.Placement placement) {
        if (!arch.isRecurrent()) throw new IllegalArgumentException(arch + " is not recurrent");
        if (placement != FusedLayout.Placement.ON_CHIP && placement != FusedLayout.Placement.ALL_GLOBAL) {
            throw new IllegalArgumentException("the recurrent kernel runs on chip or all global, not " + placement);
        }
        if (samples < 1) throw new IllegalArgumentException("samples must be positive");
        if (warp < 1 || teamThreads < warp || teamThreads % warp != 0) {
            throw new IllegalArgumentException("team of " + teamThreads + " threads is not a multiple of the warp " + warp);
        }
        if (teamsPerBlock < 1 || teamsPerBlock > FusedLayout.MAX_TEAMS_PER_BLOCK
                || teamsPerBlock * teamThreads > FusedLayout.MAX_BLOCK_THREADS) {
            throw new IllegalArgumentException(teamsPerBlock + " teams of " + teamThreads + " threads do not make a block");
        }
        this.arch = arch;
        this.params = new ParamLayout(arch);
        this.samples = samples;
        this.ldp = samples | 1;
        int m = arch.width(0), steps = arch.recurrence().timeSteps();
        this.ldr = checkedInt(((long) steps * ldp) | 1, "time steps");
        this.optimizer = optimizer;
        this.teamThreads = teamThreads;
        this.teamsPerBlock = teamsPerBlock;
        this.placement = placement;
        ldu = arch.inputDim() | 1;
        ldw = m | 1;
        tu = 0;
        tb = checkedInt((long) m * ldu, "parameters");
        tw = checkedInt(tb + (long) m, "parameters");
        tv = checkedInt(tw + (long) m * ldw, "parameters");
        thetaSize = checkedInt(tv + (long) arch.outputDim() * ldw, "parameters");

        boolean global = placement == FusedLayout.Placement.ALL_GLOBAL;
        xOff = 0;
        yOff = global ? 0 : checkedInt(align((long) arch.inputDim() * ldp), "shared data");
        sharedFloats = global ? 0 : checkedInt(align(yOff + (long) arch.outputDim() * ldp), "shared data");

        long[] region = {0, 0}; // [0] team's shared region, [1] team's global scratch
        redOff = 0;
        region[0] = align(2L * 2 * (teamThreads / warp) * FusedLayout.RED_VALS + 2);
        thetaOff = place(region, global, thetaSize);
        zOff = place(region, global, (long) m * ldr);
        hOff = place(region, global, (long) m * ldr);
        inOff = place(region, global, (long) m * ldp);
        gaOff = place(region, global, (long) m * ldp);
        fOff = place(region, global, (long) arch.outputDim() * ldp);
        m1Off = optimizer == OptimizerKind.GD ? 0 : place(region, global, thetaSize);
        m2Off = optimizer == OptimizerKind.ADAM ? place(region, global, thetaSize) : 0;
        teamFloats = checkedInt(region[0], "team region");
        scratchFloats = checkedInt(region[1], "team scratch");
    }

    @Override
    public Architecture architecture() {
        return arch;
    }

    @Override
    public int samples() {
        return samples;
    }

    /** Row stride of the sample-axis arrays: P rounded up to odd. */
    public int ldp() {
        return ldp;
    }

    /** Row stride of Z and H: T·ldp rounded up to odd. */
    public int ldr() {
        return ldr;
    }

    @Override
    public int teamThreads() {
        return teamThreads;
    }

    @Override
    public int teamsPerBlock() {
        return teamsPerBlock;
    }

    @Override
    public int blockThreads() {
        return teamThreads * teamsPerBlock;
    }

    public FusedLayout.Placement placement() {
        return placement;
    }

    /** The kernel compiled for this placement: {@code rnn_train_fused_on_chip} or {@code rnn_train_fused_all_global}. */
    @Override
    public String kernelName() {
        return placement.kernelName().replace("mlp_", "rnn_");
    }

    public int thetaSize() {
        return thetaSize;
    }

    public int teamFloats() {
        return teamFloats;
    }

    public int scratchFloats() {
        return scratchFloats;
    }

    @Override
    public long blockSharedBytes() {
        return 4L * (sharedFloats + (long) teamsPerBlock * teamFloats);
    }

    @Override
    public long blockScratchBytes() {
        return 4L * teamsPerBlock * scratchFloats;
    }

    @Override
    public float[] pad(double[] rowsBySamples, int rows) {
        float[] out = new float[rows * ldp];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < samples; t++) out[i * ldp + t] = (float) rowsBySamples[i * samples + t];
        }
        return out;
    }

    /** The rg_rnn_cuda_config bytes (little-endian, field by field as the struct in cuda/repgeom_rnn.cu). */
    @Override
    public byte[] config(OptimizerSettings opt, StopRule stop) {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(opt.momentum()).putDouble(opt.beta1()).putDouble(opt.beta2()).putDouble(opt.eps()).putDouble(stop.tol());
        int[] ints = {arch.inputDim(), arch.width(0), arch.outputDim(), arch.recurrence().timeSteps(),
            arch.recurrence().inputAt(1) ? 1 : 0, arch.activation().ordinal(), optimizer.ordinal(), samples, ldp, ldr,
            stop.maxSteps(), stop.window(), stop.traceEvery(), stop.traceLength(), params.stride(), thetaSize,
            teamThreads, teamsPerBlock, sharedFloats, teamFloats, scratchFloats, placement.bits, xOff, yOff, redOff,
            thetaOff, zOff, hOff, inOff, gaOff, fOff, m1Off, m2Off, ldu, ldw, tu, tb, tw, tv, 0};
        for (int v : ints) b.putInt(v);
        if (b.position() != CONFIG_BYTES) throw new AssertionError("config size " + b.position());
        return b.array();
    }

    @Override
    public String toString() {
        return "RnnLayout[" + arch + ", P=" + samples + ", " + teamsPerBlock + " x " + teamThreads + " threads, "
                + placement.describe() + ", " + blockSharedBytes() + " B shared/block, " + 4L * scratchFloats
                + " B scratch/team]";
    }
}
