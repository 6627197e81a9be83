/*
 * rnn_train_fused's second layout: RG_VLEN members interleaved across the vector lanes (structure of
 * arrays, one member per lane), compiled once per instruction-set variant like repgeom_soa.c. Every
 * array of the workspace holds RG_VLEN floats per entry, so each multiply-add of the forward pass and
 * of backpropagation through time is one full vector operation whatever the width, sample count or
 * time steps, with no transposes and no horizontal sums. Lanes are refilled from the member range as
 * members stop (converged, diverged, out of steps), so a group never waits for its slowest member.
 * The loop, stop rule, divergence rule and optimiser updates are repgeom_rnn.c's, lane by lane.
 */
#include "repgeom_rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "repgeom_activations.h"

#define L RG_VLEN

/* the largest lane workspace (bytes) trained in this layout; larger shapes go one member at a time (measured on
   AVX-512, P = 8: the lanes take 0.36x the CPU time of one member at a time at width 64, T = 10, a 2.4 MB workspace) */
#ifndef RG_RNN_LANES_BYTES
#define RG_RNN_LANES_BYTES (8L << 20)
#endif
#define AI static inline __attribute__((always_inline))
#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)

/* register tile of the lane GEMM: RI x RJ accumulators (AVX-512 has 32 vector registers, the others 16) */
#if RG_VLEN >= 16
#define RI 4
#define RJ 4
#else
#define RI 2
#define RJ 4
#endif

/*
 * C[i][j] (+)= sum_k A(i, k) B(k, j) on every lane, for one ri x rj tile at (i0, j0): A(i, k) is the
 * lane vector A[i ai + k ak], B(k, j) the lane vector at B + (k bk + j bj) L (bvec) or the shared
 * scalar B[k bk + j bj] (the task's inputs), C[i][j] the lane vector C[i ci + j].
 */
AI void tile(const int ri, const int rj, const int bvec, int K, const vf *restrict A, long ai, long ak,
             const float *restrict B, long bk, long bj, vf *restrict C, long ci, int i0, int j0, int add) {
    vf acc[RI][RJ];
    for (int r = 0; r < ri; r++) {
        for (int q = 0; q < rj; q++) acc[r][q] = add ? C[(long)(i0 + r) * ci + j0 + q] : (vf){0};
    }
    for (int k = 0; k < K; k++) {
        vf a[RI], b[RJ];
        for (int r = 0; r < ri; r++) a[r] = A[(long)(i0 + r) * ai + (long)k * ak];
        for (int q = 0; q < rj; q++) {
            const long o = (long)k * bk + (long)(j0 + q) * bj;
            b[q] = bvec ? ((const vf *)B)[o] : (vf){0} + B[o];
        }
        for (int r = 0; r < ri; r++) {
            for (int q = 0; q < rj; q++) acc[r][q] += a[r] * b[q];
        }
    }
    for (int r = 0; r < ri; r++) {
        for (int q = 0; q < rj; q++) C[(long)(i0 + r) * ci + j0 + q] = acc[r][q];
    }
}

/* the R x Cn lane GEMM in RI x RJ tiles and their remainders (argument order as tile's) */
AI void lane_gemm(const int bvec, int R, int Cn, int K, const vf *restrict A, long ai, long ak,
                  const float *restrict B, long bk, long bj, vf *restrict C, long ci, int add) {
    int i = 0;
    for (; i + RI <= R; i += RI) {
        int j = 0;
        for (; j + RJ <= Cn; j += RJ) tile(RI, RJ, bvec, K, A, ai, ak, B, bk, bj, C, ci, i, j, add);
        for (; j < Cn; j++) tile(RI, 1, bvec, K, A, ai, ak, B, bk, bj, C, ci, i, j, add);
    }
    for (; i < R; i++) {
        int j = 0;
        for (; j + RJ <= Cn; j += RJ) tile(1, RJ, bvec, K, A, ai, ak, B, bk, bj, C, ci, i, j, add);
        for (; j < Cn; j++) tile(1, 1, bvec, K, A, ai, ak, B, bk, bj, C, ci, i, j, add);
    }
}

