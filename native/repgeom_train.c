/*
 * mlp_train_fused: the fused multi-step training loop of the native CPU backend.
 *
 * This file is compiled once per instruction-set variant (build.sh: -mavx512f..., -mavx2 -mfma,
 * and the x86-64 / aarch64 baseline) with RG_VARIANT, RG_VLEN (floats per SIMD register) and
 * RG_RB (rows per register block) set; repgeom_kernels.c picks the variant the CPU supports at
 * run time. So the shipped .so loads on any CPU of its architecture, and uses AVX-512 where present.
 *
 * Semantics are those of org.repgeom.backend.JavaBackend.mlp_train_fused and
 * org.repgeom.model.Mlp (see their javadoc), in float32: L = ||Y - F||^2 + sum_l lambda_l ||[W_l, b_l]||^2.
 *
 * Memory plan, per member (all 64-byte aligned, everything a multiple of 16 floats):
 *   - parameters in a padded internal layout: W_l is fanOut x ldw_l (ldw_l = fanIn rounded up to 16,
 *     padding columns zero), followed by b_l rounded up to 16 entries. Padding stays exactly zero
 *     through training (its gradient is zero and 2 lambda 0 = 0), so norms and penalties are those
 *     of the packed ParamLayout slice. Three parameter buffers rotate (current, previous, next),
 *     so the update is out of place and "restore the last finite parameters" needs no copy per step.
 *   - activations Z_l, A_l, gradients: width x Pp, Pp = P rounded up to 16. Padding samples carry
 *     garbage forward but their output error is set to 0, so they contribute nothing backward.
 * Inner loops run over the contiguous sample axis (forward, input gradient) or the contiguous
 * fan-in axis (weight gradient, against the transposed input); the register-blocked kernel bgemm
 * keeps an RG_RB x 4-vector tile of accumulators in registers.
 */
#include "repgeom_kernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef RG_VARIANT
#define RG_VARIANT generic
#endif
#ifndef RG_VLEN
#define RG_VLEN 4
#endif
#ifndef RG_RB
#define RG_RB 2
#endif

#define RG_CAT2(a, b) a##_##b
#define RG_CAT(a, b) RG_CAT2(a, b)
#define RG_FN(name) RG_CAT(name, RG_VARIANT)

#include "repgeom_activations.h"

/* Column block: vectors per register tile row. */
#define RG_CV 4
/* Every padded axis is a multiple of this many floats (64 bytes). */
#define RG_PAD 16
#define RG_ALIGN 64
/* The weight gradient of a layer with few outputs uses dot products over samples (grad_dot) only from
   this many padded samples on: below it each dot is about one vector plus a horizontal reduction, and
   transposing the input for bgemm was 1.4x faster per step (P = 8, widths 16 and 64). */
#define RG_DOT_MIN_PP 64


static inline long round_up(long n, long m) { return (n + m - 1) / m * m; }

/* ---------------------------------------------------------------------------------------------- */
/* Register-blocked kernel: out[r, j] = init[r] (or 0) + sum_{k<K} S[r*sr + k*sk] * V[k*ldv + j]  */
/* for r < rows and j < nvec * RG_VLEN. V rows and out rows are 64-byte aligned.                   */
/* ---------------------------------------------------------------------------------------------- */

/* What a tile does as it stores its outputs: the ReLU forward and backward fused into the GEMMs, so that
   the activation and its derivative take no pass of their own over the layer (same selects as activate
   and times_derivative: z > 0 ? x : +0, NaN included). aux is laid out like out (ld ldo). Training
   keeps only relu(z) of a ReLU layer: relu(z) > 0 exactly where z > 0 (NaN: both false), so the
   derivative's mask reads it, and the forward tiles store half as much. */
enum {
    RG_EP_NONE = 0,
    RG_EP_RELU = 1,      /* out = relu(z) */
    RG_EP_RELU_GRAD = 2, /* aux = relu(z): out = aux > 0 ? acc : 0 */
    RG_EP_GD = 3         /* acc is a data-term gradient: the GD update of its parameters (gd_ep), out untouched */
};

/*
 * The plain GD update fused into the tiles that compute the first layer's weight gradient: each tile's
 * gradient goes from the registers straight into the update (nx = th - lr (acc + lam2 th)), so the
 * gradient is never stored and the update takes no pass of its own over those weights. th and nx are
 * laid out like the gradient (ld ldo); s and chk gather the squares of the new weights and g - g, as
 * update() does for the rest of the parameters.
 */
typedef struct {
    const float *th;
    float *nx;
    float lam2, lr;
    vf s, chk;
} gd_ep;

static inline __attribute__((always_inline)) vf gd_vec(gd_ep *u, vf acc, long i, vf *chk) {
    const vf t = *(const vf *)(u->th + i);
    const vf g = acc + u->lam2 * t;
    *chk += g - g;
    const vf n = t - u->lr * g;
    *(vf *)(u->nx + i) = n;
    return n * n;
}

static inline __attribute__((always_inline)) void store_ep(const int ep, vf acc, vf *o, float *restrict aux_row,
                                                           int v) {
    if (ep == RG_EP_RELU) {
        o[v] = vsel(acc > 0.0f, acc, (vf){0});
    } else if (ep == RG_EP_RELU_GRAD) {
        o[v] = vsel(((const vf *)aux_row)[v] > 0.0f, acc, (vf){0});
    } else {
        o[v] = acc;
    }
}

