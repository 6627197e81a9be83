/*
 * repgeom CUDA kernels (issue #4): the GPU twins of org.repgeom.backend.JavaBackend.mlp_train_fused,
 * org.repgeom.model.Mlp.forward + hidden(layer) and org.repgeom.model.InitialWeights /
 * org.repgeom.rng.Philox4x32, under the same names:
 *
 *   mlp_train_fused   trains members of one group, every step of every member inside one launch
 *                     (one entry point per memory placement: mlp_train_fused_on_chip, ...)
 *   mlp_forward       the post-activation representation of one hidden layer
 *   philox_init       initial parameters from (seed, layer, index), as InitialWeights.fill
 *
 * Semantics are those of the Java reference and of native/repgeom_train.c, in float32 (loss and
 * gradient-norm sums in double): L = ||Y - F||^2 + sum_l lambda_l ||[W_l, b_l]||^2, every activation
 * with the left derivative at kinks, GD / momentum / Adam with the geometric learning-rate schedule,
 * the window stop rule plus the end-of-budget check, the loss trace every trace_every steps, and
 * DIVERGED (a loss float32 cannot hold, see representable, or a non-finite gradient) with the last
 * finite parameters restored.
 *
 * Execution model. A *team* of T threads (a multiple of 32 on a GPU) owns one member at a time: its
 * parameters, activations and gradients live in shared memory (or, for shapes that do not fit, in a
 * per-team global scratch area: every array is reached through a plain pointer, so the same code
 * runs either way), and the team runs the member's whole training loop. A block holds
 * teams_per_block teams that share one copy of X and Y; teams synchronise with named barriers
 * (bar.sync id, T) and never wait for each other, so members that stop early free their team for
 * the next member (taken from a global atomic counter). The host (Java: CudaLaunchPlan) computes
 * every offset and size and passes them in rg_cuda_config; the kernel trusts them.
 *
 * Per step a team runs L+1 forward GEMMs (epilogue: bias, activation; for the readout the error,
 * its square summed in double, and G_F = 2(F - Y)), then per layer from the top: the hidden error
 * G_{l-1} = (W_l^T G_l) * phi'(Z_{l-1}) written over Z_{l-1}, and the weight gradient
 * G_l A_{l-1}^T whose epilogue applies the optimiser update in place (no gradient array). Each GEMM
 * is register-tiled: a thread owns RG_TR x RG_TC outputs, rows contiguous, columns interleaved so
 * that neighbouring lanes read neighbouring shared-memory words; every sample-axis array has an odd
 * row stride ldp and every weight matrix an odd row stride ldw, which keeps the transposed reads
 * free of bank conflicts.
 *
 * Divergence by replay: parameters are updated in place, so there is no copy of the previous
 * parameters to restore. When step s turns out non-finite, the team reloads the initial parameters
 * (still untouched in global memory: results are written back only at the end) and replays steps
 * 0 .. s-2 with exactly the same code and thread layout, which reproduces theta_{s-1} bit for bit.
 * Divergence is rare; the common path pays nothing for it.
 *
 * Host emulation. Everything except the three __global__ wrappers is plain C++ that also compiles
 * for the host (cuda/rg_emulator.cpp includes this file with g++): there a team is T std::threads,
 * team_sync a barrier, a "warp" one thread. The Java tests run the emulator against the Java
 * reference, so the kernel's arithmetic, indexing and control flow are checked without a GPU.
 *
 * NVRTC: this file includes no header, so it also compiles at run time (CudaBackend's fallback).
 */

#if defined(__CUDACC__)
#define RG_DEV __device__ __forceinline__
#define RG_MEMBER __device__ __forceinline__
#define RG_UNROLL(n) _Pragma(#n)
#else
#define RG_DEV static inline
#define RG_MEMBER inline
#define RG_UNROLL(n)
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Ids (ordinals of the Java enums) and the launch configuration                                   */
/* ---------------------------------------------------------------------------------------------- */

/* Activation ids: org.repgeom.model.Activation ordinals. */
#define RG_RELU 0
#define RG_LEAKY_RELU 1
#define RG_CLIPPED_RELU 2
#define RG_LINEAR 3
#define RG_TANH 4
#define RG_GELU 5
/* Optimiser ids: org.repgeom.train.OptimizerKind ordinals. */
#define RG_GD 0
#define RG_MOMENTUM 1
#define RG_ADAM 2
/* Member status: org.repgeom.train.MemberStatus ordinals. */
#define RG_CONVERGED 0
#define RG_MAX_STEPS 1
#define RG_DIVERGED 2

/* Most hidden layers (as the C backend); weight layers = depth + 1. */
#define RG_MAX_DEPTH 16
#define RG_MAX_LAYERS (RG_MAX_DEPTH + 1)
/* Most threads per block (the kernels' launch bound). */
#define RG_MAX_BLOCK_THREADS 256
/* Register tile of one thread in a team GEMM: RG_TR rows x RG_TC columns. */
#ifndef RG_TR
#define RG_TR 4
#endif
#ifndef RG_TC
#define RG_TC 4
#endif
/* Values one team reduction carries at most. */
#define RG_RED_VALS 4
/* Most k-slices of a split GEMM (FusedLayout.MAX_SPLIT): partial sums summed in registers. */
#define RG_MAX_SPLIT 16

/* Placement bits (rg_cuda_config.place): which arrays live in global memory instead of shared. */
#define RG_PLACE_XY 1       /* X and Y: read from the padded global copies */
#define RG_PLACE_THETA 2    /* hidden layers' parameters: per-team global scratch */
#define RG_PLACE_ACT 4      /* hidden layers' Z_l, A_l: per-team global scratch */
#define RG_PLACE_MOMENTS 8  /* optimiser moments: per-team global scratch */
#define RG_PLACE_F 16       /* F (G_F): per-team global scratch */
#define RG_PLACE_READOUT 32 /* the readout layer's parameters: per-team global scratch */
/* The placements CudaLaunchPlan chooses from (FusedLayout.Placement), most on-chip first. */
#define RG_ON_CHIP 0
#define RG_MOMENTS_GLOBAL (RG_PLACE_MOMENTS)
#define RG_MOMENTS_XY_GLOBAL (RG_PLACE_MOMENTS | RG_PLACE_XY)
#define RG_HIDDEN_ACTIVATIONS_GLOBAL (RG_PLACE_MOMENTS | RG_PLACE_ACT)
#define RG_ACTIVATIONS_GLOBAL (RG_PLACE_MOMENTS | RG_PLACE_XY | RG_PLACE_ACT | RG_PLACE_F)
#define RG_HIDDEN_GLOBAL (RG_PLACE_MOMENTS | RG_PLACE_ACT | RG_PLACE_THETA)
#define RG_ALL_GLOBAL (RG_PLACE_MOMENTS | RG_PLACE_XY | RG_PLACE_ACT | RG_PLACE_F | RG_PLACE_THETA | RG_PLACE_READOUT)
/*
 * Runs STMT with PLACE a compile-time constant equal to `place`: the team code is instantiated once
 * per placement, so every array pointer has a known memory space (no generic loads in the GEMMs).
 */
