/*
 * rnn_train_fused: the fused training loop of vanilla recurrent networks (see repgeom_rnn.h), the C
 * twin of JavaBackend.rnn_train_fused: the same loop, stop rule, divergence rule and optimiser
 * updates, with backpropagation through time in float32. Two layouts, chosen by shape (rg_rnn_layout):
 * members across the vector lanes (repgeom_rnn_lanes.c) while their workspace fits a core's cache, and
 * here one member at a time, the inner loops over the contiguous sample axis, for larger shapes.
 */
#include "repgeom_rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RG_GELU_C 0.7978845608028654f /* sqrt(2/pi) */
#define RG_GELU_A 0.044715f
#define RG_LEAKY 0.01f

/* a[i] = phi(z[i]); the switch outside the loops so each one vectorises */
static inline __attribute__((always_inline)) void activate(int act, const float *restrict z, float *restrict a, long n) {
    switch (act) {
        case RG_RELU:
            for (long i = 0; i < n; i++) a[i] = z[i] > 0.0f ? z[i] : 0.0f;
            break;
        case RG_LEAKY_RELU:
            for (long i = 0; i < n; i++) a[i] = z[i] > 0.0f ? z[i] : RG_LEAKY * z[i];
            break;
        case RG_CLIPPED_RELU:
            for (long i = 0; i < n; i++) a[i] = z[i] <= 0.0f ? 0.0f : (z[i] >= 1.0f ? 1.0f : z[i]);
            break;
        case RG_LINEAR:
            memcpy(a, z, (size_t)n * sizeof(float));
            break;
        case RG_TANH:
            for (long i = 0; i < n; i++) a[i] = tanhf(z[i]);
            break;
        default:
            for (long i = 0; i < n; i++) {
                const float x = z[i];
                a[i] = 0.5f * x * (1.0f + tanhf(RG_GELU_C * (x + RG_GELU_A * x * x * x)));
            }
            break;
    }
}

/* g[i] = gh[i] * phi'(z[i]); a = phi(z) (tanh's derivative reuses it) */
static inline __attribute__((always_inline)) void times_derivative(int act, const float *restrict z,
                                                                   const float *restrict a, const float *restrict gh,
                                                                   float *restrict g, long n) {
    switch (act) {
        case RG_RELU:
            for (long i = 0; i < n; i++) g[i] = z[i] > 0.0f ? gh[i] : 0.0f;
            break;
        case RG_LEAKY_RELU:
            for (long i = 0; i < n; i++) g[i] = z[i] > 0.0f ? gh[i] : RG_LEAKY * gh[i];
            break;
        case RG_CLIPPED_RELU:
            for (long i = 0; i < n; i++) g[i] = (z[i] > 0.0f && z[i] <= 1.0f) ? gh[i] : 0.0f;
            break;
        case RG_LINEAR:
            memcpy(g, gh, (size_t)n * sizeof(float));
            break;
        case RG_TANH:
            for (long i = 0; i < n; i++) g[i] = gh[i] * (1.0f - a[i] * a[i]);
            break;
        default:
            for (long i = 0; i < n; i++) {
                const float x = z[i];
                const float t = tanhf(RG_GELU_C * (x + RG_GELU_A * x * x * x));
                const float du = RG_GELU_C * (1.0f + 3.0f * RG_GELU_A * x * x);
                g[i] = gh[i] * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du);
            }
            break;
    }
}

/* Offsets of the weight groups in a member's slice, and the per-member scratch. */
typedef struct {
    int dX, M, dY, T, P, every, act;
    long u, b, w, v, stride; /* U (M x dX), b (M), W (M x M), W_out (dY x M) */
    float *z;                /* T x M x P pre-activations */
    float *h;                /* (T + 1) x M x P hidden states, h_0 = 0 */
    float *f, *gout, *gh, *gz, *grad, *last, *m1, *m2;
    float *tr; /* max(M, dX) x P: a transposed operand of grad_acc */
    float *a, *ga; /* M x P: the input term U x + b, and its gradient summed over the steps */
} rnn_ws;

long rg_rnn_stride(const rg_rnn_config *c) {
    if (c == NULL || c->input_dim < 1 || c->width < 1 || c->output_dim < 1 || c->time_steps < 1
        || c->time_steps > RG_MAX_TIME_STEPS || c->samples < 1 || c->activation < RG_RELU || c->activation > RG_GELU
        || c->opt_kind < RG_GD || c->opt_kind > RG_ADAM || c->max_steps < 1 || c->window < 1 || c->trace_every < 1
        || !(c->tol >= 0) || !(c->eps > 0)) {
        return -1;
    }
    return rg_rnn_param_offsets(c).stride;
}