/* Offsets of the weight groups (in entries of RG_VLEN floats) and the workspace of one group of lanes. */
typedef struct {
    int dX, M, dY, T, P, every, act;
    long u, b, w, v, stride;           /* U (M x dX), b (M), W (M x M), W_out (dY x M) */
    vf *th, *grad, *last, *m1, *m2;    /* stride each */
    vf *z, *h;                         /* T x M x P pre-activations, (T + 1) x M x P states (h_0 unused) */
    vf *a, *ga, *gh, *gz;              /* M x P: input term U x + b, its gradient over the steps, dL/dh, dL/dz */
    vf *f, *gout;                      /* dY x P */
    vf lam[3];                         /* lambda_in, lambda_rec, lambda_out per lane */
    double loss[L];                    /* data loss + penalty per lane at th */
    int finite[L];                     /* the gradient is finite */
} lanes_ws;

/* the workspace in bytes per group of lanes (rg_rnn_lanes_suits reads it) */
static long ws_entries(const rg_rnn_config *c, long stride) {
    const long mp = (long)c->width * c->samples, yp = (long)c->output_dim * c->samples;
    return 5 * stride + (2L * c->time_steps + 1) * mp + 4 * mp + 2 * yp;
}

static int ws_alloc(const rg_rnn_config *c, lanes_ws *s) {
    s->dX = c->input_dim;
    s->M = c->width;
    s->dY = c->output_dim;
    s->T = c->time_steps;
    s->P = c->samples;
    s->every = c->input_every;
    s->act = c->activation;
    const rg_rnn_offsets o = rg_rnn_param_offsets(c); /* the weight groups' offsets */
    s->u = o.u, s->b = o.b, s->w = o.w, s->v = o.v, s->stride = o.stride;
    const long mp = (long)s->M * s->P, yp = (long)s->dY * s->P;
    const long total = ws_entries(c, s->stride);
    vf *p = aligned_alloc(sizeof(vf), (size_t)total * sizeof(vf)); /* C11: the size a multiple of the alignment */
    if (p == NULL) return RG_ENOMEM;
    memset(p, 0, (size_t)total * sizeof(vf));
    s->th = p; p += s->stride;
    s->grad = p; p += s->stride;
    s->last = p; p += s->stride;
    s->m1 = p; p += s->stride;
    s->m2 = p; p += s->stride;
    s->z = p; p += s->T * mp;
    s->h = p; p += (s->T + 1) * mp;
    s->a = p; p += mp;
    s->ga = p; p += mp;
    s->gh = p; p += mp;
    s->gz = p; p += mp;
    s->f = p; p += yp;
    s->gout = p;
    return RG_OK;
}

/* rows x P lane entries set to the lane vector of row i (the bias) */
AI void fill_rows(int rows, int P, const vf *restrict bias, vf *restrict dst) {
    for (int i = 0; i < rows; i++) {
        for (int k = 0; k < P; k++) dst[(long)i * P + k] = bias[i];
    }
}