#define RG_WITH_PLACEMENT(place, STMT)                                                                      \
    switch (place) {                                                                                       \
        case RG_ON_CHIP: { constexpr int PLACE = RG_ON_CHIP; STMT; } break;                                \
        case RG_MOMENTS_GLOBAL: { constexpr int PLACE = RG_MOMENTS_GLOBAL; STMT; } break;                  \
        case RG_MOMENTS_XY_GLOBAL: { constexpr int PLACE = RG_MOMENTS_XY_GLOBAL; STMT; } break;            \
        case RG_HIDDEN_ACTIVATIONS_GLOBAL: { constexpr int PLACE = RG_HIDDEN_ACTIVATIONS_GLOBAL; STMT; } break; \
        case RG_ACTIVATIONS_GLOBAL: { constexpr int PLACE = RG_ACTIVATIONS_GLOBAL; STMT; } break;          \
        case RG_HIDDEN_GLOBAL: { constexpr int PLACE = RG_HIDDEN_GLOBAL; STMT; } break;                    \
        case RG_ALL_GLOBAL: { constexpr int PLACE = RG_ALL_GLOBAL; STMT; } break;                          \
        default: rg_bad_placement(place);                                                                  \
    }

/*
 * Everything a launch needs to know, computed by the host (org.repgeom.backend.cuda.CudaLaunchPlan,
 * which writes these bytes: doubles first, then 32-bit ints, no padding). Passed by value. Offsets
 * are in floats: x_off / y_off from the block's shared-memory base; theta_off, z_off, a_off, f_off,
 * m1_off, m2_off from the team's region in shared memory or, per the place bits, from the team's
 * global scratch area; red_off always in shared memory (team region).
 */
struct rg_cuda_config {
    double momentum, beta1, beta2, eps, tol;
    int depth;            /* L hidden layers */
    int layers;           /* L + 1 */
    int activation;       /* RG_RELU ... */
    int opt_kind;         /* RG_GD ... */
    int samples;          /* P */
    int ldp;              /* row stride of every sample-axis array (odd, >= P) */
    int max_steps, window, trace_every, trace_len;
    int stride;           /* packed parameters per member (ParamLayout.stride) */
    int theta_size;       /* floats of the internal (padded) parameter layout */
    int team_threads;     /* T */
    int teams_per_block;
    int shared_floats;    /* block-shared part of shared memory (X, Y), even */
    int team_floats;      /* shared-memory floats per team, even */
    int scratch_floats;   /* global scratch floats per team */
    int place;            /* RG_PLACE_* bits */
    int x_off, y_off;
    int theta_off, f_off, m1_off, m2_off, red_off;
    int split_fwd;        /* k-slices of the readout's forward GEMM (1: not split) */
    int split_wg;         /* k-slices of the readout's weight-gradient GEMM (1: not split) */
    int part_off;         /* split partial sums, team region of shared memory */
    int ro_off;           /* the readout layer's parameters (W_L, b_L): offset of W_L */
    int fin[RG_MAX_LAYERS], fout[RG_MAX_LAYERS];
    int ldw[RG_MAX_LAYERS];      /* internal row stride of W_l (odd, >= fin) */
    int tw[RG_MAX_LAYERS];       /* internal offset of W_l */
    int tb[RG_MAX_LAYERS];       /* internal offset of b_l, -1 without bias */
    int pw[RG_MAX_LAYERS];       /* packed (ParamLayout) offset of W_l */
    int pb[RG_MAX_LAYERS];       /* packed offset of b_l, -1 without bias */
    int z_off[RG_MAX_LAYERS];    /* hidden layer l: Z_l (fout_l x ldp) */
    int a_off[RG_MAX_LAYERS];    /* hidden layer l: A_l = phi(Z_l) */
};
/* FusedLayout.CONFIG_BYTES on the Java side */
static_assert(sizeof(rg_cuda_config) == 5 * 8 + (29 + 9 * RG_MAX_LAYERS) * 4, "rg_cuda_config layout");

/* ---------------------------------------------------------------------------------------------- */
/* Team primitives: the only code that differs between the GPU and the host emulation             */
/* ---------------------------------------------------------------------------------------------- */

/*
 * Threads whose partial sums are combined in registers before a reduction goes through memory: a
 * warp. The host emulator runs warps of one thread, or (built with RG_EMU_WARP=32) warps of 32
 * emulated lanes whose shuffles and __syncwarp go through a lane exchange and a warp barrier, so
 * the device's shuffle reductions and both team_sync paths run on the host too.
 */
#if defined(__CUDACC__)
#define RG_WARP 32
#elif defined(RG_EMU_WARP)
#define RG_WARP RG_EMU_WARP
#else
#define RG_WARP 1
#endif

struct rg_team {
    int tid; /* thread index in the team */
    int n;   /* threads in the team */
    int id;  /* team index in the block */
#if !defined(__CUDACC__)
    rg_host_barrier *bar; /* the team's barrier: defined by the emulator before it includes this file */
    rg_host_warp *warp;   /* this thread's warp: lane exchange and warp barrier (RG_WARP > 1) */
#endif
};

RG_DEV void team_sync(const rg_team &t) {
#if defined(__CUDACC__)
    if (t.n == 32) {
        __syncwarp();
    } else {
        /* named barrier per team; barrier 0 is __syncthreads */
        asm volatile("bar.sync %0, %1;" ::"r"(t.id + 1), "r"(t.n) : "memory");
    }
#else
    if (RG_WARP == 32 && t.n == 32) {
        t.warp->bar.wait(); /* the __syncwarp path */
    } else {
        t.bar->wait();
    }
#endif
}

RG_DEV double warp_sum(const rg_team &t, double v) {
#if defined(__CUDACC__)
    (void)t;
    for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
#else
    for (int off = RG_WARP / 2; off > 0; off >>= 1) v += rg_host_shfl_xor(t.warp, t.tid % RG_WARP, v, off);
#endif
    return v;
}

/*
 * Sums v[0..n) over the team; every thread gets the same sums (butterfly sums are exact
 * commutations of each other, the cross-warp sum runs in one fixed order), so decisions taken on
 * them are uniform across the team. red holds 2 x (T / RG_WARP) x RG_RED_VALS doubles used
 * alternately (parity), so one barrier per reduction suffices: a buffer is rewritten only after
 * the next reduction's barrier, which every reader of the previous one has passed.
 */
RG_DEV void team_reduce(const rg_team &t, double *red, int &parity, double *v, int n) {
    const int nw = t.n / RG_WARP, warp = t.tid / RG_WARP, lane = t.tid % RG_WARP;
    for (int k = 0; k < n; k++) v[k] = warp_sum(t, v[k]);
    double *buf = red + parity * nw * RG_RED_VALS;
    if (lane == 0) {
        for (int k = 0; k < n; k++) buf[warp * RG_RED_VALS + k] = v[k];
    }
    team_sync(t);
    for (int k = 0; k < n; k++) {
        double s = 0.0;
        for (int w = 0; w < nw; w++) s += buf[w * RG_RED_VALS + k];
        v[k] = s;
    }
    parity ^= 1;
}

/* A placement the host never chooses: stop loudly rather than compute with wrong pointers. */
RG_DEV void rg_bad_placement(int place) {
#if defined(__CUDACC__)
    (void)place;
    __trap();
#else
    rg_host_fail("unknown placement bits", place);
#endif
}

RG_DEV int next_member(int *work) {
#if defined(__CUDACC__)
    return atomicAdd(work, 1);
#else
    return rg_host_atomic_add(work, 1);
#endif
}

/* ---------------------------------------------------------------------------------------------- */
/* Scalars                                                                                         */
/* ---------------------------------------------------------------------------------------------- */

