package org.repgeom.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The kernels packed in the jar by cuda/build.sh: {@code org/repgeom/cuda/repgeom.fatbin} (SASS for
 * sm_80/86/89/90 and PTX for compute_90; present only when nvcc was on PATH at build time) and
 * {@code org/repgeom/cuda/repgeom_train.cu} (always; NVRTC compiles it when the fatbin does not fit).
 */
public final class KernelBinaries {
    public static final String FATBIN = "/org/repgeom/cuda/repgeom.fatbin";
    public static final String SOURCE = "/org/repgeom/cuda/repgeom_train.cu";
    /** Architectures with SASS in the fatbin, and the PTX one (cuda/build.sh). */
    public static final String ARCHITECTURES = "sm_80, sm_86, sm_89, sm_90 + compute_90 PTX";

    private KernelBinaries() {
    }

    /** The embedded fatbin, or null when the build had no nvcc. */
    public static byte[] fatbin() {
        return read(FATBIN);
    }

    /** The kernel source, or null when missing (a broken build). */
    public static String source() {
        byte[] b = read(SOURCE);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] read(String resource) {
        try (InputStream in = KernelBinaries.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException ex) {
            return null;
        }
    }
}
