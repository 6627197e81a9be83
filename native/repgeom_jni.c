/*
 * Thin JNI glue for org.repgeom.backend.NativeKernels: unpacks arguments, checks buffer sizes
 * (a wrong size throws IllegalArgumentException instead of corrupting memory) and calls the pure
 * C kernels of repgeom_kernels.h. Direct buffers are used in place: no copies.
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>

#include "repgeom_kernels.h"
#include "repgeom_rnn.h"

#define RG_JNI(name) Java_org_repgeom_backend_NativeKernels_##name

static void throw_iae(JNIEnv *env, const char *msg) {
    jclass cls = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (cls != NULL) (*env)->ThrowNew(env, cls, msg);
}

static void throw_ise(JNIEnv *env, const char *msg) {
    jclass cls = (*env)->FindClass(env, "java/lang/IllegalStateException");
    if (cls != NULL) (*env)->ThrowNew(env, cls, msg);
}

JNIEXPORT jint JNICALL RG_JNI(philox4x32_1kat)(JNIEnv *env, jclass cls) {
    (void)env;
    (void)cls;
    return philox4x32_kat();
}

JNIEXPORT void JNICALL RG_JNI(philox4x32_110)(JNIEnv *env, jclass cls, jintArray ctr, jint k0, jint k1) {
    (void)cls;
    if (ctr == NULL || (*env)->GetArrayLength(env, ctr) != 4) {
        throw_iae(env, "counter must have 4 words");
        return;
    }
    jint c[4];
    (*env)->GetIntArrayRegion(env, ctr, 0, 4, c);
    uint32_t u[4] = {(uint32_t)c[0], (uint32_t)c[1], (uint32_t)c[2], (uint32_t)c[3]};
    philox4x32_10(u, (uint32_t)k0, (uint32_t)k1);
    for (int i = 0; i < 4; i++) c[i] = (jint)u[i];
    (*env)->SetIntArrayRegion(env, ctr, 0, 4, c);
}

JNIEXPORT jstring JNICALL RG_JNI(isa)(JNIEnv *env, jclass cls) {
    (void)cls;
    return (*env)->NewStringUTF(env, rg_isa());
}

JNIEXPORT jint JNICALL RG_JNI(limitIsa)(JNIEnv *env, jclass cls, jint limit) {
    (void)env;
    (void)cls;
    return rg_limit_isa(limit);
}

JNIEXPORT jint JNICALL RG_JNI(forceLayout)(JNIEnv *env, jclass cls, jint mode) {
    (void)env;
    (void)cls;
    return rg_force_layout(mode);
}

static int read_shape(JNIEnv *env, jintArray shape, int header, jint *s, rg_config *c);

/* shape as mlp_forward's: depth, activation, biasAll, samples, dims[0 .. depth+1] */
JNIEXPORT jint JNICALL RG_JNI(layout)(JNIEnv *env, jclass cls, jintArray shape) {
    (void)cls;
    jint s[4 + RG_MAX_DEPTH + 2];
    rg_config c;
    if (read_shape(env, shape, 4, s, &c) != RG_OK) return -1;
    return rg_layout(&c);
}

/* Address of a direct buffer holding at least `need` elements, or NULL after throwing. */
static void *buf(JNIEnv *env, jobject b, jlong need, const char *what) {
    if (b == NULL) {
        throw_iae(env, what);
        return NULL;
    }
    void *p = (*env)->GetDirectBufferAddress(env, b);
    jlong cap = (*env)->GetDirectBufferCapacity(env, b);
    if (p == NULL || cap < need) {
        throw_iae(env, what);
        return NULL;
    }
    return p;
}

/*
 * Reads a shape array: `header` leading ints (depth, activation, biasAll, samples, then any
 * entry-point specific fields), followed by dims[0 .. depth+1]. Fills the network fields of *c and
 * copies the whole array into s (room for header + RG_MAX_DEPTH + 2 ints) so the caller can read
 * its own header fields. Throws IllegalArgumentException and returns RG_EBADARG on a bad shape.
 */