/* Forward pass and BPTT on every lane: s->loss = ||Y - F||^2 + penalty, s->grad = its gradient. */
AI void loss_grad(lanes_ws *s, const float *x, const float *y, const int P) {
    const int M = s->M, T = s->T, dX = s->dX, dY = s->dY;
    const long mp = (long)M * P;
    const vf *th = s->th;
    /* the input term a = U x + b is the same at every step that sees x: computed once */
    fill_rows(M, P, th + s->b, s->a);
    lane_gemm(0, M, P, dX, th + s->u, dX, 1, x, P, 1, s->a, P, 1);
    for (int t = 0; t < T; t++) {
        vf *zt = s->z + t * mp;
        if (s->every || t == 0) memcpy(zt, s->a, (size_t)mp * sizeof(vf));
        else fill_rows(M, P, th + s->b, zt);
        if (t > 0) lane_gemm(1, M, P, M, th + s->w, M, 1, (const float *)(s->h + t * mp), P, 1, zt, P, 1);
        activate(s->act, (const float *)zt, (float *)(s->h + (t + 1) * mp), mp * L);
    }
    const vf *hT = s->h + T * mp;
    lane_gemm(1, dY, P, M, th + s->v, M, 1, (const float *)hT, P, 1, s->f, P, 0);
    double loss[L] = {0};
    for (int o = 0; o < dY; o++) {
        vf row = {0};
        for (int k = 0; k < P; k++) {
            const vf e = s->f[(long)o * P + k] - y[(long)o * P + k];
            row += e * e;
            s->gout[(long)o * P + k] = 2.0f * e;
        }
        for (int l = 0; l < L; l++) loss[l] += (double)row[l]; /* rows summed in double, as the reference */
    }
    vf *g = s->grad;
    /* W_out's gradient gout hTᵀ, and dL/dh_T = W_outᵀ gout */
    lane_gemm(1, dY, M, P, s->gout, P, 1, (const float *)hT, 1, P, g + s->v, M, 0);
    lane_gemm(1, M, P, dY, th + s->v, 1, M, (const float *)s->gout, P, 1, s->gh, P, 0);
    memset(g + s->b, 0, (size_t)M * sizeof(vf));
    memset(g + s->w, 0, (size_t)M * M * sizeof(vf));
    memset(s->ga, 0, (size_t)mp * sizeof(vf));
    for (int t = T - 1; t >= 0; t--) {
        memcpy(s->gz, s->gh, (size_t)mp * sizeof(vf));
        times_derivative(s->act, (const float *)(s->z + t * mp), (const float *)(s->h + (t + 1) * mp),
                         (float *)s->gz, mp * L);
        for (int i = 0; i < M; i++) {
            vf acc = {0};
            for (int k = 0; k < P; k++) acc += s->gz[(long)i * P + k];
            g[s->b + i] += acc;
        }
        if (s->every || t == 0) {
            for (long i = 0; i < mp; i++) s->ga[i] += s->gz[i]; /* U's gradient is taken once, below */
        }
        if (t > 0) {
            const float *ht = (const float *)(s->h + t * mp);
            lane_gemm(1, M, M, P, s->gz, P, 1, ht, 1, P, g + s->w, M, 1);                 /* gz h_tᵀ */
            lane_gemm(1, M, P, M, th + s->w, 1, M, (const float *)s->gz, P, 1, s->gh, P, 0); /* Wᵀ gz */
        }
    }
    lane_gemm(0, M, dX, P, s->ga, P, 1, x, 1, P, g + s->u, dX, 0); /* ga xᵀ */
    /* the penalty and its gradient, and whether the gradient is finite */
    const long ends[3] = {s->w, s->v, s->stride};
    vf chk = {0};
    for (int grp = 0, start = 0; grp < 3; start = (int)ends[grp], grp++) {
        const vf lam = s->lam[grp], lam2 = 2.0f * lam;
        vf sq = {0};
        for (long i = start; i < ends[grp]; i++) {
            sq += th[i] * th[i];
            g[i] += lam2 * th[i];
            chk += g[i] - g[i];
        }
        for (int l = 0; l < L; l++) loss[l] += (double)lam[l] * sq[l];
    }
    for (int l = 0; l < L; l++) {
        s->loss[l] = loss[l];
        s->finite[l] = chk[l] == 0.0f;
    }
}

/* P = 8 (one sample per class of a dY = 3 hypercube) specialised, generic otherwise */
static void pass(lanes_ws *s, const float *x, const float *y) {
    if (s->P == 8) loss_grad(s, x, y, 8);
    else loss_grad(s, x, y, s->P);
}

/* th -= the optimiser's step on the lanes of mask upd (all bits set: update; clear: leave th and the moments
   as they are, even where the gradient is not finite); lane coefficients lr, c1, c2 */
static void update(const rg_rnn_config *c, lanes_ws *s, vf lr, vf c1, vf c2, vi upd) {
    vf *restrict th = s->th, *restrict m1 = s->m1, *restrict m2 = s->m2;
    const vf *restrict g = s->grad;
    const float mu = (float)c->momentum, b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
    const float ob1 = (float)(1.0 - c->beta1), ob2 = (float)(1.0 - c->beta2);
    const long n = s->stride;
    switch (c->opt_kind) {
        case RG_GD:
            for (long j = 0; j < n; j++) th[j] = vsel(upd, th[j] - lr * g[j], th[j]);
            break;
        case RG_MOMENTUM:
            for (long j = 0; j < n; j++) {
                const vf m = mu * m1[j] - lr * g[j];
                m1[j] = vsel(upd, m, m1[j]);
                th[j] = vsel(upd, th[j] + m, th[j]);
            }
            break;
        default:
            for (long j = 0; j < n; j++) {
                const vf a = b1 * m1[j] + ob1 * g[j], b = b2 * m2[j] + ob2 * g[j] * g[j];
                vf root = b * c2;
#pragma omp simd
                for (int l = 0; l < L; l++) root[l] = sqrtf(root[l]);
                const vf nt = th[j] - lr * (a * c1) / (root + eps);
                m1[j] = vsel(upd, a, m1[j]);
                m2[j] = vsel(upd, b, m2[j]);
                th[j] = vsel(upd, nt, th[j]);
            }
            break;
    }
}

/* lane l of n lane entries <-> n floats of one member */
static void lane_in(vf *dst, int l, const float *src, long n) {
    for (long i = 0; i < n; i++) dst[i][l] = src[i];
}

