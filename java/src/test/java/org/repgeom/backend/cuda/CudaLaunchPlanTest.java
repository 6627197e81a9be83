package org.repgeom.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.repgeom.backend.cuda.FusedLayout.Placement;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/** The kernel layout and the chunk planner: plain Java, no GPU. */
class CudaLaunchPlanTest {

    static Architecture workload(int width) {
        return Architecture.twoLayer(64, width, 3, Activation.RELU);
    }

    static CudaLaunchPlan plan(Architecture arch, OptimizerKind opt, int members, DeviceLimits d, long free) {
        return CudaLaunchPlan.plan(arch, 64, opt, new ParamLayout(arch).stride(), 11, 1000, members, d, 120, free);
    }

    @Test
    void teamSizeFollowsTheLargestGemm() {
        // W16: 16 x 64 outputs = 64 tiles of 4 x 4 -> 64 threads; W64: 256 tiles; wider: capped at 256
        assertEquals(64, CudaLaunchPlan.teamThreads(workload(16), 64));
        assertEquals(256, CudaLaunchPlan.teamThreads(workload(64), 64));
        assertEquals(256, CudaLaunchPlan.teamThreads(workload(1024), 64));
        // tiny: one warp
        assertEquals(32, CudaLaunchPlan.teamThreads(new Architecture(6, new int[] {7, 5}, 2, Activation.TANH, false), 12));
        // the weight gradient can be the largest: 40 x 200 = 10 x 50 tiles = 500 -> 256
        assertEquals(256, CudaLaunchPlan.teamThreads(Architecture.twoLayer(200, 40, 2, Activation.RELU), 4));
        // the hidden error of layer 1: fanIn(1) = 30 x P = 8 -> 8 x 2 = 16 tiles; first layer 30 x 8 -> 16; -> 32
        assertEquals(32, CudaLaunchPlan.teamThreads(new Architecture(3, new int[] {30, 3}, 1, Activation.RELU, true), 8));
    }

    /** [start, end) intervals in floats must not overlap. */
    static void assertDisjoint(List<long[]> intervals, String what) {
        for (int i = 0; i < intervals.size(); i++) {
            for (int j = i + 1; j < intervals.size(); j++) {
                long[] a = intervals.get(i), b = intervals.get(j);
                assertTrue(a[1] <= b[0] || b[1] <= a[0], what + ": [" + a[0] + "," + a[1] + ") and [" + b[0] + "," + b[1] + ") overlap");
            }
        }
    }