static int read_shape(JNIEnv *env, jintArray shape, int header, jint *s, rg_config *c) {
    if (shape == NULL) {
        throw_iae(env, "no shape array");
        return RG_EBADARG;
    }
    jsize ns = (*env)->GetArrayLength(env, shape);
    if (ns < header + 1 + 2) {
        throw_iae(env, "shape too short");
        return RG_EBADARG;
    }
    if (ns > header + RG_MAX_DEPTH + 2) {
        throw_iae(env, "network too deep for the native backend");
        return RG_EBADARG;
    }
    (*env)->GetIntArrayRegion(env, shape, 0, ns, s);
    c->depth = s[0];
    if (c->depth < 1 || c->depth > RG_MAX_DEPTH || ns != header + c->depth + 2) {
        throw_iae(env, "shape does not match depth");
        return RG_EBADARG;
    }
    c->activation = s[1];
    c->bias_all = s[2];
    c->samples = s[3];
    for (int l = 0; l < c->depth + 2; l++) c->dims[l] = s[header + l];
    return RG_OK;
}

/*
 * shape: depth, activation, biasAll, samples, optKind, maxSteps, window, traceEvery, dims[0 .. depth+1]
 * hyper: finalLrRatio, momentum, beta1, beta2, eps, tol
 */
/* Both training entry points: resume == NULL trains from scratch (mlp_train_fused), else continues. */
static jint train_call(JNIEnv *env, jintArray shape, jdoubleArray hyper, jobject x, jobject y, jobject params,
                       jobject lambdas, jobject lrs, jobject trace, jobject finalLoss, jobject gradNorm, jobject steps,
                       jobject status, jint first, jint count, const jobject *resume, jint untilStep,
                       jint kernelEvery, jobject kernelRows, jobject kernelTrace) {
    if (hyper == NULL || (*env)->GetArrayLength(env, hyper) != 6) {
        throw_iae(env, "bad hyper array");
        return RG_EBADARG;
    }
    jint s[8 + RG_MAX_DEPTH + 2];
    rg_config c;
    if (read_shape(env, shape, 8, s, &c) != RG_OK) return RG_EBADARG;
    jdouble h[6];
    (*env)->GetDoubleArrayRegion(env, hyper, 0, 6, h);
    c.opt_kind = s[4];
    c.max_steps = s[5];
    c.window = s[6];
    c.trace_every = s[7];
    c.final_lr_ratio = h[0];
    c.momentum = h[1];
    c.beta1 = h[2];
    c.beta2 = h[3];
    c.eps = h[4];
    c.tol = h[5];
    c.kernel_trace = NULL;
    long stride = rg_param_stride(&c);
    if (stride < 0) {
        throw_iae(env, "invalid network or training settings");
        return RG_EBADARG;
    }
    if (first < 0 || count < 0) {
        throw_iae(env, "negative member range");
        return RG_EBADARG;
    }
    jlong end = (jlong)first + count;
    jlong tlen = c.max_steps / c.trace_every + 1;
    jlong dX = c.dims[0], dY = c.dims[c.depth + 1];
    const float *px = buf(env, x, dX * c.samples, "x buffer too small or not direct");
    if (px == NULL) return RG_EBADARG;
    const float *py = buf(env, y, dY * c.samples, "y buffer too small or not direct");
    if (py == NULL) return RG_EBADARG;
    float *pp = buf(env, params, end * stride, "params buffer too small or not direct");
    if (pp == NULL) return RG_EBADARG;
    const float *pl = buf(env, lambdas, end * (c.depth + 1), "lambdas buffer too small or not direct");
    if (pl == NULL) return RG_EBADARG;
    const double *plr = buf(env, lrs, end, "learning-rate buffer too small or not direct");
    if (plr == NULL) return RG_EBADARG;
    float *pt = buf(env, trace, end * tlen, "trace buffer too small or not direct");
    if (pt == NULL) return RG_EBADARG;
    double *pfl = buf(env, finalLoss, end, "finalLoss buffer too small or not direct");
    if (pfl == NULL) return RG_EBADARG;
    double *pgn = buf(env, gradNorm, end, "gradNorm buffer too small or not direct");
    if (pgn == NULL) return RG_EBADARG;
    int32_t *pst = buf(env, steps, end, "steps buffer too small or not direct");
    if (pst == NULL) return RG_EBADARG;
    int32_t *pss = buf(env, status, end, "status buffer too small or not direct");
    if (pss == NULL) return RG_EBADARG;
    /* kernel trace (kernelEvery 0: none): rows per member, the trace buffer as large as the highest row needs */
    rg_kernel_trace kt = {0};
    if (kernelEvery != 0) {
        if (kernelEvery < 0) {
            throw_iae(env, "kernelEvery must be >= 0");
            return RG_EBADARG;
        }
        kt.every = kernelEvery;
        if ((kt.row = buf(env, kernelRows, end, "kernel trace rows buffer too small or not direct")) == NULL) return RG_EBADARG;
        c.kernel_trace = &kt;
        jlong rows = 0;
        for (jlong e = first; e < end; e++) {
            if (kt.row[e] >= rows) rows = (jlong)kt.row[e] + 1;
        }
        jlong need = rows * c.depth * rg_kernel_trace_points(&c) * c.samples * c.samples;
        if ((kt.out = buf(env, kernelTrace, need, "kernel trace buffer too small or not direct")) == NULL) return RG_EBADARG;
    }
    int rc;
    if (resume == NULL) {
        rc = mlp_train_fused(&c, px, py, pp, pl, plr, pt, pfl, pgn, pst, pss, first, count);
    } else {
        /* resume: lastFinite, moment1, moment2 (floats, members x stride; the moments may be null when the
           optimiser has none), beta1Pow, beta2Pow, windowStart, penalty (doubles, members) */
        rg_resume r = {0};
        r.until_step = untilStep;
        if ((r.last_finite = buf(env, resume[0], end * stride, "lastFinite buffer too small or not direct")) == NULL)
            return RG_EBADARG;
        if (resume[1] != NULL && (r.moment1 = buf(env, resume[1], end * stride, "moment1 buffer too small")) == NULL)
            return RG_EBADARG;
        if (resume[2] != NULL && (r.moment2 = buf(env, resume[2], end * stride, "moment2 buffer too small")) == NULL)
            return RG_EBADARG;
        double **scalars[4] = {&r.beta1_pow, &r.beta2_pow, &r.window_start, &r.penalty};
        for (int i = 0; i < 4; i++) {
            if ((*scalars[i] = buf(env, resume[3 + i], end, "per-member state buffer too small or not direct")) == NULL)
                return RG_EBADARG;
        }
        rc = mlp_train_fused_resume(&c, &r, px, py, pp, pl, plr, pt, pfl, pgn, pst, pss, first, count);
    }
    if (rc == RG_ENOMEM) throw_ise(env, "native backend: out of memory");
    else if (rc != RG_OK) throw_iae(env, "native backend: invalid arguments");
    return rc;
}