static void lane_out(const vf *src, int l, float *dst, long n) {
    for (long i = 0; i < n; i++) dst[i] = src[i][l];
}

static int converged(const rg_rnn_config *c, double window_start, double now) {
    return c->tol > 0 && fabs(window_start - now) <= c->tol * fabs(now);
}

/* what a lane holds: nothing, a member in training, or a member whose final loss the next pass evaluates */
enum { EMPTY = 0, TRAINING = 1, FINAL = 2 };

/* One member's bookkeeping while it sits in a lane. */
typedef struct {
    int member, phase, step, st;
    double beta1_pow, beta2_pow, window_start;
} lane_t;

/* Training state of the call, shared by the helpers below. */
typedef struct {
    const rg_rnn_config *c;
    const rg_resume *r;
    float *params, *trace;
    const float *lambdas;
    const double *lrs;
    double *final_loss, *grad_norm;
    int32_t *steps, *status;
    long tlen;
    int end;
} call_t;

/* the member's lane in the workspace is cleared (an empty lane computes on zeros: finite, ignored) */
static void clear_lane(lanes_ws *s, int l, lane_t *ln) {
    for (long i = 0; i < 5 * s->stride; i++) s->th[i][l] = 0.0f; /* th, grad, last, m1, m2 are adjacent */
    for (int k = 0; k < 3; k++) s->lam[k][l] = 0.0f;
    ln->member = -1;
    ln->phase = EMPTY;
}

/* Puts the next member of the range that has steps to take into lane l (or leaves it empty). */
static void fill(const call_t *k, lanes_ws *s, int l, lane_t *ln, int *next, int last) {
    const rg_rnn_config *c = k->c;
    const long n = s->stride;
    for (; *next < last; (*next)++) {
        const int e = *next;
        if (k->status[e] != RG_RUNNING) continue;
        if (k->steps[e] >= k->end && k->steps[e] < c->max_steps) continue; /* nothing to do before until_step */
        lane_in(s->th, l, k->params + (long)e * n, n);
        lane_in(s->last, l, k->r->last_finite + (long)e * n, n);
        if (c->opt_kind != RG_GD) lane_in(s->m1, l, k->r->moment1 + (long)e * n, n);
        if (c->opt_kind == RG_ADAM) lane_in(s->m2, l, k->r->moment2 + (long)e * n, n);
        for (int g = 0; g < 3; g++) s->lam[g][l] = k->lambdas[(long)e * 3 + g];
        ln->member = e;
        ln->step = k->steps[e];
        ln->st = RG_MAX_STEPS;
        ln->phase = ln->step >= c->max_steps ? FINAL : TRAINING;
        ln->beta1_pow = k->r->beta1_pow[e];
        ln->beta2_pow = k->r->beta2_pow[e];
        ln->window_start = k->r->window_start[e];
        (*next)++;
        return;
    }
    clear_lane(s, l, ln);
}

/* A member paused at until_step: its state goes back to the caller, still RG_RUNNING. */
static void pause_member(const call_t *k, lanes_ws *s, int l, const lane_t *ln) {
    const long n = s->stride, e = ln->member;
    lane_out(s->th, l, k->params + e * n, n);
    lane_out(s->last, l, k->r->last_finite + e * n, n);
    if (k->c->opt_kind != RG_GD) lane_out(s->m1, l, k->r->moment1 + e * n, n);
    if (k->c->opt_kind == RG_ADAM) lane_out(s->m2, l, k->r->moment2 + e * n, n);
    k->r->beta1_pow[e] = ln->beta1_pow;
    k->r->beta2_pow[e] = ln->beta2_pow;
    k->r->window_start[e] = ln->window_start;
    k->steps[e] = ln->step;
}

/* A stopped member, with the loss and gradient of the last pass at its final parameters. */
static void finish_member(const call_t *k, lanes_ws *s, int l, const lane_t *ln) {
    const rg_rnn_config *c = k->c;
    const long n = s->stride, e = ln->member;
    const double loss = s->loss[l];
    const int step = ln->step;
    int st = ln->st;
    if (st != RG_DIVERGED && !representable(loss)) st = RG_DIVERGED;
    if (st == RG_MAX_STEPS && step >= c->window && step % c->window == 0 && converged(c, ln->window_start, loss)) {
        st = RG_CONVERGED;
    }
    if (step == c->max_steps && step % c->trace_every == 0) k->trace[e * k->tlen + step / c->trace_every] = (float)loss;
    double norm = 0.0;
    for (long i = 0; i < n; i++) norm += (double)s->grad[i][l] * s->grad[i][l];
    lane_out(s->th, l, k->params + e * n, n);
    k->final_loss[e] = loss;
    k->grad_norm[e] = sqrt(norm);
    k->steps[e] = step;
    k->status[e] = st;
}

