/*
 * The CPU's FP32 fused-multiply-add peak, measured: every thread runs independent chains of
 * vector FMAs (enough chains to hide the FMA latency) on registers only, so nothing but the FMA
 * pipes limits it. Compiled per ISA (-mavx512f, -mavx2 -mfma); prints one JSON line.
 *
 *   gcc -O2 -mavx512f -fopenmp -o fma_peak bench/peak/fma_peak.c && ./fma_peak
 *   (bench/run.sh builds both ISA variants and reports the larger)
 *
 * Why: numpy's OpenBLAS may use narrower kernels than the CPU has (here it runs its AVX2 "Haswell"
 * kernels on an AVX-512 machine), so its SGEMM rate understates what the hardware can do.
 */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define WIDTH 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1(x) _mm512_set1_ps(x)
#define REDUCE(v) _mm512_reduce_add_ps(v)
#define ISA "avx512f"
#else
typedef __m256 vec;
#define WIDTH 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1(x) _mm256_set1_ps(x)
static float REDUCE(__m256 v) {
    float t[8];
    _mm256_storeu_ps(t, v);
    return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#define ISA "avx2+fma"
#endif

#define CHAINS 12 /* independent accumulators: latency 4 x 2 pipes needs >= 8 */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Runs `iters` rounds of CHAINS FMAs on one thread; returns a value so the work is not removed. */
static float chains(long iters, float seed) {
    vec acc[CHAINS];
    for (int c = 0; c < CHAINS; c++) acc[c] = SET1(seed + c);
    const vec a = SET1(0.999999f), b = SET1(1e-7f);
    for (long i = 0; i < iters; i++) {
        /* fully unrolled, so the accumulators live in registers (else it measures load/store) */
#pragma GCC unroll 16
        for (int c = 0; c < CHAINS; c++) acc[c] = FMA(acc[c], a, b);
    }
    float s = 0;
    for (int c = 0; c < CHAINS; c++) s += REDUCE(acc[c]);
    return s;
}

int main(void) {
    const long iters = 200000000L / CHAINS;
    int threads = omp_get_max_threads();
    double best = 0, times[7];
    float sink = 0;
    for (int rep = 0; rep < 7; rep++) {
        double t0 = now();
#pragma omp parallel reduction(+ : sink)
        sink += chains(iters, (float)omp_get_thread_num());
        times[rep] = now() - t0;
    }
    /* sort for the median */
    for (int i = 0; i < 7; i++)
        for (int j = i + 1; j < 7; j++)
            if (times[j] < times[i]) { double t = times[i]; times[i] = times[j]; times[j] = t; }
    double flops = 2.0 * WIDTH * CHAINS * (double)iters * threads;
    best = flops / times[0] / 1e9;
    printf("{\"peak\": \"fma\", \"isa\": \"%s\", \"threads\": %d, \"gflops_best\": %.1f, \"gflops_median\": %.1f, "
           "\"sink\": %g}\n", ISA, threads, best, flops / times[3] / 1e9, (double)sink);
    return 0;
}
