/*
 * mlp_train_fused_f64: the double-precision training loop of the Java reference
 * (JavaBackend.mlp_train_fused over org.repgeom.model.Mlp and org.repgeom.train.OptimizerState), for one
 * member, in C. Its one user is the stationarity polish (org.repgeom.analysis.Stationarity), whose
 * polished parameters, losses and verdicts must not depend on which of the two ran.
 *
 * Why the order of every operation matters: the result must be the Java loop's bit for bit, and a
 * double sum or product rounds differently when its terms are regrouped. So each loop below is the
 * Java loop it mirrors, term for term and in the same order: no reassociation (no -ffast-math), no
 * fused multiply-add (this file is compiled with -ffp-contract=off, as Java never fuses), every sum adds
 * its terms one by one in Java's order. What is fast here is only how independent operations are laid
 * out: element-wise loops vectorise, and independent sums run side by side in vector lanes (each lane
 * one sum, still in Java's order), with the loop compiled for AVX-512, AVX2 and the baseline. tanh is
 * fdlibm's algorithm (what StrictMath.tanh is specified to return), so tanh and gelu members match Java
 * where Math.tanh is StrictMath.tanh; the Java caller checks that before it sends them here. The learning-rate schedule (Math.pow) is
 * computed by the caller, one rate per step.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "repgeom_kernels.h"

/* ---------------------------------------------------------------------------------------------- */
/* fdlibm tanh (StrictMath.tanh): tanh x = ±(1 - 2/(expm1(2|x|) + 2)) or ∓expm1(-2|x|)/(expm1(..) + 2) */
/* ---------------------------------------------------------------------------------------------- */

static inline int32_t hi_word(double x) {
    uint64_t u;
    memcpy(&u, &x, 8);
    return (int32_t)(u >> 32);
}

static inline uint32_t lo_word(double x) {
    uint64_t u;
    memcpy(&u, &x, 8);
    return (uint32_t)u;
}

static inline double with_hi_word(double x, int32_t hi) {
    uint64_t u;
    memcpy(&u, &x, 8);
    u = ((uint64_t)(uint32_t)hi << 32) | (u & 0xffffffffu);
    memcpy(&x, &u, 8);
    return x;
}

