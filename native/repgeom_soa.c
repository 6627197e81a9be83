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
 * its own learning rate, lambdas, trace, stop rule and divergence restore. Lanes are refilled from the
 * member range as members stop, as in repgeom_rnn_lanes.c, so that a lane never waits for the slowest
 * member of its group: a member that converges is finished at once (the pass that found it converged
 * was at its final parameters); one out of steps, or diverged with its last finite parameters put
 * back, rides along one more pass that gives its final loss and gradient norm; then the lane takes
 * the next member. A member's result does not depend on which other members share its lanes or when
 * it entered them (lanes never mix; tested bit for bit).
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
/* The optimiser update                                                                             */
/* ---------------------------------------------------------------------------------------------- */

/* One optimiser step th -> nx of a group of lanes (per-lane lr and Adam bias corrections c1, c2) from the raw
   gradient gr. s[l] sums nx^2 over layer l in parameter order (the penalty of nx), chk sums g - g over every entry
   (0 per lane where every gradient entry was finite). Adam's square root and division per parameter are bound by
   the divider (about 3.4 ns per 16-float vector for the pair on the AMD EPYC, Zen 5); run range by range as the
   backward pass finished each block of gradient rows they did not overlap with the multiply-adds measurably, so the
   update is one pass after the gradient. */
typedef struct {
    int kind;
    const vf *th;
    vf *nx, *m1, *m2;
    const vf *gr;
    vf lr, c1, c2, chk;
    float mu, b1, b2, eps, ob1, ob2;
    vf lam2[RG_MAX_DEPTH + 1], s[RG_MAX_DEPTH + 1];
} soa_upd;

static void soa_update_range(soa_upd *u, int l, long start, long end) {
    const vf *restrict th = u->th, *restrict gr = u->gr;
    vf *restrict nx = u->nx, *restrict m1 = u->m1, *restrict m2 = u->m2;
    const vf lam2 = u->lam2[l], lr = u->lr;
    vf s = u->s[l], chk = u->chk;
    switch (u->kind) {
        case RG_GD:
            for (long i = start; i < end; i++) {
                vf g = gr[i] + lam2 * th[i];
                chk += g - g;
                vf n = th[i] - lr * g;
                nx[i] = n;
                s += n * n;
            }
            break;
        case RG_MOMENTUM: {
            const float mu = u->mu;
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
        }
        case RG_ADAM: {
            const float b1 = u->b1, b2 = u->b2, ob1 = u->ob1, ob2 = u->ob2, eps = u->eps;
            const vf c1 = u->c1, c2 = u->c2;
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
        }
        default: abort();
    }
    u->s[l] = s;
    u->chk = chk;
}

/* ---------------------------------------------------------------------------------------------- */
/* out[r*ro + c*co] = init[r] (or 0) + sum_{k<K} S[r*sr + k*sk] * B(k*bk + c*bc), every entry a vf  */
/* ---------------------------------------------------------------------------------------------- */

/* What a tile does as it stores its outputs: ReLU's activation and derivative ride in the stores of the
   GEMMs (same selects as activate and times_derivative: z > 0 ? x : +0, NaN included), so that neither takes
   a pass of its own over the layer. aux is laid out like out. */
enum {
    SOA_EP_NONE = 0,
    SOA_EP_RELU = 1,     /* out = z, aux = relu(z) */
    SOA_EP_RELU_GRAD = 2 /* aux = z: out = z > 0 ? acc : 0 */
};

static inline __attribute__((always_inline)) void soa_store(const int ep, vf acc, vf *restrict o, vf *restrict aux) {
    if (ep == SOA_EP_RELU) {
        *o = acc;
        *aux = vsel(acc > 0.0f, acc, (vf){0});
    } else if (ep == SOA_EP_RELU_GRAD) {
        *o = vsel(*aux > 0.0f, acc, (vf){0});
    } else {
        *o = acc;
    }
}

/* B(o): the lane vector ((const vf *)B)[o] (bvec), or the float B[o] that every lane shares (the task's inputs,
   the same for every member of a group): splat by x - 0 (exact, also for -0), which gcc turns into a broadcast
   load (vbroadcastss, shared by the tile's rows, or the multiply-add's embedded {1to16} memory operand), so the
   shared operand needs no stored vector per entry. */