int CAT(rnn_train_lanes, RG_VARIANT)(const rg_rnn_config *c, const rg_resume *r, const float *x, const float *y,
                                     float *params, const float *lambdas, const double *lrs, float *trace,
                                     double *final_loss, double *grad_norm, int32_t *steps, int32_t *status,
                                     int first, int count) {
    lanes_ws s;
    if (ws_alloc(c, &s) != RG_OK) return RG_ENOMEM;
    const call_t k = {.c = c, .r = r, .params = params, .trace = trace, .lambdas = lambdas, .lrs = lrs,
                      .final_loss = final_loss, .grad_norm = grad_norm, .steps = steps, .status = status,
                      .tlen = c->max_steps / c->trace_every + 1,
                      .end = r->until_step < c->max_steps ? r->until_step : c->max_steps};
    const long n = s.stride;
    lane_t ln[L];
    int next = first, last = first + count, busy = 0;
    for (int l = 0; l < L; l++) {
        fill(&k, &s, l, &ln[l], &next, last);
        busy += ln[l].phase != EMPTY;
    }
    while (busy > 0) {
        pass(&s, x, y);
        vf lr = {0}, c1 = (vf){0} + 1.0f, c2 = (vf){0} + 1.0f;
        vi upd = {0};
        for (int l = 0; l < L; l++) {
            lane_t *m = &ln[l];
            if (m->phase == EMPTY) continue;
            if (m->phase == FINAL) {
                finish_member(&k, &s, l, m);
                m->phase = EMPTY;
                continue;
            }
            const double loss = s.loss[l];
            const int step = m->step;
            if (!representable(loss) || !s.finite[l]) {
                for (long i = 0; i < n; i++) s.th[i][l] = s.last[i][l];
                m->st = RG_DIVERGED;
                m->phase = FINAL; /* the next pass evaluates the restored parameters */
                continue;
            }
            if (step % c->trace_every == 0) trace[(long)m->member * k.tlen + step / c->trace_every] = (float)loss;
            if (step % c->window == 0) {
                if (step > 0 && converged(c, m->window_start, loss)) {
                    m->st = RG_CONVERGED; /* this pass was at the final parameters */
                    finish_member(&k, &s, l, m);
                    m->phase = EMPTY;
                    continue;
                }
                m->window_start = loss;
            }
            double rate = lrs[m->member];
            if (c->final_lr_ratio != 1.0) rate *= pow(c->final_lr_ratio, (double)step / c->max_steps);
            lr[l] = (float)rate;
            if (c->opt_kind == RG_ADAM) {
                m->beta1_pow *= c->beta1;
                m->beta2_pow *= c->beta2;
                c1[l] = (float)(1.0 / (1.0 - m->beta1_pow));
                c2[l] = (float)(1.0 / (1.0 - m->beta2_pow));
            }
            upd[l] = -1;
        }
        /* last = th on every lane at once: the lanes not updated now (stopped, restored or empty) never
           read their last again, and a paused member's last is th before this update, as it should be */
        memcpy(s.last, s.th, (size_t)n * sizeof(vf));
        update(c, &s, lr, c1, c2, upd);
        busy = 0;
        for (int l = 0; l < L; l++) {
            lane_t *m = &ln[l];
            if (upd[l] && ++m->step >= k.end) {
                if (m->step < c->max_steps) {
                    pause_member(&k, &s, l, m);
                    m->phase = EMPTY;
                } else {
                    m->phase = FINAL; /* out of steps: the next pass gives the final loss */
                }
            }
            if (m->phase == EMPTY) fill(&k, &s, l, m, &next, last);
            busy += m->phase != EMPTY;
        }
    }
    free(s.th);
    return RG_OK;
}

/* Whether a shape's lane workspace stays within the fast cache of one core (decided by shape only, so
   that a run and the same run in segments take the same layout). */
int CAT(rg_rnn_lanes_suits, RG_VARIANT)(const rg_rnn_config *c) {
    long stride = rg_rnn_stride(c);
    return stride > 0 && ws_entries(c, stride) * (long)sizeof(vf) <= RG_RNN_LANES_BYTES;
}
