package org.repgeom.backend.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK;
import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_BINARY_VERSION;
import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
import static jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_NUM_REGS;
import static org.repgeom.backend.cuda.CudaException.check;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * One CUDA device with the repgeom kernels loaded, through JCuda's driver API (which needs only
 * {@code libcuda.so.1}). Opened once per JVM ({@link #shared()}, device 0 or
 * {@code -Drepgeom.cuda.device=N}) on the device's primary context.
 *
 * <p>Opening: load JCuda's driver binding (fails cleanly without libcuda), {@code cuInit}, find the
 * device and read its limits ({@link DeviceLimits}), load the module from the embedded fatbin with
 * {@code cuModuleLoadData} — or, when the fatbin is missing or none of its images loads on this
 * device, from the packed source compiled by {@link NvrtcCompiler} — and check Philox's
 * known-answer vectors on the device. Any failure makes the backend unavailable with a one-line
 * reason ({@link #unavailableReason()}); nothing is printed.
 */
public final class CudaDevice {
    private static final Object LOCK = new Object();
    private static boolean probed;
    private static CudaDevice shared;
    private static String reason;

    private final int ordinal;
    private final CUdevice device;
    private final CUcontext context;
    private final DeviceLimits limits;
    private final String moduleOrigin;
    /** mlp_train_fused, one entry point per placement (FusedLayout.Placement.kernelName). */
    private final EnumMap<FusedLayout.Placement, CUfunction> train = new EnumMap<>(FusedLayout.Placement.class);
    /** rnn_train_fused, on chip and all global (RnnLayout.kernelName), and each one's registers per thread. */
    private final EnumMap<FusedLayout.Placement, CUfunction> rnnTrain = new EnumMap<>(FusedLayout.Placement.class);
    private final EnumMap<FusedLayout.Placement, Integer> rnnRegisters = new EnumMap<>(FusedLayout.Placement.class);
    final CUfunction forward = new CUfunction();
    final CUfunction init = new CUfunction();
    private final CUfunction kat = new CUfunction();
    private final int trainRegisters;
    private final int forwardRegisters;
    private final int binaryVersion;

    /** Why the device is not usable: shown as the backend's reason. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    /** The shared device, opened on first use. */
    public static CudaDevice shared() {
        probe();
        if (shared == null) throw new IllegalStateException("CUDA backend is not available: " + reason);
        return shared;
    }

    /** True when a device is present and the kernels loaded on it. */
    public static boolean isAvailable() {
        probe();
        return shared != null;
    }

    /** Why the CUDA backend cannot run here (one line), or null when it can. */
    public static String unavailableReason() {
        probe();
        return reason;
    }

    private static void probe() {
        synchronized (LOCK) {
            if (probed) return;
            probed = true;
            if (Boolean.getBoolean("repgeom.cuda.disable")) {
                reason = "disabled by -Drepgeom.cuda.disable=true";
                return;
            }
            try {
                shared = new CudaDevice(Integer.getInteger("repgeom.cuda.device", 0));
            } catch (Unavailable u) {
                reason = u.getMessage();
            } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, CudaException ...
                reason = describe(t);
            }
        }
    }

    /** A one-line reason for a failure to load JCuda or to talk to the driver. */
    static String describe(Throwable t) {
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        if (t instanceof LinkageError) {
            if (m.contains("libcuda.so")) return "no libcuda.so.1 (no NVIDIA driver on this machine)";
            if (t instanceof NoClassDefFoundError && m.contains("jcuda")) return "JCuda is not on the class path";
            if (m.contains("Could not initialize class jcuda")) return "JCuda's native library does not load here";
        }
        return t.getClass().getSimpleName() + ": " + NvrtcCompiler.firstLine(t);
    }

    private CudaDevice(int ordinal) throws Unavailable {
        this.ordinal = ordinal;
        try {
            JCudaDriver.setExceptionsEnabled(false); // loads the binding: UnsatisfiedLinkError without libcuda
        } catch (LinkageError e) {
            throw new Unavailable(describe(e));
        }
        int rc = JCudaDriver.cuInit(0);
        if (rc == 100) throw new Unavailable("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)");
        if (rc != 0) throw new Unavailable("cuInit failed: " + CudaException.name(rc));
        int[] n = new int[1];
        check(JCudaDriver.cuDeviceGetCount(n), "cuDeviceGetCount");
        if (n[0] == 0) throw new Unavailable("no CUDA device");
        if (ordinal < 0 || ordinal >= n[0]) throw new Unavailable("CUDA device " + ordinal + " requested, " + n[0] + " present");
        device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        long[] total = new long[1];
        check(JCudaDriver.cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
        limits = new DeviceLimits(new String(name, 0, len, StandardCharsets.UTF_8).trim(),
                attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR), attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR),
                attribute(CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK),
                attribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR),
                attribute(CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR),
                attribute(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR), total[0]);
        context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CUmodule module = new CUmodule();
        moduleOrigin = loadModule(module);
        int registers = 0;
        for (FusedLayout.Placement p : FusedLayout.Placement.values()) {
            CUfunction f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, module, p.kernelName()), "cuModuleGetFunction(" + p.kernelName() + ")");
            // allow the largest dynamic shared memory the device has; each launch asks for what its plan needs
            check(JCudaDriver.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    limits.sharedPerBlockOptin()), "cuFuncSetAttribute(" + p.kernelName() + ")");
            registers = Math.max(registers, functionAttribute(f, CU_FUNC_ATTRIBUTE_NUM_REGS));
            train.put(p, f);
        }
        for (FusedLayout.Placement p : new FusedLayout.Placement[] {FusedLayout.Placement.ON_CHIP, FusedLayout.Placement.ALL_GLOBAL}) {
            String rnn = p.kernelName().replace("mlp_", "rnn_");
            CUfunction f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, module, rnn), "cuModuleGetFunction(" + rnn + ")");
            check(JCudaDriver.cuFuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    limits.sharedPerBlockOptin()), "cuFuncSetAttribute(" + rnn + ")");
            rnnRegisters.put(p, functionAttribute(f, CU_FUNC_ATTRIBUTE_NUM_REGS));
            rnnTrain.put(p, f);
        }
        check(JCudaDriver.cuModuleGetFunction(forward, module, "mlp_forward"), "cuModuleGetFunction(mlp_forward)");
        check(JCudaDriver.cuModuleGetFunction(init, module, "philox_init"), "cuModuleGetFunction(philox_init)");
        check(JCudaDriver.cuModuleGetFunction(kat, module, "philox4x32_kat"), "cuModuleGetFunction(philox4x32_kat)");
        // the planner counts the most registers any placement's kernel uses (a safe bound for all)
        trainRegisters = registers;
        forwardRegisters = functionAttribute(forward, CU_FUNC_ATTRIBUTE_NUM_REGS);
        binaryVersion = functionAttribute(forward, CU_FUNC_ATTRIBUTE_BINARY_VERSION);
        check(JCudaDriver.cuFuncSetAttribute(forward, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                limits.sharedPerBlockOptin()), "cuFuncSetAttribute(mlp_forward)");
        int[] katResult = philoxKnownAnswers();
        if (katResult[0] != 0 || katResult[1] != 0 || katResult[2] != 0) {
            throw new Unavailable("the kernels loaded but Philox's known-answer check failed on the device");
        }
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(v, attr, device), "cuDeviceGetAttribute(" + attr + ")");
        return v[0];
    }

    private static int functionAttribute(CUfunction f, int attr) {
        int[] v = new int[1];
        check(JCudaDriver.cuFuncGetAttribute(v, attr, f), "cuFuncGetAttribute(" + attr + ")");
        return v[0];
    }

    /** Loads the embedded fatbin, or the NVRTC-compiled source where it does not fit; says which. */
    private String loadModule(CUmodule module) throws Unavailable {
        byte[] fatbin = KernelBinaries.fatbin();
        String fatbinProblem;
        if (fatbin != null) {
            int rc = JCudaDriver.cuModuleLoadData(module, fatbin);
            if (rc == 0) return "embedded fatbin (" + KernelBinaries.ARCHITECTURES + ")";
            fatbinProblem = "no embedded kernel image loads on compute " + limits.computeCapability() + " ("
                    + CudaException.name(rc) + ")";
        } else {
            fatbinProblem = "kernels not built (no nvcc when this jar was built)";
        }
        String source = KernelBinaries.source();
        if (source == null) throw new Unavailable(fatbinProblem + " and the kernel source is missing from the jar");
        NvrtcCompiler.Image image;
        try {
            if (!NvrtcCompiler.isAvailable()) throw new Unavailable(fatbinProblem + "; " + NvrtcCompiler.unavailableReason());
            image = NvrtcCompiler.compile(source, "repgeom_train.cu", limits.major(), limits.minor());
        } catch (Unavailable u) {
            throw u;
        } catch (Throwable t) { // LWJGL missing or broken, compilation error
            throw new Unavailable(fatbinProblem + "; NVRTC fallback failed: " + NvrtcCompiler.firstLine(t));
        }
        int rc = JCudaDriver.cuModuleLoadData(module, image.bytes());
        if (rc != 0) throw new Unavailable(fatbinProblem + "; the " + image.kind() + " image does not load: " + CudaException.name(rc));
        return image.kind() + " (" + fatbinProblem + ")";
    }

    private int[] philoxKnownAnswers() {
        CUdeviceptr out = alloc(3 * 4, "known-answer results");
        try {
            check(JCudaDriver.cuLaunchKernel(kat, 1, 1, 1, 32, 1, 1, 0, null, Pointer.to(Pointer.to(out)), null),
                    "cuLaunchKernel(philox4x32_kat)");
            int[] r = new int[3];
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(r), out, 12), "cuMemcpyDtoH(known answers)");
            return r;
        } finally {
            JCudaDriver.cuMemFree(out);
        }
    }

    /** Makes this device's context current on the calling thread. */
    void makeCurrent() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    /** {free, total} device memory in bytes. */
    long[] memoryInfo() {
        long[] free = new long[1], total = new long[1];
        check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    /** Allocates {@code bytes} (at least 4) of device memory; out of memory says how much was free. */
    CUdeviceptr alloc(long bytes, String what) {
        CUdeviceptr p = new CUdeviceptr();
        int rc = JCudaDriver.cuMemAlloc(p, Math.max(4, bytes));
        if (rc != 0) {
            long[] m = {-1, -1};
            try {
                m = memoryInfo();
            } catch (CudaException ignored) {
                // the report below still names the request
            }
            throw CudaException.allocation(rc, what, bytes, m[0], m[1]);
        }
        return p;
    }

    public DeviceLimits limits() {
        return limits;
    }

    public int ordinal() {
        return ordinal;
    }

    /** The training kernel for a placement. */
    CUfunction train(FusedLayout.Placement placement) {
        return train.get(placement);
    }

    /** A loaded kernel by its name in the module (a placement's mlp_train_fused_* or rnn_train_fused_*, mlp_forward, philox_init). */
    CUfunction function(String name) {
        for (FusedLayout.Placement p : FusedLayout.Placement.values()) {
            if (p.kernelName().equals(name)) return train.get(p);
            if (rnnTrain.containsKey(p) && p.kernelName().replace("mlp_", "rnn_").equals(name)) return rnnTrain.get(p);
        }
        return switch (name) {
            case "mlp_forward" -> forward;
            case "philox_init" -> init;
            default -> throw new IllegalArgumentException("no kernel " + name + " in the module");
        };
    }

    /** The recurrent training kernel for a placement (ON_CHIP or ALL_GLOBAL). */
    CUfunction rnnTrain(FusedLayout.Placement placement) {
        return rnnTrain.get(placement);
    }

    /** Registers per thread of rnn_train_fused's variant for a placement, as loaded here (0 for other placements). */
    public int rnnRegisters(FusedLayout.Placement placement) {
        return rnnRegisters.getOrDefault(placement, 0);
    }

    /** Registers per thread of mlp_train_fused as loaded here (the most of its placement variants). */
    public int trainRegisters() {
        return trainRegisters;
    }

    public int forwardRegisters() {
        return forwardRegisters;
    }

    /** Where the loaded kernels came from (embedded fatbin or NVRTC) and the binary's architecture. */
    public String moduleOrigin() {
        return moduleOrigin + ", running sm_" + binaryVersion + " code";
    }

    /** One line for {@code repgeom devices}. */
    public String describe() {
        return String.format(Locale.ROOT, "device %d: %s; kernels: %s; mlp_train_fused %d registers/thread", ordinal,
                limits.describe(), moduleOrigin(), trainRegisters);
    }
}