/* exp(x) - 1 after fdlibm's s_expm1.c: reduce x = k ln2 + r (ln2 in two parts), rational fit on r. */
static inline __attribute__((always_inline)) double expm1_f64(double x) {
    static const double huge = 1.0e+300, tiny = 1.0e-300;
    static const double o_threshold = 0x1.62e42fefa39efp9;
    static const double ln2_hi = 0x1.62e42feep-1, ln2_lo = 0x1.a39ef35793c76p-33;
    static const double invln2 = 0x1.71547652b82fep0;
    static const double Q1 = -0x1.11111111110f4p-5, Q2 = 0x1.a01a019fe5585p-10, Q3 = -0x1.4ce199eaadbb7p-14,
                        Q4 = 0x1.0cfca86e65239p-18, Q5 = -0x1.afdb76e09c32dp-23;
    double hi, lo, c = 0, t, e, hxs, hfx, r1, y;
    int32_t k;
    int32_t hx = hi_word(x);
    const int32_t xsb = hx & (int32_t)0x80000000;
    hx &= 0x7fffffff;
    if (hx >= 0x4043687A) { /* |x| >= 56 ln2 */
        if (hx >= 0x40862E42) { /* |x| >= 709.78 */
            if (hx >= 0x7ff00000) {
                if (((hx & 0xfffff) | lo_word(x)) != 0) return x + x; /* NaN */
                return xsb == 0 ? x : -1.0;
            }
            if (x > o_threshold) return huge * huge;
        }
        if (xsb != 0 && x + tiny < 0.0) return tiny - 1.0; /* x < -56 ln2: -1 */
    }
    if (hx > 0x3fd62e42) { /* |x| > ln2 / 2: reduce */
        if (hx < 0x3FF0A2B2) { /* and |x| < 1.5 ln2 */
            if (xsb == 0) {
                hi = x - ln2_hi;
                lo = ln2_lo;
                k = 1;
            } else {
                hi = x + ln2_hi;
                lo = -ln2_lo;
                k = -1;
            }
        } else {
            k = (int32_t)(invln2 * x + (xsb == 0 ? 0.5 : -0.5));
            t = k;
            hi = x - t * ln2_hi;
            lo = t * ln2_lo;
        }
        x = hi - lo;
        c = (hi - x) - lo;
    } else if (hx < 0x3c900000) { /* |x| < 2^-54: x */
        t = huge + x;
        return x - (t - (huge + x));
    } else {
        k = 0;
    }
    hfx = 0.5 * x;
    hxs = x * hfx;
    r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    t = 3.0 - r1 * hfx;
    e = hxs * ((r1 - t) / (6.0 - x * t));
    if (k == 0) return x - (x * e - hxs);
    e = (x * (e - c) - c);
    e -= hxs;
    if (k == -1) return 0.5 * (x - e) - 0.5;
    if (k == 1) {
        if (x < -0.25) return -2.0 * (e - (x + 0.5));
        return 1.0 + 2.0 * (x - e);
    }
    const int32_t kexp = (int32_t)((uint32_t)k << 20); /* k added to the exponent field */
    if (k <= -2 || k > 56) {
        y = 1.0 - (e - x);
        y = with_hi_word(y, (int32_t)((uint32_t)hi_word(y) + (uint32_t)kexp));
        return y - 1.0;
    }
    t = 1.0;
    if (k < 20) {
        t = with_hi_word(t, 0x3ff00000 - (0x200000 >> k)); /* 1 - 2^-k */
        y = t - (e - x);
        y = with_hi_word(y, (int32_t)((uint32_t)hi_word(y) + (uint32_t)kexp));
    } else {
        t = with_hi_word(t, (0x3ff - k) << 20); /* 2^-k */
        y = x - (e + t);
        y += 1.0;
        y = with_hi_word(y, (int32_t)((uint32_t)hi_word(y) + (uint32_t)kexp));
    }
    return y;
}

static inline __attribute__((always_inline)) double tanh_f64(double x) {
    const int32_t jx = hi_word(x), ix = jx & 0x7fffffff;
    double t, z;
    if (ix >= 0x7ff00000) return jx >= 0 ? 1.0 / x + 1.0 : 1.0 / x - 1.0; /* ±inf, NaN */
    if (ix < 0x40360000) { /* |x| < 22 */
        if (ix < 0x3c800000) return x * (1.0 + x); /* |x| < 2^-55 */
        if (ix >= 0x3ff00000) { /* |x| >= 1 */
            t = expm1_f64(2.0 * fabs(x));
            z = 1.0 - 2.0 / (t + 2.0);
        } else {
            t = expm1_f64(-2.0 * fabs(x));
            z = -t / (t + 2.0);
        }
    } else {
        z = 1.0 - 1.0e-300; /* |x| >= 22: ±1 */
    }
    return jx >= 0 ? z : -z;
}

/*
 * tanh_f64 on RG_F64_LANES lanes at once, each lane taking exactly the scalar branch its argument takes:
 * every branch of tanh_f64 and of the expm1 it calls (only the arguments tanh passes it: 2^-54 <= |y| < 44)
 * is computed on all lanes and each lane selects its own. Same operations per lane, same bits; no
 * branches to mispredict (the scalar version spent ~50 cycles a call on them).
 */
#define RG_F64_LANES 8
typedef double vd __attribute__((vector_size(RG_F64_LANES * sizeof(double))));
typedef int64_t vl __attribute__((vector_size(RG_F64_LANES * sizeof(int64_t))));
typedef uint64_t vu __attribute__((vector_size(RG_F64_LANES * sizeof(uint64_t))));

static inline __attribute__((always_inline)) vd vpick(vl m, vd a, vd b) { return (vd)((m & (vl)a) | (~m & (vl)b)); }
static inline __attribute__((always_inline)) vl vpickl(vl m, vl a, vl b) { return (m & a) | (~m & b); }
static inline __attribute__((always_inline)) vd vsplat(double v) { return (vd){0} + v; }
/* adds k to the exponent field, as with_hi_word(y, hi_word(y) + (k << 20)) */
static inline __attribute__((always_inline)) vd vscale(vd y, vl k) { return (vd)((vu)y + ((vu)k << 52)); }