JNIEXPORT jint JNICALL RG_JNI(mlp_1train_1fused)(JNIEnv *env, jclass cls, jintArray shape, jdoubleArray hyper,
                                                 jobject x, jobject y, jobject params, jobject lambdas, jobject lrs,
                                                 jobject trace, jobject finalLoss, jobject gradNorm, jobject steps,
                                                 jobject status, jint first, jint count, jint kernelEvery,
                                                 jobject kernelRows, jobject kernelTrace) {
    (void)cls;
    return train_call(env, shape, hyper, x, y, params, lambdas, lrs, trace, finalLoss, gradNorm, steps, status, first,
                      count, NULL, 0, kernelEvery, kernelRows, kernelTrace);
}

/* mlp_train_fused's arguments, then the segment's end step, the rg_resume buffers and the kernel trace (see train_call). */
JNIEXPORT jint JNICALL RG_JNI(mlp_1train_1fused_1resume)(JNIEnv *env, jclass cls, jintArray shape, jdoubleArray hyper,
                                                         jobject x, jobject y, jobject params, jobject lambdas,
                                                         jobject lrs, jobject trace, jobject finalLoss,
                                                         jobject gradNorm, jobject steps, jobject status, jint first,
                                                         jint count, jint untilStep, jobject lastFinite,
                                                         jobject moment1, jobject moment2, jobject beta1Pow,
                                                         jobject beta2Pow, jobject windowStart, jobject penalty,
                                                         jint kernelEvery, jobject kernelRows, jobject kernelTrace) {
    (void)cls;
    const jobject resume[7] = {lastFinite, moment1, moment2, beta1Pow, beta2Pow, windowStart, penalty};
    return train_call(env, shape, hyper, x, y, params, lambdas, lrs, trace, finalLoss, gradNorm, steps, status, first,
                      count, resume, untilStep, kernelEvery, kernelRows, kernelTrace);
}

