/*
 * repgeom CUDA library path (issue #16, item 3): the elementwise kernels that, with cuBLAS's
 * batched SGEMM (cublasSgemmStridedBatched, called from Java through native/repgeom_cublas.c), train
 * a chunk of members one step at a time, all members of the chunk in every launch. The host side is
 * org.repgeom.backend.cuda.LibraryTrainer (the sequence of calls, layouts and strides) and the choice
 * between this path and mlp_train_fused is TrainingPath's.
 *
 * Why a second path: mlp_train_fused keeps a member on chip; beyond on-chip reach (W1024: theta alone
 * is 4 MiB per member) its team GEMMs run from global memory, while cuBLAS tiles large GEMMs through
 * shared memory and registers. It is also an independent implementation of the same training, so the
 * two paths cross-check each other on a device.
 *
 * Layouts (all float, row-major, sample index fastest, one array per layer holding every member):
 * Z_l, A_l and the error G_l of member e are rows x P at e * rows * P; parameters are the packed
 * ParamLayout slice (W_l fanOut x fanIn row-major, then b_l) at e * stride, and so are the gradient,
 * the previous parameters and the optimiser moments.
 *
 * Every kernel takes one rg_lib_args by value (LibraryArgs writes its bytes) and runs a grid-stride
 * loop over a.n work items; the per-item bodies *_at are plain C++ that the host test library
 * (cuda/rg_library_host.cpp) runs too, so the Java tests check these kernels against the Java
 * reference without a GPU. Names follow the reference where it has one (step_control is the loop
 * body of JavaBackend.mlp_train_fused, finish_members its end; optimizer_update OptimizerState.update).
 *
 * Device build: compiled on its own into repgeom_library.fatbin by cuda/build.sh; it includes
 * repgeom_train.cu for the shared scalars (act_apply, act_deriv, converged, the RG_* ids) without that
 * file's kernels. The host test library includes it after the emulator instead.
 */
#if defined(__CUDACC__)
#define RG_DEVICE_FUNCTIONS_ONLY
#include "repgeom_train.cu"
#endif

#define RG_LIB_PTRS 12
#define RG_LIB_DOUBLES 4
#define RG_LIB_FLOATS 10
#define RG_LIB_INTS 14

/* LibraryTrainer's per-member action codes: what optimizer_update does with member e this step. */
#define RG_LIB_FROZEN 0  /* stopped: untouched */
#define RG_LIB_UPDATE 1  /* running: theta_prev <- theta, theta <- update(theta, g) */
#define RG_LIB_RESTORE 2 /* diverged this step: theta <- theta_prev (the last finite parameters) */

/* Lanes per penalty part (LibraryTrainer.LANES): one warp reads a part's consecutive words. */
#define RG_LIB_LANES 32

/* The arguments of every library kernel (LibraryArgs on the Java side: this order, no padding). */
struct rg_lib_args {
    unsigned long long p[RG_LIB_PTRS]; /* device pointers */
    long long n;                       /* work items */
    double d[RG_LIB_DOUBLES];
    float f[RG_LIB_FLOATS];
    int i[RG_LIB_INTS];
};
static_assert(sizeof(rg_lib_args) == 8 * RG_LIB_PTRS + 8 + 8 * RG_LIB_DOUBLES + 4 * RG_LIB_FLOATS + 4 * RG_LIB_INTS,
              "rg_lib_args layout");

#define RG_F(k) ((float *)a.p[k])
#define RG_D(k) ((double *)a.p[k])
#define RG_I(k) ((int *)a.p[k])

/*
 * Hidden layer (or readout with bias, act = linear) after its GEMM Z = W A: z += b_i, a = phi(z).
 * p0 z, p1 a (may equal z), p2 params; i0 rows, i1 P, i2 stride, i3 bias offset (-1: none), i4 act.
 */
RG_DEV void bias_act_forward_at(const rg_lib_args &a, long long q) {
    const int rows = a.i[0], P = a.i[1], bias = a.i[3];
    float v = RG_F(0)[q];
    if (bias >= 0) {
        const long long e = q / ((long long)rows * P);
        const int r = (int)(q / P % rows);
        v += RG_F(2)[e * a.i[2] + bias + r];
    }
    RG_F(0)[q] = v;
    RG_F(1)[q] = act_apply(a.i[4], v);
}

/* Hidden error after its GEMM T = W^T G: G = T * phi'(Z), written over Z. p0 z, p1 t; i4 act. */
RG_DEV void act_backward_at(const rg_lib_args &a, long long q) {
    float *z = RG_F(0);
    z[q] = RG_F(1)[q] * act_deriv(a.i[4], z[q]);
}

/*
 * One thread per member: e = F - Y, data loss ||e||^2 in double, G_F = 2e written over F.
 * p0 f, p1 y (rows x P, shared), p2 data loss (double per member); i0 rows, i1 P.
 */