static inline __attribute__((always_inline)) vd tanh_f64_v(vd x) {
    const double ln2_hi = 0x1.62e42feep-1, ln2_lo = 0x1.a39ef35793c76p-33, invln2 = 0x1.71547652b82fep0;
    const double Q1 = -0x1.11111111110f4p-5, Q2 = 0x1.a01a019fe5585p-10, Q3 = -0x1.4ce199eaadbb7p-14,
                 Q4 = 0x1.0cfca86e65239p-18, Q5 = -0x1.afdb76e09c32dp-23;
    const vl jx = (vl)x >> 32; /* the signed high word, as hi_word */
    const vl ix = jx & 0x7fffffff;
    const vd ax = (vd)((vl)x & 0x7fffffffffffffffLL); /* fabs */
    const vl ge1 = ix >= 0x3ff00000;
    /* expm1(y), y = 2|x| (|x| >= 1) or -2|x| */
    const vd y = vpick(ge1, 2.0 * ax, -2.0 * ax);
    const vl hy = ((vl)y >> 32) & 0x7fffffff;
    const vl neg = y < 0.0;
    const vl kfar = __builtin_convertvector(invln2 * y + vpick(neg, vsplat(-0.5), vsplat(0.5)), vl);
    const vd tfar = __builtin_convertvector(kfar, vd);
    const vl near = hy < 0x3FF0A2B2; /* |y| < 1.5 ln2: k = ±1, ln2 in two exact parts */
    const vd hi = vpick(near, vpick(neg, y + ln2_hi, y - ln2_hi), y - tfar * ln2_hi);
    const vd lo = vpick(near, vpick(neg, vsplat(-ln2_lo), vsplat(ln2_lo)), tfar * ln2_lo);
    const vl reduced = hy > 0x3fd62e42; /* |y| > ln2 / 2, else k = 0 and y as it is */
    const vl k = vpickl(reduced, vpickl(near, vpickl(neg, (vl){0} - 1, (vl){0} + 1), kfar), (vl){0});
    const vd xr0 = hi - lo;
    const vd c = vpick(reduced, (hi - xr0) - lo, vsplat(0.0));
    const vd xr = vpick(reduced, xr0, y);
    const vd hfx = 0.5 * xr;
    const vd hxs = xr * hfx;
    const vd r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    const vd t3 = 3.0 - r1 * hfx;
    const vd e = hxs * ((r1 - t3) / (6.0 - xr * t3));
    const vd k0 = xr - (xr * e - hxs);
    vd e2 = (xr * (e - c) - c);
    e2 -= hxs;
    const vd km1 = 0.5 * (xr - e2) - 0.5;
    const vd kp1 = vpick(xr < -0.25, -2.0 * (e2 - (xr + 0.5)), 1.0 + 2.0 * (xr - e2));
    const vd kout = vscale(1.0 - (e2 - xr), k) - 1.0;                     /* k <= -2 or k > 56 */
    const vl ks = vpickl(k < 0, (vl){0}, vpickl(k > 31, (vl){0} + 31, k)); /* a shift count in range */
    const vd one_minus = (vd)((0x3ff00000 - (((vl){0} + 0x200000) >> ks)) << 32); /* 1 - 2^-k */
    const vd kmid = vscale(one_minus - (e2 - xr), k);                      /* 2 <= k < 20 */
    const vd two_minus = (vd)((0x3ff - k) << 52);                          /* 2^-k */
    vd khigh = xr - (e2 + two_minus);                                       /* 20 <= k <= 56 */
    khigh += 1.0;
    khigh = vscale(khigh, k);
    vd em1 = vpick(k < 20, kmid, khigh);
    em1 = vpick((k <= -2) | (k > 56), kout, em1);
    em1 = vpick(k == 1, kp1, em1);
    em1 = vpick(k == -1, km1, em1);
    em1 = vpick(k == 0, k0, em1);
    /* tanh from it */
    vd z = vpick(ge1, 1.0 - 2.0 / (em1 + 2.0), -em1 / (em1 + 2.0));
    z = vpick(ix < 0x40360000, z, vsplat(1.0 - 1.0e-300)); /* |x| >= 22: ±1 */
    z = vpick(jx >= 0, z, -z);
    z = vpick(ix < 0x3c800000, x * (1.0 + x), z);           /* |x| < 2^-55 */
    return vpick(ix >= 0x7ff00000, vpick(jx >= 0, 1.0 / x + 1.0, 1.0 / x - 1.0), z); /* ±inf, NaN */
}