/*
 * shape: depth, activation, biasAll, samples, dims[0 .. depth+1] (the shape fields of
 * mlp_train_fused's shape, without the training settings).
 */
JNIEXPORT jint JNICALL RG_JNI(mlp_1forward)(JNIEnv *env, jclass cls, jintArray shape, jobject x, jobject params,
                                            jint layer, jobject out, jint first, jint count) {
    (void)cls;
    jint s[4 + RG_MAX_DEPTH + 2];
    rg_config c = {0};
    if (read_shape(env, shape, 4, s, &c) != RG_OK) return RG_EBADARG;
    long stride = rg_shape_stride(&c);
    if (stride < 0) {
        throw_iae(env, "invalid network shape");
        return RG_EBADARG;
    }
    if (layer < 0 || layer >= c.depth) {
        throw_iae(env, "hidden layer index out of range [0, depth)");
        return RG_EBADARG;
    }
    if (first < 0 || count < 0) {
        throw_iae(env, "negative member range");
        return RG_EBADARG;
    }
    jlong end = (jlong)first + count;
    jlong dX = c.dims[0], width = c.dims[layer + 1];
    const float *px = buf(env, x, dX * c.samples, "x buffer too small or not direct");
    if (px == NULL) return RG_EBADARG;
    const float *pp = buf(env, params, end * stride, "params buffer too small or not direct");
    if (pp == NULL) return RG_EBADARG;
    float *po = buf(env, out, end * width * c.samples, "out buffer too small or not direct");
    if (po == NULL) return RG_EBADARG;
    int rc = mlp_forward(&c, px, pp, layer, po, first, count);
    if (rc == RG_ENOMEM) throw_ise(env, "native backend: out of memory");
    else if (rc != RG_OK) throw_iae(env, "native backend: invalid arguments");
    return rc;
}

JNIEXPORT jint JNICALL RG_JNI(forceRnnLayout)(JNIEnv *env, jclass cls, jint mode) {
    (void)env;
    (void)cls;
    return rg_rnn_force_layout(mode);
}

/* the layout rnn_train_fused trains a shape in (shape as rnn_train_fused's); -1 if it is invalid */
JNIEXPORT jint JNICALL RG_JNI(rnnLayout)(JNIEnv *env, jclass cls, jintArray shape) {
    (void)cls;
    if (shape == NULL || (*env)->GetArrayLength(env, shape) != 11) return -1;
    jint s[11];
    (*env)->GetIntArrayRegion(env, shape, 0, 11, s);
    rg_rnn_config c = {.input_dim = s[0], .width = s[1], .output_dim = s[2], .time_steps = s[3],
                       .input_every = s[4], .activation = s[5], .samples = s[6], .opt_kind = s[7],
                       .max_steps = s[8], .window = s[9], .trace_every = s[10], .eps = 1.0};
    return rg_rnn_layout(&c);
}

