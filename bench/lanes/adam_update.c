/*
 * Is the lanes' Adam update (repgeom_soa.c, soa_update_range) worth taking off the divider? Times the update
 * loop of a width-64 group (771 parameter vectors, the loop's own loads, stores and multiply-adds) with
 * Adam's m / (sqrt(v) + eps) computed five ways, and checks the accuracy of the estimate-based ones:
 *
 *   exact      vsqrtps + vdivps (what repgeom_soa.c does)
 *   no-divider the loop without the square root and division (not Adam: the floor any replacement has)
 *   rcp        exact square root, quotient from the reciprocal estimate and one residual correction
 *   rsqrt      square root from the reciprocal square root estimate and one Newton correction, exact division
 *   both       both estimates, the denominator kept as an unevaluated sum (so that the result stays within
 *              2 ulp of the exact path), falling back to exact arithmetic for any vector with a lane outside
 *              the estimates' range (v = inf, NaN, a denominator of 0 or beyond 2^125, an infinite result)
 *
 * On AVX-512 the estimates are vrcp14ps / vrsqrt14ps (relative error 2^-14); on AVX2 vrcpps / vrsqrtps
 * (1.5 * 2^-12), each refined by one more Newton step first. Accuracy: 4 M random (numerator, v) pairs with
 * v from 0, below 2^-100, above 2^100 and [2^-60, 2^20], numerators of either sign in [2^-40, 2^20], flush
 * to zero on as in training; the largest distance in ulp from the exact float path and from the value in
 * double.
 *
 *   gcc -O3 -fno-math-errno -march=x86-64-v4 -mprefer-vector-width=512 bench/lanes/adam_update.c -o /tmp/adam -lm
 *   gcc -O3 -fno-math-errno -march=x86-64-v3 bench/lanes/adam_update.c -o /tmp/adam2 -lm
 */
#include <float.h>
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
#define VLEN 16
#elif defined(__AVX2__) && defined(__FMA__)
#define VLEN 8
#else
#error "needs AVX-512 or AVX2 with FMA"
#endif

typedef float vf __attribute__((vector_size(VLEN * sizeof(float))));
typedef int32_t vi __attribute__((vector_size(VLEN * sizeof(int32_t))));

static inline vf vsel(vi m, vf a, vf b) { return (vf)((m & (vi)a) | (~m & (vi)b)); }
static inline vf vmax(vf a, vf b) { return vsel(a > b, a, b); }
static inline vf vmin(vf a, vf b) { return vsel(a > b, b, a); }

static inline int any(vi m) {
#if VLEN == 16
    return _mm512_test_epi32_mask((__m512i)m, (__m512i)m) != 0;
#else
    return _mm256_movemask_ps((__m256)m) != 0;
#endif
}

static inline vf rcp_est(vf d) {
#if VLEN == 16
    return (vf)_mm512_rcp14_ps((__m512)d);
#else
    vf r = (vf)_mm256_rcp_ps((__m256)d);
    return r + r * (1.0f - d * r);
#endif
}

static inline vf rsqrt_est(vf q) {
#if VLEN == 16
    return (vf)_mm512_rsqrt14_ps((__m512)q);
#else
    vf r = (vf)_mm256_rsqrt_ps((__m256)q);
    return r * (1.5f - (0.5f * q) * r * r);
#endif
}

static inline vf vsqrt(vf q) {
    vf s;
    for (int j = 0; j < VLEN; j++) s[j] = sqrtf(q[j]);
    return s;
}

static inline vf q_exact(vf num, vf q, float eps) { return num / (vsqrt(q) + eps); }

static inline vf q_none(vf num, vf q, float eps) { return num * (q + eps); }

static inline vf q_rcp(vf num, vf q, float eps) {
    const vf d = vsqrt(q) + eps, r = rcp_est(d), y = num * r;
    const vf out = y + r * (num - d * y);
    if (__builtin_expect(any(~(out - out == 0.0f) | (d > 0x1p125f) | (d < 0x1p-125f)), 0)) return num / d;
    return out;
}

static inline vf q_rsqrt(vf num, vf q, float eps) {
    const vf r = rsqrt_est(vmax(q, (vf){0} + FLT_MIN)), s = q * r;
    return num / ((s + (0.5f * r) * (q - s * s)) + eps);
}

static inline vf q_both(vf num, vf q, float eps) {
    const vf r = rsqrt_est(vmax(q, (vf){0} + FLT_MIN)), s = q * r;
    const vf corr = (0.5f * r) * (q - s * s); /* sqrt(q) = s + corr to about 2^-28 */
    const vf ev = (vf){0} + eps, big = vmax(s, ev), small = vmin(s, ev);
    const vf hi = big + small, lo = (small - (hi - big)) + corr; /* sqrt(q) + eps = hi + lo */
    const vf rd = rcp_est(hi), y = num * rd;
    const vf out = y + rd * ((num - hi * y) - lo * y);
    if (__builtin_expect(any(~(out - out == 0.0f) | (hi > 0x1p125f) | (hi < 0x1p-125f)), 0)) return q_exact(num, q, eps);
    return out;
}

