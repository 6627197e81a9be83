package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;

/**
 * Host-side buffers of one chunk of mlp_train_fused: inputs (parameters, λ, learning rates) and
 * outputs (parameters, trace, final loss, gradient norm, steps, status), each indexed by the
 * member's position in the chunk. On a device these are pinned staging buffers copied
 * asynchronously; in the emulator tests plain heap buffers.
 */
public record ChunkBuffers(ByteBuffer params, ByteBuffer lambdas, ByteBuffer lrs, ByteBuffer trace,
                           ByteBuffer finalLoss, ByteBuffer gradNorm, ByteBuffer steps, ByteBuffer status) {

    /** Byte sizes of the eight buffers, in the record's order. */
    public record Sizes(long params, long lambdas, long lrs, long trace, long finalLoss, long gradNorm, long steps,
                        long status) {
        public long[] all() {
            return new long[] {params, lambdas, lrs, trace, finalLoss, gradNorm, steps, status};
        }
    }

    /** Heap buffers of the given sizes. */
    public static ChunkBuffers allocate(Sizes s) {
        long[] n = s.all();
        ByteBuffer[] b = new ByteBuffer[n.length];
        for (int i = 0; i < n.length; i++) {
            if (n[i] > Integer.MAX_VALUE) throw new IllegalArgumentException("chunk buffer too large: " + n[i] + " bytes");
            b[i] = ByteBuffer.allocate((int) n[i]);
        }
        return of(b);
    }

    static ChunkBuffers of(ByteBuffer[] b) {
        return new ChunkBuffers(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    }

    public ByteBuffer[] all() {
        return new ByteBuffer[] {params, lambdas, lrs, trace, finalLoss, gradNorm, steps, status};
    }
}
