/*
 * Shared by the two training layouts of the native backend (repgeom_train.c: one member at a time,
 * padded; repgeom_soa.c: RG_VLEN members interleaved across the vector lanes): which layers have a
 * bias, the vector types of the variant being compiled and the activations with their derivatives, the float versions of
 * org.repgeom.model.Activation with the same kink conventions. Static: each file (and each
 * instruction-set variant of it) gets its own copy, compiled for its own -march.
 */
#ifndef REPGEOM_ACTIVATIONS_H
#define REPGEOM_ACTIVATIONS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "repgeom_kernels.h"

#ifndef RG_VLEN
#define RG_VLEN 4
#endif

typedef float vf __attribute__((vector_size(RG_VLEN * sizeof(float))));
typedef int32_t vi __attribute__((vector_size(RG_VLEN * sizeof(int32_t))));

/* ---------------------------------------------------------------------------------------------- */
/* Activations (float versions of org.repgeom.model.Activation, same kink conventions)            */
/* ---------------------------------------------------------------------------------------------- */

#define RG_GELU_C 0.7978845608028654f /* sqrt(2/pi) */
#define RG_GELU_A 0.044715f
#define RG_LEAKY 0.01f

/*
 * tanh of RG_VLEN floats without a libm call: glibc's scalar tanhf dominated tanh training at small
 * shapes, and gcc does not vectorise a scalar version of this (the selects stay branches), hence vector
 * extensions. |x| < 0.625: x + x^3 Q(x^2), Q a degree-4 least-squares fit, relative error < 5e-9;
 * otherwise 1 - 2 / (e^{2|x|} + 1) with e^y = 2^n e^r (Cody-Waite split of ln 2, Taylor series of e^r
 * to r^7). Against double tanh over every float in [1e-30, 12]: at most 1.37 ulp (glibc tanhf: 2.19).
 * Odd; tanh(+-inf) = +-1; NaN stays NaN.
 */
/* Lane-wise select: m ? a : b, m a comparison result (all bits set or clear per lane). */
static inline vf vsel(vi m, vf a, vf b) { return (vf)((m & (vi)a) | (~m & (vi)b)); }

static inline vf rg_tanh_v(vf x) {
    const vi sign = (vi)x & (int32_t)0x80000000;
    const vf ax = (vf)((vi)x & 0x7fffffff);
    /* small |x|: tanh x = x + x^3 Q(x^2), Q fitted for relative error < 5e-9 on [0, 0.625] */
    const vf x2 = x * x;
    vf q = (vf){0} - 0.005705754729525005f;
    q = q * x2 + 0.02063976342573891f;
    q = q * x2 - 0.05373991825121548f;
    q = q * x2 + 0.13331444569733647f;
    q = q * x2 - 0.33333282026205824f;
    const vf small = x + x * x2 * q;
    /* large |x|: tanh|x| = 1 - 2 / (e^{2|x|} + 1); e^y = 2^n e^r, n = round(y / ln 2), |r| <= ln2 / 2 */
    const vf ten = (vf){0} + 10.0f;
    const vf yv = 2.0f * vsel(ax < ten, ax, ten); /* tanh(10) rounds to 1 in float; NaN lanes take 10 here */
    const vi n = __builtin_convertvector(yv * 1.44269504088896341f + 0.5f, vi); /* yv >= 0: truncation rounds */
    const vf nf = __builtin_convertvector(n, vf);
    const vf r = (yv - nf * 0.693145751953125f) - nf * 1.42860682030941723212e-6f;
    vf p = (vf){0} + 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const vf scale = (vf)((n + 127) << 23);
    const vf big = (vf)((vi)(1.0f - 2.0f / (p * scale + 1.0f)) | sign);
    /* NaN fails ax >= 0.625 and takes small = NaN (the divergence check relies on NaN propagating) */
    return vsel(ax >= 0.625f, big, small);
}

static void activate(int act, const float *restrict z, float *restrict a, long n) {
    switch (act) {
        case RG_RELU:
#pragma omp simd
            for (long i = 0; i < n; i++) a[i] = z[i] > 0.0f ? z[i] : 0.0f;
            break;
        case RG_LEAKY_RELU:
#pragma omp simd
            for (long i = 0; i < n; i++) a[i] = z[i] > 0.0f ? z[i] : RG_LEAKY * z[i];
            break;
        case RG_CLIPPED_RELU:
#pragma omp simd
            for (long i = 0; i < n; i++) a[i] = z[i] <= 0.0f ? 0.0f : (z[i] >= 1.0f ? 1.0f : z[i]);
            break;
        case RG_LINEAR:
            memcpy(a, z, (size_t)n * sizeof(float));
            break;
        case RG_TANH: /* n is a multiple of Pp, so of RG_VLEN; rows are aligned */
            for (long i = 0; i < n; i += RG_VLEN) *(vf *)(a + i) = rg_tanh_v(*(const vf *)(z + i));
            break;
        case RG_GELU:
            for (long i = 0; i < n; i += RG_VLEN) {
                vf x = *(const vf *)(z + i);
                *(vf *)(a + i) = 0.5f * x * (1.0f + rg_tanh_v(RG_GELU_C * (x + RG_GELU_A * x * x * x)));
            }
            break;
        default: abort();
    }
}

/* g[i] *= phi'(z[i]); a = phi(z) from the forward pass (tanh's derivative 1 - a^2 reuses it: same bits, no
   second tanh per element) */
static void times_derivative(int act, const float *restrict z, const float *restrict a, float *restrict g, long n) {
    switch (act) {
        case RG_RELU:
#pragma omp simd
            for (long i = 0; i < n; i++) g[i] = z[i] > 0.0f ? g[i] : 0.0f;
            break;
        case RG_LEAKY_RELU:
#pragma omp simd
            for (long i = 0; i < n; i++) g[i] = z[i] > 0.0f ? g[i] : RG_LEAKY * g[i];
            break;
        case RG_CLIPPED_RELU:
#pragma omp simd
            for (long i = 0; i < n; i++) g[i] = (z[i] > 0.0f && z[i] <= 1.0f) ? g[i] : 0.0f;
            break;
        case RG_LINEAR:
            break;
        case RG_TANH:
#pragma omp simd
            for (long i = 0; i < n; i++) g[i] *= 1.0f - a[i] * a[i];
            break;
        case RG_GELU:
            for (long i = 0; i < n; i += RG_VLEN) {
                vf x = *(const vf *)(z + i);
                vf t = rg_tanh_v(RG_GELU_C * (x + RG_GELU_A * x * x * x));
                vf du = RG_GELU_C * (1.0f + 3.0f * RG_GELU_A * x * x);
                *(vf *)(g + i) *= 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
            }
            break;
        default: abort();
    }
}


#endif