RG_DEV bool finite_f(float x) { return x - x == 0.0f; }          /* false for NaN and +-inf */
RG_DEV bool finite_d(double x) { return x - x == 0.0; }
#define RG_FLT_MAX 3.4028234663852886e38
/* The divergence rule of every backend (JavaBackend.representable, representable in native/repgeom_kernels.h):
   float32 can hold the loss x; a larger one, finite in the double sums, is DIVERGED too. */
RG_DEV bool representable(double x) { return fabs(x) <= RG_FLT_MAX; }
#if defined(__CUDACC__)
RG_DEV float nan_f() { return __int_as_float(0x7fc00000); }
RG_DEV double nan_d() { return __longlong_as_double(0x7ff8000000000000ll); }
#else
RG_DEV float nan_f() { return __builtin_nanf(""); }
RG_DEV double nan_d() { return __builtin_nan(""); }
#endif
RG_DEV int min_i(int a, int b) { return a < b ? a : b; }

#define RG_GELU_C 0.7978845608028654f /* sqrt(2/pi) */
#define RG_GELU_A 0.044715f
#define RG_LEAKY 0.01f

/* phi(z), float version of org.repgeom.model.Activation.apply (same kink conventions). */
RG_DEV float act_apply(int act, float z) {
    switch (act) {
        case RG_RELU: return z > 0.0f ? z : 0.0f;
        case RG_LEAKY_RELU: return z > 0.0f ? z : RG_LEAKY * z;
        case RG_CLIPPED_RELU: return z <= 0.0f ? 0.0f : (z >= 1.0f ? 1.0f : z);
        case RG_LINEAR: return z;
        case RG_TANH: return tanhf(z);
        default: return 0.5f * z * (1.0f + tanhf(RG_GELU_C * (z + RG_GELU_A * z * z * z))); /* GELU, tanh form */
    }
}

