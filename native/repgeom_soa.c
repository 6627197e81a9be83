/*
 * mlp_train_soa: mlp_train_fused for small shapes, RG_VLEN members at a time interleaved across the
 * vector lanes (structure of arrays). Compiled per instruction-set variant like repgeom_train.c.
 *
 * Why: the member-at-a-time layout (repgeom_train.c) pads the sample axis and every fan-in to 16
 * floats, so a P = 8 task or a layer of 4 units wastes half or more of every AVX-512 instruction.
 * Here element k of a group's parameters is one vector holding parameter k of RG_VLEN members; every
 * matrix product is a product of scalars-per-lane, every instruction is full width whatever P and the
 * widths are, and nothing is padded (the layout is ParamLayout's, one vector per entry).
 *
 * Semantics are those of mlp_train_fused (and of the Java reference): each lane is one member with
 * its own learning rate, lambdas, trace, stop rule and divergence restore. A lane that stops has its
 * final parameters (current, or the last finite ones after a divergence) copied aside and is no
 * longer looked at; its lane keeps computing (lanes never mix, and flush-to-zero makes whatever it
 * computes cost the same). The final loss and gradient norm of every member of the group are then
 * computed in one pass over those final parameters. A member's result does not depend on which
 * other members share its group.
 */
#include "repgeom_activations.h"

#include <math.h>

/* vd is wider than the variant's registers on AVX2 and the baseline: only passed between inlined helpers */
#pragma GCC diagnostic ignored "-Wpsabi"

#ifndef RG_VARIANT
#define RG_VARIANT generic
#endif
#define RG_SOA_CAT2(a, b) a##_##b
#define RG_SOA_CAT(a, b) RG_SOA_CAT2(a, b)
#define RG_SOA_FN(name) RG_SOA_CAT(name, RG_VARIANT)

#define LANES RG_VLEN
/* Register tile of soa_gemm: rows x columns of vector accumulators (AVX-512 has 32 registers). */
#if RG_VLEN >= 16
#define SOA_RB 3
#define SOA_CB 8
#else
#define SOA_RB 2
#define SOA_CB 4
#endif

typedef double vd __attribute__((vector_size(RG_VLEN * sizeof(double))));

static inline vd widen(vf x) { return __builtin_convertvector(x, vd); }

/* ---------------------------------------------------------------------------------------------- */
/* out[r*ro + c*co] = init[r] (or 0) + sum_{k<K} S[r*sr + k*sk] * B[k*bk + c*bc], every entry a vf  */
/* ---------------------------------------------------------------------------------------------- */

