/*
 * The native backend's float tanh (native/repgeom_activations.h): speed and accuracy of rg_tanh_v (on AVX-512
 * the table of bench/lanes/tanh_table.py) against rg_tanh_exp_v (the exp-and-divide form, what AVX2 and the
 * baseline use) and glibc's tanhf.
 *
 *   gcc -std=gnu11 -O3 -fno-math-errno -march=x86-64-v4 -mtune=generic -mprefer-vector-width=512 -DRG_VLEN=16 \
 *       -I native bench/lanes/tanh_bench.c -o /tmp/tanh_bench -lm
 *   /tmp/tanh_bench time [RUNS]          ns per vector, table and exp form interleaved, min and median
 *   /tmp/tanh_bench acc table|exp|glibc [FROM [TO]]   every float in [FROM, TO] (default [0, 12]) against
 *                                        double tanh: largest distance in ulp, where, how many beyond 0.5 / 1 ulp
 *   /tmp/tanh_bench special              odd (bit for bit, every float in [0, 12]), +-inf, NaN, -0, flush to zero
 *
 * The same flags as native/build.sh's variant (-march=x86-64-v3 -DRG_VLEN=8 for AVX2, none and -DRG_VLEN=4
 * for the baseline), so that the functions compile as they do in the library. The ulp of a value t is
 * 2^(e - 23) for t in [2^e, 2^(e+1)) (2^-149 below 2^-126).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xmmintrin.h>

#include "repgeom_activations.h"

static float from_bits(uint32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint32_t to_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static double ulps(float y, double t) {
    if (t == 0.0) return y == 0.0f ? 0.0 : INFINITY;
    int e = ilogb(t);
    if (e < -126) e = -126;
    return fabs((double)y - t) / ldexp(1.0, e - 23);
}

static vf scalar_tanhf(vf x) {
    vf y;
    for (int l = 0; l < RG_VLEN; l++) y[l] = tanhf(x[l]);
    return y;
}

typedef vf (*tanh_fn)(vf); /* for the accuracy loop; the timings inline the functions */

static vf table_fn(vf x) { return rg_tanh_v(x); }
static vf exp_fn(vf x) { return rg_tanh_exp_v(x); }

static int accuracy(const char *which, float from, float to) {
    tanh_fn f = strcmp(which, "table") == 0 ? table_fn : strcmp(which, "exp") == 0 ? exp_fn
              : strcmp(which, "glibc") == 0 ? scalar_tanhf : NULL;
    if (f == NULL) return 2;
    double worst = 0.0;
    float worst_x = 0.0f;
    long above_half = 0, above_one = 0, n = 0;
    for (uint32_t b = to_bits(from); b <= to_bits(to); b += RG_VLEN) {
        vf x;
        for (int l = 0; l < RG_VLEN; l++) x[l] = from_bits(b + (uint32_t)l);
        vf y = f(x);
        for (int l = 0; l < RG_VLEN && b + (uint32_t)l <= to_bits(to); l++) {
            double e = ulps(y[l], tanh((double)x[l]));
            n++;
            above_half += e > 0.5;
            above_one += e > 1.0;
            if (e > worst) {
                worst = e;
                worst_x = x[l];
            }
        }
    }
    printf("%s over [%g, %g] (%ld floats, RG_VLEN %d): max %.4f ulp at x = %.9g (tanh %.9g); > 0.5 ulp: %ld, > 1 ulp: %ld\n",
           which, from, to, n, RG_VLEN, worst, worst_x, tanh((double)worst_x), above_half, above_one);
    return 0;
}

static int same_bits(float a, float b) { return to_bits(a) == to_bits(b); }