static inline __attribute__((always_inline)) void micro(const int rb, const int cv, int K, const float *restrict S,
                                                        long sr, long sk, const float *restrict V, long ldv,
                                                        float *restrict out, long ldo, const float *restrict init,
                                                        const int ep, float *restrict aux, gd_ep *gd, long gdo) {
    vf acc[RG_RB][RG_CV];
#pragma GCC unroll 8
    for (int r = 0; r < rb; r++) {
        float b0 = init ? init[r] : 0.0f;
#pragma GCC unroll 8
        for (int v = 0; v < cv; v++) acc[r][v] = b0 - (vf){0};
    }
    for (int k = 0; k < K; k++) {
        const vf *vk = (const vf *)(V + (long)k * ldv);
        vf vv[RG_CV];
#pragma GCC unroll 8
        for (int v = 0; v < cv; v++) vv[v] = vk[v];
        const float *sk0 = S + (long)k * sk;
#pragma GCC unroll 8
        for (int r = 0; r < rb; r++) {
            /* splat by x - 0 (an identity, -0 included), not 0 + x (which is +0 for x = -0, so gcc keeps a
               scalar add and a register broadcast per row and k: two extra uops per 4 FMAs that compete
               with the FMA ports on Intel cores); this becomes one broadcast load, or an FMA operand */
            vf s = sk0[r * sr] - (vf){0};
#pragma GCC unroll 8
            for (int v = 0; v < cv; v++) acc[r][v] += s * vv[v];
        }
    }
    if (ep == RG_EP_GD) { /* gdo: the tile's offset in th and nx */
        vf sq[RG_CV], chk = (vf){0};
#pragma GCC unroll 8
        for (int v = 0; v < cv; v++) sq[v] = (vf){0};
#pragma GCC unroll 8
        for (int r = 0; r < rb; r++) {
#pragma GCC unroll 8
            for (int v = 0; v < cv; v++) sq[v] += gd_vec(gd, acc[r][v], gdo + (long)r * ldo + (long)v * RG_VLEN, &chk);
        }
#pragma GCC unroll 8
        for (int v = 1; v < cv; v++) sq[0] += sq[v];
        gd->s += sq[0];
        gd->chk += chk;
        return;
    }
#pragma GCC unroll 8
    for (int r = 0; r < rb; r++) {
        vf *o = (vf *)(out + (long)r * ldo);
        float *ar = ep == RG_EP_RELU_GRAD ? aux + (long)r * ldo : NULL;
#pragma GCC unroll 8
        for (int v = 0; v < cv; v++) store_ep(ep, acc[r][v], o, ar, v);
    }
}

#define RG_MICRO_CASE(RB, CV) \
    case (RB) * 8 + (CV): micro((RB), (CV), K, S, sr, sk, V, ldv, out, ldo, init, RG_EP_NONE, NULL, NULL, 0); break;
#define RG_MICRO_ROW(RB) RG_MICRO_CASE(RB, 1) RG_MICRO_CASE(RB, 2) RG_MICRO_CASE(RB, 3) RG_MICRO_CASE(RB, 4)

static void micro_dispatch(int rb, int cv, int K, const float *restrict S, long sr, long sk, const float *restrict V,
                           long ldv, float *restrict out, long ldo, const float *restrict init) {
    switch (rb * 8 + cv) {
        RG_MICRO_ROW(1)
#if RG_RB >= 2
        RG_MICRO_ROW(2)
#endif
#if RG_RB >= 3
        RG_MICRO_ROW(3)
#endif
#if RG_RB >= 4
        RG_MICRO_ROW(4)
#endif
#if RG_RB >= 5
        RG_MICRO_ROW(5)
#endif
#if RG_RB >= 6
        RG_MICRO_ROW(6)
#endif
        default: abort(); /* unreachable: rb <= RG_RB <= 6, cv <= 4 */
    }
}

/* The epilogue ep of an edge tile (rb rows, cv vectors) that micro_dispatch stored plainly. */
static void tile_ep(int ep, int rb, int cv, float *out, long ldo, float *aux, gd_ep *gd, long gdo) {
    if (ep == RG_EP_GD) {
        vf chk = (vf){0};
        for (int r = 0; r < rb; r++) {
            for (int v = 0; v < cv; v++) {
                gd->s += gd_vec(gd, ((vf *)(out + (long)r * ldo))[v], gdo + (long)r * ldo + (long)v * RG_VLEN, &chk);
            }
        }
        gd->chk += chk;
        return;
    }
    for (int r = 0; r < rb; r++) {
        vf *o = (vf *)(out + (long)r * ldo);
        for (int v = 0; v < cv; v++) store_ep(ep, o[v], o, aux + (long)r * ldo, v);
    }
}

/* The full RG_RB x RG_CV tiles are inlined here (a call through micro_dispatch's jump table per tile cost
   about as much as a few k steps of a tile), with the epilogue ep (aux laid out like out); only the edge
   tiles go through the dispatch. */