static inline __attribute__((always_inline)) void soa_tile(const int rb, const int cb, int K, const vf *restrict S,
                                                           long sr, long sk, const vf *restrict B, long bk, long bc,
                                                           vf *restrict out, long ro, long co,
                                                           const vf *restrict init) {
    vf acc[SOA_RB][SOA_CB];
#pragma GCC unroll 8
    for (int r = 0; r < rb; r++) {
        vf b0 = init ? init[r] : (vf){0};
#pragma GCC unroll 8
        for (int c = 0; c < cb; c++) acc[r][c] = b0;
    }
    for (int k = 0; k < K; k++) {
        const vf *bkp = B + (long)k * bk;
        vf bv[SOA_CB];
#pragma GCC unroll 8
        for (int c = 0; c < cb; c++) bv[c] = bkp[c * bc];
        const vf *skp = S + (long)k * sk;
#pragma GCC unroll 8
        for (int r = 0; r < rb; r++) {
            vf s = skp[r * sr];
#pragma GCC unroll 8
            for (int c = 0; c < cb; c++) acc[r][c] += s * bv[c];
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < rb; r++) {
#pragma GCC unroll 8
        for (int c = 0; c < cb; c++) out[r * ro + c * co] = acc[r][c];
    }
}

#define SOA_CASE(RB, CB) \
    case (RB) * 16 + (CB): soa_tile((RB), (CB), K, S, sr, sk, B, bk, bc, out, ro, co, init); break;
#if SOA_CB == 8
#define SOA_ROW(RB) SOA_CASE(RB, 1) SOA_CASE(RB, 2) SOA_CASE(RB, 3) SOA_CASE(RB, 4) SOA_CASE(RB, 5) \
    SOA_CASE(RB, 6) SOA_CASE(RB, 7) SOA_CASE(RB, 8)
#else
#define SOA_ROW(RB) SOA_CASE(RB, 1) SOA_CASE(RB, 2) SOA_CASE(RB, 3) SOA_CASE(RB, 4)
#endif

static void soa_tile_dispatch(int rb, int cb, int K, const vf *restrict S, long sr, long sk, const vf *restrict B,
                              long bk, long bc, vf *restrict out, long ro, long co, const vf *restrict init) {
    switch (rb * 16 + cb) {
        SOA_ROW(1)
        SOA_ROW(2)
#if SOA_RB >= 3
        SOA_ROW(3)
#endif
        default: abort(); /* unreachable: rb <= SOA_RB, cb <= SOA_CB */
    }
}

static void soa_gemm(int rows, int K, int cols, const vf *S, long sr, long sk, const vf *B, long bk, long bc, vf *out,
                     long ro, long co, const vf *init) {
    for (int r0 = 0; r0 < rows; r0 += SOA_RB) {
        int rb = rows - r0 < SOA_RB ? rows - r0 : SOA_RB;
        for (int c0 = 0; c0 < cols; c0 += SOA_CB) {
            int cb = cols - c0 < SOA_CB ? cols - c0 : SOA_CB;
            soa_tile_dispatch(rb, cb, K, S + (long)r0 * sr, sr, sk, B + (long)c0 * bc, bk, bc,
                              out + (long)r0 * ro + (long)c0 * co, ro, co, init ? init + r0 : NULL);
        }
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Layout (ParamLayout order, one vector per entry) and workspace                                   */
/* ---------------------------------------------------------------------------------------------- */

typedef struct {
    int L, P, act;
    int fin[RG_MAX_DEPTH + 1], fout[RG_MAX_DEPTH + 1], hasb[RG_MAX_DEPTH + 1];
    long pw[RG_MAX_DEPTH + 1], pb[RG_MAX_DEPTH + 1], lend[RG_MAX_DEPTH + 1];
    long S;   /* parameters per member */
    int maxw; /* widest layer */
} soa_lay;

static void soa_layout(const rg_config *c, soa_lay *y) {
    memset(y, 0, sizeof *y);
    y->L = c->depth;
    y->P = c->samples;
    y->act = c->activation;
    long off = 0;
    for (int l = 0; l <= y->L; l++) {
        int fi = c->dims[l], fo = c->dims[l + 1];
        y->fin[l] = fi;
        y->fout[l] = fo;
        y->hasb[l] = RG_HAS_BIAS(c, l);
        y->pw[l] = off;
        off += (long)fo * fi;
        y->pb[l] = y->hasb[l] ? off : -1;
        if (y->hasb[l]) off += fo;
        y->lend[l] = off;
        if (fo > y->maxw) y->maxw = fo;
    }
    y->S = off;
}

typedef struct {
    vf *x, *yv;                               /* dX x P and dY x P, every lane the same */
    vf *z[RG_MAX_DEPTH], *a[RG_MAX_DEPTH];    /* hidden layer l: fout x P */
    vf *f, *g0, *g1;                          /* dY x P; maxw x P twice */
    vf *theta[3], *graw, *m1, *m2, *fin;      /* S each */
    void *block;
} soa_ws;

static int soa_alloc(const soa_lay *y, soa_ws *w) {
    const long P = y->P, S = y->S;
    long n = (long)y->fin[0] * P + 2L * y->fout[y->L] * P + 2L * y->maxw * P + 7 * S;
    for (int l = 0; l < y->L; l++) n += 2L * y->fout[l] * P;
    void *blk = NULL;
    if (posix_memalign(&blk, 64, (size_t)n * sizeof(vf)) != 0) return RG_ENOMEM;
    memset(blk, 0, (size_t)n * sizeof(vf));
    vf *p = (vf *)blk;
#define SOA_TAKE(k) (p += (k), p - (k))
    w->block = blk;
    w->x = SOA_TAKE((long)y->fin[0] * P);
    w->yv = SOA_TAKE((long)y->fout[y->L] * P);
    for (int l = 0; l < y->L; l++) {
        w->z[l] = SOA_TAKE((long)y->fout[l] * P);
        w->a[l] = SOA_TAKE((long)y->fout[l] * P);
    }
    w->f = SOA_TAKE((long)y->fout[y->L] * P);
    w->g0 = SOA_TAKE((long)y->maxw * P);
    w->g1 = SOA_TAKE((long)y->maxw * P);
    for (int i = 0; i < 3; i++) w->theta[i] = SOA_TAKE(S);
    w->graw = SOA_TAKE(S);
    w->m1 = SOA_TAKE(S);
    w->m2 = SOA_TAKE(S);
    w->fin = SOA_TAKE(S);
#undef SOA_TAKE
    return RG_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Loss, gradient, penalty, update: the operations of repgeom_train.c, one member per lane          */
/* ---------------------------------------------------------------------------------------------- */

/* Forward and backward at th: the data loss ||Y - F||^2 per lane (double), data gradient into graw. */
static vd soa_loss_grad(const soa_lay *y, soa_ws *w, const vf *th) {
    const int L = y->L, P = y->P;
    const vf *in = w->x;
    for (int l = 0; l <= L; l++) {
        const int fi = y->fin[l], fo = y->fout[l];
        vf *z = l < L ? w->z[l] : w->f;
        soa_gemm(fo, fi, P, th + y->pw[l], fi, 1, in, P, 1, z, P, 1, y->hasb[l] ? th + y->pb[l] : NULL);
        if (l < L) {
            activate(y->act, (const float *)z, (float *)w->a[l], (long)fo * P * LANES);
            in = w->a[l];
        }
    }
    const int dY = y->fout[L];
    vd loss = (vd){0};
    vf *G = w->g0, *Gother = w->g1;
    for (int o = 0; o < dY; o++) {
        vd s = (vd){0};
        for (int t = 0; t < P; t++) {
            vf e = w->f[(long)o * P + t] - w->yv[(long)o * P + t];
            vd ed = widen(e);
            s += ed * ed;
            G[(long)o * P + t] = 2.0f * e;
        }
        loss += s;
    }
    for (int l = L; l >= 0; l--) {
        const int fi = y->fin[l], fo = y->fout[l];
        const vf *inl = l == 0 ? w->x : w->a[l - 1];
        /* dW[o][i] = sum_t G[o][t] in[i][t] */
        soa_gemm(fo, P, fi, G, P, 1, inl, 1, P, w->graw + y->pw[l], fi, 1, NULL);
        if (y->hasb[l]) {
            vf *gb = w->graw + y->pb[l];
            for (int o = 0; o < fo; o++) {
                vf s = (vf){0};
                for (int t = 0; t < P; t++) s += G[(long)o * P + t];
                gb[o] = s;
            }
        }
        if (l > 0) {
            /* G_A[i][t] = sum_o W[o][i] G[o][t], then times phi'(Z_{l-1}) */
            soa_gemm(fi, fo, P, th + y->pw[l], 1, fi, G, P, 1, Gother, P, 1, NULL);
            times_derivative(y->act, (const float *)w->z[l - 1], (const float *)w->a[l - 1], (float *)Gother,
                             (long)fi * P * LANES);
            vf *tmp = G;
            G = Gother;
            Gother = tmp;
        }
    }
    return loss;
}

/* sum_l lambda_l ||theta_l||^2 per lane; lam[l] holds the lanes' lambdas of layer l. */
static vd soa_penalty(const soa_lay *y, const vf *th, const vf *lam) {
    vd total = (vd){0};
    long start = 0;
    for (int l = 0; l <= y->L; l++) {
        vf s = (vf){0};
        for (long i = start; i < y->lend[l]; i++) s += th[i] * th[i];
        total += widen(lam[l]) * widen(s);
        start = y->lend[l];
    }
    return total;
}

/* One optimiser update th -> nx (per-lane lr and Adam bias corrections c1, c2); the penalty of nx into *pen and, per
   lane, 0 where every gradient entry was finite (the returned g - g sum). */
static vf soa_update(const rg_config *c, const soa_lay *y, soa_ws *w, const vf *restrict th, vf *restrict nx,
                     const vf *lam, vf lr, vf c1, vf c2, vd *pen) {
    const vf *restrict gr = w->graw;
    vf *restrict m1 = w->m1, *restrict m2 = w->m2;
    vf chk = (vf){0};
    vd total = (vd){0};
    long start = 0;
    const float mu = (float)c->momentum, b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
    const float ob1 = (float)(1.0 - c->beta1), ob2 = (float)(1.0 - c->beta2);
    for (int l = 0; l <= y->L; l++) {
        const long end = y->lend[l];
        const vf lam2 = 2.0f * lam[l];
        vf s = (vf){0};
        switch (c->opt_kind) {
            case RG_GD:
                for (long i = start; i < end; i++) {
                    vf g = gr[i] + lam2 * th[i];
                    chk += g - g;
                    vf n = th[i] - lr * g;
                    nx[i] = n;
                    s += n * n;
                }
                break;
            case RG_MOMENTUM:
                for (long i = start; i < end; i++) {
                    vf g = gr[i] + lam2 * th[i];
                    chk += g - g;
                    vf v = mu * m1[i] - lr * g;
                    m1[i] = v;
                    vf n = th[i] + v;
                    nx[i] = n;
                    s += n * n;
                }
                break;
            case RG_ADAM:
                for (long i = start; i < end; i++) {
                    vf g = gr[i] + lam2 * th[i];
                    chk += g - g;
                    vf m = b1 * m1[i] + ob1 * g;
                    vf v = b2 * m2[i] + ob2 * g * g;
                    m1[i] = m;
                    m2[i] = v;
                    vf q = v * c2;
                    vf sq;
                    for (int j = 0; j < LANES; j++) sq[j] = sqrtf(q[j]); /* vectorised: vsqrtps */
                    vf n = th[i] - lr * (m * c1) / (sq + eps);
                    nx[i] = n;
                    s += n * n;
                }
                break;
            default: abort();
        }
        total += widen(lam[l]) * widen(s);
        start = end;
    }
    *pen = total;
    return chk;
}

/* ---------------------------------------------------------------------------------------------- */
/* The fused loop over one group of up to LANES members                                             */
/* ---------------------------------------------------------------------------------------------- */

static void copy_lane(const soa_lay *y, const vf *from, vf *to, int j) {
    for (long i = 0; i < y->S; i++) to[i][j] = from[i][j];
}

/* Whether mlp_train_fused trains cfg's shape with members across the lanes: when the sample axis or
   the layers are narrow enough that the padded member-at-a-time layout would waste much of each
   vector, and a group's state stays in cache (its seven parameter-sized vectors within ~1.5 MiB). */
int RG_SOA_FN(rg_soa_suits)(const rg_config *c) {
    soa_lay y;
    soa_layout(c, &y);
    if (y.S * (long)sizeof(vf) * 7 > (3L << 19)) return 0;
    return y.P < 32;
}

/* Lane j of a parameter-sized SoA array into / from member e's packed slice. */
static void lane_out(const soa_lay *y, const vf *from, int j, float *to) {
    for (long i = 0; i < y->S; i++) to[i] = from[i][j];
}

static void lane_in(const soa_lay *y, const float *from, vf *to, int j) {
    for (long i = 0; i < y->S; i++) to[i][j] = from[i];
}

int RG_SOA_FN(mlp_train_soa)(const rg_config *c, const float *x, const float *yd, float *params,
                             const float *lambdas, const double *lrs, float *trace, double *final_loss,
                             double *grad_norm, int32_t *steps, int32_t *status, int first, int count,
                             const rg_resume *r) {
    soa_lay y;
    soa_layout(c, &y);
    soa_ws w;
    if (soa_alloc(&y, &w) != RG_OK) return RG_ENOMEM;
    const int L = y.L, P = y.P, layers = L + 1;
    const long S = y.S;
    const long tlen = c->max_steps / c->trace_every + 1;
    const int end_step = r != NULL && r->until_step < c->max_steps ? r->until_step : c->max_steps;
    for (long i = 0; i < (long)y.fin[0] * P; i++) w.x[i] = (vf){0} + x[i];
    for (long i = 0; i < (long)y.fout[L] * P; i++) w.yv[i] = (vf){0} + yd[i];
    /* the schedule factor ratio^(t/T) for the steps of this call (the same pow as the padded layout) */
    int sched_lo = end_step;
    for (int e = first; e < first + count; e++) {
        int s0 = r == NULL ? 0 : status[e] == RG_RUNNING ? steps[e] : end_step;
        if (s0 < sched_lo) sched_lo = s0;
    }
    double *sched = NULL;
    if (c->final_lr_ratio != 1.0 && sched_lo < end_step) {
        sched = malloc((size_t)(end_step - sched_lo) * sizeof(double));
        if (sched == NULL) {
            free(w.block);
            return RG_ENOMEM;
        }
        for (int t = sched_lo; t < end_step; t++) sched[t - sched_lo] = pow(c->final_lr_ratio, (double)t / c->max_steps);
    }
    int e_next = first;
    const int e_end = first + count;
    for (;;) {
        /* the next (up to) LANES members still to train into the lanes; unused lanes hold zeros, lr 0 */
        int idx[LANES], n = 0;
        while (n < LANES && e_next < e_end) {
            if (r == NULL || status[e_next] == RG_RUNNING) idx[n++] = e_next;
            e_next++;
        }
        if (n == 0) break;
        vf lam[RG_MAX_DEPTH + 1];
        for (int l = 0; l < layers; l++) lam[l] = (vf){0};
        vf *cur = w.theta[0], *prev = w.theta[1], *nxt = w.theta[2];
        memset(cur, 0, (size_t)S * sizeof(vf));
        memset(prev, 0, (size_t)S * sizeof(vf));
        memset(w.m1, 0, (size_t)S * sizeof(vf));
        memset(w.m2, 0, (size_t)S * sizeof(vf));
        int active[LANES], st[LANES], stepj[LANES];
        double window_start[LANES], bp1[LANES], bp2[LANES];
        vd pen = (vd){0};
        for (int j = 0; j < LANES; j++) {
            active[j] = j < n;
            st[j] = RG_MAX_STEPS;
            stepj[j] = 0;
            window_start[j] = NAN;
            bp1[j] = bp2[j] = 1.0;
        }
        for (int j = 0; j < n; j++) {
            const int e = idx[j];
            const long off = (long)e * S;
            lane_in(&y, params + off, cur, j);
            for (int l = 0; l < layers; l++) lam[l][j] = lambdas[(long)e * layers + l];
            float *kb = rg_kernel_trace_member(c, e);
            if (r == NULL) {
                for (long k = 0; k < tlen; k++) trace[(long)e * tlen + k] = NAN;
                for (long k = 0; kb != NULL && k < (long)L * rg_kernel_trace_points(c) * P * P; k++) kb[k] = NAN;
                lane_in(&y, params + off, prev, j);
            } else {
                stepj[j] = steps[e];
                lane_in(&y, r->last_finite + off, prev, j);
                if (c->opt_kind != RG_GD) lane_in(&y, r->moment1 + off, w.m1, j);
                if (c->opt_kind == RG_ADAM) lane_in(&y, r->moment2 + off, w.m2, j);
                bp1[j] = r->beta1_pow[e];
                bp2[j] = r->beta2_pow[e];
                window_start[j] = r->window_start[e];
            }
        }
        {
            vd p0 = soa_penalty(&y, cur, lam);
            for (int j = 0; j < n; j++) pen[j] = r != NULL && stepj[j] > 0 ? r->penalty[idx[j]] : p0[j]; /* cached, as saved */
        }
        int live = n;
        for (;;) {
            for (int j = 0; j < n; j++) { /* lanes at the end of this call's steps */
                if (!active[j] || stepj[j] < end_step) continue;
                active[j] = 0;
                live--;
                if (r != NULL && stepj[j] < c->max_steps) { /* paused at until_step: the state goes back */
                    const int e = idx[j];
                    const long off = (long)e * S;
                    lane_out(&y, cur, j, params + off);
                    lane_out(&y, prev, j, r->last_finite + off);
                    if (c->opt_kind != RG_GD) lane_out(&y, w.m1, j, r->moment1 + off);
                    if (c->opt_kind == RG_ADAM) lane_out(&y, w.m2, j, r->moment2 + off);
                    r->beta1_pow[e] = bp1[j];
                    r->beta2_pow[e] = bp2[j];
                    r->window_start[e] = window_start[j];
                    r->penalty[e] = pen[j];
                    steps[e] = stepj[j];
                    status[e] = RG_RUNNING;
                    st[j] = RG_RUNNING;
                } else {
                    copy_lane(&y, cur, w.fin, j); /* ran its whole budget */
                }
            }
            if (live == 0) break;
            vd loss = soa_loss_grad(&y, &w, cur) + pen;
            vf lr = (vf){0}, c1 = (vf){0} + 1.0f, c2 = (vf){0} + 1.0f;
            for (int j = 0; j < n; j++) {
                if (!active[j]) continue;
                if (!representable(loss[j])) { /* the last finite parameters */
                    copy_lane(&y, prev, w.fin, j);
                    st[j] = RG_DIVERGED;
                    active[j] = 0;
                    live--;
                    continue;
                }
                lr[j] = (float)(sched != NULL ? lrs[idx[j]] * sched[stepj[j] - sched_lo] : lrs[idx[j]]);
                if (c->opt_kind == RG_ADAM) {
                    float a1, a2;
                    rg_adam_corrections(c->beta1, c->beta2, &bp1[j], &bp2[j], &a1, &a2);
                    c1[j] = a1;
                    c2[j] = a2;
                }
            }
            vd next_pen;
            vf chk = soa_update(c, &y, &w, cur, nxt, lam, lr, c1, c2, &next_pen);
            for (int j = 0; j < n; j++) {
                if (!active[j]) continue;
                const int s = stepj[j];
                if (chk[j] != 0.0f) {
                    copy_lane(&y, prev, w.fin, j);
                    st[j] = RG_DIVERGED;
                } else {
                    float *kb = rg_kernel_trace_member(c, idx[j]);
                    if (kb != NULL && s % c->kernel_trace->every == 0) { /* lane j of the activations of cur */
                        const int k = s / c->kernel_trace->every;
                        for (int l = 0; l < L; l++) {
                            kernel_trace_record(c, l, (const float *)w.a[l] + j, (long)P * LANES, LANES, kb, k, k + 1);
                        }
                    }
                    if (!rg_step_end(s, loss[j], trace + (long)idx[j] * tlen, c->trace_every, c->window, c->tol,
                                     &window_start[j])) {
                        stepj[j] = s + 1;
                        continue;
                    }
                    copy_lane(&y, cur, w.fin, j); /* converged: the update into nxt is dropped */
                    st[j] = RG_CONVERGED;
                }
                active[j] = 0;
                live--;
            }
            vf *old_prev = prev;
            prev = cur;
            cur = nxt;
            nxt = old_prev;
            pen = next_pen;
        }
        /* final loss and raw gradient norm of the group's finished members at their final parameters, one pass */
        vd floss = soa_loss_grad(&y, &w, w.fin) + soa_penalty(&y, w.fin, lam);
        vd norm = (vd){0};
        long start = 0;
        for (int l = 0; l <= L; l++) {
            const vf lam2 = 2.0f * lam[l];
            for (long i = start; i < y.lend[l]; i++) {
                vd g = widen(w.graw[i] + lam2 * w.fin[i]);
                norm += g * g;
            }
            start = y.lend[l];
        }
        for (int j = 0; j < n; j++) {
            if (st[j] == RG_RUNNING) continue;
            const int e = idx[j], sj = stepj[j];
            const double lj = floss[j];
            const int s = rg_final_status(st[j], sj, lj, window_start[j], trace + (long)e * tlen, c->max_steps,
                                          c->trace_every, c->window, c->tol);
            float *kb = rg_kernel_trace_member(c, e);
            if (kb != NULL) { /* the final kernel (activations of w.fin) at every point from the final step on */
                const int every = c->kernel_trace->every, from = (int)(((long)sj + every - 1) / every);
                for (int l = 0; l < L; l++) {
                    kernel_trace_record(c, l, (const float *)w.a[l] + j, (long)P * LANES, LANES, kb, from,
                                        rg_kernel_trace_points(c));
                }
            }
            lane_out(&y, w.fin, j, params + (long)e * S);
            final_loss[e] = lj;
            grad_norm[e] = sqrt(norm[j]);
            steps[e] = sj;
            status[e] = s;
        }
    }
    free(sched);
    free(w.block);
    return RG_OK;
}
