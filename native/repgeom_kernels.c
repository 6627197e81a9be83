/*
 * Philox4x32-10, its known-answer check, argument validation and the run-time choice of the
 * mlp_train_fused / mlp_forward variant (repgeom_train.c compiled per instruction set by build.sh).
 */
#include "repgeom_kernels.h"

#include <stddef.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#define RG_DECLARE_VARIANT(v)                                                                              \
    int mlp_train_fused_impl_##v(const rg_config *c, const float *x, const float *y, float *params,       \
                                 const float *lambdas, const double *lrs, float *trace, double *final_loss, \
                                 double *grad_norm, int32_t *steps, int32_t *status, int first, int count,  \
                                 const rg_resume *r);                                                      \
    int mlp_forward_impl_##v(const rg_config *c, const float *x, const float *params, int layer, float *out, \
                             int first, int count);                                                      \
    int mlp_train_soa_##v(const rg_config *c, const float *x, const float *y, float *params,              \
                          const float *lambdas, const double *lrs, float *trace, double *final_loss,      \
                          double *grad_norm, int32_t *steps, int32_t *status, int first, int count,       \
                          const rg_resume *r);                                                            \
    int rg_soa_suits_##v(const rg_config *c);                                                              \
    void rg_tanh_array_##v(const float *in, float *out, long n);

RG_DECLARE_VARIANT(generic)
#if defined(RG_HAVE_X86_VARIANTS)
RG_DECLARE_VARIANT(avx2)
RG_DECLARE_VARIANT(avx512)
#endif

void philox4x32_10(uint32_t ctr[4], uint32_t k0, uint32_t k1) {
    const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += W0;
            k1 += W1;
        }
        uint64_t p0 = (uint64_t)M0 * c0;
        uint64_t p1 = (uint64_t)M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    ctr[0] = c0;
    ctr[1] = c1;
    ctr[2] = c2;
    ctr[3] = c3;
}