    @Test
    void layoutAndConfigBytesMatchTheKernelStruct() {
        Architecture arch = new Architecture(19, new int[] {20, 33}, 3, Activation.GELU, true);
        ParamLayout pl = new ParamLayout(arch);
        for (Placement place : Placement.values()) {
            FusedLayout l = new FusedLayout(arch, 24, OptimizerKind.ADAM, 64, 32, 2, place);
            assertEquals(25, l.ldp(), "P = 24 -> odd stride 25");
            byte[] cfg = l.config(OptimizerSettings.adam(0.1), new StopRule(500, 1e-7, 50, 20));
            assertEquals(FusedLayout.CONFIG_BYTES, cfg.length);
            assertEquals(768, cfg.length, "sizeof(rg_cuda_config)");
            ByteBuffer b = ByteBuffer.wrap(cfg).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0.9, b.getDouble(0), 0.0);     // momentum
            assertEquals(0.999, b.getDouble(16), 0.0);  // beta2
            assertEquals(1e-7, b.getDouble(32), 0.0);   // tol
            int i = 40;
            int depth = b.getInt(i), layers = b.getInt(i + 4), act = b.getInt(i + 8), opt = b.getInt(i + 12);
            int samples = b.getInt(i + 16), ldp = b.getInt(i + 20), maxSteps = b.getInt(i + 24), window = b.getInt(i + 28);
            int traceEvery = b.getInt(i + 32), traceLen = b.getInt(i + 36), stride = b.getInt(i + 40), theta = b.getInt(i + 44);
            int team = b.getInt(i + 48), tpb = b.getInt(i + 52), shared = b.getInt(i + 56), teamFloats = b.getInt(i + 60);
            int scratch = b.getInt(i + 64), placeBits = b.getInt(i + 68), xOff = b.getInt(i + 72), yOff = b.getInt(i + 76);
            int thetaOff = b.getInt(i + 80), fOff = b.getInt(i + 84), m1Off = b.getInt(i + 88), m2Off = b.getInt(i + 92);
            int redOff = b.getInt(i + 96);
            int splitFwd = b.getInt(i + 100), splitWg = b.getInt(i + 104), partOff = b.getInt(i + 108), roOff = b.getInt(i + 112);
            int perLayer = i + 116, L = FusedLayout.MAX_DEPTH + 1;
            assertEquals(2, depth);
            assertEquals(3, layers);
            assertEquals(Activation.GELU.ordinal(), act);
            assertEquals(OptimizerKind.ADAM.ordinal(), opt);
            assertEquals(24, samples);
            assertEquals(25, ldp);
            assertEquals(500, maxSteps);
            assertEquals(50, window);
            assertEquals(20, traceEvery);
            assertEquals(26, traceLen);
            assertEquals(pl.stride(), stride);
            assertEquals(64, team);
            assertEquals(2, tpb);
            assertEquals(l.thetaSize(), theta);
            assertEquals(l.sharedFloats(), shared);
            assertEquals(l.teamFloats(), teamFloats);
            assertEquals(l.scratchFloats(), scratch);
            assertEquals(place.bits, placeBits);
            assertEquals(0, redOff);
            // readout 3 x 24 over fanIn 33: 3 x 6 tiles -> 8 slices (144 items), 33 / 8 >= 4 k each;
            // weight gradient 3 x 33 over P = 24: 3 x 9 tiles -> 4 slices (108 items; 8 would leave 3 k per slice)
            assertEquals(8, splitFwd);
            assertEquals(4, splitWg);
            assertEquals(Math.max(8 * 3 * 24, 4 * 3 * 33), l.partFloats());
            assertEquals(partOff, l.partOffset());
            int[] fin = new int[3], fout = new int[3], ldw = new int[3], tw = new int[3], tb = new int[3], pw = new int[3],
                    pb = new int[3], z = new int[3], a = new int[3];
            int[][] arrays = {fin, fout, ldw, tw, tb, pw, pb, z, a};
            for (int k = 0; k < arrays.length; k++) {
                for (int l2 = 0; l2 < 3; l2++) arrays[k][l2] = b.getInt(perLayer + 4 * (k * L + l2));
                for (int l2 = 3; l2 < L; l2++) assertEquals(0, b.getInt(perLayer + 4 * (k * L + l2)), "unused layers are zero");
            }
            // internal parameter layout: odd strides, W then b, packed offsets as ParamLayout
            List<long[]> theta0 = new ArrayList<>();
            for (int l2 = 0; l2 < 3; l2++) {
                assertEquals(arch.fanIn(l2), fin[l2]);
                assertEquals(arch.fanOut(l2), fout[l2]);
                assertEquals(1, ldw[l2] % 2);
                assertTrue(ldw[l2] >= fin[l2] && ldw[l2] <= fin[l2] + 1);
                assertEquals(pl.weight(l2), pw[l2]);
                assertEquals(pl.bias(l2), pb[l2]);
                theta0.add(new long[] {tw[l2], tw[l2] + (long) fout[l2] * ldw[l2]});
                if (l2 < 2) {
                    assertTrue(tb[l2] >= 0, "bias on every hidden layer");
                    theta0.add(new long[] {tb[l2], tb[l2] + fout[l2]});
                } else {
                    assertEquals(-1, tb[l2], "no readout bias");
                    if (place.thetaGlobal() == place.readoutGlobal()) {
                        assertEquals(thetaOff + tw[l2], roOff, "the readout's parameters where the internal layout puts them");
                    }
                }
            }
            assertDisjoint(theta0, "parameters");
            // team region (shared) and scratch (global): each array where its placement says, none overlapping
            List<long[]> inShared = new ArrayList<>(), inGlobal = new ArrayList<>();
            inShared.add(new long[] {0, 2L * 2 * (64 / 32) * 4 + 2});
            inShared.add(new long[] {partOff, partOff + l.partFloats()});
            if (place.thetaGlobal() == place.readoutGlobal()) {
                (place.thetaGlobal() ? inGlobal : inShared).add(new long[] {thetaOff, thetaOff + theta}); // one block
            } else {
                int readoutAt = tw[2];
                (place.thetaGlobal() ? inGlobal : inShared).add(new long[] {thetaOff, thetaOff + readoutAt});
                (place.readoutGlobal() ? inGlobal : inShared).add(new long[] {roOff, roOff + theta - readoutAt});
            }
            for (int l2 = 0; l2 < 2; l2++) {
                (place.actGlobal() ? inGlobal : inShared).add(new long[] {z[l2], z[l2] + (long) fout[l2] * ldp});
                (place.actGlobal() ? inGlobal : inShared).add(new long[] {a[l2], a[l2] + (long) fout[l2] * ldp});
            }
            (place.fGlobal() ? inGlobal : inShared).add(new long[] {fOff, fOff + 3L * ldp});
            (place.momentsGlobal() ? inGlobal : inShared).add(new long[] {m1Off, m1Off + theta});
            (place.momentsGlobal() ? inGlobal : inShared).add(new long[] {m2Off, m2Off + theta});
            assertDisjoint(inShared, place + " shared");
            assertDisjoint(inGlobal, place + " global");
            for (long[] r : inShared) {
                assertTrue(r[1] <= teamFloats, place + ": shared array past the team region");
                assertEquals(0, r[0] % 4, "16-byte aligned");
            }
            for (long[] r : inGlobal) {
                assertTrue(r[1] <= scratch, place + ": global array past the scratch");
                assertEquals(0, r[0] % 4, "16-byte aligned");
            }
            assertEquals(0, teamFloats % 2, "team regions keep 8-byte alignment for the reduction doubles");
            if (place.xyGlobal()) {
                assertEquals(0, shared);
            } else {
                assertEquals(0, xOff);
                assertTrue(yOff >= 19 * ldp && shared >= yOff + 3 * ldp && shared % 2 == 0);
            }
            assertEquals(4L * (shared + 2L * teamFloats), l.blockSharedBytes());
        }
    }

    @Test
    void readoutSplitsDependOnTheShapeOnly() {
        // W16..W1024 on P = 64 with 3 outputs: the forward (3 x 64 outputs, 48 tiles of 1 x 4) takes 4 slices
        // (192 work items); the weight gradient (3 x W outputs over 64 samples): 16 slices at W16 (12 tiles),
        // 4 at W64 (48 tiles), none from W256 on (192 tiles already)
        int[][] expect = {{16, 4, 16}, {64, 4, 4}, {256, 4, 1}, {1024, 4, 1}};
        for (int[] e : expect) {
            for (int team : new int[] {32, 64, 256}) {
                FusedLayout l = new FusedLayout(workload(e[0]), 64, OptimizerKind.GD, team, 32, 1, Placement.ON_CHIP);
                assertEquals(e[1], l.splitForward(), "W" + e[0] + " forward, T = " + team);
                assertEquals(e[2], l.splitWeight(), "W" + e[0] + " weight gradient, T = " + team);
                // a split never makes more work items than one largest team has threads
                long items = Math.max(e[1] * 48L, e[2] > 1 ? e[2] * 3L * ((e[0] + 3) / 4) : 0);
                assertTrue(items <= FusedLayout.MAX_BLOCK_THREADS, "W" + e[0] + ": " + items + " work items");
            }
        }
        // a short k axis is not cut below 4 values per slice; a single output row still fills a team
        assertEquals(1, FusedLayout.split(1, 4, 7));
        assertEquals(2, FusedLayout.split(1, 4, 8));
        assertEquals(16, FusedLayout.split(1, 4, 1 << 20));
        assertEquals(1, FusedLayout.split(64, 64, 1 << 20));
    }

    @Test
    void layoutsRejectImpossibleTeams() {
        Architecture arch = workload(16);
        assertThrows(IllegalArgumentException.class, () -> new FusedLayout(arch, 64, OptimizerKind.GD, 48, 32, 1, Placement.ON_CHIP));
        assertThrows(IllegalArgumentException.class, () -> new FusedLayout(arch, 64, OptimizerKind.GD, 256, 32, 2, Placement.ON_CHIP));
        assertThrows(IllegalArgumentException.class, () -> new FusedLayout(arch, 64, OptimizerKind.GD, 1, 1, 16, Placement.ON_CHIP));
        assertThrows(IllegalArgumentException.class, () -> new FusedLayout(new Architecture(4, filled(17), 2, Activation.RELU, false),
                8, OptimizerKind.GD, 32, 32, 1, Placement.ON_CHIP));
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 3);
        return a;
    }

    /** An H200 (sm_90: the H100's shared memory and SMs, 141 GB); the planner sees only these limits. */
    static DeviceLimits h200() {
        return new DeviceLimits("NVIDIA H200", 9, 0, 132, 232_448, 233_472, 1024, 2048, 32, 65_536, 150_000_000_000L);
    }

    /**
     * The large-width fallback keeps X, Y, the readout's parameters and F in shared memory: at W1024 those
     * arrays are in the block's and team's shared regions (disjoint, aligned), the hidden layers' arrays in
     * the scratch, and the block fits every device; a shape whose data cannot stay on chip beside the
     * reduction buffers still falls back to ALL_GLOBAL.
     */
    @Test
    void largeWidthFallbackKeepsDataReadoutAndOutputsOnChip() {
        Architecture arch = workload(1024);
        for (DeviceLimits d : new DeviceLimits[] {DeviceLimits.h100(), DeviceLimits.a100(), DeviceLimits.rtx4090(), h200()}) {
            for (OptimizerKind k : OptimizerKind.values()) {
                FusedLayout l = CudaLaunchPlan.chooseLayout(arch, 64, k, d, 120);
                assertEquals(Placement.HIDDEN_GLOBAL, l.placement(), d.name());
                assertTrue(l.blockSharedBytes() <= d.sharedPerBlockOptin(), l + " on " + d.name());
                ByteBuffer b = ByteBuffer.wrap(l.config(OptimizerSettings.gd(), new StopRule(10, 0, 5, 5))).order(ByteOrder.LITTLE_ENDIAN);
                int ldp = 65, shared = b.getInt(40 + 56), teamFloats = b.getInt(40 + 60), scratch = b.getInt(40 + 64);
                int xOff = b.getInt(40 + 72), yOff = b.getInt(40 + 76), thetaOff = b.getInt(40 + 80), fOff = b.getInt(40 + 84);
                int m1Off = b.getInt(40 + 88), m2Off = b.getInt(40 + 92), roOff = b.getInt(40 + 112);
                int readout = l.thetaSize() - l.readoutStart();
                assertEquals(3 * 1025, readout, "W_L: 3 rows of stride 1025");
                // block-shared: X (64 x 65) then Y (3 x 65)
                assertEquals(0, xOff);
                assertTrue(yOff >= 64 * ldp && yOff % 4 == 0 && shared >= yOff + 3 * ldp, "X, Y on chip");
                // team region: reduction + split buffers, W_L, F; no overlap, all inside, aligned
                List<long[]> inShared = new ArrayList<>();
                inShared.add(new long[] {0, 2L * 2 * (l.teamThreads() / 32) * 4 + 2});
                inShared.add(new long[] {l.partOffset(), l.partOffset() + l.partFloats()});
                inShared.add(new long[] {roOff, roOff + readout});
                inShared.add(new long[] {fOff, fOff + 3L * ldp});
                assertDisjoint(inShared, d.name() + " shared");
                for (long[] r : inShared) {
                    assertTrue(r[1] <= teamFloats && r[0] % 4 == 0, d.name() + ": [" + r[0] + "," + r[1] + ") in " + teamFloats);
                }
                // scratch: the hidden layer's parameters, Z, A and the moments
                List<long[]> inGlobal = new ArrayList<>();
                inGlobal.add(new long[] {thetaOff, thetaOff + l.readoutStart()});
                for (int k2 = 0; k2 < 2; k2++) {
                    int at = b.getInt(40 + 116 + 4 * ((7 + k2) * (FusedLayout.MAX_DEPTH + 1)));
                    inGlobal.add(new long[] {at, at + 1024L * ldp});
                }
                if (k != OptimizerKind.GD) inGlobal.add(new long[] {m1Off, m1Off + l.thetaSize()});
                if (k == OptimizerKind.ADAM) inGlobal.add(new long[] {m2Off, m2Off + l.thetaSize()});
                assertDisjoint(inGlobal, d.name() + " scratch");
                for (long[] r : inGlobal) assertTrue(r[1] <= scratch && r[0] % 4 == 0, d.name() + " scratch");
                // what moved on chip is what ALL_GLOBAL keeps in the scratch: X and Y are per block, the rest per team
                FusedLayout all = new FusedLayout(arch, 64, k, l.teamThreads(), 32, l.teamsPerBlock(), Placement.ALL_GLOBAL);
                assertEquals(4L * (all.scratchFloats() - l.scratchFloats()), 4L * (readout + 3 * ldp), 4 * 8.0,
                        "W_L and F leave the scratch");
                assertEquals(4L * (l.sharedFloats() - all.sharedFloats()), 4L * (64 + 3) * ldp, 4 * 8.0, "X and Y join the block");
            }
        }
        // a block too small for X beside the reduction buffers: everything but those goes to global memory
        DeviceLimits small = new DeviceLimits("small", 8, 0, 4, 4096, 8192, 0, 1024, 8, 65_536, 1L << 30);
        assertEquals(Placement.ALL_GLOBAL, CudaLaunchPlan.chooseLayout(arch, 64, OptimizerKind.GD, small, 0).placement());
    }

    @Test
    void residentBlocksTakeTheTightestLimit() {
        DeviceLimits h = DeviceLimits.h100();
        // 256 threads, 100 KiB: shared memory allows 2 (233472 / (102400 + 1024)); 120 registers allow 2 (65536 / 30720)
        assertEquals(2, CudaLaunchPlan.residentBlocks(h, 256, 102_400, 120));
        // 64 threads, 10 KiB, 32 registers: threads 32, shared 20 (233472 / 11264), registers 32, hardware 32 -> 20
        assertEquals(20, CudaLaunchPlan.residentBlocks(h, 64, 10_240, 32));
        // registers unknown: not limiting
        assertEquals(8, CudaLaunchPlan.residentBlocks(h, 256, 1000, 0));
        // 255 registers: a warp takes 8192 registers -> 8 warps per SM -> one 256-thread block
        assertEquals(1, CudaLaunchPlan.residentBlocks(h, 256, 1000, 255));
        // the consumer card's 1536 threads per SM
        assertEquals(6, CudaLaunchPlan.residentBlocks(DeviceLimits.rtx4090(), 256, 1000, 0));
    }

    @Test
    void placementDegradesOnlyAsFarAsTheDeviceNeeds() {
        DeviceLimits h = DeviceLimits.h100(), a = DeviceLimits.a100();
        assertEquals(Placement.ON_CHIP, CudaLaunchPlan.chooseLayout(workload(16), 64, OptimizerKind.ADAM, h, 120).placement());
        assertEquals(Placement.ON_CHIP, CudaLaunchPlan.chooseLayout(workload(256), 64, OptimizerKind.GD, h, 120).placement());
        // Adam's moments (2 x 69 KiB) no longer fit next to W256's parameters and activations
        assertEquals(Placement.MOMENTS_GLOBAL, CudaLaunchPlan.chooseLayout(workload(256), 64, OptimizerKind.ADAM, h, 120).placement());
        // the A100's 163 KiB: W256's hidden activations move out, its parameters, X, Y and F stay
        assertEquals(Placement.HIDDEN_ACTIVATIONS_GLOBAL, CudaLaunchPlan.chooseLayout(workload(256), 64, OptimizerKind.GD, a, 120).placement());
        // W1024: the parameters alone (276 KiB) exceed every device's shared memory; X, Y, the readout's
        // weights and F (34 KiB with the reduction and split buffers) stay on chip
        for (DeviceLimits d : new DeviceLimits[] {h, a, DeviceLimits.rtx4090(), h200()}) {
            for (OptimizerKind k : OptimizerKind.values()) {
                assertEquals(Placement.HIDDEN_GLOBAL, CudaLaunchPlan.chooseLayout(workload(1024), 64, k, d, 120).placement(),
                        "W1024 " + k + " on " + d.name());
            }
        }
        // W256 with Adam on the 4090's 99 KiB: the activations leave, X, Y and F stay beside the parameters
        assertEquals(Placement.HIDDEN_ACTIVATIONS_GLOBAL,
                CudaLaunchPlan.chooseLayout(workload(256), 64, OptimizerKind.ADAM, DeviceLimits.rtx4090(), 120).placement());
        for (DeviceLimits d : new DeviceLimits[] {h, a, DeviceLimits.rtx4090(), h200()}) {
            for (int w : new int[] {16, 64, 256, 1024}) {
                for (OptimizerKind k : OptimizerKind.values()) {
                    FusedLayout l = CudaLaunchPlan.chooseLayout(workload(w), 64, k, d, 120);
                    assertTrue(l.blockSharedBytes() <= d.sharedPerBlockOptin(), l + " on " + d.name());
                    assertTrue(l.blockThreads() <= FusedLayout.MAX_BLOCK_THREADS);
                    // no other number of teams per block keeps more members resident with this placement
                    long chosen = (long) l.teamsPerBlock() * CudaLaunchPlan.residentBlocks(d, l.blockThreads(), l.blockSharedBytes(), 120);
                    for (int b = 1; b * l.teamThreads() <= FusedLayout.MAX_BLOCK_THREADS && b <= FusedLayout.MAX_TEAMS_PER_BLOCK; b++) {
                        FusedLayout o = new FusedLayout(workload(w), 64, k, l.teamThreads(), 32, b, l.placement());
                        if (o.blockSharedBytes() > d.sharedPerBlockOptin()) continue;
                        long other = (long) b * CudaLaunchPlan.residentBlocks(d, o.blockThreads(), o.blockSharedBytes(), 120);
                        assertTrue(other <= chosen, "W" + w + " " + k + " on " + d.name() + ": " + b + " teams/block keep " + other
                                + " members resident, the plan " + chosen);
                    }
                }
            }
        }
    }

    @Test
    void sharedMemoryTooSmallForAnyLayoutIsAClearError() {
        // W16's team of 64 threads needs its reduction buffer, 2 x 2 x 2 warps x 4 doubles + the member slot = 144 bytes,
        // and the readout's split partial sums, 4 slices x 3 x 64 floats = 3072 bytes
        DeviceLimits tiny = new DeviceLimits("tiny", 8, 0, 4, 128, 1024, 0, 1024, 8, 65_536, 1L << 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaLaunchPlan.chooseLayout(workload(16), 64, OptimizerKind.GD, tiny, 0));
        assertTrue(e.getMessage().contains("does not fit tiny") && e.getMessage().contains("3216 bytes of shared memory")
                && e.getMessage().contains("allows 128"), e.getMessage());
    }

    @Test
    void chunksFitTheFreeMemoryDoubleBuffered() {
        DeviceLimits h = DeviceLimits.h100();
        long free = 80_000_000_000L;
        CudaLaunchPlan p = plan(workload(16), OptimizerKind.GD, 65_536, h, free);
        assertEquals(4, p.chunks(65_536), "W16 on a free H100: four chunks");
        assertEquals(16_384, p.chunkMembers());
        assertTrue(p.deviceBytes() <= free * (1 - CudaLaunchPlan.HEADROOM));
        // small E: one chunk of all members, grid no larger than the teams needed
        CudaLaunchPlan small = plan(workload(16), OptimizerKind.GD, 10, h, free);
        assertEquals(1, small.chunks(10));
        assertEquals((10 + small.layout().teamsPerBlock() - 1) / small.layout().teamsPerBlock(), small.gridBlocks());
        // little memory: smaller chunks, still within the budget
        for (long mem : new long[] {2_000_000_000L, 200_000_000L, 20_000_000L}) {
            CudaLaunchPlan q = plan(workload(64), OptimizerKind.ADAM, 16_384, h, mem);
            assertTrue(q.deviceBytes() <= mem * (1 - CudaLaunchPlan.HEADROOM), q + " within " + mem);
            assertTrue(q.chunkMembers() >= 1 && q.chunks(16_384) * (long) q.chunkMembers() >= 16_384);
        }
        CudaLaunchPlan tight = plan(workload(64), OptimizerKind.ADAM, 16_384, h, 20_000_000L);
        assertTrue(tight.chunks(16_384) > 1, "20 MB cannot hold 16,384 members at once: " + tight);
        // the global-memory fallback's scratch counts too
        CudaLaunchPlan wide = plan(workload(1024), OptimizerKind.ADAM, 1024, DeviceLimits.a100(), 3_000_000_000L);
        assertEquals(Placement.HIDDEN_GLOBAL, wide.layout().placement());
        assertTrue(wide.deviceBytes() <= 3_000_000_000L * (1 - CudaLaunchPlan.HEADROOM), wide.toString());
    }

    @Test
    void notEvenOneMemberFittingIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan(workload(1024), OptimizerKind.ADAM, 8, DeviceLimits.h100(), 1_000_000L));
        String m = e.getMessage();
        assertTrue(m.contains("not even one member") && m.contains("1000000 bytes are free") && m.contains("needs"), m);
        // a loss trace beyond what a host buffer holds
        Architecture arch = workload(16);
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> CudaLaunchPlan.plan(arch, 64,
                OptimizerKind.GD, new ParamLayout(arch).stride(), 300_000_000, 300_000_000, 4, DeviceLimits.h100(), 120,
                80_000_000_000L));
        assertTrue(t.getMessage().contains("loss trace"), t.getMessage());
    }

    @Test
    void theChunkPropertyCapsChunks() {
        System.setProperty(CudaLaunchPlan.CHUNK_PROPERTY, "3");
        try {
            CudaLaunchPlan p = plan(workload(16), OptimizerKind.GD, 10, DeviceLimits.h100(), 80_000_000_000L);
            assertEquals(3, p.chunkMembers());
            assertEquals(4, p.chunks(10));
        } finally {
            System.clearProperty(CudaLaunchPlan.CHUNK_PROPERTY);
        }
    }

    @Test
    void scheduleIsTheReferenceLearningRateAndAdamCorrection() {
        OptimizerSettings adam = OptimizerSettings.adam(1e-3);
        StopRule stop = new StopRule(1000, 0, 100, 100);
        double[] s = FusedTrainingJob.schedule(adam, stop);
        assertEquals(3000, s.length);
        double p1 = 1, p2 = 1;
        for (int t = 0; t < 1000; t++) {
            p1 *= 0.9;
            p2 *= 0.999;
            assertEquals(adam.learningRate(0.02, t, 1000), 0.02 * s[3 * t], 0.0, "the same double product as the reference");
            assertEquals(1 / (1 - p1), s[3 * t + 1], 0.0);
            assertEquals(1 / (1 - p2), s[3 * t + 2], 0.0);
        }
        double[] flat = FusedTrainingJob.schedule(OptimizerSettings.gd(), stop);
        for (int t = 0; t < 1000; t++) assertEquals(1.0, flat[3 * t], 0.0);
    }
}