static int ws_alloc(const rg_rnn_config *c, rnn_ws *s) {
    s->dX = c->input_dim;
    s->M = c->width;
    s->dY = c->output_dim;
    s->T = c->time_steps;
    s->P = c->samples;
    s->every = c->input_every;
    s->act = c->activation;
    const rg_rnn_offsets o = rg_rnn_param_offsets(c);
    s->u = o.u, s->b = o.b, s->w = o.w, s->v = o.v, s->stride = o.stride;
    const long mp = (long)s->M * s->P, yp = (long)s->dY * s->P;
    const long tr = (long)(s->M > s->dX ? s->M : s->dX) * s->P;
    const long total = s->T * mp + (s->T + 1) * mp + 2 * yp + 4 * mp + 4 * s->stride + tr;
    float *block = calloc((size_t)total, sizeof(float));
    if (block == NULL) return RG_ENOMEM;
    float *p = block;
    s->z = p; p += s->T * mp;
    s->h = p; p += (s->T + 1) * mp;
    s->f = p; p += yp;
    s->gout = p; p += yp;
    s->gh = p; p += mp;
    s->gz = p; p += mp;
    s->grad = p; p += s->stride;
    s->last = p; p += s->stride;
    s->m1 = p; p += s->stride;
    s->m2 = p; p += s->stride;
    s->tr = p; p += tr;
    s->a = p; p += mp;
    s->ga = p;
    return RG_OK;
}

/* dst (rows x P) += A (rows x K, row-major) src (K x P) */
static inline __attribute__((always_inline)) void gemm_acc(int rows, int K, int P, const float *restrict A, const float *restrict src, float *restrict dst) {
    for (int i = 0; i < rows; i++) {
        float *restrict d = dst + (long)i * P;
        for (int c = 0; c < K; c++) {
            const float a = A[(long)i * K + c];
            const float *restrict s = src + (long)c * P;
#pragma omp simd
            for (int t = 0; t < P; t++) d[t] += a * s[t];
        }
    }
}

/* dst (rows x K) += G (rows x P) srcᵀ, src (K x P) given transposed as srcT (P x K): the inner loop runs
   over K, so it vectorises without a horizontal sum per entry (P is small: 8 on the hypercube) */
static inline __attribute__((always_inline)) void grad_acc(int rows, int K, int P, const float *restrict G,
                                                           const float *restrict srcT, float *restrict dst) {
    for (int i = 0; i < rows; i++) {
        float *restrict d = dst + (long)i * K;
        for (int t = 0; t < P; t++) {
            const float g = G[(long)i * P + t];
            const float *restrict s = srcT + (long)t * K;
#pragma omp simd
            for (int c = 0; c < K; c++) d[c] += g * s[c];
        }
    }
}

/* dst (P x K) = src (K x P) transposed */
static inline __attribute__((always_inline)) void transpose(int K, int P, const float *restrict src,
                                                            float *restrict dst) {
    for (int c = 0; c < K; c++) {
        for (int t = 0; t < P; t++) dst[(long)t * K + c] = src[(long)c * P + t];
    }
}

/* dst (K x P) = Aᵀ (A: rows x K) G (rows x P) */
static inline __attribute__((always_inline)) void gemm_t(int rows, int K, int P, const float *restrict A, const float *restrict G, float *restrict dst) {
    memset(dst, 0, (size_t)K * P * sizeof(float));
    for (int i = 0; i < rows; i++) {
        const float *restrict g = G + (long)i * P;
        for (int c = 0; c < K; c++) {
            const float a = A[(long)i * K + c];
            float *restrict d = dst + (long)c * P;
#pragma omp simd
            for (int t = 0; t < P; t++) d[t] += a * g[t];
        }
    }
}

