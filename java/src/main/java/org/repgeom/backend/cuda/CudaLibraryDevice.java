package org.repgeom.backend.cuda;

import static org.repgeom.backend.cuda.CudaException.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.task.Task;

/**
 * The library path on a GPU: {@link LibraryDevice} through JCuda (memory of the CUDA backend's context,
 * the elementwise kernels of {@code repgeom_library.fatbin}, everything on the legacy default stream,
 * which cuBLAS's handle uses too, so kernels and GEMMs run in call order), and {@link #train}, the
 * CUDA backend's entry to {@link LibraryTrainer}.
 */
final class CudaLibraryDevice implements LibraryDevice {
    /** The library kernels' fatbin (cuda/build.sh; SASS sm_80 … sm_90 + compute_90 PTX). */
    static final String FATBIN = "/org/repgeom/cuda/repgeom_library.fatbin";
    /** Threads per block of every library launch. */
    static final int BLOCK = 256;

    private static Map<LibraryKernel, CUfunction> functions;
    private static String problem;
    private static boolean loaded;

    private final CudaDevice dev;
    private final TreeMap<Long, CUdeviceptr> allocations = new TreeMap<>();
    private final TreeMap<Long, Long> sizes = new TreeMap<>();

    CudaLibraryDevice(CudaDevice dev) {
        String why = unavailableReason(dev);
        if (why != null) throw new IllegalStateException("CUDA library path not available: " + why);
        this.dev = dev;
    }

    /** Why the library path cannot run on {@code dev} (kernels or cuBLAS), or null; loads both once. */
    static synchronized String unavailableReason(CudaDevice dev) {
        if (!loaded) {
            loaded = true;
            problem = loadKernels(dev);
            if (problem == null) {
                String blas = CublasShim.unavailableReason();
                if (blas != null) problem = blas;
            }
        }
        return problem;
    }

    private static String loadKernels(CudaDevice dev) {
        byte[] fatbin;
        try (InputStream in = CudaLibraryDevice.class.getResourceAsStream(FATBIN)) {
            if (in == null) return "library kernels not built (no nvcc when this jar was built)";
            fatbin = in.readAllBytes();
        } catch (IOException ex) {
            return "cannot read " + FATBIN + ": " + ex.getMessage();
        }
        synchronized (dev) {
            dev.makeCurrent();
            CUmodule module = new CUmodule();
            int rc = JCudaDriver.cuModuleLoadData(module, fatbin);
            if (rc != 0) return "no library kernel image loads on this device (" + CudaException.name(rc) + ")";
            Map<LibraryKernel, CUfunction> fns = new EnumMap<>(LibraryKernel.class);
            for (LibraryKernel k : LibraryKernel.values()) {
                CUfunction fn = new CUfunction();
                rc = JCudaDriver.cuModuleGetFunction(fn, module, k.kernelName());
                if (rc != 0) return "the library fatbin has no " + k.kernelName() + " (" + CudaException.name(rc) + ")";
                fns.put(k, fn);
            }
            functions = fns;
        }
        return null;
    }

    /** Trains the request on the library path (the CUDA backend's choice, {@link TrainingPath}). */
    static TrainResult train(CudaDevice dev, TrainRequest req, Task task, ProgressListener progress) {
        synchronized (dev) {
            dev.makeCurrent();
            int chunk = TrainingPath.libraryChunk(req.architecture(), task.samples(), req.optimizer(), req.layout().stride(),
                    req.stop().traceLength(), req.members(), dev.memoryInfo()[0]);
            try (CudaLibraryDevice d = new CudaLibraryDevice(dev); CublasShim blas = CublasShim.create(0)) {
                return LibraryTrainer.train(req, task, d, blas, chunk, progress);
            }
        }
    }

