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
import org.repgeom.model.Recurrence;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/** The host side of rnn_train_fused: {@link RnnLayout}'s config bytes and regions, {@link RnnLaunchPlan}'s choices. */
class RnnLaunchPlanTest {

    private static Architecture rnn(int dX, int width, int steps, Recurrence.Input input) {
        return Architecture.recurrent(dX, width, 3, Activation.RELU, new Recurrence(steps, input));
    }

    private static int[] ints(byte[] cfg) {
        ByteBuffer b = ByteBuffer.wrap(cfg).order(ByteOrder.LITTLE_ENDIAN);
        b.position(5 * 8);
        int[] out = new int[(cfg.length - 5 * 8) / 4];
        for (int i = 0; i < out.length; i++) out[i] = b.getInt();
        return out;
    }

    /** The bytes in the struct's order (cuda/repgeom_rnn.cu): shape, strides, offsets. */
    @Test
    void configBytesFollowTheStruct() {
        Architecture arch = rnn(19, 20, 5, Recurrence.Input.FIRST);
        RnnLayout l = new RnnLayout(arch, 12, OptimizerKind.ADAM, 64, 32, 2, Placement.ON_CHIP);
        byte[] cfg = l.config(OptimizerSettings.adam(0.5), new StopRule(300, 1e-4, 50, 10));
        assertEquals(RnnLayout.CONFIG_BYTES, cfg.length);
        ByteBuffer d = ByteBuffer.wrap(cfg).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1e-4, d.getDouble(4 * 8));
        int[] v = ints(cfg);
        assertEquals(40, v.length);
        assertEquals(List.of(19, 20, 3, 5, 0, Activation.RELU.ordinal(), OptimizerKind.ADAM.ordinal(), 12, 13, 5 * 13),
                List.of(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]));
        assertEquals(300, v[10]);
        assertEquals(new ParamLayout(arch).stride(), v[14]);
        assertEquals(l.thetaSize(), v[15]);
        assertEquals(List.of(64, 2), List.of(v[16], v[17]));
        assertEquals(List.of(19, 21), List.of(v[33], v[34]), "row strides of U and W: odd");
        assertEquals(List.of(0, 20 * 19, 20 * 19 + 20, 20 * 19 + 20 + 20 * 21), List.of(v[35], v[36], v[37], v[38]));
        assertEquals(20 * 19 + 20 + 20 * 21 + 3 * 21, l.thetaSize());
        assertEquals(0, v[39]);
        assertEquals(1, ints(new RnnLayout(rnn(19, 20, 5, Recurrence.Input.EVERY), 12, OptimizerKind.ADAM, 64, 32, 2,
                Placement.ON_CHIP).config(OptimizerSettings.adam(0.5), new StopRule(300, 1e-4, 50, 10)))[4]);
    }

    /** Every array of a team has its own aligned region, in shared memory or in scratch as the placement says. */
    @Test
    void regionsAreDisjointAndAligned() {
        Architecture arch = rnn(7, 33, 4, Recurrence.Input.EVERY);
        for (Placement p : new Placement[] {Placement.ON_CHIP, Placement.ALL_GLOBAL}) {
            for (OptimizerKind k : OptimizerKind.values()) {
                RnnLayout l = new RnnLayout(arch, 9, k, 32, 32, 3, p);
                int[] v = ints(l.config(OptimizerSettings.adam(0.5), new StopRule(10, 0, 5, 1)));
                int ldp = v[8], ldr = v[9], m = 33;
                assertEquals(9, ldp);
                assertEquals(4 * 9 | 1, ldr);
                // theta, z, h, in, ga, f, m1, m2 at v[25..32]
                long[][] regions = {{v[25], l.thetaSize()}, {v[26], (long) m * ldr}, {v[27], (long) m * ldr}, {v[28], (long) m * ldp},
                    {v[29], (long) m * ldp}, {v[30], 3L * ldp}, {v[31], k == OptimizerKind.GD ? 0 : l.thetaSize()},
                    {v[32], k == OptimizerKind.ADAM ? l.thetaSize() : 0}};
                long limit = p == Placement.ON_CHIP ? l.teamFloats() : l.scratchFloats();
                List<long[]> used = new ArrayList<>();
                for (long[] r : regions) {
                    if (r[1] == 0) continue;
                    assertEquals(0, r[0] % 4, "16-byte aligned");
                    assertTrue(r[0] + r[1] <= limit, p + " " + k + ": region inside the team's area");
                    for (long[] o : used) assertTrue(r[0] + r[1] <= o[0] || o[0] + o[1] <= r[0], p + " " + k + ": overlap");
                    used.add(r);
                }
                long red = 2L * 2 * (32 / 32) * 4 + 2;
                if (p == Placement.ON_CHIP) assertTrue(regions[0][0] >= red, "after the reduction buffer");
                else assertTrue(l.teamFloats() < 2 * red + 4, "all global: only the reduction buffer in shared memory");
            }
        }
    }

    @Test
    void smallRecurrentGroupsRunOnChipAndLargeOnesInGlobalMemory() {
        DeviceLimits h = DeviceLimits.h100();
        int[] regs = {0};
        // the hypercube example's shape: dX = 8, W64, T = 10, P = 8
        Architecture small = rnn(8, 64, 10, Recurrence.Input.EVERY);
        RnnLaunchPlan p = RnnLaunchPlan.plan(small, 8, OptimizerKind.GD, new ParamLayout(small).stride(), 31, 300, 4096, h,
                pl -> pl == Placement.ON_CHIP ? 127 : 165, 80_000_000_000L);
        assertEquals(Placement.ON_CHIP, p.layout().placement());
        assertTrue(p.layout().blockSharedBytes() <= h.sharedPerBlockOptin());
        assertTrue(p.chunkMembers() >= 1 && p.chunkMembers() <= 4096);
        assertTrue((long) p.chunks(4096) * p.chunkMembers() >= 4096);
        // W256 with T = 50 on P = 64: Z and H alone are 2 x 256 x 3201 floats, far over any block
        Architecture large = rnn(64, 256, 50, Recurrence.Input.EVERY);
        RnnLaunchPlan q = RnnLaunchPlan.plan(large, 64, OptimizerKind.ADAM, new ParamLayout(large).stride(), 31, 300, 100, h,
                pl -> regs[0], 80_000_000_000L);
        assertEquals(Placement.ALL_GLOBAL, q.layout().placement());
        assertTrue(2L * q.gridBlocks() * q.layout().blockScratchBytes() < 0.9 * 80_000_000_000L);
        assertEquals(256, q.layout().teamThreads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RnnLaunchPlan.plan(large, 64,
                OptimizerKind.ADAM, new ParamLayout(large).stride(), 31, 300, 100, h, pl -> 0, 1_000_000L));
        assertTrue(e.getMessage().contains("not even one member"), e.getMessage());
    }

    @Test
    void onlyTheTwoRecurrentPlacementsAndRecurrentArchitectures() {
        Architecture arch = rnn(4, 5, 2, Recurrence.Input.EVERY);
        assertThrows(IllegalArgumentException.class, () -> new RnnLayout(arch, 8, OptimizerKind.GD, 32, 32, 1, Placement.MOMENTS_GLOBAL));
        assertThrows(IllegalArgumentException.class,
                () -> new RnnLayout(Architecture.twoLayer(4, 5, 3, Activation.RELU), 8, OptimizerKind.GD, 32, 32, 1, Placement.ON_CHIP));
        assertEquals("rnn_train_fused_on_chip", new RnnLayout(arch, 8, OptimizerKind.GD, 32, 32, 1, Placement.ON_CHIP).kernelName());
        assertEquals("rnn_train_fused_all_global",
                new RnnLayout(arch, 8, OptimizerKind.GD, 32, 32, 1, Placement.ALL_GLOBAL).kernelName());
    }
}
