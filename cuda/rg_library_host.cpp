/*
 * Host runner of the library path's elementwise kernels (tests only, never shipped): a JNI library
 * for org.repgeom.backend.cuda.HostLibraryDevice (src/test) that stands in for the device: "device
 * memory" is malloc'ed host memory addressed by 64-bit values, as device pointers are, and a
 * launch runs the kernel's own body (repgeom_library.cu's *_at) over its work items. With the
 * host cuBLAS stand-in (rg_fake_cublas.c) behind the real bridge, LibraryTrainer's whole sequence
 * runs on the CPU.
 *
 * repgeom_train.cu's host build needs the emulator's team primitives (barriers, lane exchange), so
 * the emulator is included with its main renamed; none of its team code runs here.
 */
#include <jni.h>
#include <stdint.h>

#define main rg_cuda_emu_main
#include "rg_emulator.cpp"
#undef main

#include "repgeom_library.cu"

#define RG_HOST_CASE(name) \
    case __COUNTER__ - base: for (long long q = 0; q < a.n; q++) name##_at(a, q); return 0;

/* Runs kernel `id` (LibraryKernel ordinal) over all its work items; -1 for an unknown id. */
static int rg_library_run(int id, const rg_lib_args &a) {
    enum { base = __COUNTER__ + 1 };
    switch (id) {
        RG_LIBRARY_KERNELS(RG_HOST_CASE)
        default: return -1;
    }
}

static void *ptr(jlong p) { return (void *)(intptr_t)p; }

extern "C" {

JNIEXPORT jlong JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeAlloc(JNIEnv *, jclass, jlong bytes) {
    return (jlong)(intptr_t)calloc(1, bytes > 0 ? (size_t)bytes : 1);
}

JNIEXPORT void JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeFree(JNIEnv *, jclass, jlong p) { free(ptr(p)); }

JNIEXPORT void JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeUpload(JNIEnv *env, jclass, jlong dst,
                                                                                   jobject src, jlong bytes) {
    memcpy(ptr(dst), env->GetDirectBufferAddress(src), (size_t)bytes);
}

JNIEXPORT void JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeDownload(JNIEnv *env, jclass, jobject dst,
                                                                                     jlong src, jlong bytes) {
    memcpy(env->GetDirectBufferAddress(dst), ptr(src), (size_t)bytes);
}

JNIEXPORT void JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeCopy(JNIEnv *, jclass, jlong dst, jlong src,
                                                                                 jlong bytes) {
    memmove(ptr(dst), ptr(src), (size_t)bytes);
}

JNIEXPORT void JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeZero(JNIEnv *, jclass, jlong dst, jlong bytes) {
    memset(ptr(dst), 0, (size_t)bytes);
}

JNIEXPORT jint JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeLaunch(JNIEnv *env, jclass, jint id,
                                                                                   jobject args) {
    rg_lib_args a;
    memcpy(&a, env->GetDirectBufferAddress(args), sizeof a);
    return rg_library_run(id, a);
}

JNIEXPORT jint JNICALL Java_org_repgeom_backend_cuda_HostLibraryDevice_nativeArgsBytes(JNIEnv *, jclass) {
    return (jint)sizeof(rg_lib_args);
}
}