int philox4x32_kat(void) {
    /* Random123 kat_vectors: counter, key, expected output. */
    static const uint32_t kat[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
        {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
         0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
        {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u,
         0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u},
    };
    int failed = 0;
    for (int i = 0; i < 3; i++) {
        uint32_t ctr[4] = {kat[i][0], kat[i][1], kat[i][2], kat[i][3]};
        philox4x32_10(ctr, kat[i][4], kat[i][5]);
        for (int j = 0; j < 4; j++) {
            if (ctr[j] != kat[i][6 + j]) failed |= 1 << i;
        }
    }
    return failed;
}

/* The network's shape: depth, widths, samples, activation (all mlp_forward reads). */
static int valid_shape(const rg_config *c) {
    if (c == NULL || c->depth < 1 || c->depth > RG_MAX_DEPTH) return 0;
    if (c->bias_all < RG_BIAS_FIRST || c->bias_all > RG_BIAS_NONE) return 0;
    for (int l = 0; l <= c->depth + 1; l++) {
        if (c->dims[l] < 1) return 0;
    }
    if (c->samples < 1) return 0;
    if (c->activation < RG_RELU || c->activation > RG_GELU) return 0;
    return 1;
}

static int valid_kernel_trace(const rg_config *c);

/* Shape and training settings (mlp_train_fused). */
static int valid(const rg_config *c) {
    if (!valid_shape(c)) return 0;
    if (c->max_steps < 1 || c->window < 1 || c->trace_every < 1) return 0;
    if (c->opt_kind < RG_GD || c->opt_kind > RG_ADAM) return 0;
    if (!(c->final_lr_ratio > 0 && c->final_lr_ratio <= 1) || !(c->tol >= 0) || !(c->eps > 0)) return 0;
    return valid_kernel_trace(c);
}

long rg_param_stride(const rg_config *c) {
    return valid(c) ? rg_shape_stride(c) : -1;
}

long rg_shape_stride(const rg_config *c) {
    if (!valid_shape(c)) return -1;
    long n = 0;
    for (int l = 0; l <= c->depth; l++) {
        n += (long)c->dims[l] * c->dims[l + 1];
        if (RG_HAS_BIAS(c, l)) n += c->dims[l + 1];
    }
    return n;
}

int rg_kernel_trace_points(const rg_config *c) {
    const int every = c->kernel_trace->every;
    return c->max_steps / every + 1 + (c->max_steps % every != 0);
}

float *rg_kernel_trace_member(const rg_config *c, int e) {
    const rg_kernel_trace *kt = c->kernel_trace;
    if (kt == NULL || kt->row[e] < 0) return NULL;
    const long pp = (long)c->samples * c->samples;
    return kt->out + (long)kt->row[e] * c->depth * rg_kernel_trace_points(c) * pp;
}

void kernel_trace_record(const rg_config *c, int layer, const float *a, long unit_stride, long sample_stride,
                         float *block, int from, int to) {
    const int P = c->samples, width = c->dims[layer + 1];
    const long pp = (long)P * P;
    if (from >= to) return;
    float *k0 = block + ((long)layer * rg_kernel_trace_points(c) + from) * pp;
    for (int p = 0; p < P; p++) {
        for (int q = p; q < P; q++) {
            double s = 0.0;
            for (int i = 0; i < width; i++) {
                const float *ri = a + (long)i * unit_stride;
                s += (double)ri[p * sample_stride] * ri[q * sample_stride];
            }
            k0[(long)p * P + q] = k0[(long)q * P + p] = (float)s;
        }
    }
    for (int k = from + 1; k < to; k++) memcpy(k0 + (k - from) * pp, k0, (size_t)pp * sizeof(float));
}

/* A kernel trace request that can be followed (or none). */
static int valid_kernel_trace(const rg_config *c) {
    const rg_kernel_trace *kt = c->kernel_trace;
    return kt == NULL || (kt->every >= 1 && kt->row != NULL && kt->out != NULL);
}

typedef int (*train_fn)(const rg_config *, const float *, const float *, float *, const float *, const double *,
                        float *, double *, double *, int32_t *, int32_t *, int, int, const rg_resume *);

/* Upper bound on the variant chosen: 2 = any, 1 = at most avx2, 0 = generic (rg_limit_isa). */
static volatile int isa_limit = 2;

int rg_limit_isa(int limit) {
    int old = isa_limit;
    isa_limit = limit < 0 ? 0 : limit > 2 ? 2 : limit;
    return old;
}

typedef int (*forward_fn)(const rg_config *, const float *, const float *, int, float *, int, int);
typedef int (*suits_fn)(const rg_config *);

/* One compiled variant of repgeom_train.c and repgeom_soa.c. */
typedef struct {
    const char *name;
    train_fn train;
    forward_fn forward;
    train_fn train_soa;
    suits_fn soa_suits;
    void (*tanh_array)(const float *, float *, long);
} variant_t;

#define RG_VARIANT_T(v) {#v, mlp_train_fused_impl_##v, mlp_forward_impl_##v, mlp_train_soa_##v, rg_soa_suits_##v, \
                         rg_tanh_array_##v}
static const variant_t GENERIC = RG_VARIANT_T(generic);
#if defined(RG_HAVE_X86_VARIANTS)
static const variant_t AVX2 = RG_VARIANT_T(avx2);
static const variant_t AVX512 = RG_VARIANT_T(avx512);
#endif

/* Training layout: 0 = chosen by shape, 1 = always one member at a time, 2 = always members across
   the lanes (rg_force_layout; for tests). */
static volatile int layout_mode = 0;

int rg_force_layout(int mode) {
    int old = layout_mode;
    layout_mode = mode < 0 || mode > 2 ? 0 : mode;
    return old;
}

static const variant_t *pick(void) {
#if defined(RG_HAVE_X86_VARIANTS)
    __builtin_cpu_init();
    if (isa_limit >= 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma")) {
        return &AVX512;
    }
    if (isa_limit >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return &AVX2;
    }
#endif
    return &GENERIC;
}

const char *rg_isa(void) {
    return pick()->name;
}

/* Whether mlp_train_fused (and _resume) runs cfg with members across the vector lanes. */
static int lanes_for(const variant_t *v, const rg_config *cfg) {
    return layout_mode == 2 || (layout_mode == 0 && v->soa_suits(cfg));
}

int rg_layout(const rg_config *cfg) {
    if (!valid_shape(cfg)) return -1;
    return lanes_for(pick(), cfg) ? 2 : 1;
}

/*
 * Flush-to-zero and denormals-are-zero for the length of one kernel call, the caller's setting restored
 * after it. Over long runs with weight decay the weights of dead units and Adam's second moments decay
 * into subnormal floats, and every operation on one costs a microcode assist on many x86 cores (dozens
 * of cycles each): a 60,000-step Adam study ran at about half the speed of a 3,000-step one. Flushed,
 * a value below 2^-126 (1.2e-38) reads and is written as 0, far below anything the losses, kernels and
 * stop rule can resolve. x86: MXCSR bits FTZ (15) and DAZ (6); aarch64: FPCR.FZ (24); elsewhere a no-op.
 */
typedef struct { unsigned long saved; } fp_mode;

static fp_mode flush_subnormals(void) {
    fp_mode m = {0};
#if defined(__x86_64__) || defined(__i386__)
    m.saved = _mm_getcsr();
    _mm_setcsr((unsigned)m.saved | 0x8040u);
#elif defined(__aarch64__)
    __asm__ volatile("mrs %0, fpcr" : "=r"(m.saved));
    __asm__ volatile("msr fpcr, %0" : : "r"(m.saved | (1ul << 24)));
#endif
    return m;
}

static void restore_fp_mode(fp_mode m) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr((unsigned)m.saved);
#elif defined(__aarch64__)
    __asm__ volatile("msr fpcr, %0" : : "r"(m.saved));
#else
    (void)m;
#endif
}

