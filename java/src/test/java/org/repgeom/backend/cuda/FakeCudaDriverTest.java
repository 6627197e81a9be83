package org.repgeom.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fake driver's contract checks fire: a CudaTrainer run that passes them means something. */
class FakeCudaDriverTest {
    private static FakeCudaDriver driver() {
        return new FakeCudaDriver(KernelEmulator.Build.WARP32, 1, 64, 1 << 20);
    }

    @Test
    void signaturesComeFromTheKernelSource() {
        Map<String, List<FakeCudaDriver.Param>> sig = FakeCudaDriver.signatures(KernelBinaries.source());
        List<FakeCudaDriver.Param> train = sig.get(FusedLayout.Placement.ON_CHIP.kernelName());
        assertEquals(18, train.size());
        assertEquals(new FakeCudaDriver.Param("c", KernelArgs.Kind.STRUCT, FusedLayout.CONFIG_BYTES), train.get(0));
        assertEquals(new FakeCudaDriver.Param("lrs", KernelArgs.Kind.POINTER, 8), train.get(5));
        assertEquals(new FakeCudaDriver.Param("count", KernelArgs.Kind.INT, 4), train.get(14));
        assertEquals(train, sig.get(FusedLayout.Placement.ALL_GLOBAL.kernelName()));
        assertEquals(8, sig.get("mlp_forward").size());
        assertEquals(new FakeCudaDriver.Param("seeds", KernelArgs.Kind.POINTER, 8), sig.get("philox_init").get(1));
        // rnn_train_fused: its own config struct, no kernel-trace arguments
        List<FakeCudaDriver.Param> rnn = sig.get("rnn_train_fused_on_chip");
        assertEquals(15, rnn.size());
        assertEquals(new FakeCudaDriver.Param("c", KernelArgs.Kind.STRUCT, RnnLayout.CONFIG_BYTES), rnn.get(0));
        assertEquals(rnn, sig.get("rnn_train_fused_all_global"));
    }

    @Test
    void aLaunchWhoseArgumentsDoNotMatchTheKernelIsRefused() {
        FakeCudaDriver d = driver();
        long p = d.alloc(1024, "buffer");
        KernelArgs missing = new KernelArgs().struct(new byte[FusedLayout.CONFIG_BYTES]).pointer(p).pointer(p).pointer(p);
        Exception e = assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.launch("philox_init", 1, 128, 0, 0, missing));
        assertTrue(e.getMessage().contains("4 arguments for 5 parameters"), e.getMessage());
        KernelArgs swapped = new KernelArgs().struct(new byte[FusedLayout.CONFIG_BYTES]).pointer(p).i32(1).pointer(p).i32(1);
        e = assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.launch("philox_init", 1, 128, 0, 0, swapped));
        assertTrue(e.getMessage().contains("argument 2 (scales)"), e.getMessage());
        KernelArgs shortStruct = new KernelArgs().struct(new byte[16]).pointer(p).pointer(p).pointer(p).i32(1);
        e = assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.launch("philox_init", 1, 128, 0, 0, shortStruct));
        assertTrue(e.getMessage().contains("argument 0 (c)"), e.getMessage());
    }

    @Test
    void copiesOutsideAnAllocationOrFromUnpinnedMemoryAreRefused() {
        FakeCudaDriver d = driver();
        long p = d.alloc(64, "small");
        ByteBuffer pinned = d.allocHost(128);
        assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.copyToDevice(p, pinned, 128));
        assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.copyToDevice(p + 64, pinned, 4));
        long s = d.createStream();
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        Exception e = assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.copyToDeviceAsync(p, direct, 64, s));
        assertTrue(e.getMessage().contains("page-locked"), e.getMessage());
        d.free(p);
        assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.free(p));
    }

    @Test
    void aHostBufferChangedUnderAQueuedCopyIsCaughtWhenTheStreamRuns() {
        FakeCudaDriver d = driver();
        long p = d.alloc(64, "dst");
        ByteBuffer b = d.allocHost(64);
        long s = d.createStream();
        d.copyToDeviceAsync(p, b, 64, s);
        b.putInt(0, 42); // the next chunk's packing before the copy ran
        Exception e = assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.synchronize(s));
        assertTrue(e.getMessage().contains("changed while the copy was queued"), e.getMessage());
    }

    @Test
    void resultsReadBeforeTheStreamIsSynchronisedAreGarbage() {
        FakeCudaDriver d = driver();
        long p = d.alloc(8, "src");
        ByteBuffer up = d.allocHost(8);
        up.putLong(0, 1234567L);
        d.copyToDevice(p, up, 8);
        ByteBuffer down = d.allocHost(8);
        long s = d.createStream();
        long start = d.createEvent(), end = d.createEvent();
        d.recordEvent(start, s);
        d.copyToHostAsync(down, p, 8, s);
        d.recordEvent(end, s);
        assertEquals(FakeCudaDriver.GARBAGE, down.get(0), "not copied yet");
        assertThrows(FakeCudaDriver.ContractViolation.class, () -> d.elapsedMillis(start, end));
        d.synchronize(s);
        assertEquals(1234567L, down.getLong(0));
        assertTrue(d.elapsedMillis(start, end) >= 0);
        Exception e = assertThrows(FakeCudaDriver.ContractViolation.class, d::assertReleased);
        assertTrue(e.getMessage().contains("src") && e.getMessage().contains("2 page-locked buffers"), e.getMessage());
        d.free(p);
        d.freeHost(up);
        d.freeHost(down);
        d.destroyStream(s);
        d.destroyEvent(start);
        d.destroyEvent(end);
        d.assertReleased();
    }
}
