package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;

/**
 * What the library path needs of a device besides its GEMM: memory addressed by 64-bit values, copies
 * to and from it, and launches of the elementwise kernels, all in one stream order (a download sees
 * every earlier launch and GEMM). {@link CudaLibraryDevice} is a GPU through JCuda; the tests'
 * HostLibraryDevice runs the same kernel code on host memory.
 */
public interface LibraryDevice extends AutoCloseable {
    /** Zeroed memory of {@code bytes} bytes, freed by {@link #close()}; {@code what} names it in errors. */
    long alloc(long bytes, String what);

    /** Copies the first {@code bytes} bytes of the direct buffer {@code src} to {@code dst}. */
    void upload(long dst, ByteBuffer src, long bytes);

    /** Copies {@code bytes} bytes from {@code src} into the direct buffer {@code dst}, after all earlier work. */
    void download(ByteBuffer dst, long src, long bytes);

    /** Device-to-device copy. */
    void copy(long dst, long src, long bytes);

    /** Sets {@code bytes} bytes at {@code dst} to zero. */
    void zero(long dst, long bytes);

    /** Runs {@code kernel} over {@code args.items()} work items. */
    void launch(LibraryKernel kernel, LibraryArgs args);

    /** Frees every allocation made so far; the device stays usable. */
    @Override
    void close();
}
