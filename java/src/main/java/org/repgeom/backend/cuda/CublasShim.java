package org.repgeom.backend.cuda;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.repgeom.backend.NativeKernels;

/**
 * cuBLAS for the library path, through repgeom's own bridge ({@code native/repgeom_cublas.c},
 * {@code librepgeom_cublas}): the bridge {@code dlopen()}s libcublas at run time and calls it through
 * prototypes of its own, so it works with CUDA 13's {@code libcublas.so.13} as well as CUDA 12's
 * {@code .so.12} and needs no CUDA at build time. (JCublas 12.6's natives link {@code libcublas.so.12}
 * and do not load where only CUDA 13 is installed, e.g. a PyTorch cu130 image whose cuBLAS is the pip
 * package {@code nvidia-cublas}.) Device pointers and streams are passed as 64-bit addresses.
 *
 * <p>Where libcublas is looked for, first that loads wins ({@link #candidates}): the file named by
 * {@code -Drepgeom.cublas=PATH} or {@code $REPGEOM_CUBLAS} (then nothing else); {@code libcublas.so.13},
 * then {@code .so.12}, in each {@code LD_LIBRARY_PATH} folder, in python3's {@code nvidia/cublas/lib}
 * folders (pip's {@code nvidia-cublas} wheels) and in {@code /usr/local/cuda/lib64}; finally the bare
 * names through the system loader's own search. Where none loads, {@link #unavailableReason()} is one
 * line naming what was tried; nothing is thrown at load time.
 *
 * <p>An instance is one cuBLAS handle, created with the caller's CUDA context current (cuBLAS binds to
 * it). Tests open a host stand-in of libcublas ({@code cuda/rg_fake_cublas.c}) with {@link #open(String)},
 * so the library path's GEMM calls go through this very bridge without a GPU.
 */
public final class CublasShim implements BatchedSgemm, AutoCloseable {
    /** System property naming the libcublas file to load (else the environment variable {@link #ENV}). */
    public static final String PROPERTY = "repgeom.cublas";
    public static final String ENV = "REPGEOM_CUBLAS";
    /** Sonames tried in each folder, newest first. */
    static final String[] SONAMES = {"libcublas.so.13", "libcublas.so.12"};
    private static final String BRIDGE = "librepgeom_cublas";

    private static String bridgeProblem;
    private static boolean bridgeTried;
    private static String opened;
    private static String reason;
    private static boolean searched;

    private final long handle;
    private boolean closed;

    private CublasShim(long handle) {
        this.handle = handle;
    }

    /**
     * Loads libcublas from the standard places (class comment) once per process; null when it loaded,
     * else the one-line reason.
     */
    public static synchronized String unavailableReason() {
        if (!searched) {
            searched = true;
            String explicit = System.getProperty(PROPERTY, System.getenv(ENV));
            reason = explicit != null && !explicit.isBlank() ? open(explicit)
                    : openFirst(candidates(System.getenv(), pythonPaths()));
        }
        return reason;
    }

    /** True when a libcublas was loaded (by {@link #unavailableReason()} or {@link #open(String)}). */
    public static synchronized boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** The libcublas file in use, or null. */
    public static synchronized String library() {
        return opened;
    }

    /**
     * Opens this libcublas file (an explicit choice: tests, {@code -Drepgeom.cublas}); null on success,
     * else why not (missing file, not a shared library, a missing entry point, no bridge library).
     */
    public static synchronized String open(String path) {
        String bridge = bridge();
        if (bridge != null) return "the cuBLAS bridge (" + BRIDGE + ") did not load: " + bridge;
        if (!new File(path).isAbsolute() && path.contains("/")) path = new File(path).getAbsolutePath();
        String why = nativeOpen(path);
        if (why == null) {
            opened = path;
            searched = true;
            reason = null;
            return null;
        }
        return firstLine(why);
    }

    private static String openFirst(List<String> candidates) {
        String bridge = bridge();
        if (bridge != null) return "the cuBLAS bridge (" + BRIDGE + ") did not load: " + bridge;
        List<String> problems = new ArrayList<>();
        for (String c : candidates) {
            String why = open(c);
            if (why == null) return null;
            // a bare soname the system loader does not know is the expected case, not worth reporting
            if (c.contains("/")) problems.add(why);
        }
        return "no libcublas.so.13 or .so.12 loads (looked in $" + ENV + ", LD_LIBRARY_PATH, python3's nvidia/cublas/lib,"
                + " /usr/local/cuda/lib64 and the system loader's path)" + (problems.isEmpty() ? "" : ": " + String.join("; ", problems));
    }

