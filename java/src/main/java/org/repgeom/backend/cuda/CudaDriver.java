package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;

/**
 * The CUDA driver as the fused path's host code ({@link CudaTrainer}) uses it: device memory by 64-bit
 * address, page-locked host buffers, streams, copies, memsets, launches and events. {@link JCudaDriverApi}
 * is a GPU through JCuda; the tests' fake driver runs the kernels' code in the host emulator and checks
 * the driver's contracts (argument lists against the kernels' signatures, buffer bounds, stream order,
 * synchronisation before host reads, everything freed). Stream 0 is the legacy default stream, which
 * waits for and is waited for by every other stream. Failures throw {@link CudaException}.
 */
interface CudaDriver {
    /** The device's limits, for the launch planner. */
    DeviceLimits limits();

    /** Registers per thread of mlp_train_fused (the most of its placement variants). */
    int trainRegisters();

    /** Registers per thread of rnn_train_fused's variant for a placement (ON_CHIP or ALL_GLOBAL). */
    int rnnRegisters(FusedLayout.Placement placement);

    /** Registers per thread of mlp_forward. */
    int forwardRegisters();

    /** Free device memory in bytes, now. */
    long freeMemory();

    /** Uninitialised device memory of at least {@code max(bytes, 4)} bytes; {@code what} names it in errors. */
    long alloc(long bytes, String what);

    void free(long address);

    /** A little-endian host buffer of {@code bytes} bytes that asynchronous copies may use: page-locked where possible. */
    ByteBuffer allocHost(int bytes);

    /** Frees a buffer of {@link #allocHost} (after the work that uses it is done). */
    void freeHost(ByteBuffer buffer);

    long createStream();

    /** Waits for every earlier operation on the stream. */
    void synchronize(long stream);

    /** Destroys a stream (its pending work still completes). */
    void destroyStream(long stream);

    /** Copies {@code bytes} bytes of the direct buffer {@code src} (from position 0) to {@code dst}; returns when done. */
    void copyToDevice(long dst, ByteBuffer src, long bytes);

    /** Copies {@code bytes} bytes from {@code src} into {@code dst} (from position 0) after all earlier work; returns when done. */
    void copyToHost(ByteBuffer dst, long src, long bytes);

    /** Queues a copy from an {@link #allocHost} buffer; the buffer must not change until the stream passes it. */
    void copyToDeviceAsync(long dst, ByteBuffer src, long bytes, long stream);

    /** Queues a copy into an {@link #allocHost} buffer; its content is valid only after {@link #synchronize}. */
    void copyToHostAsync(ByteBuffer dst, long src, long bytes, long stream);

    /** Queues setting {@code count} 32-bit words at {@code dst} to zero. */
    void zeroWordsAsync(long dst, int count, long stream);

    /**
     * Queues {@code grid} blocks of {@code blockThreads} threads of {@code kernel} (its name in the
     * module: a placement's {@code mlp_train_fused_*} or {@code rnn_train_fused_*}, {@code mlp_forward},
     * {@code philox_init}) with
     * {@code sharedBytes} of dynamic shared memory.
     */
    void launch(String kernel, int grid, int blockThreads, int sharedBytes, long stream, KernelArgs args);

    long createEvent();

    /** Queues the event on the stream: it completes when the stream reaches it. */
    void recordEvent(long event, long stream);

    /** Milliseconds between two completed events. */
    float elapsedMillis(long start, long end);

    void destroyEvent(long event);
}