/*
 * rnn_train_fused (repgeom_rnn.h), always from a TrainState (a fresh run is a resume from the initial state).
 * shape: inputDim, width, outputDim, timeSteps, inputEvery, activation, samples, optKind, maxSteps, window,
 * traceEvery; hyper as train_call's; then the rg_resume buffers except penalty (the loop keeps no cache).
 */
JNIEXPORT jint JNICALL RG_JNI(rnn_1train_1fused)(JNIEnv *env, jclass cls, jintArray shape, jdoubleArray hyper,
                                                 jobject x, jobject y, jobject params, jobject lambdas, jobject lrs,
                                                 jobject trace, jobject finalLoss, jobject gradNorm, jobject steps,
                                                 jobject status, jint first, jint count, jint untilStep,
                                                 jobject lastFinite, jobject moment1, jobject moment2,
                                                 jobject beta1Pow, jobject beta2Pow, jobject windowStart) {
    (void)cls;
    if (shape == NULL || (*env)->GetArrayLength(env, shape) != 11 || hyper == NULL
        || (*env)->GetArrayLength(env, hyper) != 6) {
        throw_iae(env, "bad shape or hyper array");
        return RG_EBADARG;
    }
    jint s[11];
    jdouble h[6];
    (*env)->GetIntArrayRegion(env, shape, 0, 11, s);
    (*env)->GetDoubleArrayRegion(env, hyper, 0, 6, h);
    rg_rnn_config c = {.input_dim = s[0], .width = s[1], .output_dim = s[2], .time_steps = s[3],
                       .input_every = s[4], .activation = s[5], .samples = s[6], .opt_kind = s[7],
                       .max_steps = s[8], .window = s[9], .trace_every = s[10], .final_lr_ratio = h[0],
                       .momentum = h[1], .beta1 = h[2], .beta2 = h[3], .eps = h[4], .tol = h[5]};
    long stride = rg_rnn_stride(&c);
    if (stride < 0 || first < 0 || count < 0 || untilStep < 0) {
        throw_iae(env, "invalid recurrent network, training settings or member range");
        return RG_EBADARG;
    }
    jlong end = (jlong)first + count, tlen = c.max_steps / c.trace_every + 1;
    rg_resume r = {.until_step = untilStep};
    const float *px, *py, *pl;
    const double *plr;
    float *pp, *pt;
    double *pfl, *pgn;
    int32_t *pst, *pss;
    if ((px = buf(env, x, (jlong)c.input_dim * c.samples, "x buffer too small or not direct")) == NULL
        || (py = buf(env, y, (jlong)c.output_dim * c.samples, "y buffer too small or not direct")) == NULL
        || (pp = buf(env, params, end * stride, "params buffer too small or not direct")) == NULL
        || (pl = buf(env, lambdas, end * 3, "lambdas buffer too small or not direct")) == NULL
        || (plr = buf(env, lrs, end, "learning-rate buffer too small or not direct")) == NULL
        || (pt = buf(env, trace, end * tlen, "trace buffer too small or not direct")) == NULL
        || (pfl = buf(env, finalLoss, end, "finalLoss buffer too small or not direct")) == NULL
        || (pgn = buf(env, gradNorm, end, "gradNorm buffer too small or not direct")) == NULL
        || (pst = buf(env, steps, end, "steps buffer too small or not direct")) == NULL
        || (pss = buf(env, status, end, "status buffer too small or not direct")) == NULL
        || (r.last_finite = buf(env, lastFinite, end * stride, "lastFinite buffer too small or not direct")) == NULL
        || (moment1 != NULL && (r.moment1 = buf(env, moment1, end * stride, "moment1 buffer too small")) == NULL)
        || (moment2 != NULL && (r.moment2 = buf(env, moment2, end * stride, "moment2 buffer too small")) == NULL)
        || (r.beta1_pow = buf(env, beta1Pow, end, "beta1Pow buffer too small or not direct")) == NULL
        || (r.beta2_pow = buf(env, beta2Pow, end, "beta2Pow buffer too small or not direct")) == NULL
        || (r.window_start = buf(env, windowStart, end, "windowStart buffer too small or not direct")) == NULL) {
        return RG_EBADARG;
    }
    int rc = rnn_train_fused(&c, &r, px, py, pp, pl, plr, pt, pfl, pgn, pst, pss, first, count);
    if (rc == RG_ENOMEM) throw_ise(env, "native backend: out of memory");
    else if (rc != RG_OK) throw_iae(env, "native backend: invalid arguments");
    return rc;
}