    /**
     * The files to try, in order (class comment), given the environment and python3's {@code sys.path};
     * files that do not exist are left out, the bare sonames come last.
     */
    static List<String> candidates(Map<String, String> env, List<String> pythonPaths) {
        Set<String> out = new LinkedHashSet<>();
        List<String> dirs = new ArrayList<>();
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(File.pathSeparator)) {
                if (!d.isBlank()) dirs.add(d);
            }
        }
        for (String p : pythonPaths) dirs.add(Path.of(p, "nvidia", "cublas", "lib").toString());
        dirs.add("/usr/local/cuda/lib64");
        for (String d : dirs) {
            for (String so : SONAMES) {
                Path f = Path.of(d, so);
                if (Files.isRegularFile(f)) out.add(f.toAbsolutePath().toString());
            }
        }
        for (String so : SONAMES) out.add(so);
        return new ArrayList<>(out);
    }

    /** python3's {@code sys.path} folders (where pip's nvidia-cublas lives), or none without python3. */
    static List<String> pythonPaths() {
        List<String> out = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys\nfor p in sys.path: print(p)")
                    .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) out.add(line.strip());
                }
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (Exception ex) { // no python3: those folders are simply not searched
            return List.of();
        }
        return out;
    }

    private static String bridge() {
        if (!bridgeTried) {
            bridgeTried = true;
            try {
                NativeKernels.loadBundled(BRIDGE);
            } catch (Throwable t) { // UnsatisfiedLinkError, IOException
                bridgeProblem = firstLine(t.getMessage() == null ? t.toString() : t.getMessage());
            }
        }
        return bridgeProblem;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * A cuBLAS handle bound to the calling thread's current CUDA context, its work on {@code stream}
     * (a CUstream address, 0 = the default stream).
     *
     * @throws IllegalStateException with the reason when no libcublas loaded
     * @throws CudaException when cuBLAS refuses (no context, out of memory)
     */
    public static CublasShim create(long stream) {
        String why = unavailableReason();
        if (why != null) throw new IllegalStateException("cuBLAS not available: " + why);
        long[] h = new long[1];
        check(nativeCreate(h), "cublasCreate");
        CublasShim s = new CublasShim(h[0]);
        if (stream != 0) check(nativeSetStream(h[0], stream), "cublasSetStream");
        return s;
    }

    /** "libcublas VERSION (FILE)". */
    public String describe() {
        int v = nativeVersion(handle);
        String version = v < 0 ? "version unknown" : (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
        return "cuBLAS " + version + " (" + library() + ")";
    }

    @Override
    public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                                    long strideA, long b, int ldb, long strideB, float beta, long c, int ldc, long strideC,
                                    int batch) {
        if (closed) throw new IllegalStateException("cuBLAS handle already closed");
        int rc = nativeSgemmStridedBatched(handle, transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, strideA, b, ldb,
                strideB, beta, c, ldc, strideC, batch);
        if (rc != 0) {
            throw new CudaException(String.format(java.util.Locale.ROOT,
                    "cublasSgemmStridedBatched(%s, %s, m=%d, n=%d, k=%d, lda=%d, ldb=%d, ldc=%d, batch=%d) failed: %s",
                    transA ? "T" : "N", transB ? "T" : "N", m, n, k, lda, ldb, ldc, batch, statusName(rc)), rc);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            nativeDestroy(handle);
        }
    }

    /** cuBLAS's status names (cublas_api.h values). */
    static String statusName(int rc) {
        return switch (rc) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cuBLAS status " + rc;
        };
    }

    private static void check(int rc, String what) {
        if (rc != 0) throw new CudaException(what + " failed: " + statusName(rc), rc);
    }

    private static native String nativeOpen(String path);

    private static native int nativeCreate(long[] handleOut);

    private static native int nativeDestroy(long handle);

    private static native int nativeSetStream(long handle, long stream);

    private static native int nativeVersion(long handle);

    private static native int nativeSgemmStridedBatched(long handle, int transa, int transb, int m, int n, int k,
                                                        float alpha, long a, int lda, long strideA, long b, int ldb,
                                                        long strideB, float beta, long c, int ldc, long strideC, int batch);
}
