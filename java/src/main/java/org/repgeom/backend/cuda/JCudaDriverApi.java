package org.repgeom.backend.cuda;

import static org.repgeom.backend.cuda.CudaException.check;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * {@link CudaDriver} on a {@link CudaDevice} through JCuda. The caller holds the device's lock and has
 * made its context current. Device addresses are the 64-bit values of JCuda's CUdeviceptr; streams and
 * events are numbered here (0 = the legacy default stream).
 */
final class JCudaDriverApi implements CudaDriver {
    private final CudaDevice dev;
    private final TreeMap<Long, CUdeviceptr> allocations = new TreeMap<>();
    private final Map<Long, Long> sizes = new HashMap<>();
    private final Map<ByteBuffer, Pointer> pinned = new IdentityHashMap<>();
    private final Map<Long, CUstream> streams = new HashMap<>();
    private final Map<Long, CUevent> events = new HashMap<>();
    private long nextHandle = 1;

    JCudaDriverApi(CudaDevice dev) {
        this.dev = dev;
    }

    @Override
    public DeviceLimits limits() {
        return dev.limits();
    }

    @Override
    public int trainRegisters() {
        return dev.trainRegisters();
    }

    @Override
    public int rnnRegisters(FusedLayout.Placement placement) {
        return dev.rnnRegisters(placement);
    }

    @Override
    public int forwardRegisters() {
        return dev.forwardRegisters();
    }

    @Override
    public long freeMemory() {
        return dev.memoryInfo()[0];
    }

    @Override
    public long alloc(long bytes, String what) {
        CUdeviceptr p = dev.alloc(bytes, what);
        long address = CudaLibraryDevice.address(p);
        allocations.put(address, p);
        sizes.put(address, Math.max(4, bytes));
        return address;
    }

    @Override
    public void free(long address) {
        CUdeviceptr p = allocations.remove(address);
        if (p == null) throw new IllegalArgumentException("no allocation at " + Long.toHexString(address));
        sizes.remove(address);
        check(JCudaDriver.cuMemFree(p), "cuMemFree");
    }

    /** The allocation holding [address, address + bytes), offset to address. */
    private CUdeviceptr at(long address, long bytes) {
        Map.Entry<Long, CUdeviceptr> e = allocations.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + sizes.get(e.getKey())) {
            throw new IllegalArgumentException("device address " + Long.toHexString(address) + " (+" + bytes
                    + " bytes) is outside every allocation");
        }
        return e.getValue().withByteOffset(address - e.getKey());
    }

    @Override
    public ByteBuffer allocHost(int bytes) {
        int n = Math.max(8, bytes);
        Pointer p = new Pointer();
        if (JCudaDriver.cuMemAllocHost(p, n) == 0) {
            ByteBuffer b = p.getByteBuffer(0, n).order(ByteOrder.LITTLE_ENDIAN);
            pinned.put(b, p);
            return b;
        }
        return ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN); // copies from it are then synchronous
    }

    @Override
    public void freeHost(ByteBuffer buffer) {
        Pointer p = pinned.remove(buffer);
        if (p != null) check(JCudaDriver.cuMemFreeHost(p), "cuMemFreeHost");
    }

    private Pointer host(ByteBuffer b) {
        Pointer p = pinned.get(b);
        return p != null ? p : Pointer.to(b);
    }

    private CUstream stream(long handle) {
        if (handle == 0) return null;
        CUstream s = streams.get(handle);
        if (s == null) throw new IllegalArgumentException("no stream " + handle);
        return s;
    }

    @Override
    public long createStream() {
        CUstream s = new CUstream();
        check(JCudaDriver.cuStreamCreate(s, 0), "cuStreamCreate");
        streams.put(nextHandle, s);
        return nextHandle++;
    }

    @Override
    public void synchronize(long stream) {
        check(JCudaDriver.cuStreamSynchronize(stream(stream)), "cuStreamSynchronize");
    }

    @Override
    public void destroyStream(long stream) {
        check(JCudaDriver.cuStreamDestroy(stream(stream)), "cuStreamDestroy");
        streams.remove(stream);
    }

    @Override
    public void copyToDevice(long dst, ByteBuffer src, long bytes) {
        check(JCudaDriver.cuMemcpyHtoD(at(dst, bytes), host(src), bytes), "cuMemcpyHtoD");
    }

    @Override
    public void copyToHost(ByteBuffer dst, long src, long bytes) {
        check(JCudaDriver.cuMemcpyDtoH(host(dst), at(src, bytes), bytes), "cuMemcpyDtoH");
    }

    @Override
    public void copyToDeviceAsync(long dst, ByteBuffer src, long bytes, long stream) {
        check(JCudaDriver.cuMemcpyHtoDAsync(at(dst, bytes), host(src), bytes, stream(stream)), "cuMemcpyHtoDAsync");
    }

    @Override
    public void copyToHostAsync(ByteBuffer dst, long src, long bytes, long stream) {
        check(JCudaDriver.cuMemcpyDtoHAsync(host(dst), at(src, bytes), bytes, stream(stream)), "cuMemcpyDtoHAsync");
    }

    @Override
    public void zeroWordsAsync(long dst, int count, long stream) {
        check(JCudaDriver.cuMemsetD32Async(at(dst, 4L * count), 0, count, stream(stream)), "cuMemsetD32Async");
    }

    @Override
    public void launch(String kernel, int grid, int blockThreads, int sharedBytes, long stream, KernelArgs args) {
        List<KernelArgs.Arg> list = args.list();
        Pointer[] values = new Pointer[list.size()];
        for (int i = 0; i < values.length; i++) {
            KernelArgs.Arg a = list.get(i);
            values[i] = switch (a.kind()) {
                case STRUCT -> Pointer.to(a.bytes());
                case POINTER -> Pointer.to(new long[] {a.value()});
                case INT -> Pointer.to(new int[] {(int) a.value()});
            };
        }
        check(JCudaDriver.cuLaunchKernel(dev.function(kernel), grid, 1, 1, blockThreads, 1, 1, sharedBytes, stream(stream),
                Pointer.to(values), null), "cuLaunchKernel(" + kernel + ")");
    }

    @Override
    public long createEvent() {
        CUevent e = new CUevent();
        check(JCudaDriver.cuEventCreate(e, 0), "cuEventCreate");
        events.put(nextHandle, e);
        return nextHandle++;
    }

    private CUevent event(long handle) {
        CUevent e = events.get(handle);
        if (e == null) throw new IllegalArgumentException("no event " + handle);
        return e;
    }

    @Override
    public void recordEvent(long event, long stream) {
        check(JCudaDriver.cuEventRecord(event(event), stream(stream)), "cuEventRecord");
    }

    @Override
    public float elapsedMillis(long start, long end) {
        float[] ms = new float[1];
        check(JCudaDriver.cuEventElapsedTime(ms, event(start), event(end)), "cuEventElapsedTime");
        return ms[0];
    }

    @Override
    public void destroyEvent(long event) {
        check(JCudaDriver.cuEventDestroy(event(event)), "cuEventDestroy");
        events.remove(event);
    }
}
