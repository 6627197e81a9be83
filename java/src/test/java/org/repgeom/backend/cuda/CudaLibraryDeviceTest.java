package org.repgeom.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** The host-side pieces of the library path's JCuda device that need no GPU. */
class CudaLibraryDeviceTest {

    /** Addresses handed to cuBLAS and the kernels are JCuda's pointer values plus their byte offsets. */
    @Test
    void aDevicePointersAddressIncludesItsByteOffset() {
        CUdeviceptr base = new CUdeviceptr();
        assertEquals(0L, CudaLibraryDevice.address(base));
        assertEquals(4096L, CudaLibraryDevice.address(base.withByteOffset(4096)));
        assertEquals(4096L + 8, CudaLibraryDevice.address(base.withByteOffset(4096).withByteOffset(8)));
    }

    /** The kernels' argument struct: slots at their C offsets, little-endian. */
    @Test
    void argumentBytesFollowTheStructLayout() {
        LibraryArgs a = new LibraryArgs().ptr(11, 0x1122334455667788L).items(7).d(3, 1.5).f(9, 2.5f).i(13, -3);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(a.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(232, LibraryArgs.BYTES);
        assertEquals(0x1122334455667788L, b.getLong(88));
        assertEquals(7L, b.getLong(96));
        assertEquals(1.5, b.getDouble(104 + 24));
        assertEquals(2.5f, b.getFloat(136 + 36));
        assertEquals(-3, b.getInt(176 + 52));
    }
}
