/*
 * repgeom's bridge to cuBLAS (issue #16, the CUDA library path): a tiny JNI library that loads
 * libcublas at run time with dlopen() and calls the four entry points the library path needs
 * (cublasCreate_v2, cublasDestroy_v2, cublasSetStream_v2, cublasSgemmStridedBatched) through
 * prototypes declared here, so it needs no CUDA headers or libraries to build and works with
 * whichever cuBLAS major version the machine has (libcublas.so.13 of CUDA 13, .so.12 of CUDA 12).
 * JCublas 12.6's natives link libcublas.so.12 and fail to load where only CUDA 13 is installed;
 * this does not. Device pointers and the stream are plain 64-bit values (JCuda's CUdeviceptr and
 * CUstream addresses); the handle is an opaque pointer. Which file to open is Java's decision
 * (org.repgeom.backend.cuda.CublasShim: $REPGEOM_CUBLAS, LD_LIBRARY_PATH, python3's pip
 * nvidia/cublas/lib folders, /usr/local/cuda/lib64); a file that does not load or lacks a symbol
 * comes back as one line of text, never a crash.
 *
 * Built by native/build.sh as its own library (librepgeom_cublas), so the CPU backend never
 * depends on libdl or on anything CUDA.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef int (*rg_cublas_create_fn)(void **handle);
typedef int (*rg_cublas_destroy_fn)(void *handle);
typedef int (*rg_cublas_set_stream_fn)(void *handle, void *stream);
typedef int (*rg_cublas_version_fn)(void *handle, int *version);
typedef int (*rg_cublas_sgemm_sb_fn)(void *handle, int transa, int transb, int m, int n, int k, const float *alpha,
                                     const float *a, int lda, long long stride_a, const float *b, int ldb,
                                     long long stride_b, const float *beta, float *c, int ldc, long long stride_c,
                                     int batch);

static void *rg_lib;
static rg_cublas_create_fn rg_create;
static rg_cublas_destroy_fn rg_destroy;
static rg_cublas_set_stream_fn rg_set_stream;
static rg_cublas_version_fn rg_version;
static rg_cublas_sgemm_sb_fn rg_sgemm_sb;

/* Status returned when no library is open (cuBLAS's CUBLAS_STATUS_NOT_INITIALIZED). */
#define RG_NOT_OPEN 1

/* Opens `path` and resolves the entry points; NULL on success, else the reason. A library that
   loads replaces the previous one for later calls (the previous one stays open: handles made from
   it may still be in use). */
JNIEXPORT jstring JNICALL Java_org_repgeom_backend_cuda_CublasShim_nativeOpen(JNIEnv *env, jclass cls, jstring jpath) {
    const char *path = (*env)->GetStringUTFChars(env, jpath, NULL);
    if (path == NULL) return (*env)->NewStringUTF(env, "out of memory");
    char reason[768];
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *err = dlerror();
        snprintf(reason, sizeof reason, "%s", err != NULL ? err : "dlopen failed");
        (*env)->ReleaseStringUTFChars(env, jpath, path);
        return (*env)->NewStringUTF(env, reason);
    }
    static const char *names[] = {"cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSgemmStridedBatched"};
    void *fns[4];
    for (int i = 0; i < 4; i++) {
        fns[i] = dlsym(lib, names[i]);
        if (fns[i] == NULL) {
            snprintf(reason, sizeof reason, "%s has no %s", path, names[i]);
            dlclose(lib);
            (*env)->ReleaseStringUTFChars(env, jpath, path);
            return (*env)->NewStringUTF(env, reason);
        }
    }
    (*env)->ReleaseStringUTFChars(env, jpath, path);
    rg_create = (rg_cublas_create_fn)fns[0];
    rg_destroy = (rg_cublas_destroy_fn)fns[1];
    rg_set_stream = (rg_cublas_set_stream_fn)fns[2];
    rg_sgemm_sb = (rg_cublas_sgemm_sb_fn)fns[3];
    rg_version = (rg_cublas_version_fn)dlsym(lib, "cublasGetVersion_v2"); /* optional: description only */
    rg_lib = lib;
    return NULL;
}

JNIEXPORT jint JNICALL Java_org_repgeom_backend_cuda_CublasShim_nativeCreate(JNIEnv *env, jclass cls, jlongArray out) {
    if (rg_lib == NULL) return RG_NOT_OPEN;
    void *h = NULL;
    int rc = rg_create(&h);
    jlong v = (jlong)(intptr_t)h;
    (*env)->SetLongArrayRegion(env, out, 0, 1, &v);
    return rc;
}

JNIEXPORT jint JNICALL Java_org_repgeom_backend_cuda_CublasShim_nativeDestroy(JNIEnv *env, jclass cls, jlong h) {
    return rg_lib == NULL ? RG_NOT_OPEN : rg_destroy((void *)(intptr_t)h);
}

JNIEXPORT jint JNICALL Java_org_repgeom_backend_cuda_CublasShim_nativeSetStream(JNIEnv *env, jclass cls, jlong h,
                                                                               jlong stream) {
    return rg_lib == NULL ? RG_NOT_OPEN : rg_set_stream((void *)(intptr_t)h, (void *)(intptr_t)stream);
}

/* cuBLAS's version (major * 10000 + minor * 100 + patch), or -1 where the library does not say. */
JNIEXPORT jint JNICALL Java_org_repgeom_backend_cuda_CublasShim_nativeVersion(JNIEnv *env, jclass cls, jlong h) {
    int v = -1;
    if (rg_lib == NULL || rg_version == NULL || rg_version((void *)(intptr_t)h, &v) != 0) return -1;
    return v;
}

/* cublasSgemmStridedBatched with host-side alpha and beta (the default pointer mode). */
JNIEXPORT jint JNICALL Java_org_repgeom_backend_cuda_CublasShim_nativeSgemmStridedBatched(
    JNIEnv *env, jclass cls, jlong h, jint transa, jint transb, jint m, jint n, jint k, jfloat alpha, jlong a, jint lda,
    jlong stride_a, jlong b, jint ldb, jlong stride_b, jfloat beta, jlong c, jint ldc, jlong stride_c, jint batch) {
    if (rg_lib == NULL) return RG_NOT_OPEN;
    return rg_sgemm_sb((void *)(intptr_t)h, transa, transb, m, n, k, &alpha, (const float *)(intptr_t)a, lda,
                       stride_a, (const float *)(intptr_t)b, ldb, stride_b, &beta, (float *)(intptr_t)c, ldc, stride_c,
                       batch);
}