/* Forward pass and BPTT at th (P samples): returns ||Y - F||^2 (double); s->grad = data gradient + 2 lambda th. */
/* P is an argument (== s->P) so that a call with a constant specialises every inner loop over samples */
static inline __attribute__((always_inline)) double loss_grad(rnn_ws *s, const float *x, const float *y,
                                                              const float *th, const float *lam, const int P) {
    const int M = s->M, T = s->T, dX = s->dX, dY = s->dY;
    const long mp = (long)M * P;
    /* the input term a = U x + b is the same at every step that sees x: computed once */
    for (int i = 0; i < M; i++) {
        const float bi = th[s->b + i];
        for (int k = 0; k < P; k++) s->a[(long)i * P + k] = bi;
    }
    gemm_acc(M, dX, P, th + s->u, x, s->a);
    for (int t = 0; t < T; t++) {
        float *zt = s->z + t * mp, *next = s->h + (t + 1) * mp;
        if (s->every || t == 0) {
            memcpy(zt, s->a, (size_t)mp * sizeof(float));
        } else {
            for (int i = 0; i < M; i++) {
                const float bi = th[s->b + i];
                for (int k = 0; k < P; k++) zt[(long)i * P + k] = bi;
            }
        }
        if (t > 0) gemm_acc(M, M, P, th + s->w, s->h + t * mp, zt);
        activate(s->act, zt, next, mp);
    }
    const float *hT = s->h + T * mp;
    memset(s->f, 0, (size_t)dY * P * sizeof(float));
    gemm_acc(dY, M, P, th + s->v, hT, s->f);
    double loss = 0.0;
    for (long i = 0; i < (long)dY * P; i++) {
        float e = s->f[i] - y[i];
        loss += (double)e * e;
        s->gout[i] = 2.0f * e;
    }
    float *g = s->grad;
    memset(g, 0, (size_t)s->stride * sizeof(float));
    transpose(M, P, hT, s->tr);
    grad_acc(dY, M, P, s->gout, s->tr, g + s->v);
    gemm_t(dY, M, P, th + s->v, s->gout, s->gh);
    memset(s->ga, 0, (size_t)mp * sizeof(float));
    for (int t = T - 1; t >= 0; t--) {
        const float *zt = s->z + t * mp, *ht1 = s->h + (t + 1) * mp;
        times_derivative(s->act, zt, ht1, s->gh, s->gz, mp);
        for (int i = 0; i < M; i++) {
            const float *restrict gzi = s->gz + (long)i * P;
            float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
            for (int k = 0; k < P; k++) acc += gzi[k];
            g[s->b + i] += acc;
        }
        if (s->every || t == 0) {
            for (long i = 0; i < mp; i++) s->ga[i] += s->gz[i]; /* U's gradient is taken once, below */
        }
        if (t > 0) {
            transpose(M, P, s->h + t * mp, s->tr);
            grad_acc(M, M, P, s->gz, s->tr, g + s->w);
            gemm_t(M, M, P, th + s->w, s->gz, s->gh);
        }
    }
    transpose(dX, P, x, s->tr);
    grad_acc(M, dX, P, s->ga, s->tr, g + s->u);
    const long ends[3] = {s->w, s->v, s->stride};
    for (int l = 0, start = 0; l < 3; start = (int)ends[l], l++) {
        const float lam2 = 2.0f * lam[l];
        for (long i = start; i < ends[l]; i++) g[i] += lam2 * th[i];
    }
    return loss;
}

/* loss_grad with the inner loops specialised for P = 8 (one sample per class of a dY = 3 hypercube: one
   AVX2 vector per row) and generic otherwise */
#define data_loss_grad(s, x, y, th, lam) \
    ((s)->P == 8 ? loss_grad(s, x, y, th, lam, 8) : loss_grad(s, x, y, th, lam, (s)->P))

/* lambda_in ||[U, b]||^2 + lambda_rec ||W||^2 + lambda_out ||W_out||^2 */
static inline __attribute__((always_inline)) double penalty(const rnn_ws *s, const float *th, const float *lam) {
    const long ends[3] = {s->w, s->v, s->stride};
    double total = 0.0;
    long start = 0;
    for (int l = 0; l < 3; l++) {
        float sq = 0.0f;
        for (long i = start; i < ends[l]; i++) sq += th[i] * th[i];
        total += (double)lam[l] * sq;
        start = ends[l];
    }
    return total;
}

static inline __attribute__((always_inline)) int grad_finite(const rnn_ws *s) {
    float chk = 0.0f;
    for (long i = 0; i < s->stride; i++) chk += s->grad[i] - s->grad[i];
    return chk == 0.0f;
}

