package org.repgeom.backend.cuda;

/**
 * {@code cublasSgemmStridedBatched}'s contract, as the library path uses it: for q in [0, batch),
 * C_q = alpha · op(A_q) · op(B_q) + beta · C_q with column-major matrices (op = transpose when the
 * flag is set), A_q at {@code a + 4·q·strideA} bytes (strides in floats, 0 = one matrix for all), leading
 * dimensions lda, ldb, ldc; m × n outputs, inner dimension k. Pointers are device addresses.
 * Implemented by {@link CublasShim} (cuBLAS itself, or in tests its host stand-in behind the same bridge).
 */
public interface BatchedSgemm {
    void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                             long strideA, long b, int ldb, long strideB, float beta, long c, int ldc, long strideC,
                             int batch);
}