/*
 * mlp_train_fused_f64 on Java arrays (copied in and out: one member, a few hundred doubles).
 * shape: depth, activation, samples, optKind, maxSteps, window, traceEvery, dims[0 .. depth+1],
 *        weightOff[0 .. depth], biasOff[0 .. depth]; hyper: momentum, beta1, beta2, eps, tol.
 */
JNIEXPORT jint JNICALL RG_JNI(mlp_1train_1fused_1f64)(JNIEnv *env, jclass cls, jintArray shape, jdoubleArray hyper,
                                                      jdoubleArray x, jdoubleArray y, jdoubleArray params,
                                                      jint paramsOff, jdoubleArray lambdas, jint lambdaOff,
                                                      jdoubleArray lrs, jdoubleArray grad, jfloatArray trace,
                                                      jint traceOff, jdoubleArray outcome) {
    (void)cls;
    if (shape == NULL || hyper == NULL || x == NULL || y == NULL || params == NULL || lambdas == NULL || lrs == NULL
        || grad == NULL || trace == NULL || outcome == NULL) {
        throw_iae(env, "null array");
        return RG_EBADARG;
    }
    jsize ns = (*env)->GetArrayLength(env, shape);
    jint s[7 + (RG_MAX_DEPTH + 2) + 2 * (RG_MAX_DEPTH + 1)];
    if (ns < 7 + 3 + 4 || ns > (jsize)(sizeof(s) / sizeof(s[0])) || (*env)->GetArrayLength(env, hyper) != 5
        || (*env)->GetArrayLength(env, outcome) != 4) {
        throw_iae(env, "bad shape, hyper or outcome array");
        return RG_EBADARG;
    }
    (*env)->GetIntArrayRegion(env, shape, 0, ns, s);
    rg_f64_net n = {.depth = s[0], .activation = s[1], .samples = s[2]};
    if (n.depth < 1 || n.depth > RG_MAX_DEPTH || ns != 7 + 3 * n.depth + 4) {
        throw_iae(env, "shape does not match depth");
        return RG_EBADARG;
    }
    for (int l = 0; l < n.depth + 2; l++) n.dims[l] = s[7 + l];
    for (int l = 0; l <= n.depth; l++) {
        n.weight_off[l] = s[7 + n.depth + 2 + l];
        n.bias_off[l] = s[7 + 2 * n.depth + 3 + l];
    }
    jdouble h[5];
    (*env)->GetDoubleArrayRegion(env, hyper, 0, 5, h);
    rg_f64_train tr = {.opt_kind = s[3], .max_steps = s[4], .window = s[5], .trace_every = s[6],
                       .momentum = h[0], .beta1 = h[1], .beta2 = h[2], .eps = h[3], .tol = h[4]};
    long stride = rg_f64_stride(&n);
    if (stride < 0 || tr.max_steps < 1 || tr.trace_every < 1) {
        throw_iae(env, "invalid network or training settings");
        return RG_EBADARG;
    }
    jlong dX = n.dims[0], dY = n.dims[n.depth + 1], tlen = tr.max_steps / tr.trace_every + 1;
    if ((*env)->GetArrayLength(env, x) < dX * n.samples || (*env)->GetArrayLength(env, y) < dY * n.samples
        || paramsOff < 0 || (*env)->GetArrayLength(env, params) < (jlong)paramsOff + stride
        || lambdaOff < 0 || (*env)->GetArrayLength(env, lambdas) < (jlong)lambdaOff + n.depth + 1
        || (*env)->GetArrayLength(env, lrs) < tr.max_steps || (*env)->GetArrayLength(env, grad) < stride
        || traceOff < 0 || (*env)->GetArrayLength(env, trace) < (jlong)traceOff + tlen) {
        throw_iae(env, "array too small for the shape");
        return RG_EBADARG;
    }
    size_t doubles = (size_t)(dX * n.samples + dY * n.samples + 2 * stride + n.depth + 1 + tr.max_steps);
    double *mem = malloc(sizeof(double) * doubles);
    float *tb = malloc(sizeof(float) * (size_t)tlen);
    if (mem == NULL || tb == NULL) {
        free(mem);
        free(tb);
        throw_ise(env, "out of memory in mlp_train_fused_f64");
        return RG_ENOMEM;
    }
    double *px = mem, *py = px + dX * n.samples, *pp = py + dY * n.samples, *pg = pp + stride,
           *pl = pg + stride, *plr = pl + n.depth + 1;
    (*env)->GetDoubleArrayRegion(env, x, 0, (jsize)(dX * n.samples), px);
    (*env)->GetDoubleArrayRegion(env, y, 0, (jsize)(dY * n.samples), py);
    (*env)->GetDoubleArrayRegion(env, params, paramsOff, (jsize)stride, pp);
    (*env)->GetDoubleArrayRegion(env, lambdas, lambdaOff, n.depth + 1, pl);
    (*env)->GetDoubleArrayRegion(env, lrs, 0, tr.max_steps, plr);
    double out[4];
    int rc = mlp_train_fused_f64(&n, &tr, px, py, pp, pl, plr, pg, tb, out);
    if (rc == RG_OK) {
        (*env)->SetDoubleArrayRegion(env, params, paramsOff, (jsize)stride, pp);
        (*env)->SetDoubleArrayRegion(env, grad, 0, (jsize)stride, pg);
        (*env)->SetFloatArrayRegion(env, trace, traceOff, (jsize)tlen, tb);
        (*env)->SetDoubleArrayRegion(env, outcome, 0, 4, out);
    } else if (rc == RG_ENOMEM) {
        throw_ise(env, "out of memory in mlp_train_fused_f64");
    } else {
        throw_iae(env, "invalid network or training settings");
    }
    free(mem);
    free(tb);
    return rc;
}

