/*
 * CPU seconds of one mlp_train_fused call at the README example's shapes (P = 8, dX = 8, dY = 3, one hidden
 * layer, Adam with the example's settings), for A/B runs of two builds of librepgeom.so (loaded with dlopen,
 * so the same driver times both). Prints the call's CPU seconds and a hash of the trained parameters, steps
 * and statuses, so that two libraries can also be checked to give the same bits.
 *
 *   gcc -O2 -I native bench/lanes/lanes_step.c -o /tmp/lanes_step -ldl
 *   /tmp/lanes_step LIB WIDTH ACTIVATION STEPS MEMBERS [ISA [TOL]]
 *
 * ACTIVATION: relu or tanh; ISA: 2 = best available (default), 1 = at most AVX2, 0 = baseline
 * (rg_limit_isa); TOL: the stop rule's tolerance (default 0: every member takes every step; 1e-8 is the
 * example's). Members have learning rate 1e-2 and lambdas 1e-2 / 1e-3 alternately, as in the example.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "repgeom_kernels.h"

typedef int (*train_fn)(const rg_config *, const float *, const float *, float *, const float *, const double *,
                        float *, double *, double *, int32_t *, int32_t *, int, int);

static unsigned long long state = 12345;

static float uniform(void) { /* in [-1, 1) */
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)(state >> 40) / 16777216.0f * 2.0f - 1.0f;
}

static unsigned long long fnv(unsigned long long h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s LIB WIDTH relu|tanh STEPS MEMBERS [ISA [TOL]]\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (lib == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return 2;
    }
    train_fn train = (train_fn)dlsym(lib, "mlp_train_fused");
    int (*limit_isa)(int) = (int (*)(int))dlsym(lib, "rg_limit_isa");
    const char *(*isa)(void) = (const char *(*)(void))dlsym(lib, "rg_isa");
    if (train == NULL || limit_isa == NULL || isa == NULL) {
        fprintf(stderr, "%s: not a repgeom library\n", argv[1]);
        return 2;
    }
    const int width = atoi(argv[2]), steps = atoi(argv[4]), members = atoi(argv[5]);
    limit_isa(argc > 6 ? atoi(argv[6]) : 2);
    rg_config c;
    memset(&c, 0, sizeof c);
    c.depth = 1;
    c.dims[0] = 8;
    c.dims[1] = width;
    c.dims[2] = 3;
    c.bias_all = RG_BIAS_FIRST;
    c.activation = strcmp(argv[3], "tanh") == 0 ? RG_TANH : RG_RELU;
    c.samples = 8;
    c.opt_kind = RG_ADAM;
    c.final_lr_ratio = 1e-4;
    c.beta1 = 0.9;
    c.beta2 = 0.999;
    c.eps = 1e-8;
    c.max_steps = steps;
    c.tol = argc > 7 ? atof(argv[7]) : 0.0;
    c.window = 1000;
    c.trace_every = 100;
    const long stride = (long)width * 8 + width + 3L * width, tlen = steps / 100 + 1;
    float x[64], y[24];
    for (int i = 0; i < 64; i++) x[i] = uniform();
    for (int t = 0; t < 8; t++) {
        for (int o = 0; o < 3; o++) y[o * 8 + t] = (t >> o & 1) ? 1.0f : -1.0f; /* the dY = 3 hypercube's labels */
    }
    float *params = malloc(sizeof(float) * stride * members), *lambdas = malloc(sizeof(float) * 2 * members);
    float *trace = malloc(sizeof(float) * tlen * members);
    double *lrs = malloc(sizeof(double) * members), *loss = malloc(sizeof(double) * members);
    double *norm = malloc(sizeof(double) * members);
    int32_t *done = malloc(sizeof(int32_t) * members), *status = malloc(sizeof(int32_t) * members);
    for (long i = 0; i < stride * members; i++) params[i] = 0.5f * uniform();
    for (int e = 0; e < members; e++) {
        lambdas[2 * e] = lambdas[2 * e + 1] = e % 2 ? 1e-2f : 1e-3f;
        lrs[e] = 1e-2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    int rc = train(&c, x, y, params, lambdas, lrs, trace, loss, norm, done, status, 0, members);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    unsigned long long h = fnv(1469598103934665603ULL, params, sizeof(float) * stride * members);
    h = fnv(fnv(h, done, sizeof(int32_t) * members), status, sizeof(int32_t) * members);
    long member_steps = 0;
    int converged = 0;
    for (int e = 0; e < members; e++) {
        member_steps += done[e];
        converged += status[e] == RG_CONVERGED;
    }
    printf("isa=%s rc=%d cpu_s=%.4f hash=%016llx member_steps=%ld converged=%d\n", isa(), rc,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), h, member_steps, converged);
    return rc == RG_OK ? 0 : 1;
}