RG_DEV void loss_grad_at(const rg_lib_args &a, long long e) {
    const int n = a.i[0] * a.i[1];
    float *f = RG_F(0) + e * n;
    const float *y = RG_F(1);
    double loss = 0.0;
    for (int k = 0; k < n; k++) {
        const float d = f[k] - y[k];
        loss += (double)d * (double)d;
        f[k] = 2.0f * d;
    }
    RG_D(2)[e] = loss;
}

/* dL/db_l = row sums of G_l. p0 g, p1 grad; i0 rows, i1 P, i2 stride, i3 bias offset. n = members x rows. */
RG_DEV void bias_grad_at(const rg_lib_args &a, long long q) {
    const int rows = a.i[0], P = a.i[1];
    const long long e = q / rows;
    const int r = (int)(q - e * rows);
    const float *g = RG_F(0) + q * P;
    float s = 0.0f;
    for (int j = 0; j < P; j++) s += g[j];
    RG_F(1)[e * a.i[2] + a.i[3] + r] = s;
}

/*
 * The penalty, per member, part (a run of at most LibraryTrainer.PART parameters of one layer) and
 * lane: g += 2 lambda_l theta on elements lane, lane + RG_LIB_LANES, ... of the part, and their
 * lambda_l sum theta^2 and sum g^2 (double) for step_control. Neighbouring items are neighbouring
 * lanes reading neighbouring words, so a warp's loads coalesce; no shuffles, so the host runs it too.
 * p0 params, p1 grad, p2 lambdas (float, members x layers), p3 part offset, p4 part length, p5 part
 * layer (int tables), p6 penalty sums, p7 g^2 sums (double, members x parts x lanes); i0 parts,
 * i1 stride, i2 layers. n = members x parts x RG_LIB_LANES.
 */
RG_DEV void penalty_grad_at(const rg_lib_args &a, long long q) {
    const int parts = a.i[0];
    const int lane = (int)(q % RG_LIB_LANES);
    const long long ek = q / RG_LIB_LANES;
    const long long e = ek / parts;
    const int k = (int)(ek - e * parts);
    const int l = RG_I(5)[k];
    const float lam = RG_F(2)[e * a.i[2] + l], lam2 = 2.0f * lam;
    const float *th = RG_F(0) + e * a.i[1] + RG_I(3)[k];
    float *g = RG_F(1) + e * a.i[1] + RG_I(3)[k];
    const int len = RG_I(4)[k];
    double ws = 0.0, gs = 0.0;
    for (int j = lane; j < len; j += RG_LIB_LANES) {
        const float w = th[j], v = g[j] + lam2 * w;
        g[j] = v;
        ws += (double)w * (double)w;
        gs += (double)v * (double)v;
    }
    RG_D(6)[q] = (double)lam * ws;
    RG_D(7)[q] = gs;
}

/* Sum of one member's n partial sums in a fixed order (deterministic). */
RG_DEV double member_sum(const double *parts, long long e, int n) {
    double s = 0.0;
    for (int k = 0; k < n; k++) s += parts[e * n + k];
    return s;
}

/*
 * One thread per member, the body of the reference's step loop at step s: loss = data + penalty;
 * a non-representable loss or non-finite gradient stops the member as DIVERGED (parameters restored,
 * nothing traced); else the trace entry, the window stop rule, and the step's learning rate.
 * p0 data loss, p1 penalty parts, p2 g^2 parts, p3 action, p4 status, p5 steps, p6 window start
 * (double), p7 trace, p8 learning rates (double), p9 step learning rate (float); i0 parts, i1 s,
 * i2 trace every, i3 window, i4 trace length; d0 tol, d1 the schedule's lr factor at s.
 */
RG_DEV void step_control_at(const rg_lib_args &a, long long e) {
    int *action = RG_I(3);
    if (action[e] != RG_LIB_UPDATE) { /* stopped earlier (a restore was applied last step) */
        action[e] = RG_LIB_FROZEN;
        return;
    }
    const int parts = a.i[0] * RG_LIB_LANES, s = a.i[1], every = a.i[2], window = a.i[3];
    const double loss = RG_D(0)[e] + member_sum(RG_D(1), e, parts);
    const double gsq = member_sum(RG_D(2), e, parts);
    if (!representable(loss) || !finite_d(gsq)) { /* sum of squares of floats: finite iff every g is */
        action[e] = RG_LIB_RESTORE;
        RG_I(4)[e] = RG_DIVERGED;
        RG_I(5)[e] = s;
        return;
    }
    if (s % every == 0) RG_F(7)[e * a.i[4] + s / every] = (float)loss;
    if (s % window == 0) {
        if (s > 0 && converged(a.d[0], RG_D(6)[e], loss)) {
            action[e] = RG_LIB_FROZEN;
            RG_I(4)[e] = RG_CONVERGED;
            RG_I(5)[e] = s;
            return;
        }
        RG_D(6)[e] = loss;
    }
    RG_F(9)[e] = (float)(RG_D(8)[e] * a.d[1]);
}

