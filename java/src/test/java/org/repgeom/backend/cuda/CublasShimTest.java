package org.repgeom.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cuBLAS bridge (native/repgeom_cublas.c through {@link CublasShim}) without a GPU: where it looks
 * for libcublas, the one-line reasons when a file is missing, is no library or lacks cuBLAS's entry
 * points (never a crash), and cublasSgemmStridedBatched's column-major contract for every transpose,
 * padded leading dimensions, batch strides (0 = one shared matrix) and β, through the bridge into the
 * host stand-in of libcublas, which also rejects a leading dimension below its matrix's rows.
 */
class CublasShimTest {

    @BeforeAll
    static void built() {
        assumeTrue(HostLibraryDevice.unavailableReason() == null, HostLibraryDevice::unavailableReason);
    }

    @Test
    void aMissingFileIsOneLineNamingIt() {
        String why = CublasShim.open("/nonexistent/dir/libcublas.so.13");
        assertNotNull(why);
        assertTrue(why.contains("/nonexistent/dir/libcublas.so.13"), why);
        assertFalse(why.contains("\n"), why);
    }

    @Test
    void aFileThatIsNoLibraryIsAReason(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("libcublas.so.12");
        Files.writeString(junk, "not an ELF file");
        String why = CublasShim.open(junk.toString());
        assertNotNull(why);
        assertFalse(why.contains("\n"), why);
    }

    @Test
    void aLibraryWithoutCublasSaysWhichEntryPointIsMissing() {
        String why = CublasShim.open(HostLibraryDevice.LIBRARY.toString());
        assertNotNull(why);
        assertTrue(why.contains("has no cublasCreate_v2"), why);
    }

    @Test
    void searchOrderIsLdLibraryPathThenPythonThenCudaThenTheLoader(@TempDir Path dir) throws Exception {
        Path ld = Files.createDirectories(dir.resolve("ld"));
        Files.writeString(ld.resolve("libcublas.so.12"), "");
        Files.writeString(ld.resolve("libcublas.so.13"), "");
        Path site = Files.createDirectories(dir.resolve("site-packages"));
        Path pip = Files.createDirectories(site.resolve("nvidia/cublas/lib"));
        Files.writeString(pip.resolve("libcublas.so.13"), "");
        List<String> c = CublasShim.candidates(Map.of("LD_LIBRARY_PATH", dir.resolve("missing") + ":" + ld),
                List.of(site.toString(), dir.resolve("other").toString()));
        int n = c.size();
        assertEquals(ld.resolve("libcublas.so.13").toString(), c.get(0), c.toString());
        assertEquals(ld.resolve("libcublas.so.12").toString(), c.get(1), c.toString());
        assertEquals(pip.resolve("libcublas.so.13").toString(), c.get(2), c.toString());
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12"), c.subList(n - 2, n), "bare sonames last");
        assertTrue(c.stream().noneMatch(s -> s.contains("missing") || s.contains("other")), "only files that exist: " + c);
    }

    @Test
    void stridedBatchedGemmIsColumnMajorForEveryTranspose() {
        try (HostLibraryDevice dev = new HostLibraryDevice(); CublasShim blas = HostLibraryDevice.cublas()) {
            assertTrue(blas.describe().contains("13.99.99"), blas.describe());
            SplittableRandom rnd = new SplittableRandom(7);
            int m = 5, n = 4, k = 3, batch = 3;
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (long sharedB : new long[] {0, 1}) {
                        int lda = (ta ? k : m) + 2, ldb = (tb ? n : k) + 1, ldc = m + 3;
                        int colsA = ta ? m : k, colsB = tb ? k : n;
                        long sA = (long) lda * colsA + 5, sB = sharedB == 0 ? 0 : (long) ldb * colsB, sC = (long) ldc * n + 1;
                        float[] a = random(rnd, (int) (sA * batch)), b = random(rnd, (int) Math.max(ldb * colsB, sB * batch));
                        float[] c = random(rnd, (int) (sC * batch));
                        float alpha = 1.5f, beta = -0.5f;
                        long pa = put(dev, a), pb = put(dev, b), pc = put(dev, c);
                        blas.sgemmStridedBatched(ta, tb, m, n, k, alpha, pa, lda, sA, pb, ldb, sB, beta, pc, ldc, sC, batch);
                        float[] got = get(dev, pc, c.length);
                        for (int q = 0; q < batch; q++) {
                            for (int j = 0; j < n; j++) {
                                for (int i = 0; i < m; i++) {
                                    double s = 0;
                                    for (int p = 0; p < k; p++) {
                                        double x = ta ? a[(int) (q * sA) + p + i * lda] : a[(int) (q * sA) + i + p * lda];
                                        double y = tb ? b[(int) (q * sB) + j + p * ldb] : b[(int) (q * sB) + p + j * ldb];
                                        s += x * y;
                                    }
                                    int at = (int) (q * sC) + i + j * ldc;
                                    double want = alpha * s + beta * c[at];
                                    assertEquals(want, got[at], 1e-5 * (1 + Math.abs(want)),
                                            "op " + ta + "/" + tb + " batch " + q + " (" + i + "," + j + ")");
                                }
                                // the padding rows between m and ldc are untouched
                                for (int i = m; i < ldc && (int) (q * sC) + i + j * ldc < c.length; i++) {
                                    int at = (int) (q * sC) + i + j * ldc;
                                    assertEquals(c[at], got[at], "padding row " + i + " written");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aLeadingDimensionBelowTheRowsIsCublasInvalidValue() {
        try (HostLibraryDevice dev = new HostLibraryDevice(); CublasShim blas = HostLibraryDevice.cublas()) {
            long p = dev.alloc(4 * 64, "operands");
            CudaException ex = assertThrows(CudaException.class,
                    () -> blas.sgemmStridedBatched(true, false, 4, 2, 3, 1f, p, 2, 0, p, 3, 0, 0f, p, 4, 0, 1));
            assertTrue(ex.getMessage().contains("CUBLAS_STATUS_INVALID_VALUE") && ex.getMessage().contains("lda=2"), ex.getMessage());
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (2 * rnd.nextDouble() - 1);
        return v;
    }

    private static long put(LibraryDevice dev, float[] v) {
        long p = dev.alloc(4L * v.length, "test array");
        ByteBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        dev.upload(p, b, 4L * v.length);
        return p;
    }

    private static float[] get(LibraryDevice dev, long p, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        dev.download(b, p, 4L * n);
        float[] v = new float[n];
        b.asFloatBuffer().get(v);
        return v;
    }
}