static int special(void) {
    long bad = 0;
    /* odd, bit for bit, and |tanh| <= 1 (0 and -0 below) */
    for (uint32_t b = 1; b <= to_bits(12.0f); b += RG_VLEN) {
        vf x;
        for (int l = 0; l < RG_VLEN; l++) x[l] = from_bits(b + (uint32_t)l);
        vf y = rg_tanh_v(x), ny = rg_tanh_v(-x);
        for (int l = 0; l < RG_VLEN; l++) bad += !same_bits(ny[l], -y[l]) || !(y[l] <= 1.0f);
    }
    printf("odd over every float in (0, 12]: %s\n", bad ? "NO" : "yes");
    vf x = {0};
    static volatile const float cases[] = {INFINITY, -INFINITY, NAN, -NAN, 0.0f, -0.0f, 12.0f, 1e30f, -1e30f, 9.02f, 1e-40f, -1e-40f};
    const int nc = (int)(sizeof cases / sizeof cases[0]);
    int fails = 0;
    for (int pass = 0; pass < 2; pass++) {
        unsigned csr = _mm_getcsr();
        if (pass == 1) _mm_setcsr(csr | 0x8040u); /* flush to zero and denormals are zero, as in training */
        for (int c = 0; c < nc; c += RG_VLEN) {
            for (int l = 0; l < RG_VLEN; l++) x[l] = cases[(c + l) % nc];
            vf y = rg_tanh_v(x);
            for (int l = 0; l < RG_VLEN && c + l < nc; l++) {
                float want = isnan(x[l]) ? x[l] : isinf(x[l]) ? copysignf(1.0f, x[l]) : (float)tanh((double)x[l]);
                if (pass == 1 && fabsf(x[l]) < 1.2e-38f) want = copysignf(0.0f, x[l]);
#ifndef RG_TANH_TABLE
                if (x[l] == 0.0f) want = 0.0f; /* the exp form gives tanh(-0) = +0 */
#endif
                int ok = isnan(want) ? isnan(y[l]) : same_bits(y[l], want);
                printf("%s tanh(%g) = %g (%08x, expected %08x)%s\n", pass ? "ftz" : "   ", x[l], y[l], to_bits(y[l]), to_bits(want), ok ? "" : "  WRONG");
                fails += !ok;
            }
        }
        _mm_setcsr(csr);
    }
    return bad || fails ? 1 : 0;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define NV 256 /* 256 vectors in and out: in L1 */

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The functions inlined into their own loops (as in activate), not called through a pointer. */
static double time_table(const vf *in, vf *out, int reps) {
    double t0 = now();
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < NV; i++) out[i] = rg_tanh_v(in[i]);
        __asm__ volatile("" : : "r"(out) : "memory");
    }
    return (now() - t0) * 1e9 / ((double)reps * NV);
}

static double time_exp(const vf *in, vf *out, int reps) {
    double t0 = now();
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < NV; i++) out[i] = rg_tanh_exp_v(in[i]);
        __asm__ volatile("" : : "r"(out) : "memory");
    }
    return (now() - t0) * 1e9 / ((double)reps * NV);
}

static int timing(int runs) {
    static vf in[NV], out[NV];
    unsigned long long s = 42;
    for (int i = 0; i < NV; i++) {
        for (int l = 0; l < RG_VLEN; l++) { /* pre-activations of either sign, mostly within [-4, 4] */
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            in[i][l] = ((float)(s >> 40) / 16777216.0f * 2.0f - 1.0f) * 4.0f;
        }
    }
    const int reps = 20000;
    double tt[64], te[64];
    if (runs > 64) runs = 64;
    time_table(in, out, reps / 4);
    time_exp(in, out, reps / 4);
    for (int k = 0; k < runs; k++) {
        tt[k] = time_table(in, out, reps);
        te[k] = time_exp(in, out, reps);
        printf("run %d: table %.3f ns, exp %.3f ns per %d-float vector\n", k, tt[k], te[k], RG_VLEN);
    }
    qsort(tt, (size_t)runs, sizeof(double), cmp);
    qsort(te, (size_t)runs, sizeof(double), cmp);
    printf("RG_VLEN %d, %d runs: table min %.3f median %.3f; exp min %.3f median %.3f ns per vector; exp/table by min %.2f, by median %.2f\n",
           RG_VLEN, runs, tt[0], tt[runs / 2], te[0], te[runs / 2], te[0] / tt[0], te[runs / 2] / tt[runs / 2]);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "time") == 0) return timing(argc > 2 ? atoi(argv[2]) : 7);
    if (argc >= 3 && strcmp(argv[1], "acc") == 0)
        return accuracy(argv[2], argc > 3 ? strtof(argv[3], NULL) : 0.0f, argc > 4 ? strtof(argv[4], NULL) : 12.0f);
    if (argc >= 2 && strcmp(argv[1], "special") == 0) return special();
    fprintf(stderr, "usage: %s time [RUNS] | acc table|exp|glibc [FROM [TO]] | special\n", argv[0]);
    return 2;
}
