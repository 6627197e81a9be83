package org.repgeom.backend.cuda;

import java.util.Locale;

/**
 * A CUDA driver call that failed, with the call, the driver's error name and what was being done.
 * Out-of-memory errors say how many bytes were asked for and how many were free.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** CUDA_ERROR_OUT_OF_MEMORY. */
    static final int OUT_OF_MEMORY = 2;

    private final int code;

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The CUresult code (0 when the error did not come from the driver). */
    public int code() {
        return code;
    }

    /** Throws when {@code result} is not CUDA_SUCCESS. */
    static void check(int result, String call) {
        if (result != 0) throw new CudaException(call + " failed: " + name(result), result);
    }

    /** An allocation of {@code bytes} that failed: names the free memory when the device is out of it. */
    static CudaException allocation(int result, String what, long bytes, long free, long total) {
        if (result == OUT_OF_MEMORY) {
            return new CudaException(String.format(Locale.ROOT,
                    "out of device memory allocating %s: asked for %,d bytes, %,d of %,d bytes free", what, bytes, free,
                    total), result);
        }
        return new CudaException("allocating " + what + " (" + bytes + " bytes) failed: " + name(result), result);
    }

    /** The driver's name for a CUresult, e.g. CUDA_ERROR_NO_DEVICE. */
    static String name(int result) {
        try {
            return jcuda.driver.CUresult.stringFor(result);
        } catch (LinkageError e) {
            return "CUresult " + result;
        }
    }
}