#define S 771 /* parameter vectors of a width-64 group at P = 8, dX = 8, dY = 3 */
static vf th[S], gr[S], m1[S], m2[S], nx[S];

/* The Adam case of soa_update_range with the quotient computed by Q. */
#define UPDATE(Q)                                                                              \
    static __attribute__((noinline)) vf update_##Q(vf lr, vf c1, vf c2, vf lam2) {             \
        const float b1 = 0.9f, b2 = 0.999f, ob1 = 0.1f, ob2 = 0.001f, eps = 1e-8f;             \
        vf s = {0}, chk = {0};                                                                 \
        for (long i = 0; i < S; i++) {                                                         \
            vf g = gr[i] + lam2 * th[i];                                                       \
            chk += g - g;                                                                      \
            vf m = b1 * m1[i] + ob1 * g, v = b2 * m2[i] + ob2 * g * g;                         \
            m1[i] = m;                                                                         \
            m2[i] = v;                                                                         \
            vf n = th[i] - Q(lr * (m * c1), v * c2, eps);                                      \
            nx[i] = n;                                                                         \
            s += n * n;                                                                        \
        }                                                                                      \
        return s + chk;                                                                        \
    }
UPDATE(q_exact)
UPDATE(q_none)
UPDATE(q_rcp)
UPDATE(q_rsqrt)
UPDATE(q_both)

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static float with_exponent(int lo, int hi) { /* random mantissa, exponent uniform in [lo, hi] */
    uint32_t b = (uint32_t)(lo + (int)(next() % (uint64_t)(hi - lo + 1)) + 127) << 23 | (uint32_t)(next() & 0x7fffff);
    float f;
    memcpy(&f, &b, 4);
    return f;
}
static long ulps(float a, float b) { /* distance in representable floats */
    int32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    if (x < 0) x = INT32_MIN - x;
    if (y < 0) y = INT32_MIN - y;
    long d = (long)x - y;
    return d < 0 ? -d : d;
}

static void accuracy(const char *name, vf (*q)(vf, vf, float)) {
    const float eps = 1e-8f;
    long worst = 0;
    double worst_math = 0;
    for (long it = 0; it < 4000000 / VLEN; it++) {
        vf num, v;
        for (int j = 0; j < VLEN; j++) {
            num[j] = with_exponent(-40, 20) * (next() & 1 ? 1.0f : -1.0f);
            int k = (int)(next() % 8);
            v[j] = k == 0 ? 0.0f : k == 1 ? with_exponent(-126, -100) : k == 2 ? with_exponent(100, 127) : with_exponent(-60, 20);
        }
        const vf a = q(num, v, eps), e = q_exact(num, v, eps);
        for (int j = 0; j < VLEN; j++) {
            const double m = (double)num[j] / (sqrt((double)v[j]) + (double)eps);
            if (fabs(m) < 0x1p-124 || fabs(m) > FLT_MAX) continue; /* flushed or overflowing: not compared */
            const long d = ulps(a[j], e[j]);
            if (d > worst) worst = d;
            const float mf = (float)m;
            const double u = (double)nextafterf(fabsf(mf), INFINITY) - fabsf(mf), dm = fabs((double)a[j] - m) / u;
            if (dm > worst_math) worst_math = dm;
        }
    }
    printf("%-10s accuracy: at most %ld ulp from the exact float path, %.2f ulp from the value in double\n", name,
           worst, worst_math);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void) {
    _mm_setcsr(_mm_getcsr() | 0x8040); /* flush to zero, denormals are zero: as in training */
    accuracy("exact", q_exact);
    accuracy("rcp", q_rcp);
    accuracy("rsqrt", q_rsqrt);
    accuracy("both", q_both);
    for (long i = 0; i < S; i++) {
        for (int j = 0; j < VLEN; j++) {
            th[i][j] = 0.1f * (float)(j + 1) / (float)(i + 1);
            gr[i][j] = 0.01f * (float)(i % 7 - 3) * (float)(j + 1);
            m1[i][j] = 1e-3f;
            m2[i][j] = 1e-6f;
        }
    }
    const vf lr = (vf){0} + 1e-3f, one = (vf){0} + 1.0f, lam2 = (vf){0} + 2e-4f;
    vf (*fn[])(vf, vf, vf, vf) = {update_q_exact, update_q_none, update_q_rcp, update_q_rsqrt, update_q_both};
    const char *names[] = {"exact", "no-divider", "rcp", "rsqrt", "both"};
    double best[5] = {1e30, 1e30, 1e30, 1e30, 1e30};
    vf sink = {0};
    for (int rep = 0; rep < 5; rep++) { /* interleaved, the best of 5 */
        for (int k = 0; k < 5; k++) {
            double t0 = now();
            for (int r = 0; r < 20000; r++) sink += fn[k](lr, one, one, lam2);
            double ns = (now() - t0) * 1e9 / 20000 / S;
            if (ns < best[k]) best[k] = ns;
        }
    }
    for (int k = 0; k < 5; k++) printf("%-10s %.2f ns per %d-float vector of the update (best of 5)\n", names[k], best[k], VLEN);
    return sink[0] == 12345.0f; /* keeps the loops */
}