    /** φ(Z_layer) of the first {@code members} members by the library path's forward pass (tests on a device). */
    static float[] hidden(CudaDevice dev, org.repgeom.model.ParamLayout layout, double[] params, int members, Task task,
                          int layer) {
        synchronized (dev) {
            dev.makeCurrent();
            try (CudaLibraryDevice d = new CudaLibraryDevice(dev); CublasShim blas = CublasShim.create(0)) {
                return LibraryTrainer.hidden(layout, params, members, task, layer, d, blas, LibraryTrainer.MAX_BATCH);
            }
        }
    }

    @Override
    public long alloc(long bytes, String what) {
        CUdeviceptr p = dev.alloc(bytes, what);
        long address = address(p);
        allocations.put(address, p);
        sizes.put(address, Math.max(4, bytes));
        zero(address, Math.max(4, bytes));
        return address;
    }

    /**
     * The device address a CUdeviceptr holds. JCuda keeps it in the protected
     * {@code NativePointerObject.getNativePointer()} (plus the Pointer's byte offset); cuBLAS and the
     * kernels' argument struct need the plain 64-bit value.
     */
    static long address(CUdeviceptr p) {
        try {
            return (long) NATIVE_POINTER.invoke(p) + (long) BYTE_OFFSET.invoke(p);
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("cannot read a CUdeviceptr's address from JCuda: " + ex, ex);
        }
    }

    private static final java.lang.reflect.Method NATIVE_POINTER = accessor(jcuda.NativePointerObject.class, "getNativePointer");
    private static final java.lang.reflect.Method BYTE_OFFSET = accessor(Pointer.class, "getByteOffset");

    private static java.lang.reflect.Method accessor(Class<?> c, String name) {
        try {
            java.lang.reflect.Method m = c.getDeclaredMethod(name);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException ex) {
            throw new IllegalStateException("this JCuda has no " + c.getSimpleName() + "." + name + "(): " + ex, ex);
        }
    }

    /** The allocation holding {@code address}, offset to it. */
    private CUdeviceptr at(long address, long bytes) {
        Map.Entry<Long, CUdeviceptr> e = allocations.floorEntry(address);
        if (e == null || address + bytes > e.getKey() + sizes.get(e.getKey())) {
            throw new IllegalArgumentException("device address " + Long.toHexString(address) + " (+" + bytes + " bytes) is outside every allocation");
        }
        return e.getValue().withByteOffset(address - e.getKey());
    }

    @Override
    public void upload(long dst, ByteBuffer src, long bytes) {
        check(JCudaDriver.cuMemcpyHtoD(at(dst, bytes), Pointer.to(src), bytes), "cuMemcpyHtoD");
    }

    @Override
    public void download(ByteBuffer dst, long src, long bytes) {
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst), at(src, bytes), bytes), "cuMemcpyDtoH");
    }

    @Override
    public void copy(long dst, long src, long bytes) {
        check(JCudaDriver.cuMemcpyDtoD(at(dst, bytes), at(src, bytes), bytes), "cuMemcpyDtoD");
    }

    @Override
    public void zero(long dst, long bytes) {
        check(JCudaDriver.cuMemsetD8(at(dst, bytes), (byte) 0, bytes), "cuMemsetD8");
    }

    @Override
    public void launch(LibraryKernel kernel, LibraryArgs args) {
        long n = args.items();
        if (n <= 0) return;
        // grid-stride kernels: enough blocks to fill the device several times over, no more
        long grid = Math.min((n + BLOCK - 1) / BLOCK, 32L * dev.limits().multiprocessors());
        check(JCudaDriver.cuLaunchKernel(functions.get(kernel), (int) grid, 1, 1, BLOCK, 1, 1, 0, null,
                Pointer.to(Pointer.to(args.bytes())), null), "cuLaunchKernel(" + kernel.kernelName() + ")");
    }

    @Override
    public void close() {
        for (CUdeviceptr p : allocations.values()) JCudaDriver.cuMemFree(p);
        allocations.clear();
        sizes.clear();
    }
}