static inline __attribute__((always_inline)) void update(const rg_rnn_config *c, rnn_ws *s, float *restrict th, float lr, float c1, float c2) {
    const float *restrict g = s->grad;
    float *restrict m1 = s->m1, *restrict m2 = s->m2;
    const long n = s->stride;
    const float mu = (float)c->momentum, b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
    const float ob1 = (float)(1.0 - c->beta1), ob2 = (float)(1.0 - c->beta2);
    switch (c->opt_kind) {
        case RG_GD:
            for (long i = 0; i < n; i++) th[i] -= lr * g[i];
            break;
        case RG_MOMENTUM:
            for (long i = 0; i < n; i++) {
                m1[i] = mu * m1[i] - lr * g[i];
                th[i] += m1[i];
            }
            break;
        default:
            for (long i = 0; i < n; i++) {
                m1[i] = b1 * m1[i] + ob1 * g[i];
                m2[i] = b2 * m2[i] + ob2 * g[i] * g[i];
                th[i] -= lr * (m1[i] * c1) / (sqrtf(m2[i] * c2) + eps);
            }
            break;
    }
}

static int converged(const rg_rnn_config *c, double window_start, double now) {
    return c->tol > 0 && fabs(window_start - now) <= c->tol * fabs(now);
}

/* compiled for AVX2+FMA and for the baseline, picked at load time (P = 8 samples fill one AVX2 vector) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RG_RNN_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define RG_RNN_CLONES
#endif

RG_RNN_CLONES static int train(const rg_rnn_config *c, const rg_resume *r, const float *x, const float *y, float *params,
                 const float *lambdas, const double *lrs, float *trace, double *final_loss, double *grad_norm,
                 int32_t *steps, int32_t *status, int first, int count) {
    rnn_ws s;
    if (ws_alloc(c, &s) != RG_OK) return RG_ENOMEM;
    const long tlen = c->max_steps / c->trace_every + 1, n = s.stride;
    const size_t bytes = (size_t)n * sizeof(float);
    const int end = r->until_step < c->max_steps ? r->until_step : c->max_steps;
    for (int e = first; e < first + count; e++) {
        if (status[e] != RG_RUNNING) continue;
        float *th = params + (long)e * n;
        const float *lam = lambdas + (long)e * 3;
        float *tr = trace + (long)e * tlen;
        memcpy(s.last, r->last_finite + (long)e * n, bytes);
        if (c->opt_kind != RG_GD) memcpy(s.m1, r->moment1 + (long)e * n, bytes);
        if (c->opt_kind == RG_ADAM) memcpy(s.m2, r->moment2 + (long)e * n, bytes);
        double beta1_pow = r->beta1_pow[e], beta2_pow = r->beta2_pow[e], window_start = r->window_start[e];
        int step = steps[e], st = RG_MAX_STEPS;
        for (; step < end; step++) {
            double loss = data_loss_grad(&s, x, y, th, lam) + penalty(&s, th, lam);
            if (!representable(loss) || !grad_finite(&s)) {
                memcpy(th, s.last, bytes);
                st = RG_DIVERGED;
                break;
            }
            if (step % c->trace_every == 0) tr[step / c->trace_every] = (float)loss;
            if (step % c->window == 0) {
                if (step > 0 && converged(c, window_start, loss)) {
                    st = RG_CONVERGED;
                    break;
                }
                window_start = loss;
            }
            memcpy(s.last, th, bytes);
            double lr = lrs[e];
            if (c->final_lr_ratio != 1.0) lr *= pow(c->final_lr_ratio, (double)step / c->max_steps);
            float c1 = 1.0f, c2 = 1.0f;
            if (c->opt_kind == RG_ADAM) {
                beta1_pow *= c->beta1;
                beta2_pow *= c->beta2;
                c1 = (float)(1.0 / (1.0 - beta1_pow));
                c2 = (float)(1.0 / (1.0 - beta2_pow));
            }
            update(c, &s, th, (float)lr, c1, c2);
        }
        if (st == RG_MAX_STEPS && step < c->max_steps) { /* paused at until_step */
            memcpy(r->last_finite + (long)e * n, s.last, bytes);
            if (c->opt_kind != RG_GD) memcpy(r->moment1 + (long)e * n, s.m1, bytes);
            if (c->opt_kind == RG_ADAM) memcpy(r->moment2 + (long)e * n, s.m2, bytes);
            r->beta1_pow[e] = beta1_pow;
            r->beta2_pow[e] = beta2_pow;
            r->window_start[e] = window_start;
            steps[e] = step;
            continue;
        }
        double loss = data_loss_grad(&s, x, y, th, lam) + penalty(&s, th, lam);
        if (st != RG_DIVERGED && !representable(loss)) st = RG_DIVERGED;
        if (st == RG_MAX_STEPS && step >= c->window && step % c->window == 0 && converged(c, window_start, loss)) {
            st = RG_CONVERGED;
        }
        if (step == c->max_steps && step % c->trace_every == 0) tr[step / c->trace_every] = (float)loss;
        double norm = 0.0;
        for (long i = 0; i < n; i++) norm += (double)s.grad[i] * s.grad[i];
        final_loss[e] = loss;
        grad_norm[e] = sqrt(norm);
        steps[e] = step;
        status[e] = st;
    }
    free(s.z);
    return RG_OK;
}