static void bgemm(int rows, int K, const float *S, long sr, long sk, const float *V, long ldv, float *out, long ldo,
                  int nvec, const float *init, int ep, float *aux, gd_ep *gd) {
    for (int r0 = 0; r0 < rows; r0 += RG_RB) {
        int rb = rows - r0 < RG_RB ? rows - r0 : RG_RB;
        const float *Sr = S + (long)r0 * sr;
        float *Or = out + (long)r0 * ldo;
        float *Ar = ep == RG_EP_RELU_GRAD ? aux + (long)r0 * ldo : NULL;
        const float *ir = init ? init + r0 : NULL;
        for (int v0 = 0; v0 < nvec; v0 += RG_CV) {
            const int cv = nvec - v0 < RG_CV ? nvec - v0 : RG_CV;
            const float *Vv = V + (long)v0 * RG_VLEN;
            float *Ov = Or + (long)v0 * RG_VLEN, *Av = Ar != NULL ? Ar + (long)v0 * RG_VLEN : NULL;
            const long gdo = (long)r0 * ldo + (long)v0 * RG_VLEN;
            if (rb == RG_RB && cv == RG_CV) {
                if (ep == RG_EP_RELU) micro(RG_RB, RG_CV, K, Sr, sr, sk, Vv, ldv, Ov, ldo, ir, RG_EP_RELU, NULL, NULL, 0);
                else if (ep == RG_EP_RELU_GRAD) micro(RG_RB, RG_CV, K, Sr, sr, sk, Vv, ldv, Ov, ldo, ir, RG_EP_RELU_GRAD, Av, NULL, 0);
                else if (ep == RG_EP_GD) micro(RG_RB, RG_CV, K, Sr, sr, sk, Vv, ldv, Ov, ldo, ir, RG_EP_GD, NULL, gd, gdo);
                else micro(RG_RB, RG_CV, K, Sr, sr, sk, Vv, ldv, Ov, ldo, ir, RG_EP_NONE, NULL, NULL, 0);
            } else {
                micro_dispatch(rb, cv, K, Sr, sr, sk, Vv, ldv, Ov, ldo, ir);
                if (ep != RG_EP_NONE) tile_ep(ep, rb, cv, Ov, ldo, Av, gd, gdo);
            }
        }
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Layout and workspace                                                                            */
/* ---------------------------------------------------------------------------------------------- */

typedef struct {
    int L;          /* hidden layers; weight layers 0..L */
    int P, Pp;      /* samples, padded */
    int act;
    int fin[RG_MAX_DEPTH + 1], fout[RG_MAX_DEPTH + 1], ldw[RG_MAX_DEPTH + 1], hasb[RG_MAX_DEPTH + 1];
    long woff[RG_MAX_DEPTH + 1], boff[RG_MAX_DEPTH + 1]; /* internal (padded) offsets; boff -1 if none */
    long lend[RG_MAX_DEPTH + 1];                          /* end of layer l's region (internal) */
    long pw[RG_MAX_DEPTH + 1], pb[RG_MAX_DEPTH + 1];      /* packed ParamLayout offsets */
    long size, pstride;
    int maxw;       /* widest layer (hidden widths, dY) */
    int maxld;      /* widest ldw */
} lay_t;

static void make_layout(const rg_config *c, lay_t *y) {
    memset(y, 0, sizeof *y);
    y->L = c->depth;
    y->P = c->samples;
    y->Pp = (int)round_up(c->samples, RG_PAD);
    y->act = c->activation;
    long off = 0, poff = 0;
    y->maxw = 0;
    y->maxld = 0;
    for (int l = 0; l <= y->L; l++) {
        int fi = c->dims[l], fo = c->dims[l + 1];
        y->fin[l] = fi;
        y->fout[l] = fo;
        y->ldw[l] = (int)round_up(fi, RG_PAD);
        y->hasb[l] = RG_HAS_BIAS(c, l);
        y->woff[l] = off;
        off += (long)fo * y->ldw[l];
        y->pw[l] = poff;
        poff += (long)fo * fi;
        if (y->hasb[l]) {
            y->boff[l] = off;
            off += round_up(fo, RG_PAD);
            y->pb[l] = poff;
            poff += fo;
        } else {
            y->boff[l] = -1;
            y->pb[l] = -1;
        }
        y->lend[l] = off;
        if (fo > y->maxw) y->maxw = fo;
        if (y->ldw[l] > y->maxld) y->maxld = y->ldw[l];
    }
    y->size = off;
    y->pstride = poff;
}

typedef struct {
    float *xp;           /* dX x Pp, padding zero */
    float *xT;           /* P x ldw[0], padding zero */
    float *yp;           /* dY x Pp */
    float *z[RG_MAX_DEPTH], *a[RG_MAX_DEPTH]; /* hidden layer l: fout x Pp */
    float *f;            /* dY x Pp */
    float *g0, *g1;      /* maxw x Pp each */
    float *aT;           /* P x maxld */
    float *theta[3];     /* rotating parameter buffers, size each */
    float *graw;         /* data-term gradient, size */
    float *m1, *m2;      /* optimiser moments, size */
    void *block;
} ws_t;

static float *carve(char **p, long floats) {
    float *r = (float *)*p;
    *p += round_up(floats * (long)sizeof(float), RG_ALIGN);
    return r;
}

static int ws_alloc(const lay_t *y, ws_t *w) {
    long Pp = y->Pp;
    long bytes = 0;
#define RG_B(n) (round_up((long)(n) * (long)sizeof(float), RG_ALIGN))
    bytes += RG_B(y->fin[0] * Pp) + RG_B((long)y->P * y->ldw[0]) + RG_B(y->fout[y->L] * Pp);
    for (int l = 0; l < y->L; l++) bytes += 2 * RG_B(y->fout[l] * Pp);
    bytes += RG_B(y->fout[y->L] * Pp) + 2 * RG_B((long)y->maxw * Pp) + RG_B((long)y->P * y->maxld);
    bytes += 6 * RG_B(y->size);
#undef RG_B
    void *blk = NULL;
    if (posix_memalign(&blk, RG_ALIGN, (size_t)bytes) != 0) return RG_ENOMEM;
    memset(blk, 0, (size_t)bytes);
    char *p = (char *)blk;
    w->block = blk;
    w->xp = carve(&p, (long)y->fin[0] * Pp);
    w->xT = carve(&p, (long)y->P * y->ldw[0]);
    w->yp = carve(&p, (long)y->fout[y->L] * Pp);
    for (int l = 0; l < y->L; l++) {
        w->z[l] = carve(&p, (long)y->fout[l] * Pp);
        w->a[l] = carve(&p, (long)y->fout[l] * Pp);
    }
    w->f = carve(&p, (long)y->fout[y->L] * Pp);
    w->g0 = carve(&p, (long)y->maxw * Pp);
    w->g1 = carve(&p, (long)y->maxw * Pp);
    w->aT = carve(&p, (long)y->P * y->maxld);
    for (int i = 0; i < 3; i++) w->theta[i] = carve(&p, y->size);
    w->graw = carve(&p, y->size);
    w->m1 = carve(&p, y->size);
    w->m2 = carve(&p, y->size);
    return RG_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Loss and gradient of the data term                                                              */
/* ---------------------------------------------------------------------------------------------- */

/*
 * Horizontal sums of RG_VLEN vectors at once: lane i of the result is the sum of v[i]'s lanes. A tree of
 * two-source shuffles and adds (log2 RG_VLEN levels, RG_VLEN - 1 folds in all) instead of a full
 * horizontal reduction per vector: at each level, pair (v[i], v[i + n/2]) folds into one vector whose
 * lane blocks hold the half-sums of both. Clobbers v.
 */
static const vi rg_fold_mask[][2] = {
#if RG_VLEN == 16
    {{0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}, {8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31}},
    {{0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27}, {4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31}},
    {{0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29}, {2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31}},
    {{0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30}, {1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31}},
#elif RG_VLEN == 8
    {{0, 1, 2, 3, 8, 9, 10, 11}, {4, 5, 6, 7, 12, 13, 14, 15}},
    {{0, 1, 8, 9, 4, 5, 12, 13}, {2, 3, 10, 11, 6, 7, 14, 15}},
    {{0, 8, 2, 10, 4, 12, 6, 14}, {1, 9, 3, 11, 5, 13, 7, 15}},
#elif RG_VLEN == 4
    {{0, 1, 4, 5}, {2, 3, 6, 7}},
    {{0, 4, 2, 6}, {1, 5, 3, 7}},
#else
#error "RG_VLEN must be 4, 8 or 16"
#endif
};

static inline __attribute__((always_inline)) vf sum_lanes_each(vf v[RG_VLEN]) {
    int level = 0;
#pragma GCC unroll 8
    for (int n = RG_VLEN; n > 1; n /= 2, level++) {
#pragma GCC unroll 8
        for (int i = 0; i < n / 2; i++) {
            const vf a = v[i], b = v[i + n / 2];
            v[i] = __builtin_shuffle(a, b, rg_fold_mask[level][0]) + __builtin_shuffle(a, b, rg_fold_mask[level][1]);
        }
    }
    return v[0];
}

/*
 * Weight gradient of a layer with few outputs (fout <= 8) by dot products over samples:
 * out[o*ldo + c] = sum_t G[o,t] in[c,t]. RG_VLEN inputs c at a time: one partial-sum vector per (o, c),
 * then sum_lanes_each turns each output's RG_VLEN partials into one vector of dot products, stored whole
 * (columns past fin get 0: the padding of a row of ldo >= fin rounded up to 16 stays zero). fout is a
 * constant in each instance (grad_dot dispatches), so the accumulators stay in registers.
 */
static inline __attribute__((always_inline)) void grad_dot_fo(const int fout, int fin, const float *restrict G,
                                                              const float *restrict in, long Pp, float *restrict out,
                                                              long ldo) {
    /* inputs per pass: enough independent chains (fout x cg) to cover the FMA latency on both pipes,
       each G vector loaded once per pass */
    enum { CG = 4 };
    const int cg = fout <= 3 ? 4 : fout <= 6 ? 2 : 1;
    const long nv = Pp / RG_VLEN;
    const vf *g = (const vf *)G;
    for (int c0 = 0; c0 < fin; c0 += RG_VLEN) {
        vf part[8][RG_VLEN];
        const int cn = fin - c0 < RG_VLEN ? fin - c0 : RG_VLEN;
        for (int ci = 0; ci < RG_VLEN; ci += cg) {
            vf acc[8][CG];
            const vf *ic[CG];
#pragma GCC unroll 8
            for (int j = 0; j < cg; j++) {
                /* inputs past fin read the last real row; their partials are zeroed below */
                ic[j] = (const vf *)(in + (long)(c0 + (ci + j < cn ? ci + j : cn - 1)) * Pp);
#pragma GCC unroll 8
                for (int o = 0; o < fout; o++) acc[o][j] = (vf){0};
            }
            if (ci < cn) {
                for (long v = 0; v < nv; v++) {
                    vf x[CG];
#pragma GCC unroll 8
                    for (int j = 0; j < cg; j++) x[j] = ic[j][v];
#pragma GCC unroll 8
                    for (int o = 0; o < fout; o++) {
                        const vf go = g[o * nv + v];
#pragma GCC unroll 8
                        for (int j = 0; j < cg; j++) acc[o][j] += go * x[j];
                    }
                }
            }
#pragma GCC unroll 8
            for (int j = 0; j < cg; j++) {
#pragma GCC unroll 8
                for (int o = 0; o < fout; o++) part[o][ci + j] = ci + j < cn ? acc[o][j] : (vf){0};
            }
        }
#pragma GCC unroll 8
        for (int o = 0; o < fout; o++) *(vf *)(out + (long)o * ldo + c0) = sum_lanes_each(part[o]);
    }
}

static void grad_dot(int fout, int fin, const float *restrict G, const float *restrict in, long Pp, float *restrict out,
                     long ldo) {
    switch (fout) {
#define RG_DOT_CASE(F) \
    case F: grad_dot_fo(F, fin, G, in, Pp, out, ldo); break;
        RG_DOT_CASE(1) RG_DOT_CASE(2) RG_DOT_CASE(3) RG_DOT_CASE(4)
        RG_DOT_CASE(5) RG_DOT_CASE(6) RG_DOT_CASE(7) RG_DOT_CASE(8)
#undef RG_DOT_CASE
        default: abort(); /* unreachable: called for fout <= 8 */
    }
}

/* Bias gradient: gb[o] = sum_t G[o,t] for o < fout, the padding of gb (up to fout rounded up to 16) zero. */
static void grad_bias(int fout, const float *restrict G, long Pp, float *restrict gb) {
    const long nv = Pp / RG_VLEN;
    for (int o0 = 0; o0 < fout; o0 += RG_VLEN) {
        vf part[RG_VLEN];
        /* the rows are independent chains (unrolled), each with two partial sums */
#pragma GCC unroll 16
        for (int oi = 0; oi < RG_VLEN; oi++) {
            vf a0 = (vf){0}, a1 = (vf){0};
            if (o0 + oi < fout) {
                const vf *go = (const vf *)(G + (long)(o0 + oi) * Pp);
                long v = 0;
                for (; v + 2 <= nv; v += 2) {
                    a0 += go[v];
                    a1 += go[v + 1];
                }
                if (v < nv) a0 += go[v];
            }
            part[oi] = a0 + a1;
        }
        *(vf *)(gb + o0) = sum_lanes_each(part);
    }
}

/* dst (P x ld, padding columns zero) = transpose of src's first P columns (src is rows x Pp). */
static void transpose_in(const float *restrict src, int rows, long Pp, int P, float *restrict dst, long ld) {
    for (int t = 0; t < P; t++) {
        float *d = dst + (long)t * ld;
        for (int c = 0; c < rows; c++) d[c] = src[(long)c * Pp + t];
        for (long c = rows; c < ld; c++) d[c] = 0.0f;
    }
}

/*
 * One layer of the forward pass at parameters th (padded layout): z = W_l in + b_l 1^T (fout x Pp,
 * in is fin x Pp) and, when a is not NULL, a = phi(z). Shared by training and mlp_forward. For ReLU
 * only a is written (z is left as it was): nothing reads z of a ReLU layer.
 */
static void layer_forward(const lay_t *y, int l, const float *th, const float *in, float *z, float *a) {
    const long Pp = y->Pp;
    const int relu = a != NULL && y->act == RG_RELU;
    bgemm(y->fout[l], y->fin[l], th + y->woff[l], y->ldw[l], 1, in, Pp, relu ? a : z, Pp, (int)(Pp / RG_VLEN),
          y->hasb[l] ? th + y->boff[l] : NULL, relu ? RG_EP_RELU : RG_EP_NONE, NULL, NULL);
    if (a != NULL && !relu) activate(y->act, z, a, (long)y->fout[l] * Pp);
}

/*
 * Forward and backward pass at parameters th: returns the data loss ||Y - F||^2 (double) and writes
 * the data-term gradient (without the 2 lambda theta term) into w->graw (padded layout). With gd (plain
 * GD, gd->th = th), the first layer's weights are updated into gd->nx in the tiles of their gradient
 * instead (RG_EP_GD), and their part of w->graw is left as it was.
 */
static double data_loss_grad(const lay_t *y, ws_t *w, const float *th, gd_ep *gd) {
    const int L = y->L, P = y->P;
    const long Pp = y->Pp;
    const int nv = (int)(Pp / RG_VLEN);
    /* forward */
    const float *in = w->xp;
    for (int l = 0; l <= L; l++) {
        layer_forward(y, l, th, in, l < L ? w->z[l] : w->f, l < L ? w->a[l] : NULL);
        if (l < L) in = w->a[l];
    }
    /* output error: G = 2 (F - Y) on real samples, 0 on padding */
    const int dY = y->fout[L];
    double loss = 0.0;
    float *G = w->g0, *Gother = w->g1;
    for (int o = 0; o < dY; o++) {
        const float *fo = w->f + (long)o * Pp, *yo = w->yp + (long)o * Pp;
        float *go = G + (long)o * Pp;
        double s = 0.0;
#pragma omp simd reduction(+ : s)
        for (int t = 0; t < P; t++) {
            float e = fo[t] - yo[t];
            s += (double)e * e;
            go[t] = 2.0f * e;
        }
        for (long t = P; t < Pp; t++) go[t] = 0.0f;
        loss += s;
    }
    /* backward */
    for (int l = L; l >= 0; l--) {
        const int fi = y->fin[l], fo = y->fout[l], ld = y->ldw[l];
        float *gw = w->graw + y->woff[l];
        const float *inl = l == 0 ? w->xp : w->a[l - 1];
        if (l == 0) {
            bgemm(fo, P, G, Pp, 1, w->xT, ld, gw, ld, ld / RG_VLEN, NULL, gd != NULL ? RG_EP_GD : RG_EP_NONE, NULL, gd);
        } else if (fo <= 8 && Pp >= RG_DOT_MIN_PP) {
            grad_dot(fo, fi, G, inl, Pp, gw, ld);
        } else {
            transpose_in(inl, fi, Pp, P, w->aT, ld);
            bgemm(fo, P, G, Pp, 1, w->aT, ld, gw, ld, ld / RG_VLEN, NULL, RG_EP_NONE, NULL, NULL);
        }
        if (y->hasb[l]) grad_bias(fo, G, Pp, w->graw + y->boff[l]);
        if (l > 0) {
            /* G_A (fi x Pp) = W_l^T G; then G_Z = G_A * phi'(Z_{l-1}) */
            if (y->act == RG_RELU) { /* the derivative in the tiles' stores, its mask read from relu(z) */
                bgemm(fi, fo, th + y->woff[l], 1, ld, G, Pp, Gother, Pp, nv, NULL, RG_EP_RELU_GRAD, w->a[l - 1], NULL);
            } else {
                bgemm(fi, fo, th + y->woff[l], 1, ld, G, Pp, Gother, Pp, nv, NULL, RG_EP_NONE, NULL, NULL);
                times_derivative(y->act, w->z[l - 1], w->a[l - 1], Gother, (long)fi * Pp);
            }
            float *tmp = G;
            G = Gother;
            Gother = tmp;
        }
    }
    return loss;
}

/* sum_l lambda_l ||theta_l||^2 over the padded layout (padding is zero). */
static double penalty(const lay_t *y, const float *th, const float *lam) {
    double total = 0.0;
    long start = 0;
    for (int l = 0; l <= y->L; l++) {
        float s = 0.0f;
        const float *p = th + start;
        long n = y->lend[l] - start;
#pragma omp simd reduction(+ : s)
        for (long i = 0; i < n; i++) s += p[i] * p[i];
        total += (double)lam[l] * s;
        start = y->lend[l];
    }
    return total;
}

/* Independent partial sums per reduction in the updates: one accumulator made each vector wait for the
   previous one's add (the FMA latency, 4 cycles), and that chain, not the loads and stores, set the
   speed of the update (about 6 % of a W64 step). */
#define RG_UACC 4

/* Lane sum of v (the order is fixed per variant, so segmented and whole runs agree bit for bit). */
static inline float lane_sum(vf v) {
    float s = 0.0f;
    for (int i = 0; i < RG_VLEN; i++) s += v[i];
    return s;
}

/* GD (moment1 NULL) or momentum (mu, moment1) on one vector at i: writes nx[i] and m1[i], adds the
   square of the new parameter to *s and g - g (0, or NaN for a non-finite g) to *chk. */
static inline __attribute__((always_inline)) void step_vec(const int momentum, long i, const float *restrict gr,
                                                           const float *restrict th, float *restrict nx,
                                                           float *restrict m1, float lam2, float lr, float mu,
                                                           vf *s, vf *chk) {
    const vf t = *(const vf *)(th + i);
    const vf g = *(const vf *)(gr + i) + lam2 * t;
    *chk += g - g;
    vf n;
    if (momentum) {
        const vf v = mu * *(const vf *)(m1 + i) - lr * g;
        *(vf *)(m1 + i) = v;
        n = t + v;
    } else {
        n = t - lr * g;
    }
    *(vf *)(nx + i) = n;
    *s += n * n;
}

/* GD or momentum over [start, end) (multiples of RG_PAD floats), RG_UACC vectors at a time; returns the
   sum of squares of the new parameters, and their check through *chk. */
static inline __attribute__((always_inline)) float step_range(const int momentum, long start, long end,
                                                              const float *restrict gr, const float *restrict th,
                                                              float *restrict nx, float *restrict m1, float lam2,
                                                              float lr, float mu, vf *chk) {
    vf s[RG_UACC], k[RG_UACC];
#pragma GCC unroll 8
    for (int u = 0; u < RG_UACC; u++) s[u] = k[u] = (vf){0};
    long i = start;
    for (; i + RG_UACC * RG_VLEN <= end; i += RG_UACC * RG_VLEN) {
#pragma GCC unroll 8
        for (int u = 0; u < RG_UACC; u++) step_vec(momentum, i + u * RG_VLEN, gr, th, nx, m1, lam2, lr, mu, &s[u], &k[u]);
    }
    for (; i < end; i += RG_VLEN) step_vec(momentum, i, gr, th, nx, m1, lam2, lr, mu, &s[0], &k[0]);
    *chk += (k[0] + k[1]) + (k[2] + k[3]);
    return lane_sum((s[0] + s[1]) + (s[2] + s[3]));
}

/*
 * One optimiser update out of place: g = graw + 2 lambda th; nx = update(th, g). Returns, through
 * *pen, the penalty of nx and, as the function value, whether every g was finite. With gd (plain GD),
 * the first layer's weights were updated in data_loss_grad already: the rest are, and gd's sums join in.
 */
static int update(const rg_config *c, const lay_t *y, ws_t *w, const float *restrict th, float *restrict nx,
                  const float *lam, float lr, float c1, float c2, const gd_ep *gd, double *pen) {
    const float *restrict gr = w->graw;
    float *restrict m1 = w->m1, *restrict m2 = w->m2;
    float chk = 0.0f;
    vf chkv = gd != NULL ? gd->chk : (vf){0};
    double total = 0.0;
    long start = gd != NULL ? y->woff[0] + (long)y->fout[0] * y->ldw[0] : 0;
    const float mu = (float)c->momentum, b1 = (float)c->beta1, b2 = (float)c->beta2, eps = (float)c->eps;
    const float ob1 = (float)(1.0 - c->beta1), ob2 = (float)(1.0 - c->beta2);
    for (int l = 0; l <= y->L; l++) {
        const long end = y->lend[l];
        const float lam2 = 2.0f * lam[l];
        float s = 0.0f;
        switch (c->opt_kind) {
            case RG_GD:
                s = step_range(0, start, end, gr, th, nx, m1, lam2, lr, mu, &chkv);
                break;
            case RG_MOMENTUM:
                s = step_range(1, start, end, gr, th, nx, m1, lam2, lr, mu, &chkv);
                break;
            case RG_ADAM:
#pragma omp simd reduction(+ : s, chk)
                for (long i = start; i < end; i++) {
                    float g = gr[i] + lam2 * th[i];
                    chk += g - g;
                    float m = b1 * m1[i] + ob1 * g;
                    float v = b2 * m2[i] + ob2 * g * g;
                    m1[i] = m;
                    m2[i] = v;
                    float n = th[i] - lr * (m * c1) / (sqrtf(v * c2) + eps);
                    nx[i] = n;
                    s += n * n;
                }
                break;
            default: abort();
        }
        if (l == 0 && gd != NULL) s += lane_sum(gd->s);
        total += (double)lam[l] * s;
        start = end;
    }
    *pen = total;
    return chk + lane_sum(chkv) == 0.0f;
}

/* ---------------------------------------------------------------------------------------------- */
/* The fused training loop                                                                         */
/* ---------------------------------------------------------------------------------------------- */

static void unpack(const lay_t *y, const float *packed, float *th) {
    memset(th, 0, (size_t)y->size * sizeof(float));
    for (int l = 0; l <= y->L; l++) {
        for (int o = 0; o < y->fout[l]; o++) {
            memcpy(th + y->woff[l] + (long)o * y->ldw[l], packed + y->pw[l] + (long)o * y->fin[l],
                   (size_t)y->fin[l] * sizeof(float));
        }
        if (y->hasb[l]) memcpy(th + y->boff[l], packed + y->pb[l], (size_t)y->fout[l] * sizeof(float));
    }
}

static void pack(const lay_t *y, const float *th, float *packed) {
    for (int l = 0; l <= y->L; l++) {
        for (int o = 0; o < y->fout[l]; o++) {
            memcpy(packed + y->pw[l] + (long)o * y->fin[l], th + y->woff[l] + (long)o * y->ldw[l],
                   (size_t)y->fin[l] * sizeof(float));
        }
        if (y->hasb[l]) memcpy(packed + y->pb[l], th + y->boff[l], (size_t)y->fout[l] * sizeof(float));
    }
}

int RG_FN(mlp_train_fused_impl)(const rg_config *c, const float *x, const float *yd, float *params,
                                const float *lambdas, const double *lrs, float *trace, double *final_loss,
                                double *grad_norm, int32_t *steps, int32_t *status, int first, int count,
                                const rg_resume *r) {
    lay_t y;
    make_layout(c, &y);
    ws_t w;
    if (ws_alloc(&y, &w) != RG_OK) return RG_ENOMEM;
    const int L = y.L, P = y.P;
    const long Pp = y.Pp;
    const int dX = y.fin[0], dY = y.fout[L];
    for (int i = 0; i < dX; i++) {
        for (int t = 0; t < P; t++) {
            float v = x[(long)i * P + t];
            w.xp[(long)i * Pp + t] = v;
            w.xT[(long)t * y.ldw[0] + i] = v;
        }
    }
    for (int o = 0; o < dY; o++) memcpy(w.yp + (long)o * Pp, yd + (long)o * P, (size_t)P * sizeof(float));
    const int layers = L + 1;
    const long tlen = c->max_steps / c->trace_every + 1;

    /* r == NULL: the plain run from step 0 to the end; else continue the state in r (segments) */
    const int end_step = r != NULL && r->until_step < c->max_steps ? r->until_step : c->max_steps;
    /* The geometric schedule factor ratio^(t/T) of the steps of this call, [sched_lo, end_step), filled
       on first use up to sched_hi: the same pow as before (same bits) but once per step and call, not
       once per member-step (~4 % of a width-4, P = 8 step). */
    int sched_lo = end_step, sched_hi;
    for (int e = first; e < first + count; e++) {
        int s0 = r == NULL ? 0 : status[e] == RG_RUNNING ? steps[e] : end_step;
        if (s0 < sched_lo) sched_lo = s0;
    }
    sched_hi = sched_lo;
    double *sched = NULL;
    if (c->final_lr_ratio != 1.0 && sched_lo < end_step) {
        sched = malloc((size_t)(end_step - sched_lo) * sizeof(double));
        if (sched == NULL) {
            free(w.block);
            return RG_ENOMEM;
        }
    }
    for (int e = first; e < first + count; e++) {
        if (r != NULL && status[e] != RG_RUNNING) continue;
        float *packed = params + (long)e * y.pstride;
        const float *lam = lambdas + (long)e * layers;
        float *tr = trace + (long)e * tlen;
        int cur = 0, prev = 1, nxt = 2;
        unpack(&y, packed, w.theta[cur]);
        double pen, beta1_pow = 1.0, beta2_pow = 1.0, window_start = NAN;
        int step = 0;
        float *kb = rg_kernel_trace_member(c, e); /* NULL: e records no kernel trace */
        const int kpoints = kb != NULL ? rg_kernel_trace_points(c) : 0;
        if (r == NULL) {
            for (long k = 0; k < tlen; k++) tr[k] = NAN;
            for (long k = 0; k < (long)L * kpoints * P * P; k++) kb[k] = NAN;
            memcpy(w.theta[prev], w.theta[cur], (size_t)y.size * sizeof(float));
            memset(w.m1, 0, (size_t)y.size * sizeof(float));
            memset(w.m2, 0, (size_t)y.size * sizeof(float));
            pen = penalty(&y, w.theta[cur], lam);
        } else {
            const long off = (long)e * y.pstride;
            step = steps[e];
            unpack(&y, r->last_finite + off, w.theta[prev]);
            if (c->opt_kind != RG_GD) unpack(&y, r->moment1 + off, w.m1);
            else memset(w.m1, 0, (size_t)y.size * sizeof(float));
            if (c->opt_kind == RG_ADAM) unpack(&y, r->moment2 + off, w.m2);
            else memset(w.m2, 0, (size_t)y.size * sizeof(float));
            /* the cached penalty, not a recomputation: its float sums may round differently */
            pen = step == 0 ? penalty(&y, w.theta[cur], lam) : r->penalty[e];
            beta1_pow = r->beta1_pow[e];
            beta2_pow = r->beta2_pow[e];
            window_start = r->window_start[e];
        }
        int st = RG_MAX_STEPS;
        for (; step < end_step; step++) {
            double lr = lrs[e];
            if (sched != NULL) {
                for (; sched_hi <= step; sched_hi++) sched[sched_hi - sched_lo] = pow(c->final_lr_ratio, (double)sched_hi / c->max_steps);
                lr *= sched[step - sched_lo];
            }
            /* plain GD: the first layer's weights are updated in the tiles of their gradient (RG_EP_GD);
               theta[nxt] is scratch until the step is accepted below */
            gd_ep gd = {w.theta[cur] + y.woff[0], w.theta[nxt] + y.woff[0], 2.0f * lam[0], (float)lr, (vf){0}, (vf){0}};
            gd_ep *fuse = c->opt_kind == RG_GD ? &gd : NULL;
            double loss = data_loss_grad(&y, &w, w.theta[cur], fuse) + pen;
            if (!representable(loss)) {
                cur = prev; /* the last parameters whose loss and gradient were finite */
                st = RG_DIVERGED;
                break;
            }
            float c1 = 1.0f, c2 = 1.0f;
            if (c->opt_kind == RG_ADAM) rg_adam_corrections(c->beta1, c->beta2, &beta1_pow, &beta2_pow, &c1, &c2);
            double next_pen;
            int finite = update(c, &y, &w, w.theta[cur], w.theta[nxt], lam, (float)lr, c1, c2, fuse, &next_pen);
            if (!finite) {
                cur = prev;
                st = RG_DIVERGED;
                break;
            }
            if (kb != NULL && step % c->kernel_trace->every == 0) { /* the activations of theta[cur] */
                const int k = step / c->kernel_trace->every;
                for (int l = 0; l < L; l++) kernel_trace_record(c, l, w.a[l], Pp, 1, kb, k, k + 1);
            }
            if (rg_step_end(step, loss, tr, c->trace_every, c->window, c->tol, &window_start)) {
                st = RG_CONVERGED;
                break; /* parameters stay at theta[cur]; the update into theta[nxt] is dropped */
            }
            int old_prev = prev;
            prev = cur;
            cur = nxt;
            nxt = old_prev;
            pen = next_pen;
        }
        if (r != NULL && st == RG_MAX_STEPS && step < c->max_steps) { /* paused at until_step */
            const long off = (long)e * y.pstride;
            pack(&y, w.theta[cur], packed);
            pack(&y, w.theta[prev], r->last_finite + off);
            if (c->opt_kind != RG_GD) pack(&y, w.m1, r->moment1 + off);
            if (c->opt_kind == RG_ADAM) pack(&y, w.m2, r->moment2 + off);
            r->beta1_pow[e] = beta1_pow;
            r->beta2_pow[e] = beta2_pow;
            r->window_start[e] = window_start;
            r->penalty[e] = pen;
            steps[e] = step;
            status[e] = RG_RUNNING;
            continue;
        }
        /* final loss and raw gradient norm at the final parameters */
        const float *th = w.theta[cur];
        double loss = data_loss_grad(&y, &w, th, NULL) + penalty(&y, th, lam);
        st = rg_final_status(st, step, loss, window_start, tr, c->max_steps, c->trace_every, c->window, c->tol);
        if (kb != NULL) { /* the final kernel at every point from the final step on */
            const int every = c->kernel_trace->every, from = (int)(((long)step + every - 1) / every);
            for (int l = 0; l < L; l++) kernel_trace_record(c, l, w.a[l], Pp, 1, kb, from, kpoints);
        }
        double norm = 0.0;
        long start = 0;
        for (int l = 0; l <= L; l++) {
            float lam2 = 2.0f * lam[l];
            for (long i = start; i < y.lend[l]; i++) {
                double g = (double)(w.graw[i] + lam2 * th[i]);
                norm += g * g;
            }
            start = y.lend[l];
        }
        pack(&y, th, packed);
        final_loss[e] = loss;
        grad_norm[e] = sqrt(norm);
        steps[e] = step;
        status[e] = st;
    }
    free(sched);
    free(w.block);
    return RG_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Forward pass for representations                                                                */
/* ---------------------------------------------------------------------------------------------- */

/*
 * out[e][unit][t] = phi(Z_layer) of member e, for e in [first, first + count): the same padded layout,
 * layer_forward (bgemm + activate) and unpack as training, up to hidden layer `layer` only. Arguments
 * are validated by mlp_forward (repgeom_kernels.c).
 */
int RG_FN(mlp_forward_impl)(const rg_config *c, const float *x, const float *params, int layer, float *out,
                            int first, int count) {
    lay_t y;
    make_layout(c, &y);
    const int P = y.P;
    const long Pp = y.Pp;
    const int dX = y.fin[0];
    int maxw = 1;
    for (int l = 0; l <= layer; l++) {
        if (y.fout[l] > maxw) maxw = y.fout[l];
    }
#define RG_B(n) (round_up((long)(n) * (long)sizeof(float), RG_ALIGN))
    long bytes = RG_B((long)dX * Pp) + RG_B(y.size) + 3 * RG_B((long)maxw * Pp);
#undef RG_B
    void *blk = NULL;
    if (posix_memalign(&blk, RG_ALIGN, (size_t)bytes) != 0) return RG_ENOMEM;
    memset(blk, 0, (size_t)bytes);
    char *p = (char *)blk;
    float *xp = carve(&p, (long)dX * Pp);
    float *th = carve(&p, y.size);
    float *z = carve(&p, (long)maxw * Pp);
    float *a[2] = {carve(&p, (long)maxw * Pp), carve(&p, (long)maxw * Pp)};
    for (int i = 0; i < dX; i++) memcpy(xp + (long)i * Pp, x + (long)i * P, (size_t)P * sizeof(float));
    const int width = y.fout[layer];
    for (int e = first; e < first + count; e++) {
        unpack(&y, params + (long)e * y.pstride, th);
        const float *in = xp;
        for (int l = 0; l <= layer; l++) {
            layer_forward(&y, l, th, in, z, a[l & 1]);
            in = a[l & 1];
        }
        float *dst = out + (long)e * width * P;
        for (int o = 0; o < width; o++) memcpy(dst + (long)o * P, in + (long)o * Pp, (size_t)P * sizeof(float));
    }
    free(blk);
    return RG_OK;
}
