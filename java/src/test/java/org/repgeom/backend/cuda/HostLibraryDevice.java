package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The library path's device on the host (tests only): memory is malloc'ed host memory addressed by
 * 64-bit values and a launch runs the kernel's own code (cuda/repgeom_library.cu's per-item bodies)
 * over its work items, in cuda/build.sh's {@code target/cuda-emulator/librg_library_host.so}. With
 * {@link #cublas()} (the real bridge opened on the host cuBLAS stand-in) {@link LibraryTrainer}'s whole
 * sequence runs on the CPU.
 */
public final class HostLibraryDevice implements LibraryDevice {
    /** The host kernels' JNI library. */
    public static final Path LIBRARY = Path.of("target", "cuda-emulator", "librg_library_host.so").toAbsolutePath();
    /** The host stand-in of libcublas. */
    public static final Path FAKE_CUBLAS = Path.of("target", "cuda-emulator", "librg_fake_cublas.so").toAbsolutePath();
    private static final String PROBLEM = load();

    private final List<Long> allocations = new ArrayList<>();

    private static String load() {
        if (!Files.isRegularFile(LIBRARY)) return LIBRARY + " not built (no C++ compiler or jni.h?)";
        if (!Files.isRegularFile(FAKE_CUBLAS)) return FAKE_CUBLAS + " not built";
        try {
            System.load(LIBRARY.toString());
        } catch (UnsatisfiedLinkError e) {
            return e.getMessage();
        }
        if (nativeArgsBytes() != LibraryArgs.BYTES) {
            return "sizeof(rg_lib_args) is " + nativeArgsBytes() + ", LibraryArgs.BYTES " + LibraryArgs.BYTES;
        }
        return null;
    }

    /** Null when the host kernels and the cuBLAS stand-in are built and loaded, else why not. */
    public static String unavailableReason() {
        return PROBLEM;
    }

    /** A handle of the real cuBLAS bridge, opened on the host stand-in of libcublas. */
    public static CublasShim cublas() {
        String why = CublasShim.open(FAKE_CUBLAS.toString());
        if (why != null) throw new IllegalStateException("host cuBLAS stand-in did not open: " + why);
        return CublasShim.create(0);
    }

    @Override
    public long alloc(long bytes, String what) {
        long p = nativeAlloc(bytes);
        if (p == 0) throw new OutOfMemoryError("host allocation of " + bytes + " bytes for " + what);
        allocations.add(p);
        return p;
    }

    @Override
    public void upload(long dst, ByteBuffer src, long bytes) {
        if (!src.isDirect() || src.capacity() < bytes) throw new IllegalArgumentException("upload needs a direct buffer of " + bytes + " bytes");
        nativeUpload(dst, src, bytes);
    }

    @Override
    public void download(ByteBuffer dst, long src, long bytes) {
        if (!dst.isDirect() || dst.capacity() < bytes) throw new IllegalArgumentException("download needs a direct buffer of " + bytes + " bytes");
        nativeDownload(dst, src, bytes);
    }

    @Override
    public void copy(long dst, long src, long bytes) {
        nativeCopy(dst, src, bytes);
    }

    @Override
    public void zero(long dst, long bytes) {
        nativeZero(dst, bytes);
    }

    @Override
    public void launch(LibraryKernel kernel, LibraryArgs args) {
        ByteBuffer b = ByteBuffer.allocateDirect(LibraryArgs.BYTES);
        b.put(args.bytes());
        int rc = nativeLaunch(kernel.ordinal(), b);
        if (rc != 0) throw new IllegalStateException("host runner has no kernel " + kernel.ordinal() + " (" + kernel + ")");
    }

    @Override
    public void close() {
        for (long p : allocations) nativeFree(p);
        allocations.clear();
    }

    private static native long nativeAlloc(long bytes);

    private static native void nativeFree(long p);

    private static native void nativeUpload(long dst, ByteBuffer src, long bytes);

    private static native void nativeDownload(ByteBuffer dst, long src, long bytes);

    private static native void nativeCopy(long dst, long src, long bytes);

    private static native void nativeZero(long dst, long bytes);

    private static native int nativeLaunch(int id, ByteBuffer args);

    private static native int nativeArgsBytes();
}