/* The lane layout (repgeom_rnn_lanes.c), compiled once per instruction-set variant. */
typedef int (*lanes_fn)(const rg_rnn_config *, const rg_resume *, const float *, const float *, float *,
                        const float *, const double *, float *, double *, double *, int32_t *, int32_t *, int, int);
#define RG_RNN_LANES_DECL(v)                                                                                     \
    int rnn_train_lanes_##v(const rg_rnn_config *, const rg_resume *, const float *, const float *, float *,   \
                            const float *, const double *, float *, double *, double *, int32_t *, int32_t *, \
                            int, int);                                                                         \
    int rg_rnn_lanes_suits_##v(const rg_rnn_config *);
RG_RNN_LANES_DECL(generic)
#ifdef RG_HAVE_X86_VARIANTS
RG_RNN_LANES_DECL(avx2)
RG_RNN_LANES_DECL(avx512)
#endif

/* the variant mlp_train_fused dispatches to (rg_isa: the CPU's best, or the cap a test set) */
static lanes_fn lanes_variant(void) {
#ifdef RG_HAVE_X86_VARIANTS
    const char *isa = rg_isa();
    if (strcmp(isa, "avx512") == 0) return rnn_train_lanes_avx512;
    if (strcmp(isa, "avx2") == 0) return rnn_train_lanes_avx2;
#endif
    return rnn_train_lanes_generic;
}

static int lanes_suit(const rg_rnn_config *c) {
#ifdef RG_HAVE_X86_VARIANTS
    const char *isa = rg_isa();
    if (strcmp(isa, "avx512") == 0) return rg_rnn_lanes_suits_avx512(c);
    if (strcmp(isa, "avx2") == 0) return rg_rnn_lanes_suits_avx2(c);
#endif
    return rg_rnn_lanes_suits_generic(c);
}

/* 0 = layout chosen by shape, 1 = one member at a time, 2 = members across the lanes (for tests) */
static volatile int layout_mode = 0;

int rg_rnn_force_layout(int mode) {
    int old = layout_mode;
    layout_mode = mode < 0 || mode > 2 ? 0 : mode;
    return old;
}

int rg_rnn_layout(const rg_rnn_config *cfg) {
    if (rg_rnn_stride(cfg) < 0) return -1;
    if (layout_mode != 0) return layout_mode;
    return lanes_suit(cfg) ? 2 : 1;
}

int rnn_train_fused(const rg_rnn_config *cfg, const rg_resume *r, const float *x, const float *y, float *params,
                    const float *lambdas, const double *lrs, float *trace, double *final_loss, double *grad_norm,
                    int32_t *steps, int32_t *status, int first, int count) {
    if (rg_rnn_stride(cfg) < 0 || r == NULL || x == NULL || y == NULL || params == NULL || lambdas == NULL
        || lrs == NULL || trace == NULL || final_loss == NULL || grad_norm == NULL || steps == NULL || status == NULL
        || first < 0 || count < 0 || r->until_step < 0 || r->last_finite == NULL || r->beta1_pow == NULL
        || r->beta2_pow == NULL || r->window_start == NULL || (cfg->opt_kind != RG_GD && r->moment1 == NULL)
        || (cfg->opt_kind == RG_ADAM && r->moment2 == NULL)) {
        return RG_EBADARG;
    }
    if (count == 0) return RG_OK;
    /* subnormals flushed for the call as in mlp_train_fused: decayed weights and moments otherwise cost a
       microcode assist per operation on many x86 cores */
    unsigned long mode = rg_flush_subnormals();
    const lanes_fn lanes = rg_rnn_layout(cfg) == 2 ? lanes_variant() : NULL;
    int rc = lanes != NULL
        ? lanes(cfg, r, x, y, params, lambdas, lrs, trace, final_loss, grad_norm, steps, status, first, count)
        : train(cfg, r, x, y, params, lambdas, lrs, trace, final_loss, grad_norm, steps, status, first, count);
    rg_restore_fp_mode(mode);
    return rc;
}