/* out[i] = tanh_f64(in[i]), RG_F64_LANES at a time (in and out may be the same array) */
static inline __attribute__((always_inline)) void tanh_f64_array(const double *in, double *out, long len) {
    long i = 0;
    for (; i + RG_F64_LANES <= len; i += RG_F64_LANES) {
        vd v;
        memcpy(&v, in + i, sizeof v);
        v = tanh_f64_v(v);
        memcpy(out + i, &v, sizeof v);
    }
    for (; i < len; i++) out[i] = tanh_f64(in[i]);
}

/* compiled for AVX-512, AVX2 and the baseline, picked at load time; none of them fuses (-ffp-contract=off) */
/* (RG_F64_NO_CLONES: one build for the -march given, to test each variant on one machine) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(RG_F64_NO_CLONES)
#define RG_F64_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RG_F64_CLONES
#endif

RG_F64_CLONES void rg_tanh_f64_array(const double *in, double *out, long len) { tanh_f64_array(in, out, len); }

/* ---------------------------------------------------------------------------------------------- */
/* Activations: org.repgeom.model.Activation.apply / derivative, the same expressions               */
/* ---------------------------------------------------------------------------------------------- */

#define F64_LEAKY 0.01
#define F64_GELU_A 0.044715
#define F64_GELU_C 0.79788456080286541 /* Math.sqrt(2.0 / Math.PI), the same double */

/*
 * act[i] = φ(z[i]). For gelu, tcache[i] keeps the tanh the forward pass computed: its derivative needs
 * the very same tanh(u), and for tanh φ'(z) = 1 − φ(z)² reads φ(z) back from act, so each step computes
 * one tanh per unit and sample instead of Java's two, with the same bits.
 */
static inline __attribute__((always_inline)) void activate(int act, const double *z, double *a, double *tcache,
                                                           long len) {
    switch (act) {
        case RG_RELU:
            for (long i = 0; i < len; i++) a[i] = z[i] > 0 ? z[i] : 0.0;
            break;
        case RG_LEAKY_RELU:
            for (long i = 0; i < len; i++) a[i] = z[i] > 0 ? z[i] : F64_LEAKY * z[i];
            break;
        case RG_CLIPPED_RELU:
            for (long i = 0; i < len; i++) a[i] = z[i] <= 0 ? 0.0 : (z[i] >= 1 ? 1.0 : z[i]);
            break;
        case RG_LINEAR:
            for (long i = 0; i < len; i++) a[i] = z[i];
            break;
        case RG_TANH:
            tanh_f64_array(z, a, len);
            break;
        default: /* RG_GELU */
            for (long i = 0; i < len; i++) {
                const double x = z[i];
                tcache[i] = F64_GELU_C * (x + F64_GELU_A * x * x * x);
            }
            tanh_f64_array(tcache, tcache, len);
            for (long i = 0; i < len; i++) a[i] = 0.5 * z[i] * (1.0 + tcache[i]);
    }
}