/* rg_tanh_f32 of xs into out (the accuracy check of the training's float tanh). */
JNIEXPORT void JNICALL RG_JNI(tanh_1f32)(JNIEnv *env, jclass cls, jfloatArray xs, jfloatArray out) {
    (void)cls;
    jsize n = xs == NULL ? -1 : (*env)->GetArrayLength(env, xs);
    if (n < 0 || out == NULL || (*env)->GetArrayLength(env, out) < n) {
        throw_iae(env, "bad arrays");
        return;
    }
    float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    if (v == NULL) {
        throw_ise(env, "out of memory");
        return;
    }
    (*env)->GetFloatArrayRegion(env, xs, 0, n, v);
    rg_tanh_f32(v, v, n);
    (*env)->SetFloatArrayRegion(env, out, 0, n, v);
    free(v);
}

/* rg_tanh_f64_array of xs into out (the check that it is StrictMath.tanh). */
JNIEXPORT void JNICALL RG_JNI(tanh_1f64)(JNIEnv *env, jclass cls, jdoubleArray xs, jdoubleArray out) {
    (void)cls;
    jsize n = xs == NULL ? -1 : (*env)->GetArrayLength(env, xs);
    if (n < 0 || out == NULL || (*env)->GetArrayLength(env, out) < n) {
        throw_iae(env, "bad arrays");
        return;
    }
    double *v = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (v == NULL) {
        throw_ise(env, "out of memory");
        return;
    }
    (*env)->GetDoubleArrayRegion(env, xs, 0, n, v);
    rg_tanh_f64_array(v, v, n);
    (*env)->SetDoubleArrayRegion(env, out, 0, n, v);
    free(v);
}
