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

/* Lane-wise select: m ? a : b, m a comparison result (all bits set or clear per lane). */
static inline vf vsel(vi m, vf a, vf b) { return (vf)((m & (vi)a) | (~m & (vi)b)); }

/*
 * tanh of RG_VLEN floats without a libm call: glibc's scalar tanhf dominated tanh training at small
 * shapes, and gcc does not vectorise a scalar version of this (the selects stay branches), hence vector
 * extensions. Two forms; rg_tanh_v is the table on AVX-512 and rg_tanh_exp_v below it.
 *
 * rg_tanh_exp_v (AVX2, baseline): |x| < 0.625: x + x^3 Q(x^2), Q a degree-4 least-squares fit, relative
 * error < 5e-9; otherwise 1 - 2 / (e^{2|x|} + 1) with e^y = 2^n e^r (Cody-Waite split of ln 2, Taylor series
 * of e^r to r^7). Against double tanh over every float in [0, 12]: at most 1.37 ulp (glibc tanhf: 2.19).
 * Odd (but tanh(-0) = +0); tanh(+-inf) = +-1; NaN stays NaN.
 */
static inline vf rg_tanh_exp_v(vf x) {
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

#if RG_VLEN == 16 && defined(__AVX512F__)
#include <immintrin.h>
#define RG_TANH_TABLE 1

/*
 * rg_tanh_v on AVX-512: a table of 32 polynomials of degree 5, each lane fetching its own coefficients
 * with vpermi2ps (a 32-float table is two registers), no division and no branch: 17 vector instructions
 * against rg_tanh_exp_v's 33, one of them a division. Slot (bits(|x|) >> 21) & 31 of |x| clamped to
 * [7/4 * 2^-5, 12] is a quarter binade (exponent and two mantissa bits); tanh(m + r) = c0 + r (c1 + ...
 * + r c5) with m a float in the slot (r = |x| - m is exact) chosen so that tanh(m) is within 2e-4 ulp of
 * the float c0. The slot that |x| below 7/4 * 2^-5 falls into holds x + c3 x^3 + c5 x^5 for [0, 2^-4)
 * (m = 0, c1 = 1: tiny x and -0 come back unchanged); those of [10, 14) the constant 1 (tanh rounds to 1
 * in float from 9.01); |x| above 12 is taken as 12, so inf gives 1. Generated and fitted by
 * bench/lanes/tanh_table.py (least squares weighted by 1/ulp, coefficients rounded to float one at a
 * time); measured over every float in [0, 12] by bench/lanes/tanh_bench.c: at most 0.99 ulp from double
 * tanh (rg_tanh_exp_v: 1.37, glibc tanhf: 2.19). Odd (the sign is put back last); NaN stays NaN (the
 * clamp keeps it and every coefficient times NaN is NaN; the divergence check relies on it).
 */
/* rows: m, c0, c1, c2, c3, c4, c5; column p = (bits(|x|) >> 21) & 31, covering */
/*    0: [2, 2.5) */
/*    1: [2.5, 3) */
/*    2: [3, 3.5) */
/*    3: [3.5, 4) */
/*    4: [4, 5) */
/*    5: [5, 6) */
/*    6: [6, 7) */
/*    7: [7, 8) */
/*    8: [8, 10) */
/*    9: [10, 12) */
/*   10: [12, 14) */
/*   11: [0, 0.0625) (odd: x + c3 x^3 + c5 x^5) */
/*   12: [0.0625, 0.078125) */
/*   13: [0.078125, 0.09375) */
/*   14: [0.09375, 0.109375) */
/*   15: [0.109375, 0.125) */
/*   16: [0.125, 0.15625) */
/*   17: [0.15625, 0.1875) */
/*   18: [0.1875, 0.21875) */
/*   19: [0.21875, 0.25) */
/*   20: [0.25, 0.3125) */
/*   21: [0.3125, 0.375) */
/*   22: [0.375, 0.4375) */
/*   23: [0.4375, 0.5) */
/*   24: [0.5, 0.625) */
/*   25: [0.625, 0.75) */
/*   26: [0.75, 0.875) */
/*   27: [0.875, 1) */
/*   28: [1, 1.25) */
/*   29: [1.25, 1.5) */
/*   30: [1.5, 1.75) */
/*   31: [1.75, 2) */
static const float rg_tanh_table[7][32] __attribute__((aligned(64))) = {
    {2.29046345f, 2.73378086f, 3.26570511f, 3.69554615f, 4.52684784f, 5.44385719f, 6.4859848f, 7.56572723f,
     9.24997711f, 10.0f, 12.0f, 0.0f, 0.0698064268f, 0.0854449868f, 0.103359312f, 0.118774325f,
     0.138954997f, 0.172987521f, 0.203730762f, 0.231824756f, 0.279473662f, 0.348496437f, 0.413003325f, 0.465974092f,
     0.562688351f, 0.681821108f, 0.827168941f, 0.940130711f, 1.11581802f, 1.37584162f, 1.623734f, 1.8820591f},
    {0.979717016f, 0.991592467f, 0.99709034f, 0.998767316f, 0.999766111f, 0.999962628f, 0.999995351f, 0.999999464f,
     1.0f, 1.0f, 1.0f, 0.0f, 0.0696932599f, 0.0852376521f, 0.10299281f, 0.118218929f,
     0.138067514f, 0.171282396f, 0.200958088f, 0.227759168f, 0.272417873f, 0.335041434f, 0.391019791f, 0.434940726f,
     0.509969354f, 0.592702031f, 0.678952932f, 0.735282302f, 0.806109369f, 0.880016685f, 0.925164044f, 0.9546749f},
    {0.0401546545f, 0.0167443547f, 0.00581086893f, 0.00246383226f, 0.000467767561f, 7.47356025e-05f, 9.29823636e-06f, 1.07310177e-06f,
     4.31722746e-08f, 0.0f, 0.0f, 1.0f, 0.995142877f, 0.992734551f, 0.989392459f, 0.986024261f,
     0.980937362f, 0.970662355f, 0.959615827f, 0.94812578f, 0.925788522f, 0.887747228f, 0.847103536f, 0.81082654f,
     0.739931285f, 0.64870429f, 0.539022923f, 0.459359944f, 0.350187719f, 0.225570634f, 0.14407149f, 0.0885958299f},
    {-0.0393393375f, -0.0166027397f, -0.00579357846f, -0.00246075145f, -0.000467074569f, -7.46672158e-05f, -9.28710506e-06f, -1.07193819e-06f,
     -2.08974924e-07f, 0.0f, 0.0f, 0.0f, -0.0693542808f, -0.0846183747f, -0.101900324f, -0.116566896f,
     -0.135435537f, -0.166257441f, -0.192842498f, -0.21594438f, -0.252201259f, -0.297432095f, -0.331234246f, -0.35266149f,
     -0.377341866f, -0.384488344f, -0.365971208f, -0.337759286f, -0.282291353f, -0.198507056f, -0.133290201f, -0.0845802873f},
    {0.0251482353f, 0.0108851334f, 0.00383860245f, 0.00163806393f, 0.000310381671f, 5.00046408e-05f, 6.1991027e-06f, 7.09620338e-07f,
     -7.43307282e-08f, 0.0f, 0.0f, -0.333332986f, -0.328521639f, -0.32420662f, -0.318324506f, -0.313770682f,
     -0.308281034f, -0.29528743f, -0.280807048f, -0.267077297f, -0.239963099f, -0.196235031f, -0.152888551f, -0.116800211f,
     -0.0542355068f, 0.0116640888f, 0.0687993392f, 0.0952233002f, 0.110813223f, 0.0994995907f, 0.075291723f, 0.0512161888f},
    {-0.0115825757f, -0.00530262664f, -0.00191726524f, -0.00081928866f, -0.00016272752f, -2.59320605e-05f, -3.24380608e-06f, -3.7140606e-07f,
     2.35511095e-07f, 0.0f, 0.0f, 0.0f, 0.0308079254f, 0.0563261285f, 0.0801499262f, 0.0886508822f,
     0.0875002965f, 0.106232308f, 0.120120198f, 0.133329883f, 0.149175078f, 0.16485028f, 0.170045033f, 0.168331042f,
     0.153161809f, 0.121220656f, 0.0752934068f, 0.0426407568f, 0.00514042238f, -0.0211554263f, -0.0251368918f, -0.0206872392f},
    {0.00397418113f, 0.00191622844f, 0.000771017396f, 0.000292679819f, 6.85629202e-05f, 9.31529576e-06f, 1.26122029e-06f, 1.70825828e-07f,
     1.87897484e-07f, 0.0f, 0.0f, 0.133041859f, 20.4235897f, 5.99646616f, -7.09921026f, -8.98310089f,
     0.118055567f, 0.710374475f, -0.888033271f, 0.586332381f, 0.115254946f, 0.0137400189f, 0.024702698f, -0.0780127123f,
     -0.0390667208f, -0.0636947677f, -0.0620252751f, -0.052075848f, -0.0320495777f, -0.00949154608f, 0.0013714669f, 0.00456318399f},
};

/* Row k of rg_tanh_table at each lane's slot. */
static inline vf rg_tanh_row(int k, vi slot) {
    return (vf)_mm512_permutex2var_ps(_mm512_load_ps(rg_tanh_table[k]), (__m512i)slot,
                                      _mm512_load_ps(rg_tanh_table[k] + 16));
}

static inline vf rg_tanh_v(vf x) {
    const vi sign = (vi)x & (int32_t)0x80000000;
    const vf ax = (vf)((vi)x & 0x7fffffff);
    /* min(12, ax) in this order returns ax where ax is NaN */
    const vf axc = (vf)_mm512_min_ps(_mm512_set1_ps(12.0f), (__m512)ax);
    const vf xi = (vf)_mm512_max_ps((__m512)axc, _mm512_set1_ps(0.0546875f));
    const vi slot = (vi)xi >> 21; /* the permute reads the low five bits */
    const vf r = axc - rg_tanh_row(0, slot);
    vf p = rg_tanh_row(6, slot);
    p = p * r + rg_tanh_row(5, slot);
    p = p * r + rg_tanh_row(4, slot);
    p = p * r + rg_tanh_row(3, slot);
    p = p * r + rg_tanh_row(2, slot);
    p = p * r + rg_tanh_row(1, slot); /* rows 1..6: c0..c5 */
    return (vf)((vi)p | sign);
}
#else
static inline vf rg_tanh_v(vf x) { return rg_tanh_exp_v(x); }
#endif

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
