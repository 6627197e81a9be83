/*
 * A host stand-in for libcublas (tests only, never shipped): the four entry points that
 * native/repgeom_cublas.c resolves, with cuBLAS's C signatures and semantics, computing on host
 * memory. The tests point the real bridge at this file (CublasShim.open(path)), so the library
 * path's whole call sequence (transposes, leading dimensions, strides, batch counts) runs through
 * the same JNI bridge and C ABI as on a GPU and is checked against the Java reference. Argument
 * checks are cuBLAS's (CUBLAS_STATUS_INVALID_VALUE = 7 for a leading dimension below the rows of
 * its stored matrix, negative sizes, or an operation other than N/T/C), so a wrong lda fails here
 * as it would there.
 */
#include <stdlib.h>

#define FAKE_OK 0
#define FAKE_INVALID 7
#define FAKE_VERSION 139999 /* says "fake" in describe(): no real cuBLAS has minor version 99 */

struct fake_handle {
    int magic;
    void *stream;
};

int cublasCreate_v2(void **handle) {
    struct fake_handle *h = calloc(1, sizeof *h);
    h->magic = 0x5eed;
    *handle = h;
    return FAKE_OK;
}

int cublasDestroy_v2(void *handle) {
    free(handle);
    return FAKE_OK;
}

int cublasSetStream_v2(void *handle, void *stream) {
    ((struct fake_handle *)handle)->stream = stream;
    return FAKE_OK;
}

int cublasGetVersion_v2(void *handle, int *version) {
    (void)handle;
    *version = FAKE_VERSION;
    return FAKE_OK;
}

/* element (i, j) of op(X) where X is stored column-major with leading dimension ld */
static float at(const float *x, int ld, int trans, int i, int j) { return trans ? x[j + (long)i * ld] : x[i + (long)j * ld]; }

/* C = alpha op(A) op(B) + beta C for each of `batch` matrices (column-major, as cuBLAS). */
int cublasSgemmStridedBatched(void *handle, int transa, int transb, int m, int n, int k, const float *alpha,
                              const float *a, int lda, long long stride_a, const float *b, int ldb, long long stride_b,
                              const float *beta, float *c, int ldc, long long stride_c, int batch) {
    if (handle == NULL || ((struct fake_handle *)handle)->magic != 0x5eed) return 1;
    if (transa < 0 || transa > 2 || transb < 0 || transb > 2 || m < 0 || n < 0 || k < 0 || batch < 0) return FAKE_INVALID;
    int ta = transa != 0, tb = transb != 0;
    int rows_a = ta ? k : m, rows_b = tb ? n : k;
    if (lda < (rows_a > 1 ? rows_a : 1) || ldb < (rows_b > 1 ? rows_b : 1) || ldc < (m > 1 ? m : 1)) return FAKE_INVALID;
    for (int q = 0; q < batch; q++) {
        const float *aq = a + q * stride_a, *bq = b + q * stride_b;
        float *cq = c + q * stride_c;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float s = 0.0f;
                for (int p = 0; p < k; p++) s += at(aq, lda, ta, i, p) * at(bq, ldb, tb, p, j);
                float *out = cq + i + (long)j * ldc;
                *out = *beta == 0.0f ? *alpha * s : *alpha * s + *beta * *out; /* beta = 0: C is not read */
            }
        }
    }
    return FAKE_OK;
}