/* gz[i] = ga[i] · φ'(z[i]) (a = φ(z), tcache as activate left them). */
static inline __attribute__((always_inline)) void backprop_activation(int act, const double *z, const double *a,
                                                                      const double *tcache, const double *ga,
                                                                      double *gz, long len) {
    switch (act) {
        case RG_RELU:
            for (long i = 0; i < len; i++) gz[i] = ga[i] * (z[i] > 0 ? 1.0 : 0.0);
            break;
        case RG_LEAKY_RELU:
            for (long i = 0; i < len; i++) gz[i] = ga[i] * (z[i] > 0 ? 1.0 : F64_LEAKY);
            break;
        case RG_CLIPPED_RELU:
            for (long i = 0; i < len; i++) gz[i] = ga[i] * ((z[i] > 0 && z[i] <= 1) ? 1.0 : 0.0);
            break;
        case RG_LINEAR:
            for (long i = 0; i < len; i++) gz[i] = ga[i] * 1.0;
            break;
        case RG_TANH:
            for (long i = 0; i < len; i++) gz[i] = ga[i] * (1.0 - a[i] * a[i]);
            break;
        default: /* RG_GELU */
            for (long i = 0; i < len; i++) {
                const double x = z[i], t = tcache[i];
                const double du = F64_GELU_C * (1.0 + 3.0 * F64_GELU_A * x * x);
                gz[i] = ga[i] * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du);
            }
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Forward, loss and gradient: Mlp.forward / Mlp.lossAndGradient / ReferenceNetwork.penalty          */
/* ---------------------------------------------------------------------------------------------- */

typedef struct {
    const rg_f64_net *net;
    double *z[RG_MAX_DEPTH];      /* pre-activations of hidden layer l, width × P (unit-major, as Java) */
    double *a[RG_MAX_DEPTH + 1];  /* a[0] = X, a[l+1] = φ(z[l]) */
    double *tc[RG_MAX_DEPTH];     /* gelu: tanh of the forward pass */
    double *out;                  /* F, dY × P */
    double *grad_a, *grad_z;      /* widest layer × P */
    double *in_t;                 /* a layer's input transposed, P × widest input */
} f64_scratch;

static inline int fan_in(const rg_f64_net *n, int l) { return n->dims[l]; }
static inline int fan_out(const rg_f64_net *n, int l) { return n->dims[l + 1]; }

/*
 * The loops below run over blocks of RG_F64_BLOCK entries held in registers (a fixed-size array the
 * compiler keeps in vector registers), each entry still summing its terms in Java's order; a block
 * that does not fill up (P or a width not a multiple of the block) is summed one entry at a time.
 */
#define RG_F64_BLOCK 8
typedef double vblock __attribute__((vector_size(RG_F64_BLOCK * sizeof(double))));

static inline __attribute__((always_inline)) vblock vload(const double *p) {
    vblock v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline __attribute__((always_inline)) void vstore(double *p, vblock v) { memcpy(p, &v, sizeof v); }

/* dst = W_l src + b_l 1ᵀ: per entry the bias first, then the inputs c = 0, 1, … in turn, as Mlp.linear. */
static inline __attribute__((always_inline)) void linear(const rg_f64_net *n, const double *params, int l,
                                                         const double *src, double *dst) {
    const int fin = fan_in(n, l), fout = fan_out(n, l), p = n->samples;
    const double *w = params + n->weight_off[l];
    const double *b = n->bias_off[l] >= 0 ? params + n->bias_off[l] : NULL;
    for (int i = 0; i < fout; i++) {
        double *d = dst + (long)i * p;
        const double bias = b != NULL ? b[i] : 0.0;
        const double *wi = w + (long)i * fin;
        int s0 = 0;
        for (; s0 + RG_F64_BLOCK <= p; s0 += RG_F64_BLOCK) {
            vblock v = (vblock){0} + bias;
            for (int c = 0; c < fin; c++) v += wi[c] * vload(src + (long)c * p + s0);
            vstore(d + s0, v);
        }
        for (int s = s0; s < p; s++) {
            double v = bias;
            for (int c = 0; c < fin; c++) v += wi[c] * src[(long)c * p + s];
            d[s] = v;
        }
    }
}

/* shuffle masks of an 8 × 8 transpose: pairs, then quads, then halves */
typedef int64_t vmask __attribute__((vector_size(RG_F64_BLOCK * sizeof(int64_t))));
#define RG_SHUF(a, b, ...) __builtin_shuffle(a, b, (vmask){__VA_ARGS__})

/* dst (cols × rows) = src (rows × cols)ᵀ; 8 × 8 blocks in registers where both sides are multiples of 8 */
static inline __attribute__((always_inline)) void transpose(const double *src, int rows, int cols, double *dst) {
    if (rows % RG_F64_BLOCK == 0 && cols % RG_F64_BLOCK == 0) {
        for (int r = 0; r < rows; r += RG_F64_BLOCK) {
            for (int c = 0; c < cols; c += RG_F64_BLOCK) {
                vblock m[RG_F64_BLOCK], t[RG_F64_BLOCK], u[RG_F64_BLOCK];
                for (int k = 0; k < RG_F64_BLOCK; k++) m[k] = vload(src + (long)(r + k) * cols + c);
                for (int k = 0; k < RG_F64_BLOCK; k += 2) {
                    t[k] = RG_SHUF(m[k], m[k + 1], 0, 8, 2, 10, 4, 12, 6, 14);
                    t[k + 1] = RG_SHUF(m[k], m[k + 1], 1, 9, 3, 11, 5, 13, 7, 15);
                }
                for (int k = 0; k < RG_F64_BLOCK; k += 4) {
                    u[k] = RG_SHUF(t[k], t[k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
                    u[k + 1] = RG_SHUF(t[k + 1], t[k + 3], 0, 1, 8, 9, 4, 5, 12, 13);
                    u[k + 2] = RG_SHUF(t[k], t[k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
                    u[k + 3] = RG_SHUF(t[k + 1], t[k + 3], 2, 3, 10, 11, 6, 7, 14, 15);
                }
                /* u[k] (k < 4) holds columns k and k + 4 of rows 0-3, u[k + 4] the same of rows 4-7 */
                for (int k = 0; k < 4; k++) {
                    vstore(dst + (long)(c + k) * rows + r, RG_SHUF(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11));
                    vstore(dst + (long)(c + k + 4) * rows + r, RG_SHUF(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15));
                }
            }
        }
        return;
    }
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) dst[(long)c * rows + r] = src[(long)r * cols + c];
    }
}

static inline __attribute__((always_inline)) double loss_and_gradient(f64_scratch *sc, const double *params,
                                                                      const double *lambdas, const double *y,
                                                                      double *grad) {
    const rg_f64_net *n = sc->net;
    const int p = n->samples, top = n->depth;
    for (int l = 0; l <= top; l++) {
        double *dst = l < top ? sc->z[l] : sc->out;
        linear(n, params, l, sc->a[l], dst);
        if (l < top) activate(n->activation, dst, sc->a[l + 1], sc->tc[l], (long)fan_out(n, l) * p);
    }
    const long out_len = (long)n->dims[top + 1] * p;
    double data = 0; /* ReferenceNetwork.dataLoss: one sum, in order */
    for (long i = 0; i < out_len; i++) {
        const double e = sc->out[i] - y[i];
        data += e * e;
    }
    /*
     * ReferenceNetwork.penalty: per layer one sum of w² over its weights and then its bias, in index order,
     * then Σ_l λ_l·sq_l in layer order. Each layer's sum is one long dependent chain; it is added up row by
     * row inside the backward pass below (still in index order), so that the core overlaps it with the
     * gradient's independent work instead of waiting on it.
     */
    double sq[RG_MAX_DEPTH + 1];
    double *gz = sc->grad_z, *ga = sc->grad_a;
    for (long i = 0; i < out_len; i++) gz[i] = 2.0 * (sc->out[i] - y[i]);
    for (int l = top; l >= 0; l--) {
        const int fin = fan_in(n, l), fout = fan_out(n, l);
        const double *w = params + n->weight_off[l];
        double *gw = grad + n->weight_off[l];
        const double lam2 = 2.0 * lambdas[l];
        if (l < top) backprop_activation(n->activation, sc->z[l], sc->a[l + 1], sc->tc[l], ga, gz, (long)fout * p);
        /*
         * ∇W_l[i][c] = Σ_t G_Z[i][t] · A_l[c][t] + 2λ W_l[i][c]: Java sums each entry over t = 0 … P−1 in
         * turn. Here the entries of one row i are summed side by side (A_l transposed, so that c is the
         * contiguous axis): every entry still adds its P terms in Java's order, and the row vectorises.
         */
        transpose(sc->a[l], fin, p, sc->in_t);
        double sql = 0;
        for (int i = 0; i < fout; i++) {
            const double *g = gz + (long)i * p;
            const double *wi = w + (long)i * fin;
            double *gwi = gw + (long)i * fin;
            for (int c = 0; c < fin; c++) sql += wi[c] * wi[c];
            int c0 = 0;
            for (; c0 + RG_F64_BLOCK <= fin; c0 += RG_F64_BLOCK) {
                vblock v = {0};
                for (int t = 0; t < p; t++) v += g[t] * vload(sc->in_t + (long)t * fin + c0);
                vstore(gwi + c0, v + lam2 * vload(wi + c0));
            }
            for (int c = c0; c < fin; c++) {
                double v = 0;
                for (int t = 0; t < p; t++) v += g[t] * sc->in_t[(long)t * fin + c];
                gwi[c] = v + lam2 * wi[c];
            }
        }
        if (n->bias_off[l] >= 0) { /* ∇b_l[i] = Σ_t G_Z[i][t] + 2λ b_l[i] */
            const double *b = params + n->bias_off[l];
            double *gb = grad + n->bias_off[l];
            for (int i = 0; i < fout; i++) {
                double v = 0;
                for (int t = 0; t < p; t++) v += gz[(long)i * p + t];
                gb[i] = v + lam2 * b[i];
                sql += b[i] * b[i];
            }
        }
        sq[l] = sql;
        if (l > 0) { /* G_A[c][t] = Σ_i W_l[i][c] G_Z[i][t], from 0.0 over i = 0, 1, … in turn as Java does */
            for (int c = 0; c < fin; c++) {
                double *d = ga + (long)c * p;
                int t0 = 0;
                for (; t0 + RG_F64_BLOCK <= p; t0 += RG_F64_BLOCK) {
                    vblock v = {0};
                    for (int i = 0; i < fout; i++) v += w[(long)i * fin + c] * vload(gz + (long)i * p + t0);
                    vstore(d + t0, v);
                }
                for (int t = t0; t < p; t++) {
                    double v = 0;
                    for (int i = 0; i < fout; i++) v += w[(long)i * fin + c] * gz[(long)i * p + t];
                    d[t] = v;
                }
            }
        }
    }
    double pen = 0;
    for (int l = 0; l <= top; l++) pen += lambdas[l] * sq[l];
    return data + pen;
}

/* ---------------------------------------------------------------------------------------------- */
/* The loop: JavaBackend.train_fused without segments or kernel trace                              */
/* ---------------------------------------------------------------------------------------------- */

long rg_f64_stride(const rg_f64_net *n) {
    if (n->depth < 1 || n->depth > RG_MAX_DEPTH || n->samples < 1 || n->activation < RG_RELU
        || n->activation > RG_GELU) {
        return -1;
    }
    long off = 0;
    for (int l = 0; l <= n->depth; l++) {
        if (n->dims[l] < 1 || n->dims[l + 1] < 1 || n->weight_off[l] != off) return -1;
        off += (long)n->dims[l] * n->dims[l + 1];
        if (n->bias_off[l] >= 0) {
            if (n->bias_off[l] != off || l == n->depth) return -1;
            off += n->dims[l + 1];
        }
    }
    return off;
}

RG_F64_CLONES static void train(f64_scratch *sc, const rg_f64_train *tr, long stride, double *params,
                                const double *lambdas, const double *lrs, const double *y, double *grad,
                                float *trace, double *last_finite, double *m1, double *m2, double *outcome) {
    const int max_steps = tr->max_steps;
    const long trace_len = max_steps / tr->trace_every + 1;
    const double b1 = tr->beta1, b2 = tr->beta2, eps = tr->eps, mu = tr->momentum;
    double b1pow = 1.0, b2pow = 1.0;
    memcpy(last_finite, params, sizeof(double) * (size_t)stride);
    for (long k = 0; k < trace_len; k++) trace[k] = NAN;
    double window_start = NAN;
    int status = RG_MAX_STEPS, step = 0;
    for (; step < max_steps; step++) {
        const double loss = loss_and_gradient(sc, params, lambdas, y, grad);
        int finite = representable(loss);
        for (long i = 0; i < stride; i++) finite &= fabs(grad[i]) <= FLT_MAX;
        if (!finite) {
            memcpy(params, last_finite, sizeof(double) * (size_t)stride);
            status = RG_DIVERGED;
            break;
        }
        if (step % tr->trace_every == 0) trace[step / tr->trace_every] = (float)loss;
        if (step % tr->window == 0) {
            if (step > 0 && rg_converged(tr->tol, window_start, loss)) {
                status = RG_CONVERGED;
                break;
            }
            window_start = loss;
        }
        memcpy(last_finite, params, sizeof(double) * (size_t)stride);
        const double lr = lrs[step];
        /* OptimizerState.update */
        if (tr->opt_kind == RG_GD) {
            for (long i = 0; i < stride; i++) params[i] -= lr * grad[i];
        } else if (tr->opt_kind == RG_MOMENTUM) {
            for (long i = 0; i < stride; i++) {
                m1[i] = mu * m1[i] - lr * grad[i];
                params[i] += m1[i];
            }
        } else {
            b1pow *= b1;
            b2pow *= b2;
            const double c1 = 1.0 / (1.0 - b1pow), c2 = 1.0 / (1.0 - b2pow);
            for (long i = 0; i < stride; i++) {
                const double g = grad[i];
                m1[i] = b1 * m1[i] + (1 - b1) * g;
                m2[i] = b2 * m2[i] + (1 - b2) * g * g;
                params[i] -= lr * (m1[i] * c1) / (sqrt(m2[i] * c2) + eps);
            }
        }
    }
    const double loss = loss_and_gradient(sc, params, lambdas, y, grad);
    if (status != RG_DIVERGED && !representable(loss)) status = RG_DIVERGED;
    if (status == RG_MAX_STEPS && step >= tr->window && step % tr->window == 0
        && rg_converged(tr->tol, window_start, loss)) {
        status = RG_CONVERGED;
    }
    if (step == max_steps && step % tr->trace_every == 0) trace[step / tr->trace_every] = (float)loss;
    double norm = 0;
    for (long i = 0; i < stride; i++) norm += grad[i] * grad[i];
    outcome[0] = loss;
    outcome[1] = sqrt(norm);
    outcome[2] = step;
    outcome[3] = status;
}

int mlp_train_fused_f64(const rg_f64_net *n, const rg_f64_train *tr, const double *x, const double *y,
                        double *params, const double *lambdas, const double *lrs, double *grad, float *trace,
                        double *outcome) {
    const long stride = rg_f64_stride(n);
    if (stride < 0 || tr->max_steps < 1 || tr->window < 1 || tr->trace_every < 1 || tr->opt_kind < RG_GD
        || tr->opt_kind > RG_ADAM) {
        return RG_EBADARG;
    }
    const long p = n->samples;
    long widest = n->dims[n->depth + 1], hidden = 0;
    for (int l = 0; l <= n->depth; l++) {
        if (n->dims[l] > widest) widest = n->dims[l];
        if (l < n->depth) hidden += n->dims[l + 1];
    }
    /* z, a and the tanh cache per hidden layer, F, G_A, G_Z, a transpose, last finite parameters, two moments */
    const size_t doubles = (size_t)(3 * hidden * p + n->dims[n->depth + 1] * p + 3 * widest * p + 3 * stride);
    double *mem = calloc(doubles, sizeof(double));
    if (mem == NULL) return RG_ENOMEM;
    f64_scratch sc = {.net = n};
    double *at = mem;
    sc.a[0] = (double *)x;
    for (int l = 0; l < n->depth; l++) {
        const long len = (long)n->dims[l + 1] * p;
        sc.z[l] = at;
        sc.a[l + 1] = at + len;
        sc.tc[l] = at + 2 * len;
        at += 3 * len;
    }
    sc.out = at;
    at += (long)n->dims[n->depth + 1] * p;
    sc.grad_a = at;
    at += widest * p;
    sc.grad_z = at;
    at += widest * p;
    sc.in_t = at;
    at += widest * p;
    double *last_finite = at, *m1 = at + stride, *m2 = at + 2 * stride;
    train(&sc, tr, stride, params, lambdas, lrs, y, grad, trace, last_finite, m1, m2, outcome);
    free(mem);
    return RG_OK;
}