/* phi'(z) with the left derivative at kinks (Activation.derivative). */
RG_DEV float act_deriv(int act, float z) {
    switch (act) {
        case RG_RELU: return z > 0.0f ? 1.0f : 0.0f;
        case RG_LEAKY_RELU: return z > 0.0f ? 1.0f : RG_LEAKY;
        case RG_CLIPPED_RELU: return (z > 0.0f && z <= 1.0f) ? 1.0f : 0.0f;
        case RG_LINEAR: return 1.0f;
        case RG_TANH: {
            float th = tanhf(z);
            return 1.0f - th * th;
        }
        default: {
            float th = tanhf(RG_GELU_C * (z + RG_GELU_A * z * z * z));
            float du = RG_GELU_C * (1.0f + 3.0f * RG_GELU_A * z * z);
            return 0.5f * (1.0f + th) + 0.5f * z * (1.0f - th * th) * du;
        }
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* The team GEMM                                                                                   */
/* ---------------------------------------------------------------------------------------------- */

/*
 * One thread tile of C = A B: rows i0 .. i0+TR-1 by columns b, b+nb, ..., b+(RG_TC-1)nb, summed over
 * k in [k0, k1) with fmaf from 0 in increasing k, each C(i, j) given to ep(i, j, value). Indices past
 * the edge are clamped for the loads (always valid memory) and their results dropped. The sum of an
 * output depends only on its k range, never on which thread or tile shape computes it.
 */
template <int TR, class Ep>
RG_DEV void gemm_tile(int R, int N, int i0, int b, int nb, int k0, int k1, const float *A, int ai, int ak,
                      const float *B, int bk, int bj, Ep &ep) {
    int ra[TR], cb[RG_TC];
RG_UNROLL(unroll)
    for (int r = 0; r < TR; r++) ra[r] = min_i(i0 + r, R - 1) * ai;
RG_UNROLL(unroll)
    for (int c = 0; c < RG_TC; c++) cb[c] = min_i(b + c * nb, N - 1) * bj;
    float acc[TR][RG_TC];
RG_UNROLL(unroll)
    for (int r = 0; r < TR; r++) {
RG_UNROLL(unroll)
        for (int c = 0; c < RG_TC; c++) acc[r][c] = 0.0f;
    }
RG_UNROLL(unroll 2)
    for (int k = k0; k < k1; k++) {
        float av[TR], bv[RG_TC];
RG_UNROLL(unroll)
        for (int r = 0; r < TR; r++) av[r] = A[ra[r] + k * ak];
RG_UNROLL(unroll)
        for (int c = 0; c < RG_TC; c++) bv[c] = B[k * bk + cb[c]];
RG_UNROLL(unroll)
        for (int r = 0; r < TR; r++) {
RG_UNROLL(unroll)
            for (int c = 0; c < RG_TC; c++) acc[r][c] = fmaf(av[r], bv[c], acc[r][c]);
        }
    }
RG_UNROLL(unroll)
    for (int r = 0; r < TR; r++) {
        if (i0 + r < R) {
RG_UNROLL(unroll)
            for (int c = 0; c < RG_TC; c++) {
                if (b + c * nb < N) ep(i0 + r, b + c * nb, acc[r][c]);
            }
        }
    }
}

/*
 * C(i, j) = sum_{k<K} A(i, k) B(k, j) for i < R, j < N, with A(i, k) = A[i*ai + k*ak] and
 * B(k, j) = B[k*bk + j*bj]; each C(i, j) goes to ep(i, j, value). The R x N outputs are cut into
 * thread tiles of RG_TR consecutive rows by RG_TC columns b, b+nb, b+2nb, ... (nb = ceil(N/RG_TC)),
 * dealt out to the team's threads in order, so neighbouring lanes share their rows (broadcast A
 * reads) and take neighbouring columns. No barrier inside.
 */
template <class Ep>
RG_DEV void team_gemm(const rg_team &t, int R, int N, int K, const float *A, int ai, int ak, const float *B, int bk,
                      int bj, Ep &ep) {
    const int nb = (N + RG_TC - 1) / RG_TC;
    const int tiles = (R + RG_TR - 1) / RG_TR * nb;
    for (int q = t.tid; q < tiles; q += t.n) gemm_tile<RG_TR>(R, N, q / nb * RG_TR, q % nb, nb, 0, K, A, ai, ak, B, bk, bj, ep);
}

/* Split GEMM, first pass: the partial sum of slice s goes to part[(s*R + i)*N + j]. */
struct ep_partial {
    float *part;
    int R, N, s;
    RG_MEMBER void operator()(int i, int j, float v) { part[(s * R + i) * N + j] = v; }
};

/*
 * team_gemm for a GEMM with few output rows and a long k axis (the readout layer: R = dY rows, 3 in
 * the workloads, where 4-row tiles would keep only ceil(R/4) x N/4 threads busy). Tiles are 1 row x
 * RG_TC columns, and the k axis is cut into S slices of ceil(K/S) (S a power of two <= RG_MAX_SPLIT,
 * chosen by the host from the shape alone: FusedLayout.split); every (tile, slice) pair is one
 * thread's work, so the whole team works. With S > 1 the slices' partial sums go through the team's
 * shared buffer `part` (S x R x N floats); after a barrier each output is summed by one thread over
 * its S partials in a fixed pairwise tree and given to ep. The result depends on S only, never on
 * the team size or the warp: the same bits whoever computes it (S = 1: the bits of team_gemm, no
 * barrier). The caller synchronises after it as after team_gemm; part is rewritten only by the next
 * split GEMM, after further barriers.
 */
template <class Ep>
RG_DEV void team_gemm_split(const rg_team &t, int R, int N, int K, const float *A, int ai, int ak, const float *B, int bk,
                            int bj, int S, float *part, Ep &ep) {
    const int nb = (N + RG_TC - 1) / RG_TC;
    const int tiles = R * nb, kl = (K + S - 1) / S;
    if (S <= 1) {
        for (int q = t.tid; q < tiles; q += t.n) gemm_tile<1>(R, N, q / nb, q % nb, nb, 0, K, A, ai, ak, B, bk, bj, ep);
        return;
    }
    for (int q = t.tid; q < tiles * S; q += t.n) {
        const int s = q / tiles, tile = q - s * tiles;
        ep_partial pe = {part, R, N, s};
        gemm_tile<1>(R, N, tile / nb, tile % nb, nb, min_i(s * kl, K), min_i(s * kl + kl, K), A, ai, ak, B, bk, bj, pe);
    }
    team_sync(t);
    const int RN = R * N;
    for (int o = t.tid; o < RN; o += t.n) {
        float v[RG_MAX_SPLIT];
RG_UNROLL(unroll)
        for (int s = 0; s < RG_MAX_SPLIT; s++) v[s] = s < S ? part[s * RN + o] : 0.0f;
        /* pairwise tree: ((v0 + v1) + (v2 + v3)) + ...; the zero padding past S adds exact zeros */
RG_UNROLL(unroll)
        for (int w = 1; w < RG_MAX_SPLIT; w *= 2) {
RG_UNROLL(unroll)
            for (int s = 0; s + w < RG_MAX_SPLIT; s += 2 * w) v[s] += v[s + w];
        }
        const int i = o / N;
        ep(i, o - i * N, v[0]);
    }
}

/* Forward epilogue of hidden layer l: z = v + b_i, a = phi(z). */
struct ep_hidden {
    const float *bias; /* NULL without bias */
    float *z, *a;
    int ldp, act;
    RG_MEMBER void operator()(int i, int j, float v) {
        if (bias) v += bias[i];
        z[i * ldp + j] = v;
        a[i * ldp + j] = act_apply(act, v);
    }
};

/* Forward epilogue of the readout: e = F - Y, loss += e^2 (double), G_F = 2e. */
struct ep_readout {
    const float *y;
    float *g;
    int ldp;
    double loss;
    RG_MEMBER void operator()(int i, int j, float v) {
        float e = v - y[i * ldp + j];
        loss += (double)e * (double)e;
        g[i * ldp + j] = 2.0f * e;
    }
};

/* Hidden error: G_Z = (W^T G) * phi'(Z), written over Z (each element read then written by one thread). */
struct ep_back {
    float *z;
    int ldp, act;
    RG_MEMBER void operator()(int i, int j, float v) {
        float *p = z + i * ldp + j;
        *p = v * act_deriv(act, *p);
    }
};

/* The update of one parameter group (W_l or b_l) from its data gradient. */
struct rg_update {
    bool apply;        /* false: final evaluation, only sum g^2 */
    int opt;
    float lam2, lr, mu, b1, b2, ob1, ob2, eps, c1, c2;
    float sq;          /* sum of the new parameters squared (this layer) */
    double gsq;        /* sum of g^2 (final evaluation) */
    bool bad;          /* a non-finite g was seen */
    float *m1, *m2;

    /* g = data gradient + 2 lambda theta; *p <- update(*p, g) (OptimizerState.update, float32); idx is
       the parameter's index in the internal layout, which the moment arrays share */
    RG_MEMBER void at(float *p, int idx, float graw) {
        float w = *p;
        float g = graw + lam2 * w;
        if (!apply) {
            gsq += (double)g * (double)g;
            return;
        }
        if (!finite_f(g)) bad = true;
        float n;
        if (opt == RG_GD) {
            n = w - lr * g;
        } else if (opt == RG_MOMENTUM) {
            float v = mu * m1[idx] - lr * g;
            m1[idx] = v;
            n = w + v;
        } else {
            float m = b1 * m1[idx] + ob1 * g;
            float v = b2 * m2[idx] + ob2 * g * g;
            m1[idx] = m;
            m2[idx] = v;
            n = w - lr * (m * c1) / (sqrtf(v * c2) + eps);
        }
        *p = n;
        sq += n * n;
    }
};

/* Weight-gradient epilogue: C(i, j) is dL/dW_l[i][j] without the penalty term. */
struct ep_weight {
    rg_update *u;
    float *w; /* W_l */
    int tw, ldw; /* W_l's internal offset (the moments' index) and row stride */
    RG_MEMBER void operator()(int i, int j, float v) { u->at(w + i * ldw + j, tw + i * ldw + j, v); }
};

/* ---------------------------------------------------------------------------------------------- */
/* One member                                                                                      */
/* ---------------------------------------------------------------------------------------------- */

/* Where a team's arrays are for the current member (shared memory or global scratch). */
struct rg_bufs {
    const float *x, *y; /* dX x ldp, dY x ldp */
    float *th;          /* internal parameter layout of the hidden layers: W_l at th + tw[l], b_l at th + tb[l] */
    float *ro;          /* the readout's parameters: W_L at ro, b_L at ro + tb[L] - tw[L] */
    float *act;         /* base of Z_l (act + z_off[l]) and A_l (act + a_off[l]) */
    float *f;           /* dY x ldp: F, then G_F */
    float *m1, *m2;     /* optimiser moments (theta_size each) */
    float *part;        /* partial sums of the split readout GEMMs (shared) */
    double *red;        /* team reductions */
    int *slot;          /* member index broadcast */
};

template <int PLACE>
RG_DEV rg_bufs team_bufs(const rg_cuda_config &c, float *block_smem, float *team_smem, float *team_scratch,
                         const float *xg, const float *yg) {
    rg_bufs b;
    /* PLACE is a compile-time constant: each pointer comes from exactly one memory space, so the
       compiler addresses it with ld/st.shared or ld/st.global instead of generic loads */
    b.x = (PLACE & RG_PLACE_XY) ? xg : block_smem + c.x_off;
    b.y = (PLACE & RG_PLACE_XY) ? yg : block_smem + c.y_off;
    float *tbase = (PLACE & RG_PLACE_THETA) ? team_scratch : team_smem;
    float *abase = (PLACE & RG_PLACE_ACT) ? team_scratch : team_smem;
    float *mbase = (PLACE & RG_PLACE_MOMENTS) ? team_scratch : team_smem;
    b.th = tbase + c.theta_off;
    b.ro = ((PLACE & RG_PLACE_READOUT) ? team_scratch : team_smem) + c.ro_off;
    b.act = abase;
    b.f = ((PLACE & RG_PLACE_F) ? team_scratch : team_smem) + c.f_off;
    b.m1 = mbase + c.m1_off;
    b.m2 = mbase + c.m2_off;
    b.part = team_smem + c.part_off;
    b.red = (double *)(team_smem + c.red_off);
    b.slot = (int *)(b.red + 2 * (c.team_threads / RG_WARP) * RG_RED_VALS);
    return b;
}

/* Layer l's packed ParamLayout slice -> its W (row stride ldw[l]) and bias (or back, when to_packed). No barrier. */
RG_DEV void copy_layer(const rg_cuda_config &c, const rg_team &t, int l, float *packed, float *w, float *bias,
                       bool to_packed) {
    const int fi = c.fin[l], n = c.fout[l] * fi;
    for (int q = t.tid; q < n; q += t.n) {
        const int i = q / fi, j = q - i * fi;
        float *in = w + i * c.ldw[l] + j, *pk = packed + c.pw[l] + q;
        if (to_packed) *pk = *in; else *in = *pk;
    }
    if (c.tb[l] >= 0) {
        for (int i = t.tid; i < c.fout[l]; i += t.n) {
            if (to_packed) packed[c.pb[l] + i] = bias[i]; else bias[i] = packed[c.pb[l] + i];
        }
    }
}

/* Packed ParamLayout slice -> the team's parameter arrays (or back, when to_packed). No barrier. */
RG_DEV void team_copy_params(const rg_cuda_config &c, const rg_team &t, float *packed, const rg_bufs &b, bool to_packed) {
    for (int l = 0; l < c.depth; l++) copy_layer(c, t, l, packed, b.th + c.tw[l], b.th + c.tb[l], to_packed);
    const int L = c.depth;
    copy_layer(c, t, L, packed, b.ro, b.ro + (c.tb[L] - c.tw[L]), to_packed);
}

/* This thread's share of ||[W_l, b_l]||^2 of layer l, in float. */
RG_DEV float layer_square(const rg_cuda_config &c, const rg_team &t, int l, const float *w, const float *bias) {
    const int fi = c.fin[l], n = c.fout[l] * fi;
    float s = 0.0f;
    for (int q = t.tid; q < n; q += t.n) {
        const int i = q / fi;
        float v = w[i * c.ldw[l] + q - i * fi];
        s += v * v;
    }
    if (c.tb[l] >= 0) {
        for (int i = t.tid; i < c.fout[l]; i += t.n) s += bias[i] * bias[i];
    }
    return s;
}

/* This thread's share of sum_l lambda_l ||[W_l, b_l]||^2 (reduce over the team for the total). */
RG_DEV double partial_penalty(const rg_cuda_config &c, const rg_team &t, const rg_bufs &b, const float *lam) {
    double total = 0.0;
    for (int l = 0; l < c.depth; l++) {
        total += (double)lam[l] * (double)layer_square(c, t, l, b.th + c.tw[l], b.th + c.tb[l]);
    }
    const int L = c.depth;
    total += (double)lam[L] * (double)layer_square(c, t, L, b.ro, b.ro + (c.tb[L] - c.tw[L]));
    return total;
}

/*
 * Forward pass through layer `last` (last = depth: the readout, returning this thread's share of
 * ||Y - F||^2 and leaving G_F in f). Barrier after every layer.
 */
/* Layer l of the forward pass from its input `in` (X or A_{l-1}); the readout's loss share is added to *loss. */
RG_DEV void team_forward_layer(const rg_cuda_config &c, const rg_team &t, const rg_bufs &b, int l, const float *in,
                               double *loss) {
    if (l < c.depth) {
        const float *w = b.th + c.tw[l];
        ep_hidden ep = {c.tb[l] >= 0 ? b.th + c.tb[l] : (const float *)0, (b.act + c.z_off[l]), (b.act + c.a_off[l]), c.ldp, c.activation};
        team_gemm(t, c.fout[l], c.samples, c.fin[l], w, c.ldw[l], 1, in, c.ldp, 1, ep);
    } else {
        ep_readout ep = {b.y, b.f, c.ldp, 0.0};
        team_gemm_split(t, c.fout[l], c.samples, c.fin[l], b.ro, c.ldw[l], 1, in, c.ldp, 1, c.split_fwd, b.part, ep);
        *loss += ep.loss;
    }
}

RG_DEV double team_forward(const rg_cuda_config &c, const rg_team &t, const rg_bufs &b, int last) {
    double loss = 0.0;
    for (int l = 0; l <= last; l++) {
        /* two call sites, not one pointer chosen at run time: X and the activations may sit in
           different memory spaces, and each site keeps its loads explicit */
        if (l == 0) team_forward_layer(c, t, b, l, b.x, &loss);
        else team_forward_layer(c, t, b, l, b.act + c.a_off[l - 1], &loss);
        team_sync(t);
    }
    return loss;
}

/*
 * Backward pass from G_F (in b.f) with the update u applied to every parameter as soon as its
 * gradient is known (or, with u.apply false, only sum g^2). Per layer l from the top: the hidden
 * error of layer l-1 (reads the old W_l; barrier), then dL/dW_l = G_l A_{l-1}^T and dL/db_l = G_l 1
 * with W_l, b_l updated in place. Adds this thread's share of the new penalty to *pen.
 */
RG_DEV void team_backward(const rg_cuda_config &c, const rg_team &t, const rg_bufs &b, const float *lam, rg_update &u,
                          double *pen) {
    /* the readout layer L (depth >= 1): G_F in f, W_L in ro, input A_{L-1}; each pointer from one
       memory space, so the readout has call sites of its own */
    {
        const int L = c.depth, fi = c.fin[L], fo = c.fout[L], ldw = c.ldw[L];
        ep_back eb = {(b.act + c.z_off[L - 1]), c.ldp, c.activation};
        team_gemm(t, fi, c.samples, fo, b.ro, 1, ldw, b.f, c.ldp, 1, eb);
        team_sync(t);
        u.lam2 = 2.0f * lam[L];
        u.sq = 0.0f;
        ep_weight ew = {&u, b.ro, c.tw[L], ldw};
        team_gemm_split(t, fo, fi, c.samples, b.f, c.ldp, 1, b.act + c.a_off[L - 1], 1, c.ldp, c.split_wg, b.part, ew);
        if (c.tb[L] >= 0) {
            float *bias = b.ro + (c.tb[L] - c.tw[L]);
            for (int i = t.tid; i < fo; i += t.n) {
                const float *gi = b.f + i * c.ldp;
                float s = 0.0f;
                for (int k = 0; k < c.samples; k++) s += gi[k];
                u.at(bias + i, c.tb[L] + i, s);
            }
        }
        *pen += (double)lam[L] * (double)u.sq;
    }
    for (int l = c.depth - 1; l >= 0; l--) {
        const float *g = b.act + c.z_off[l];
        const int fi = c.fin[l], fo = c.fout[l], ldw = c.ldw[l];
        float *w = b.th + c.tw[l];
        if (l > 0) {
            ep_back eb = {(b.act + c.z_off[l - 1]), c.ldp, c.activation};
            team_gemm(t, fi, c.samples, fo, w, 1, ldw, g, c.ldp, 1, eb);
            team_sync(t);
        }
        u.lam2 = 2.0f * lam[l];
        u.sq = 0.0f;
        ep_weight ew = {&u, w, c.tw[l], ldw};
        /* two call sites for the two memory spaces `in` may be in (see team_forward) */
        if (l == 0) team_gemm(t, fo, fi, c.samples, g, c.ldp, 1, b.x, 1, c.ldp, ew);
        else team_gemm(t, fo, fi, c.samples, g, c.ldp, 1, b.act + c.a_off[l - 1], 1, c.ldp, ew);
        if (c.tb[l] >= 0) {
            for (int i = t.tid; i < fo; i += t.n) {
                const float *gi = g + i * c.ldp;
                float s = 0.0f;
                for (int k = 0; k < c.samples; k++) s += gi[k];
                u.at(b.th + c.tb[l] + i, c.tb[l] + i, s);
            }
        }
        *pen += (double)lam[l] * (double)u.sq;
    }
}

/*
 * The kernel trace of train.kernel_every (org.repgeom.backend.KernelTraceRequest; C: rg_kernel_trace):
 * each hidden layer's K = A^T A (P x P) at step 0, every `every` steps and at max_steps (`points` time
 * points); a member that stops at step S holds its final kernel at every point whose step is >= S.
 * Member e (index in the chunk) writes row row[e] of out (-1: not traced), layer l's point k at
 * out[((row * depth + l) * points + k) * P * P]. every = 0: no trace.
 */
struct rg_kernel_trace {
    int every, points;
    const int *row;
    float *out;
};

/* Epilogue of the kernel GEMM: entry (i, j) of K into n consecutive time points of one layer. */
struct ep_kernel {
    float *out;
    int P, n;
    long long pp;
    RG_MEMBER void operator()(int i, int j, float v) {
        for (int k = 0; k < n; k++) out[k * pp + i * P + j] = v;
    }
};

/*
 * Writes K_l = A_l^T A_l of every hidden layer, from the activations of the last forward pass, to
 * time points [from, to) of the member's block `kb`: a team GEMM over the units (K(p, q) =
 * sum_i A[i][p] A[i][q]). Reads only A, which nothing writes before the next forward pass; no barrier.
 * The twin of JavaBackend.kernel_trace_record and the C kernel_trace_record.
 */
RG_DEV void kernel_trace_record(const rg_cuda_config &c, const rg_team &t, const rg_bufs &b, const rg_kernel_trace &kt,
                                float *kb, int from, int to) {
    if (from >= to) return;
    const int P = c.samples;
    const long long pp = (long long)P * P;
    for (int l = 0; l < c.depth; l++) {
        const float *a = b.act + c.a_off[l];
        ep_kernel ep = {kb + ((long long)l * kt.points + from) * pp, P, to - from, pp};
        team_gemm(t, P, P, c.fout[l], a, 1, c.ldp, a, c.ldp, 1, ep);
    }
}

RG_DEV bool converged(double tol, double window_start, double now) {
    return tol > 0 && fabs(window_start - now) <= tol * fabs(now);
}

/* Loads member e's initial parameters into the team's buffers and zeroes the moments. Ends with a barrier. */
RG_DEV void team_start(const rg_cuda_config &c, const rg_team &t, const rg_bufs &b, float *packed) {
    team_copy_params(c, t, packed, b, false);
    if (c.opt_kind != RG_GD) {
        for (int q = t.tid; q < c.theta_size; q += t.n) b.m1[q] = 0.0f;
        if (c.opt_kind == RG_ADAM) {
            for (int q = t.tid; q < c.theta_size; q += t.n) b.m2[q] = 0.0f;
        }
    }
    team_sync(t);
}

/*
 * The training loop of one member, JavaBackend.train_fused, shared by mlp_train_fused and rnn_train_fused:
 * the stop rule, the loss trace, the divergence rule (representable; the last finite parameters restored
 * by replay), the final loss, gradient norm and status. Net holds the network's team passes over the
 * member, which every thread of the team calls with identical control flow:
 *   start()           load the member's initial parameters from global memory, zero the moments
 *   penalty()         this thread's part of the penalty at the current parameters
 *   forward()         this thread's part of the data loss at the current parameters
 *   backward(u, pen)  the gradient with update u applied in place (u.apply false: only its g^2 sum);
 *                     *pen gets this thread's part of the next penalty
 *   record(s)         step s was recorded in the trace (the MLP's kernel trace point)
 *   finish(done)      after the final evaluation, `done` steps taken (the MLP's final kernel)
 *   store()           copy the final parameters to the member's packed slice
 * Config is the network's configuration struct (the optimiser and stop-rule fields have the same names).
 */
template <class Config, class Net>
RG_DEV void train_member_loop(const Config &c, const rg_team &t, double *red, int &parity, const Net &net, float *m1,
                              float *m2, int e, const double *lrs, const double *sched, float *trace,
                              double *final_loss, double *grad_norm, int *steps_out, int *status_out) {
    float *tr = trace + (long long)e * c.trace_len;
    for (int k = t.tid; k < c.trace_len; k += t.n) tr[k] = nan_f();

    rg_update u;
    u.opt = c.opt_kind;
    u.mu = (float)c.momentum;
    u.b1 = (float)c.beta1;
    u.b2 = (float)c.beta2;
    u.ob1 = (float)(1.0 - c.beta1);
    u.ob2 = (float)(1.0 - c.beta2);
    u.eps = (float)c.eps;
    u.m1 = m1;
    u.m2 = m2;
    u.gsq = 0.0;
    u.c1 = u.c2 = 1.0f;
    u.lr = 0.0f;
    const double lr0 = lrs[e];

    net.start();
    double v[RG_RED_VALS];
    v[0] = net.penalty();
    team_reduce(t, red, parity, v, 1);
    double pen = v[0];

    int s = 0;
    int replay_to = -1;   /* >= 0 while replaying up to this step after a divergence */
    int diverged_at = -1;
    int st = RG_MAX_STEPS;
    double window_start = nan_d();
    for (;;) {
        if (replay_to >= 0 ? s == replay_to : s == c.max_steps) break;
        v[0] = net.forward();
        team_reduce(t, red, parity, v, 1);
        const double loss = v[0] + pen;
        bool diverged = false;
        if (replay_to < 0) {
            if (!representable(loss)) {
                diverged = true;
            } else {
                if (s % c.trace_every == 0 && t.tid == 0) tr[s / c.trace_every] = (float)loss;
                net.record(s);
                if (s % c.window == 0) {
                    if (s > 0 && converged(c.tol, window_start, loss)) {
                        st = RG_CONVERGED; /* parameters stay at theta_s */
                        break;
                    }
                    window_start = loss;
                }
            }
        }
        if (!diverged) {
            u.apply = true;
            u.bad = false;
            u.lr = (float)(lr0 * sched[3 * s]);
            u.c1 = (float)sched[3 * s + 1];
            u.c2 = (float)sched[3 * s + 2];
            v[0] = 0.0;
            net.backward(u, &v[0]);
            v[1] = u.bad ? 1.0 : 0.0;
            team_reduce(t, red, parity, v, 2);
            pen = v[0];
            if (replay_to < 0 && v[1] != 0.0) {
                /* a non-finite gradient: the reference stops before recording this step */
                if (s % c.trace_every == 0 && t.tid == 0) tr[s / c.trace_every] = nan_f();
                diverged = true;
            }
        }
        if (diverged) {
            /* restore theta_{s-1} (theta_0 when s <= 1) by replaying from the untouched initial parameters */
            diverged_at = s;
            st = RG_DIVERGED;
            replay_to = s > 0 ? s - 1 : 0;
            net.start();
            v[0] = net.penalty();
            team_reduce(t, red, parity, v, 1);
            pen = v[0];
            s = 0;
            continue;
        }
        s++;
    }
    const int done = st == RG_DIVERGED ? diverged_at : s;

    /* final loss and raw gradient norm at the final parameters */
    v[0] = net.forward();
    team_reduce(t, red, parity, v, 1);
    const double loss = v[0] + pen;
    u.apply = false;
    u.gsq = 0.0;
    double unused = 0.0;
    net.backward(u, &unused);
    v[0] = u.gsq;
    team_reduce(t, red, parity, v, 1);
    const double norm = sqrt(v[0]);
    if (st != RG_DIVERGED && !representable(loss)) st = RG_DIVERGED;
    if (st == RG_MAX_STEPS && done >= c.window && done % c.window == 0 && converged(c.tol, window_start, loss)) {
        st = RG_CONVERGED;
    }
    if (t.tid == 0) {
        if (done == c.max_steps && done % c.trace_every == 0) tr[done / c.trace_every] = (float)loss;
        final_loss[e] = loss;
        grad_norm[e] = norm;
        steps_out[e] = done;
        status_out[e] = st;
    }
    net.finish(done);
    net.store();
    team_sync(t); /* the next member's loads must not overtake this member's stores */
}

/* The MLP's team passes over one member for train_member_loop. */
struct mlp_member {
    const rg_cuda_config &c;
    const rg_team &t;
    const rg_bufs &b;
    const rg_kernel_trace &kt;
    const float *lam;
    float *packed;
    float *kb; /* the member's kernel trace block, or null when it records none */

    RG_MEMBER void start() const { team_start(c, t, b, packed); }
    RG_MEMBER double penalty() const { return partial_penalty(c, t, b, lam); }
    RG_MEMBER double forward() const { return team_forward(c, t, b, c.depth); }
    RG_MEMBER void backward(rg_update &u, double *pen) const { team_backward(c, t, b, lam, u, pen); }
    RG_MEMBER void record(int s) const {
        if (kb && s % kt.every == 0) kernel_trace_record(c, t, b, kt, kb, s / kt.every, s / kt.every + 1);
    }
    /* the final kernel (activations of the final forward pass) at every point from the final step on */
    RG_MEMBER void finish(int done) const {
        if (kb) kernel_trace_record(c, t, b, kt, kb, (done + kt.every - 1) / kt.every, kt.points);
    }
    RG_MEMBER void store() const { team_copy_params(c, t, packed, b, true); }
};

/*
 * Trains member e (index within this launch's chunk) to the end: the loop of
 * JavaBackend.mlp_train_fused. All threads of the team run it with identical control flow.
 */
RG_DEV void train_member(const rg_cuda_config &c, const rg_team &t, const rg_bufs &b, int &parity, int e,
                         float *params, const float *lambdas, const double *lrs, const double *sched, float *trace,
                         double *final_loss, double *grad_norm, int *steps_out, int *status_out,
                         const rg_kernel_trace &kt) {
    float *kb = kt.every > 0 && kt.row[e] >= 0
                    ? kt.out + (long long)kt.row[e] * c.depth * kt.points * c.samples * c.samples
                    : (float *)0;
    const mlp_member net = {c, t, b, kt, lambdas + (long long)e * c.layers, params + (long long)e * c.stride, kb};
    train_member_loop(c, t, b.red, parity, net, b.m1, b.m2, e, lrs, sched, trace, final_loss, grad_norm, steps_out,
                      status_out);
}

/*
 * Body of mlp_train_fused for one thread: thread `thread` of a block of teams_per_block x T threads
 * whose shared memory is `smem` and whose block index is `block`. The block copies X and Y into
 * shared memory once (block_sync), then each team takes members from *work until none is left.
 */
template <int PLACE, class BlockSync>
RG_DEV void train_block(const rg_cuda_config &c, int block, int thread, float *smem, BlockSync block_sync,
                        rg_team t, const float *xg, const float *yg, float *params, const float *lambdas,
                        const double *lrs, const double *sched, float *trace, double *final_loss, double *grad_norm,
                        int *steps_out, int *status_out, float *scratch, int *work, int count, int kernel_every,
                        const int *kernel_rows, float *kernel_trace) {
    const int block_threads = c.teams_per_block * c.team_threads;
    rg_kernel_trace kt;
    kt.every = kernel_every;
    kt.points = kernel_every > 0 ? c.max_steps / kernel_every + 1 + (c.max_steps % kernel_every != 0) : 0;
    kt.row = kernel_rows;
    kt.out = kernel_trace;
    if (!(PLACE & RG_PLACE_XY)) {
        const int nx = c.fin[0] * c.ldp, ny = c.fout[c.depth] * c.ldp;
        for (int i = thread; i < nx; i += block_threads) smem[c.x_off + i] = xg[i];
        for (int i = thread; i < ny; i += block_threads) smem[c.y_off + i] = yg[i];
    }
    block_sync();
    float *team_smem = smem + c.shared_floats + (long long)t.id * c.team_floats;
    float *team_scratch = scratch + ((long long)block * c.teams_per_block + t.id) * c.scratch_floats;
    rg_bufs b = team_bufs<PLACE>(c, smem, team_smem, team_scratch, xg, yg);
    int parity = 0;
    for (;;) {
        if (t.tid == 0) *b.slot = next_member(work);
        team_sync(t);
        const int e = *b.slot;
        team_sync(t);
        if (e >= count) break;
        train_member(c, t, b, parity, e, params, lambdas, lrs, sched, trace, final_loss, grad_norm, steps_out,
                     status_out, kt);
    }
}

/* Body of mlp_forward: out[e][unit][sample] = phi(Z_layer) of member e (width x P, unpadded). */
template <int PLACE, class BlockSync>
RG_DEV void forward_block(const rg_cuda_config &c, int block, int thread, float *smem, BlockSync block_sync,
                          rg_team t, const float *xg, float *params, int layer, float *out, float *scratch, int *work,
                          int count) {
    const int block_threads = c.teams_per_block * c.team_threads;
    if (!(PLACE & RG_PLACE_XY)) {
        const int nx = c.fin[0] * c.ldp;
        for (int i = thread; i < nx; i += block_threads) smem[c.x_off + i] = xg[i];
    }
    block_sync();
    float *team_smem = smem + c.shared_floats + (long long)t.id * c.team_floats;
    float *team_scratch = scratch + ((long long)block * c.teams_per_block + t.id) * c.scratch_floats;
    rg_bufs b = team_bufs<PLACE>(c, smem, team_smem, team_scratch, xg, xg);
    const int width = c.fout[layer], P = c.samples;
    for (;;) {
        if (t.tid == 0) *b.slot = next_member(work);
        team_sync(t);
        const int e = *b.slot;
        team_sync(t);
        if (e >= count) break;
        team_copy_params(c, t, params + (long long)e * c.stride, b, false);
        team_sync(t);
        team_forward(c, t, b, layer);
        float *dst = out + (long long)e * width * P;
        const float *src = (b.act + c.a_off[layer]);
        for (int q = t.tid; q < width * P; q += t.n) {
            const int i = q / P;
            dst[q] = src[i * c.ldp + q - i * P];
        }
        team_sync(t);
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Philox4x32-10 and initial weights                                                               */
/* ---------------------------------------------------------------------------------------------- */

/* Ten Philox rounds on ctr[4] under key (k0, k1), as Philox4x32.philox4x32_10 and the C twin. */
RG_DEV void philox4x32_10(unsigned int ctr[4], unsigned int k0, unsigned int k1) {
    const unsigned int M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    unsigned int c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += W0;
            k1 += W1;
        }
        unsigned long long p0 = (unsigned long long)M0 * c0;
        unsigned long long p1 = (unsigned long long)M1 * c2;
        unsigned int hi0 = (unsigned int)(p0 >> 32), lo0 = (unsigned int)p0;
        unsigned int hi1 = (unsigned int)(p1 >> 32), lo1 = (unsigned int)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    ctr[0] = c0;
    ctr[1] = c1;
    ctr[2] = c2;
    ctr[3] = c3;
}

/*
 * Philox4x32.gaussian(seed, stream, index): counter (index_lo, index_hi, stream, 0), key
 * (seed_lo, seed_hi), Box-Muller on the first two words, in double with Java's formula. The
 * uniforms and every product are exact IEEE operations on both sides; log and cos are not
 * correctly rounded on either side (Java Math: <= 1 ulp; CUDA: log 1 ulp, cos 2 ulp), so the
 * double result may differ from Java's in its last bits and, rarely (~1e-8 per value), the
 * rounded float too.
 */
RG_DEV double philox_gaussian(unsigned long long seed, int stream, unsigned long long index) {
    unsigned int ctr[4] = {(unsigned int)index, (unsigned int)(index >> 32), (unsigned int)stream, 0u};
    philox4x32_10(ctr, (unsigned int)seed, (unsigned int)(seed >> 32));
    double u1 = ((double)ctr[0] + 0.5) * 2.3283064365386963e-10; /* 2^-32 */
    double u2 = ((double)ctr[1] + 0.5) * 2.3283064365386963e-10;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2);
}

/*
 * InitialWeights.fill for member e: packed entry q of layer l is std_l * N(0,1) with
 * std_l = scale / sqrt(fanIn_l), drawn with stream l and index j (W: j = i*fanIn + c; b: fanOut*fanIn + i),
 * rounded to float. Threads [thread, +step) of the member's slice.
 */
RG_DEV void init_member(const rg_cuda_config &c, unsigned long long seed, double scale, float *packed, int thread,
                        int step) {
    for (int l = 0; l < c.layers; l++) {
        const int fi = c.fin[l], fo = c.fout[l];
        const double sd = scale / sqrt((double)fi);
        for (int j = thread; j < fo * fi; j += step) packed[c.pw[l] + j] = (float)(sd * philox_gaussian(seed, l, j));
        if (c.pb[l] >= 0) {
            for (int i = thread; i < fo; i += step) {
                packed[c.pb[l] + i] = (float)(sd * philox_gaussian(seed, l, (unsigned long long)fo * fi + i));
            }
        }
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Kernels                                                                                         */
/* ---------------------------------------------------------------------------------------------- */

/* repgeom_library.cu includes this file for its device functions only (RG_DEVICE_FUNCTIONS_ONLY). */
#if defined(__CUDACC__) && !defined(RG_DEVICE_FUNCTIONS_ONLY)

struct rg_block_sync {
    __device__ void operator()() const { __syncthreads(); }
};

/* The calling thread's team, for any launch configuration with team_threads (MLP and recurrent kernels). */
template <class Config> RG_DEV rg_team device_team(const Config &c) {
    rg_team t;
    t.tid = threadIdx.x % c.team_threads;
    t.n = c.team_threads;
    t.id = threadIdx.x / c.team_threads;
    return t;
}

/*
 * Trains members [0, count) of a chunk (every array indexed by the member's index in the chunk).
 * Launch: blockDim.x = teams_per_block * team_threads, dynamic shared memory
 * (shared_floats + teams_per_block * team_floats) * 4 bytes, *work = 0, any grid size (teams take
 * members from *work); scratch holds gridDim.x * teams_per_block * scratch_floats floats.
 * x, y: dX x ldp and dY x ldp (padded). sched: per step {lr factor, Adam c1, c2} (double).
 * kernel_every, kernel_rows, kernel_trace: the kernel trace (rg_kernel_trace; kernel_every 0: none,
 * and the two pointers are not read).
 *
 * One entry point per placement, mlp_train_fused_<placement> (FusedLayout.Placement.kernelName()
 * on the host), each the same train_block with the placement fixed at compile time: every array
 * is then addressed in its own memory space (ld/st.shared or .global, no generic loads), and each
 * kernel gets its own register allocation (one kernel switching over all five spilled registers).
 */
#define RG_TRAIN_KERNEL(NAME, PLACEMENT)                                                                     \
    extern "C" __global__ void __launch_bounds__(RG_MAX_BLOCK_THREADS)                                      \
        NAME(const rg_cuda_config c, const float *__restrict__ x, const float *__restrict__ y, float *params,  \
             const float *__restrict__ lambdas, const double *__restrict__ lrs,                              \
             const double *__restrict__ sched, float *trace, double *final_loss, double *grad_norm,         \
             int *steps, int *status, float *scratch, int *work, int count, int kernel_every,                \
             const int *__restrict__ kernel_rows, float *kernel_trace) {                                     \
        extern __shared__ double rg_smem[];                                                                  \
        if (c.place != PLACEMENT) __trap(); /* the host launched the wrong variant */                       \
        train_block<PLACEMENT>(c, blockIdx.x, threadIdx.x, (float *)rg_smem, rg_block_sync(), device_team(c), \
                               x, y, params, lambdas, lrs, sched, trace, final_loss, grad_norm, steps,       \
                               status, scratch, work, count, kernel_every, kernel_rows, kernel_trace);       \
    }
RG_TRAIN_KERNEL(mlp_train_fused_on_chip, RG_ON_CHIP)
RG_TRAIN_KERNEL(mlp_train_fused_moments_global, RG_MOMENTS_GLOBAL)
RG_TRAIN_KERNEL(mlp_train_fused_moments_xy_global, RG_MOMENTS_XY_GLOBAL)
RG_TRAIN_KERNEL(mlp_train_fused_hidden_activations_global, RG_HIDDEN_ACTIVATIONS_GLOBAL)
RG_TRAIN_KERNEL(mlp_train_fused_activations_global, RG_ACTIVATIONS_GLOBAL)
RG_TRAIN_KERNEL(mlp_train_fused_hidden_global, RG_HIDDEN_GLOBAL)
RG_TRAIN_KERNEL(mlp_train_fused_all_global, RG_ALL_GLOBAL)

/* out[e][unit][sample] = phi(Z_layer) for members [0, count); launch as mlp_train_fused. */
extern "C" __global__ void __launch_bounds__(RG_MAX_BLOCK_THREADS)
    mlp_forward(const rg_cuda_config c, const float *__restrict__ x, float *params, int layer, float *out,
                float *scratch, int *work, int count) {
    extern __shared__ double rg_smem[];
    RG_WITH_PLACEMENT(c.place, (forward_block<PLACE>(c, blockIdx.x, threadIdx.x, (float *)rg_smem, rg_block_sync(),
                                                     device_team(c), x, params, layer, out, scratch, work, count)));
}

/* Initial parameters of members [0, count): one block per member (grid-stride), any block size. */
extern "C" __global__ void philox_init(const rg_cuda_config c, const unsigned long long *__restrict__ seeds,
                                       const double *__restrict__ scales, float *params, int count) {
    for (int e = blockIdx.x; e < count; e += gridDim.x) {
        init_member(c, seeds[e], scales[e], params + (long long)e * c.stride, threadIdx.x, blockDim.x);
    }
}

/* The three Random123 known-answer vectors: out[i] = 0 where vector i matches (host check). */
extern "C" __global__ void philox4x32_kat(int *out) {
    const unsigned int kat[3][10] = {
        {0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
        {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu,
         0xa20bc7c6u, 0x6d5451fdu},
        {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu,
         0x5001e420u, 0x24126ea1u},
    };
    const int i = threadIdx.x;
    if (i < 3) {
        unsigned int ctr[4] = {kat[i][0], kat[i][1], kat[i][2], kat[i][3]};
        philox4x32_10(ctr, kat[i][4], kat[i][5]);
        int bad = 0;
        for (int j = 0; j < 4; j++) bad |= ctr[j] != kat[i][6 + j];
        out[i] = bad;
    }
}

#endif