/*
 * OptimizerState.update in float32 on every parameter of running members (as mlp_train_fused's
 * rg_update), keeping theta_prev for a later restore; restores where step_control said so.
 * p0 params, p1 grad (with the penalty), p2 previous params, p3 m1, p4 m2, p5 action, p6 step
 * learning rate; i0 stride, i1 optimiser; f0 momentum, f1 beta1, f2 beta2, f3 1-beta1, f4 1-beta2,
 * f5 eps, f6 c1, f7 c2 (Adam's bias corrections at s). n = members x stride.
 */
RG_DEV void optimizer_update_at(const rg_lib_args &a, long long q) {
    const long long e = q / a.i[0];
    const int act = RG_I(5)[e];
    float *th = RG_F(0), *prev = RG_F(2);
    if (act == RG_LIB_RESTORE) {
        th[q] = prev[q];
        return;
    }
    if (act != RG_LIB_UPDATE) return;
    const float w = th[q], g = RG_F(1)[q], lr = RG_F(6)[e];
    prev[q] = w;
    float n;
    if (a.i[1] == RG_GD) {
        n = w - lr * g;
    } else if (a.i[1] == RG_MOMENTUM) {
        const float v = a.f[0] * RG_F(3)[q] - lr * g;
        RG_F(3)[q] = v;
        n = w + v;
    } else {
        const float m = a.f[1] * RG_F(3)[q] + a.f[3] * g;
        const float v = a.f[2] * RG_F(4)[q] + a.f[4] * g * g;
        RG_F(3)[q] = m;
        RG_F(4)[q] = v;
        n = w - lr * (m * a.f[6]) / (sqrtf(v * a.f[7]) + a.f[5]);
    }
    th[q] = n;
}

/*
 * One thread per member, after the last step's evaluation at the final parameters: final loss and
 * raw gradient norm, the status of members that ran the whole budget (DIVERGED on a
 * non-representable loss, CONVERGED when the last window already met the tolerance), the trace
 * entry at max_steps. p0 data loss, p1 penalty parts, p2 g^2 parts, p3 action, p4 status, p5 steps,
 * p6 window start, p7 trace, p8 final loss, p9 gradient norm (double); i0 parts, i1 max steps
 * (the steps taken by members still running), i2 trace every, i3 window, i4 trace length; d0 tol.
 */
RG_DEV void finish_members_at(const rg_lib_args &a, long long e) {
    const int parts = a.i[0] * RG_LIB_LANES, every = a.i[2], window = a.i[3];
    const bool ran = RG_I(3)[e] == RG_LIB_UPDATE;
    const int done = ran ? a.i[1] : RG_I(5)[e];
    int st = ran ? RG_MAX_STEPS : RG_I(4)[e];
    const double loss = RG_D(0)[e] + member_sum(RG_D(1), e, parts);
    if (st != RG_DIVERGED && !representable(loss)) st = RG_DIVERGED;
    if (st == RG_MAX_STEPS && done >= window && done % window == 0 && converged(a.d[0], RG_D(6)[e], loss)) {
        st = RG_CONVERGED;
    }
    if (ran && done % every == 0) RG_F(7)[e * a.i[4] + done / every] = (float)loss;
    RG_D(8)[e] = loss;
    RG_D(9)[e] = sqrt(member_sum(RG_D(2), e, parts));
    RG_I(4)[e] = st;
    RG_I(5)[e] = done;
}

/* The kernels, in the order of org.repgeom.backend.cuda.LibraryKernel (its ordinal is the host id). */
#define RG_LIBRARY_KERNELS(X) \
    X(bias_act_forward)       \
    X(act_backward)           \
    X(loss_grad)              \
    X(bias_grad)              \
    X(penalty_grad)           \
    X(step_control)           \
    X(optimizer_update)       \
    X(finish_members)

#if defined(__CUDACC__)
/* Launch: any grid and block size (LibraryTrainer: 256 threads, enough blocks for a.n, capped). */
#define RG_LIB_GLOBAL(name)                                                                            \
    extern "C" __global__ void __launch_bounds__(RG_MAX_BLOCK_THREADS) name(const rg_lib_args a) {    \
        const long long step = (long long)gridDim.x * blockDim.x;                                     \
        for (long long q = (long long)blockIdx.x * blockDim.x + threadIdx.x; q < a.n; q += step) {    \
            name##_at(a, q);                                                                           \
        }                                                                                              \
    }
RG_LIBRARY_KERNELS(RG_LIB_GLOBAL)
#endif