unsigned long rg_flush_subnormals(void) {
    return flush_subnormals().saved;
}

void rg_restore_fp_mode(unsigned long saved) {
    restore_fp_mode((fp_mode){saved});
}

/* Under the floating-point mode of the training calls, so that it is the tanh they compute. */
void rg_tanh_f32(const float *in, float *out, long n) {
    fp_mode m = flush_subnormals();
    pick()->tanh_array(in, out, n);
    restore_fp_mode(m);
}

int mlp_train_fused(const rg_config *cfg, const float *x, const float *y, float *params, const float *lambdas,
                    const double *lrs, float *trace, double *final_loss, double *grad_norm, int32_t *steps,
                    int32_t *status, int first, int count) {
    if (!valid(cfg) || x == NULL || y == NULL || params == NULL || lambdas == NULL || lrs == NULL || trace == NULL
        || final_loss == NULL || grad_norm == NULL || steps == NULL || status == NULL || first < 0 || count < 0) {
        return RG_EBADARG;
    }
    if (count == 0) return RG_OK;
    fp_mode m = flush_subnormals();
    const variant_t *v = pick();
    int rc = lanes_for(v, cfg)
                 ? v->train_soa(cfg, x, y, params, lambdas, lrs, trace, final_loss, grad_norm, steps, status, first,
                                count, NULL)
                 : v->train(cfg, x, y, params, lambdas, lrs, trace, final_loss, grad_norm, steps, status, first,
                            count, NULL);
    restore_fp_mode(m);
    return rc;
}

int mlp_train_fused_resume(const rg_config *cfg, const rg_resume *r, const float *x, const float *y, float *params,
                           const float *lambdas, const double *lrs, float *trace, double *final_loss,
                           double *grad_norm, int32_t *steps, int32_t *status, int first, int count) {
    if (!valid(cfg) || r == NULL || x == NULL || y == NULL || params == NULL || lambdas == NULL || lrs == NULL
        || trace == NULL || final_loss == NULL || grad_norm == NULL || steps == NULL || status == NULL || first < 0
        || count < 0 || r->until_step < 0 || r->last_finite == NULL || r->beta1_pow == NULL || r->beta2_pow == NULL
        || r->window_start == NULL || r->penalty == NULL || (cfg->opt_kind != RG_GD && r->moment1 == NULL)
        || (cfg->opt_kind == RG_ADAM && r->moment2 == NULL)) {
        return RG_EBADARG;
    }
    if (count == 0) return RG_OK;
    fp_mode m = flush_subnormals();
    const variant_t *v = pick();
    int rc = (lanes_for(v, cfg) ? v->train_soa : v->train)(cfg, x, y, params, lambdas, lrs, trace, final_loss,
                                                            grad_norm, steps, status, first, count, r);
    restore_fp_mode(m);
    return rc;
}

int mlp_forward(const rg_config *cfg, const float *x, const float *params, int layer, float *out, int first,
                int count) {
    if (!valid_shape(cfg) || x == NULL || params == NULL || out == NULL || layer < 0 || layer >= cfg->depth
        || first < 0 || count < 0) {
        return RG_EBADARG;
    }
    if (count == 0) return RG_OK;
    fp_mode m = flush_subnormals();
    int rc = pick()->forward(cfg, x, params, layer, out, first, count);
    restore_fp_mode(m);
    return rc;
}