static inline __attribute__((always_inline)) vf soa_b(const int bvec, const float *restrict B, long o) {
    return bvec ? ((const vf *)B)[o] : B[o] - (vf){0};
}

static inline __attribute__((always_inline)) void soa_tile(const int rb, const int cb, const int bvec, const int ep,
                                                           int K, const vf *restrict S, long sr, long sk,
                                                           const float *restrict B, long bk, long bc,
                                                           vf *restrict out, long ro, long co,
                                                           const vf *restrict init, vf *restrict aux) {
    vf acc[SOA_RB][SOA_CB];
#pragma GCC unroll 8
    for (int r = 0; r < rb; r++) {
        vf b0 = init ? init[r] : (vf){0};
#pragma GCC unroll 8
        for (int c = 0; c < cb; c++) acc[r][c] = b0;
    }
    for (int k = 0; k < K; k++) {
        const long bo = (long)k * bk;
        const vf *skp = S + (long)k * sk;
        if (bvec) {
            vf bv[SOA_CB];
#pragma GCC unroll 8
            for (int c = 0; c < cb; c++) bv[c] = soa_b(1, B, bo + c * bc);
#pragma GCC unroll 8
            for (int r = 0; r < rb; r++) {
                vf s = skp[r * sr];
#pragma GCC unroll 8
                for (int c = 0; c < cb; c++) acc[r][c] += s * bv[c];
            }
        } else {
            /* column by column: one shared float splat at a time, used by every row. Row by row, gcc keeps all
               cb splats live beside the rb x cb accumulators, which is 33 registers on AVX-512: two accumulators
               lived on the stack, each multiply-add then waiting on a store and a reload. */
            vf s[SOA_RB];
#pragma GCC unroll 8
            for (int r = 0; r < rb; r++) s[r] = skp[r * sr];
#pragma GCC unroll 8
            for (int c = 0; c < cb; c++) {
                const vf b = soa_b(0, B, bo + c * bc);
#pragma GCC unroll 8
                for (int r = 0; r < rb; r++) acc[r][c] += s[r] * b;
            }
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < rb; r++) {
#pragma GCC unroll 8
        for (int c = 0; c < cb; c++) {
            const long o = r * ro + c * co;
            soa_store(ep, acc[r][c], out + o, aux + o);
        }
    }
}

/* A tile of rb rows (SOA_RB or 1) and any cb <= SOA_CB columns. */
#define SOA_CASE(RB, CB) \
    case (CB): soa_tile((RB), (CB), bvec, ep, K, S, sr, sk, B, bk, bc, out, ro, co, init, aux); break;
#if SOA_CB == 8
#define SOA_COLS(RB) SOA_CASE(RB, 1) SOA_CASE(RB, 2) SOA_CASE(RB, 3) SOA_CASE(RB, 4) SOA_CASE(RB, 5) \
    SOA_CASE(RB, 6) SOA_CASE(RB, 7) SOA_CASE(RB, 8)
#else
#define SOA_COLS(RB) SOA_CASE(RB, 1) SOA_CASE(RB, 2) SOA_CASE(RB, 3) SOA_CASE(RB, 4)
#endif

static inline __attribute__((always_inline)) void soa_tile_cols(const int rb, int cb, const int bvec, const int ep,
                                                                int K, const vf *restrict S, long sr, long sk,
                                                                const float *restrict B, long bk, long bc,
                                                                vf *restrict out, long ro, long co,
                                                                const vf *restrict init, vf *restrict aux) {
    if (cb == SOA_CB) {
        soa_tile(rb, SOA_CB, bvec, ep, K, S, sr, sk, B, bk, bc, out, ro, co, init, aux);
        return;
    }
    if (rb == SOA_RB) {
        switch (cb) {
            SOA_COLS(SOA_RB)
            default: abort(); /* unreachable: cb <= SOA_CB */
        }
    } else {
        switch (cb) {
            SOA_COLS(1)
            default: abort();
        }
    }
}

/* rows x cols in tiles of SOA_RB rows (the last rows one at a time) and SOA_CB columns; B's offsets are in
   vectors when bvec, in floats otherwise; aux (SOA_EP_*) is laid out like out. */
static inline __attribute__((always_inline)) void soa_gemm(const int bvec, const int ep, int rows, int K, int cols,
                                                           const vf *S, long sr, long sk, const float *B, long bk,
                                                           long bc, vf *out, long ro, long co, const vf *init,
                                                           vf *aux) {
    int r0 = 0;
    for (; r0 + SOA_RB <= rows; r0 += SOA_RB) {
        for (int c0 = 0; c0 < cols; c0 += SOA_CB) {
            const int cb = cols - c0 < SOA_CB ? cols - c0 : SOA_CB;
            const long o = (long)r0 * ro + (long)c0 * co;
            soa_tile_cols(SOA_RB, cb, bvec, ep, K, S + (long)r0 * sr, sr, sk, B + (bvec ? RG_VLEN : 1) * (long)c0 * bc,
                          bk, bc, out + o, ro, co, init ? init + r0 : NULL, aux + o);
        }
    }
    for (; r0 < rows; r0++) {
        for (int c0 = 0; c0 < cols; c0 += SOA_CB) {
            const int cb = cols - c0 < SOA_CB ? cols - c0 : SOA_CB;
            const long o = (long)r0 * ro + (long)c0 * co;
            soa_tile_cols(1, cb, bvec, ep, K, S + (long)r0 * sr, sr, sk, B + (bvec ? RG_VLEN : 1) * (long)c0 * bc,
                          bk, bc, out + o, ro, co, init ? init + r0 : NULL, aux + o);
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
    const float *x;                           /* dX x P, the task's inputs (the same for every lane) */
    vf *yv;                                   /* dY x P, every lane the same */
    vf *z[RG_MAX_DEPTH], *a[RG_MAX_DEPTH];    /* hidden layer l: fout x P */
    vf *f, *g0, *g1;                          /* dY x P; maxw x P twice */
    vf *theta[3], *graw, *m1, *m2, *fin;      /* S each */
    void *block;
} soa_ws;

static int soa_alloc(const soa_lay *y, soa_ws *w) {
    const long P = y->P, S = y->S;
    long n = 2L * y->fout[y->L] * P + 2L * y->maxw * P + 7 * S;
    for (int l = 0; l < y->L; l++) n += 2L * y->fout[l] * P;
    void *blk = NULL;
    if (posix_memalign(&blk, 64, (size_t)n * sizeof(vf)) != 0) return RG_ENOMEM;
    memset(blk, 0, (size_t)n * sizeof(vf));
    vf *p = (vf *)blk;
#define SOA_TAKE(k) (p += (k), p - (k))
    w->block = blk;
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

/* Forward and backward at th: the data loss ||Y - F||^2 per lane (double), data gradient into graw. relu: ReLU's
   activation and derivative in the GEMMs' stores; P: the sample count (a constant in the specialised copies). */
static inline __attribute__((always_inline)) vd soa_loss_grad_at(const soa_lay *y, soa_ws *w, const vf *th,
                                                                  const int P, const int relu) {
    const int L = y->L;
    for (int l = 0; l <= L; l++) {
        const int fi = y->fin[l], fo = y->fout[l];
        vf *z = l < L ? w->z[l] : w->f;
        const vf *init = y->hasb[l] ? th + y->pb[l] : NULL;
        const int ep = l < L && relu ? SOA_EP_RELU : SOA_EP_NONE;
        vf *aux = l < L ? w->a[l] : z;
        if (l == 0) { /* the task's inputs, shared by every lane */
            if (ep == SOA_EP_RELU) soa_gemm(0, SOA_EP_RELU, fo, fi, P, th + y->pw[l], fi, 1, w->x, P, 1, z, P, 1, init, aux);
            else soa_gemm(0, SOA_EP_NONE, fo, fi, P, th + y->pw[l], fi, 1, w->x, P, 1, z, P, 1, init, aux);
        } else {
            const float *in = (const float *)w->a[l - 1];
            if (ep == SOA_EP_RELU) soa_gemm(1, SOA_EP_RELU, fo, fi, P, th + y->pw[l], fi, 1, in, P, 1, z, P, 1, init, aux);
            else soa_gemm(1, SOA_EP_NONE, fo, fi, P, th + y->pw[l], fi, 1, in, P, 1, z, P, 1, init, aux);
        }
        if (l < L && !relu) activate(y->act, (const float *)z, (float *)w->a[l], (long)fo * P * LANES);
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
        vf *dw = w->graw + y->pw[l];
        /* dW[o][i] = sum_t G[o][t] in[i][t] */
        if (l == 0) soa_gemm(0, SOA_EP_NONE, fo, P, fi, G, P, 1, w->x, 1, P, dw, fi, 1, NULL, dw);
        else soa_gemm(1, SOA_EP_NONE, fo, P, fi, G, P, 1, (const float *)w->a[l - 1], 1, P, dw, fi, 1, NULL, dw);
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
            if (relu) {
                soa_gemm(1, SOA_EP_RELU_GRAD, fi, fo, P, th + y->pw[l], 1, fi, (const float *)G, P, 1, Gother, P, 1,
                         NULL, w->z[l - 1]);
            } else {
                soa_gemm(1, SOA_EP_NONE, fi, fo, P, th + y->pw[l], 1, fi, (const float *)G, P, 1, Gother, P, 1, NULL,
                         Gother);
                times_derivative(y->act, (const float *)w->z[l - 1], (const float *)w->a[l - 1], (float *)Gother,
                                 (long)fi * P * LANES);
            }
            vf *tmp = G;
            G = Gother;
            Gother = tmp;
        }
    }
    return loss;
}

/* The seeds' tasks have P = 8 (one sample per class of a dY = 3 hypercube): that copy has constant loop bounds. */
static vd soa_loss_grad(const soa_lay *y, soa_ws *w, const vf *th) {
    const int relu = y->act == RG_RELU;
    if (y->P == 8) return relu ? soa_loss_grad_at(y, w, th, 8, 1) : soa_loss_grad_at(y, w, th, 8, 0);
    return relu ? soa_loss_grad_at(y, w, th, y->P, 1) : soa_loss_grad_at(y, w, th, y->P, 0);
}

/* The whole update after the gradient, layer by layer in parameter order. */
static void soa_update(const soa_lay *y, soa_upd *u) {
    long start = 0;
    for (int l = 0; l <= y->L; l++) {
        soa_update_range(u, l, start, y->lend[l]);
        start = y->lend[l];
    }
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

/* rg_tanh_f32 for this variant: the training's float tanh (rg_tanh_v) of n floats, a short tail padded. */
void RG_SOA_FN(rg_tanh_array)(const float *in, float *out, long n) {
    for (long i = 0; i < n; i += RG_VLEN) {
        const long len = n - i < RG_VLEN ? n - i : RG_VLEN;
        vf x = {0};
        memcpy(&x, in + i, (size_t)len * sizeof(float));
        x = rg_tanh_v(x);
        memcpy(out + i, &x, (size_t)len * sizeof(float));
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* The fused loop: LANES lanes, each refilled from the member range as soon as its member stops      */
/* ---------------------------------------------------------------------------------------------- */

/* Whether mlp_train_fused trains cfg's shape with members across the lanes: when the sample axis or
   the layers are narrow enough that the padded member-at-a-time layout would waste much of each
   vector, and a group's state stays in cache (its seven parameter-sized vectors within ~1.5 MiB). */
int RG_SOA_FN(rg_soa_suits)(const rg_config *c) {
    soa_lay y;
    soa_layout(c, &y);
    if (y.S * (long)sizeof(vf) * 7 > (3L << 19)) return 0;
    return y.P < 32;
}

static void copy_lane(const soa_lay *y, const vf *from, vf *to, int j) {
    for (long i = 0; i < y->S; i++) to[i][j] = from[i][j];
}

static void zero_lane(const soa_lay *y, vf *to, int j) {
    for (long i = 0; i < y->S; i++) to[i][j] = 0.0f;
}

/* Lane j of a parameter-sized SoA array into / from member e's packed slice. */
static void lane_out(const soa_lay *y, const vf *from, int j, float *to) {
    for (long i = 0; i < y->S; i++) to[i] = from[i][j];
}

static void lane_in(const soa_lay *y, const float *from, vf *to, int j) {
    for (long i = 0; i < y->S; i++) to[i][j] = from[i];
}

/* What a lane holds: nothing (zeros: finite, ignored), a member in training, or a stopped member whose final
   parameters the next pass evaluates (final loss and gradient norm). The design of repgeom_rnn_lanes.c. */
enum { SOA_EMPTY = 0, SOA_TRAINING = 1, SOA_FINAL = 2 };

typedef struct {
    int member, phase, step, st;
    double bp1, bp2, window_start;
} soa_lane;

/* The call's arguments and the group's rotating parameter buffers, shared by the helpers below. */
typedef struct {
    const rg_config *c;
    const rg_resume *r;
    const soa_lay *y;
    soa_ws *w;
    float *params, *trace;
    const float *lambdas;
    double *final_loss, *grad_norm;
    int32_t *steps, *status;
    long tlen;
    int end_step;
    vf *cur, *prev, *nxt;     /* parameters now, the last finite ones, the update's output */
    vf lam[RG_MAX_DEPTH + 1]; /* the lanes' lambdas per layer */
    vd pen;                   /* the penalty of cur per lane */
} soa_call;

/* Puts the next member of [*next, last) that has steps to take in this call into lane j, or empties the lane.
   Returns whether the lane's penalty must be computed (a member starting from its initial parameters). */
static int soa_fill(soa_call *k, int j, soa_lane *ln, int *next, int last) {
    const rg_config *c = k->c;
    const rg_resume *r = k->r;
    const soa_lay *y = k->y;
    soa_ws *w = k->w;
    const int layers = y->L + 1;
    const long S = y->S;
    for (; *next < last; (*next)++) {
        const int e = *next;
        if (r != NULL && (k->status[e] != RG_RUNNING || (k->steps[e] >= k->end_step && k->steps[e] < c->max_steps))) {
            continue; /* stopped, or nothing to do before until_step: left as it is */
        }
        (*next)++;
        const long off = (long)e * S;
        lane_in(y, k->params + off, k->cur, j);
        for (int l = 0; l < layers; l++) k->lam[l][j] = k->lambdas[(long)e * layers + l];
        ln->member = e;
        ln->st = RG_MAX_STEPS;
        if (r == NULL) {
            float *kb = rg_kernel_trace_member(c, e);
            for (long i = 0; i < k->tlen; i++) k->trace[(long)e * k->tlen + i] = NAN;
            for (long i = 0; kb != NULL && i < (long)y->L * rg_kernel_trace_points(c) * y->P * y->P; i++) kb[i] = NAN;
            lane_in(y, k->params + off, k->prev, j);
            zero_lane(y, w->m1, j);
            zero_lane(y, w->m2, j);
            ln->step = 0;
            ln->bp1 = ln->bp2 = 1.0;
            ln->window_start = NAN;
        } else {
            lane_in(y, r->last_finite + off, k->prev, j);
            if (c->opt_kind != RG_GD) lane_in(y, r->moment1 + off, w->m1, j);
            else zero_lane(y, w->m1, j);
            if (c->opt_kind == RG_ADAM) lane_in(y, r->moment2 + off, w->m2, j);
            else zero_lane(y, w->m2, j);
            ln->step = k->steps[e];
            ln->bp1 = r->beta1_pow[e];
            ln->bp2 = r->beta2_pow[e];
            ln->window_start = r->window_start[e];
        }
        ln->phase = ln->step >= c->max_steps ? SOA_FINAL : SOA_TRAINING;
        if (r != NULL && ln->step > 0) {
            k->pen[j] = r->penalty[e]; /* cached, as saved */
            return 0;
        }
        return 1;
    }
    ln->member = -1;
    ln->phase = SOA_EMPTY;
    zero_lane(y, k->cur, j);
    zero_lane(y, k->prev, j);
    zero_lane(y, w->m1, j);
    zero_lane(y, w->m2, j);
    for (int l = 0; l < layers; l++) k->lam[l][j] = 0.0f;
    k->pen[j] = 0.0;
    return 0;
}

/* A member paused at until_step: its state (cur, last finite prev, moments) goes back to the caller, RG_RUNNING. */
static void soa_pause(soa_call *k, int j, const soa_lane *ln) {
    const rg_config *c = k->c;
    const rg_resume *r = k->r;
    const int e = ln->member;
    const long off = (long)e * k->y->S;
    lane_out(k->y, k->cur, j, k->params + off);
    lane_out(k->y, k->prev, j, r->last_finite + off);
    if (c->opt_kind != RG_GD) lane_out(k->y, k->w->m1, j, r->moment1 + off);
    if (c->opt_kind == RG_ADAM) lane_out(k->y, k->w->m2, j, r->moment2 + off);
    r->beta1_pow[e] = ln->bp1;
    r->beta2_pow[e] = ln->bp2;
    r->window_start[e] = ln->window_start;
    r->penalty[e] = k->pen[j];
    k->steps[e] = ln->step;
    k->status[e] = RG_RUNNING;
}

/* A stopped member whose final parameters fin the last pass evaluated: loss (data loss + penalty) and raw
   gradient (w->graw) and activations (w->a) of lane j are at fin. */
static void soa_finish(soa_call *k, int j, const soa_lane *ln, const vf *fin, double loss) {
    const rg_config *c = k->c;
    const soa_lay *y = k->y;
    const int e = ln->member, sj = ln->step;
    const int s = rg_final_status(ln->st, sj, loss, ln->window_start, k->trace + (long)e * k->tlen, c->max_steps,
                                  c->trace_every, c->window, c->tol);
    float *kb = rg_kernel_trace_member(c, e);
    if (kb != NULL) { /* the final kernel at every point from the final step on */
        const int every = c->kernel_trace->every, from = (int)(((long)sj + every - 1) / every);
        for (int l = 0; l < y->L; l++) {
            kernel_trace_record(c, l, (const float *)k->w->a[l] + j, (long)y->P * LANES, LANES, kb, from,
                                rg_kernel_trace_points(c));
        }
    }
    double norm = 0.0;
    long start = 0;
    for (int l = 0; l <= y->L; l++) {
        const float lam2 = 2.0f * k->lam[l][j];
        for (long i = start; i < y->lend[l]; i++) {
            const double g = (double)(k->w->graw[i][j] + lam2 * fin[i][j]);
            norm += g * g;
        }
        start = y->lend[l];
    }
    lane_out(y, fin, j, k->params + (long)e * y->S);
    k->final_loss[e] = loss;
    k->grad_norm[e] = sqrt(norm);
    k->steps[e] = sj;
    k->status[e] = s;
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
    const int end_step = r != NULL && r->until_step < c->max_steps ? r->until_step : c->max_steps;
    w.x = x;
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
    soa_call k = {.c = c, .r = r, .y = &y, .w = &w, .params = params, .trace = trace, .lambdas = lambdas,
                  .final_loss = final_loss, .grad_norm = grad_norm, .steps = steps, .status = status,
                  .tlen = c->max_steps / c->trace_every + 1, .end_step = end_step,
                  .cur = w.theta[0], .prev = w.theta[1], .nxt = w.theta[2], .pen = (vd){0}};
    soa_lane ln[LANES];
    int next = first, busy = 0, fresh = 0;
    for (int j = 0; j < LANES; j++) {
        fresh |= soa_fill(&k, j, &ln[j], &next, first + count) << j;
        busy += ln[j].phase != SOA_EMPTY;
    }
    while (busy > 0) {
        if (fresh) { /* the penalty of members starting from their initial parameters */
            const vd p0 = soa_penalty(&y, k.cur, k.lam);
            for (int j = 0; j < LANES; j++) {
                if (fresh >> j & 1) k.pen[j] = p0[j];
            }
            fresh = 0;
        }
        const vd loss = soa_loss_grad(&y, &w, k.cur) + k.pen;
        soa_upd u = {.kind = c->opt_kind, .th = k.cur, .nx = k.nxt, .m1 = w.m1, .m2 = w.m2, .gr = w.graw,
                     .lr = (vf){0}, .c1 = (vf){0} + 1.0f, .c2 = (vf){0} + 1.0f, .chk = (vf){0},
                     .mu = (float)c->momentum, .b1 = (float)c->beta1, .b2 = (float)c->beta2, .eps = (float)c->eps,
                     .ob1 = (float)(1.0 - c->beta1), .ob2 = (float)(1.0 - c->beta2)};
        for (int l = 0; l < layers; l++) {
            u.lam2[l] = 2.0f * k.lam[l];
            u.s[l] = (vf){0};
        }
        int upd = 0, restore = 0; /* lanes updated this step; lanes whose last finite parameters go back into cur */
        for (int j = 0; j < LANES; j++) {
            soa_lane *m = &ln[j];
            if (m->phase == SOA_FINAL) { /* this pass was at its final parameters */
                soa_finish(&k, j, m, k.cur, loss[j]);
                m->phase = SOA_EMPTY;
            }
            if (m->phase != SOA_TRAINING) continue;
            if (!representable(loss[j])) {
                m->st = RG_DIVERGED;
                restore |= 1 << j;
                continue;
            }
            u.lr[j] = (float)(sched != NULL ? lrs[m->member] * sched[m->step - sched_lo] : lrs[m->member]);
            if (c->opt_kind == RG_ADAM) {
                float a1, a2;
                rg_adam_corrections(c->beta1, c->beta2, &m->bp1, &m->bp2, &a1, &a2);
                u.c1[j] = a1;
                u.c2[j] = a2;
            }
            upd |= 1 << j;
        }
        soa_update(&y, &u);
        vd next_pen = (vd){0};
        for (int l = 0; l < layers; l++) next_pen += widen(k.lam[l]) * widen(u.s[l]);
        for (int j = 0; j < LANES; j++) {
            if (!(upd >> j & 1)) continue;
            soa_lane *m = &ln[j];
            const int s = m->step;
            if (u.chk[j] != 0.0f) {
                m->st = RG_DIVERGED;
                restore |= 1 << j;
                continue;
            }
            float *kb = rg_kernel_trace_member(c, m->member);
            if (kb != NULL && s % c->kernel_trace->every == 0) { /* lane j of the activations of cur */
                const int kk = s / c->kernel_trace->every;
                for (int l = 0; l < L; l++) {
                    kernel_trace_record(c, l, (const float *)w.a[l] + j, (long)P * LANES, LANES, kb, kk, kk + 1);
                }
            }
            if (rg_step_end(s, loss[j], trace + (long)m->member * k.tlen, c->trace_every, c->window, c->tol,
                            &m->window_start)) {
                m->st = RG_CONVERGED; /* this pass was at its final parameters: the update into nxt is dropped */
                soa_finish(&k, j, m, k.cur, loss[j]);
                m->phase = SOA_EMPTY;
                continue;
            }
            m->step = s + 1;
        }
        /* the step: cur becomes the last finite parameters, the update's output the parameters */
        vf *old_prev = k.prev;
        k.prev = k.cur;
        k.cur = k.nxt;
        k.nxt = old_prev;
        k.pen = next_pen;
        busy = 0;
        for (int j = 0; j < LANES; j++) {
            soa_lane *m = &ln[j];
            const int held = m->member >= 0; /* an empty lane stays as it was emptied */
            if (restore >> j & 1) { /* diverged: the next pass evaluates the last finite parameters */
                copy_lane(&y, k.nxt, k.cur, j);
                fresh |= 1 << j;
                m->phase = SOA_FINAL;
            } else if (upd >> j & 1 && m->phase == SOA_TRAINING && m->step >= end_step) {
                if (r != NULL && m->step < c->max_steps) {
                    soa_pause(&k, j, m);
                    m->phase = SOA_EMPTY;
                } else {
                    m->phase = SOA_FINAL; /* out of steps: the next pass gives the final loss */
                }
            }
            if (m->phase == SOA_EMPTY && held) fresh |= soa_fill(&k, j, m, &next, first + count) << j;
            busy += m->phase != SOA_EMPTY;
        }
    }
    free(sched);
    free(w.block);
    return RG_OK;
}
