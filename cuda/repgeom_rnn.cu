/*
 * rnn_train_fused: the CUDA twin of org.repgeom.backend.JavaBackend.rnn_train_fused (+ model.Rnn) and of
 * native/repgeom_rnn.c, for vanilla recurrent networks
 *
 *   h_0 = 0,  Z_t = W h_t + U x_t + b,  h_{t+1} = phi(Z_t)  (t = 0 .. T-1),  F = W_out h_T,
 *   L = ||Y - F||^2 + lambda_in ||[U, b]||^2 + lambda_rec ||W||^2 + lambda_out ||W_out||^2,
 *
 * x_t = x at every step or only at t = 0, trained by backpropagation through time in float32 (loss,
 * penalty and gradient-norm sums in double) with the loop of mlp_train_fused: GD / momentum / Adam with
 * the schedule table, the window stop rule and end-of-budget check, the loss trace, DIVERGED (a loss
 * beyond float range or a non-finite gradient) with the last finite parameters restored by replay.
 *
 * This file is not compiled on its own: cuda/build.sh appends it to repgeom_train.cu (the packed source
 * NVRTC compiles and the fatbin's source are that concatenation), and the host emulator includes both.
 * It uses the team machinery of repgeom_train.cu: rg_team, team_sync, team_reduce, team_gemm with its
 * epilogues (ep_readout, ep_back, ep_weight / rg_update), act_apply.
 *
 * Per member, in the team's region (shared memory, or global scratch for shapes that do not fit):
 *   theta  U (M x ldu), b (M), W (M x ldw), W_out (dY x ldw); ldu = dX | 1, ldw = M | 1 (odd strides)
 *   Z, H   M x ldr each, ldr = (T * ldp) | 1: row i holds Z_t (resp. h_{t+1}) of unit i at column
 *          t * ldp, so one GEMM over the concatenated columns sums a product over every time step
 *   IN     M x ldp: the input term U x + b, formed once per step of training
 *   GA     M x ldp: sum of G_Z over the steps that see the input (U's gradient in one GEMM)
 *   F      dY x ldp: F, then G_F
 * Padding columns of Z and H are zero (never written), so the concatenated sums add nothing there.
 *
 * Per training step: 1 + T forward GEMMs (IN with Z_0 and h_1 in its epilogue, T - 1 recurrent, the
 * readout with the loss), then BPTT: G_Z_{T-1} = (W_outᵀ G_F) * phi'(Z_{T-1}), for t = T-1 .. 1
 * G_Z_{t-1} = (Wᵀ G_Z_t) * phi'(Z_{t-1}) (each written over Z), and the updates in the weight-gradient
 * epilogues: W_out from G_F h_Tᵀ, W from sum_t G_Z_t h_tᵀ (one GEMM, K = (T-1) ldp), U from GA Xᵀ and b
 * from the row sums of every G_Z_t. Every parameter's gradient is complete before its update, and W is
 * updated only after the last GEMM that reads it.
 */

/* Launch configuration of rnn_train_fused (org.repgeom.backend.cuda.RnnLayout writes these bytes:
   doubles first, then 32-bit ints, no padding). Offsets in floats, as rg_cuda_config's. */
struct rg_rnn_cuda_config {
    double momentum, beta1, beta2, eps, tol;
    int input_dim, width, output_dim; /* dX, M, dY */
    int time_steps, input_every;      /* T; 1: x at every step, 0: only at t = 0 */
    int activation, opt_kind;
    int samples, ldp, ldr;
    int max_steps, window, trace_every, trace_len;
    int stride;         /* packed parameters per member: [U | b | W | W_out] */
    int theta_size;     /* floats of the internal layout */
    int team_threads, teams_per_block;
    int shared_floats, team_floats, scratch_floats;
    int place;          /* RG_ON_CHIP or RG_ALL_GLOBAL */
    int x_off, y_off;   /* block-shared region */
    int red_off;        /* team region, always shared memory */
    int theta_off, z_off, h_off, in_off, ga_off, f_off, m1_off, m2_off;
    int ldu, ldw;       /* row strides of U and of W, W_out */
    int tu, tb, tw, tv; /* internal offsets of U, b, W, W_out */
    int reserved;       /* 0: keeps the size a multiple of 8 */
};
/* RnnLayout.CONFIG_BYTES on the Java side */
static_assert(sizeof(rg_rnn_cuda_config) == 5 * 8 + 40 * 4, "rg_rnn_cuda_config layout");

/* Where a team's arrays are: X and Y, and one base (shared region or global scratch, by placement) from
   which every other array is reached through the config's offsets when used, so that a team holds two
   data pointers in registers instead of ten across the GEMMs. */
struct rg_rnn_bufs {
    const float *x, *y;
    float *base;
    double *red;
    int *slot;
    RG_MEMBER float *th(const rg_rnn_cuda_config &c) const { return base + c.theta_off; }
    RG_MEMBER float *z(const rg_rnn_cuda_config &c) const { return base + c.z_off; }
    RG_MEMBER float *h(const rg_rnn_cuda_config &c) const { return base + c.h_off; }
    RG_MEMBER float *in(const rg_rnn_cuda_config &c) const { return base + c.in_off; }
    RG_MEMBER float *ga(const rg_rnn_cuda_config &c) const { return base + c.ga_off; }
    RG_MEMBER float *f(const rg_rnn_cuda_config &c) const { return base + c.f_off; }
    RG_MEMBER float *m1(const rg_rnn_cuda_config &c) const { return base + c.m1_off; }
    RG_MEMBER float *m2(const rg_rnn_cuda_config &c) const { return base + c.m2_off; }
};

template <int PLACE>
RG_DEV rg_rnn_bufs rnn_team_bufs(const rg_rnn_cuda_config &c, float *block_smem, float *team_smem, float *team_scratch,
                                 const float *xg, const float *yg) {
    rg_rnn_bufs b;
    b.x = (PLACE & RG_PLACE_XY) ? xg : block_smem + c.x_off;
    b.y = (PLACE & RG_PLACE_XY) ? yg : block_smem + c.y_off;
    b.base = (PLACE & RG_PLACE_ACT) ? team_scratch : team_smem;
    b.red = (double *)(team_smem + c.red_off);
    b.slot = (int *)(b.red + 2 * (c.team_threads / RG_WARP) * RG_RED_VALS);
    return b;
}

/* One weight group: rows x cols at th (row stride ld) <-> packed (rows x cols, dense). No barrier. */
RG_DEV void rnn_copy_group(const rg_team &t, float *packed, float *th, int rows, int cols, int ld, bool to_packed) {
    const int n = rows * cols;
    for (int q = t.tid; q < n; q += t.n) {
        const int i = q / cols;
        float *in = th + i * ld + q - i * cols;
        if (to_packed) packed[q] = *in; else *in = packed[q];
    }
}

/* Packed [U | b | W | W_out] slice <-> internal layout. No barrier. */
RG_DEV void rnn_copy_params(const rg_rnn_cuda_config &c, const rg_team &t, float *packed, float *th, bool to_packed) {
    const int M = c.width, dX = c.input_dim;
    rnn_copy_group(t, packed, th + c.tu, M, dX, c.ldu, to_packed);
    rnn_copy_group(t, packed + M * dX, th + c.tb, 1, M, M, to_packed);
    rnn_copy_group(t, packed + M * dX + M, th + c.tw, M, M, c.ldw, to_packed);
    rnn_copy_group(t, packed + M * dX + M + M * M, th + c.tv, c.output_dim, M, c.ldw, to_packed);
}

/* This thread's share of the squares of a rows x cols group at th (row stride ld), in float. */
RG_DEV float rnn_group_sq(const rg_team &t, const float *th, int rows, int cols, int ld) {
    const int n = rows * cols;
    float s = 0.0f;
    for (int q = t.tid; q < n; q += t.n) {
        const int i = q / cols;
        const float w = th[i * ld + q - i * cols];
        s += w * w;
    }
    return s;
}

/* This thread's share of lambda_in ||[U, b]||^2 + lambda_rec ||W||^2 + lambda_out ||W_out||^2. */
RG_DEV double rnn_partial_penalty(const rg_rnn_cuda_config &c, const rg_team &t, const float *th, const float *lam) {
    const int M = c.width;
    float in = rnn_group_sq(t, th + c.tu, M, c.input_dim, c.ldu);
    in += rnn_group_sq(t, th + c.tb, 1, M, M);
    const float rec = rnn_group_sq(t, th + c.tw, M, M, c.ldw);
    const float out = rnn_group_sq(t, th + c.tv, c.output_dim, M, c.ldw);
    return (double)lam[0] * (double)in + (double)lam[1] * (double)rec + (double)lam[2] * (double)out;
}

/* Epilogue of step t's pre-activation: z = v + (IN or b), written to Z_t, and h_{t+1} = phi(z). At t = 0
   (the GEMM U X, h_0 = 0) the input term IN = U x + b is formed and kept for the later steps. */
#define RG_STEP_FIRST 0   /* z = v + b, also kept as IN */
#define RG_STEP_INPUT 1   /* z = v + IN */
#define RG_STEP_NO_INPUT 2 /* z = v + b */
struct ep_rnn_step {
    const float *bias; /* b */
    float *in;         /* IN (M x ldp) */
    float *z, *h;      /* Z_t and h_{t+1}: column t * ldp of Z and H */
    int ldp, ldr, act, mode;
    RG_MEMBER void operator()(int i, int j, float v) {
        if (mode == RG_STEP_INPUT) {
            v += in[i * ldp + j];
        } else {
            v += bias[i];
            if (mode == RG_STEP_FIRST) in[i * ldp + j] = v;
        }
        z[i * ldr + j] = v;
        h[i * ldr + j] = act_apply(act, v);
    }
};

/*
 * Forward pass through every step and the readout; returns this thread's share of ||Y - F||^2 and leaves
 * G_F in f. A barrier after every GEMM.
 */
RG_DEV double rnn_team_forward(const rg_rnn_cuda_config &c, const rg_team &t, const rg_rnn_bufs &b) {
    const int M = c.width, P = c.samples, ldp = c.ldp, ldr = c.ldr;
    const float *bias = b.th(c) + c.tb;
    /* t = 0: h_0 = 0, so Z_0 = U x + b (kept as IN for the later steps that see the input) */
    ep_rnn_step e0 = {bias, b.in(c), b.z(c), b.h(c), ldp, ldr, c.activation, RG_STEP_FIRST};
    team_gemm(t, M, P, c.input_dim, b.th(c) + c.tu, c.ldu, 1, b.x, ldp, 1, e0);
    team_sync(t);
    for (int s = 1; s < c.time_steps; s++) {
        ep_rnn_step e = {bias, b.in(c), b.z(c) + s * ldp, b.h(c) + s * ldp, ldp, ldr, c.activation,
                         c.input_every ? RG_STEP_INPUT : RG_STEP_NO_INPUT};
        team_gemm(t, M, P, M, b.th(c) + c.tw, c.ldw, 1, b.h(c) + (s - 1) * ldp, ldr, 1, e);
        team_sync(t);
    }
    ep_readout er = {b.y, b.f(c), ldp, 0.0};
    team_gemm(t, c.output_dim, P, M, b.th(c) + c.tv, c.ldw, 1, b.h(c) + (c.time_steps - 1) * ldp, ldr, 1, er);
    team_sync(t);
    return er.loss;
}

/*
 * BPTT from G_F (in f) with the update u applied to every parameter once its gradient is complete (or,
 * with u.apply false, only sum g^2). Adds this thread's share of the new penalty to *pen. The caller's
 * next reduction is the barrier before anything reads the new parameters.
 */
RG_DEV void rnn_team_backward(const rg_rnn_cuda_config &c, const rg_team &t, const rg_rnn_bufs &b, const float *lam,
                              rg_update &u, double *pen) {
    const int M = c.width, dX = c.input_dim, dY = c.output_dim, P = c.samples, ldp = c.ldp, ldr = c.ldr;
    const int T = c.time_steps;
    /* G_Z_{T-1} = (W_outᵀ G_F) * phi'(Z_{T-1}) over Z_{T-1}; reads the old W_out */
    ep_back e_top = {b.z(c) + (T - 1) * ldp, ldr, c.activation};
    team_gemm(t, M, P, dY, b.th(c) + c.tv, 1, c.ldw, b.f(c), ldp, 1, e_top);
    team_sync(t);
    /* W_out from G_F h_Tᵀ (nothing below reads W_out) */
    u.lam2 = 2.0f * lam[2];
    u.sq = 0.0f;
    ep_weight ev = {&u, b.th(c) + c.tv, c.tv, c.ldw};
    team_gemm(t, dY, M, P, b.f(c), ldp, 1, b.h(c) + (T - 1) * ldp, 1, ldr, ev);
    *pen += (double)lam[2] * (double)u.sq;
    /* back through time on the old W */
    for (int s = T - 1; s >= 1; s--) {
        ep_back e = {b.z(c) + (s - 1) * ldp, ldr, c.activation};
        team_gemm(t, M, P, M, b.th(c) + c.tw, 1, c.ldw, b.z(c) + s * ldp, ldr, 1, e);
        team_sync(t);
    }
    /* W from sum_{t >= 1} G_Z_t h_tᵀ: columns ldp .. T ldp of Z against columns 0 .. (T-1) ldp of H */
    u.lam2 = 2.0f * lam[1];
    u.sq = 0.0f;
    ep_weight ew = {&u, b.th(c) + c.tw, c.tw, c.ldw};
    team_gemm(t, M, M, (T - 1) * ldp, b.z(c) + ldp, ldr, 1, b.h(c), 1, ldr, ew);
    *pen += (double)lam[1] * (double)u.sq;
    /* GA = sum of G_Z_t over the steps that see the input (t = 0 only, or every t) */
    const int steps_in = c.input_every ? T : 1;
    for (int q = t.tid; q < M * P; q += t.n) {
        const int i = q / P, j = q - i * P;
        const float *g = b.z(c) + i * ldr + j;
        float s = 0.0f;
        for (int k = steps_in - 1; k >= 0; k--) s += g[k * ldp];
        b.ga(c)[i * ldp + j] = s;
    }
    team_sync(t);
    /* U from GA Xᵀ, b from the row sums of every G_Z_t */
    u.lam2 = 2.0f * lam[0];
    u.sq = 0.0f;
    ep_weight eu = {&u, b.th(c) + c.tu, c.tu, c.ldu};
    team_gemm(t, M, dX, P, b.ga(c), ldp, 1, b.x, 1, ldp, eu);
    for (int i = t.tid; i < M; i += t.n) {
        float s = 0.0f;
        for (int k = T - 1; k >= 0; k--) {
            const float *g = b.z(c) + i * ldr + k * ldp;
            float r = 0.0f;
            for (int j = 0; j < P; j++) r += g[j];
            s += r;
        }
        u.at(b.th(c) + c.tb + i, c.tb + i, s);
    }
    *pen += (double)lam[0] * (double)u.sq;
}

/* Loads member e's initial parameters, zeroes the moments and the padding of Z and H. Ends with a barrier. */
RG_DEV void rnn_team_start(const rg_rnn_cuda_config &c, const rg_team &t, const rg_rnn_bufs &b, float *packed) {
    rnn_copy_params(c, t, packed, b.th(c), false);
    const int n = c.width * c.ldr;
    for (int q = t.tid; q < n; q += t.n) {
        b.z(c)[q] = 0.0f;
        b.h(c)[q] = 0.0f;
    }
    if (c.opt_kind != RG_GD) {
        for (int q = t.tid; q < c.theta_size; q += t.n) b.m1(c)[q] = 0.0f;
        if (c.opt_kind == RG_ADAM) {
            for (int q = t.tid; q < c.theta_size; q += t.n) b.m2(c)[q] = 0.0f;
        }
    }
    team_sync(t);
}

/* The recurrent network's team passes over one member for train_member_loop (repgeom_train.cu). */
struct rnn_member {
    const rg_rnn_cuda_config &c;
    const rg_team &t;
    const rg_rnn_bufs &b;
    const float *lam;
    float *packed;

    RG_MEMBER void start() const { rnn_team_start(c, t, b, packed); }
    RG_MEMBER double penalty() const { return rnn_partial_penalty(c, t, b.th(c), lam); }
    RG_MEMBER double forward() const { return rnn_team_forward(c, t, b); }
    RG_MEMBER void backward(rg_update &u, double *pen) const { rnn_team_backward(c, t, b, lam, u, pen); }
    RG_MEMBER void record(int) const {} /* recurrent requests carry no kernel trace */
    RG_MEMBER void finish(int) const {}
    RG_MEMBER void store() const { rnn_copy_params(c, t, packed, b.th(c), true); }
};

/*
 * Trains member e (index in this launch's chunk) to the end: train_member_loop (the loop of
 * train_member, divergence by replay included) on the recurrent forward and backward passes.
 */
RG_DEV void rnn_train_member(const rg_rnn_cuda_config &c, const rg_team &t, const rg_rnn_bufs &b, int &parity, int e,
                             float *params, const float *lambdas, const double *lrs, const double *sched, float *trace,
                             double *final_loss, double *grad_norm, int *steps_out, int *status_out) {
    const rnn_member net = {c, t, b, lambdas + (long long)e * 3, params + (long long)e * c.stride};
    train_member_loop(c, t, b.red, parity, net, b.m1(c), b.m2(c), e, lrs, sched, trace, final_loss, grad_norm,
                      steps_out, status_out);
}

/* Body of rnn_train_fused for one thread (as train_block: X and Y into shared memory once, then members
   from the counter). */
template <int PLACE, class BlockSync>
RG_DEV void rnn_train_block(const rg_rnn_cuda_config &c, int block, int thread, float *smem, BlockSync block_sync,
                            rg_team t, const float *xg, const float *yg, float *params, const float *lambdas,
                            const double *lrs, const double *sched, float *trace, double *final_loss,
                            double *grad_norm, int *steps_out, int *status_out, float *scratch, int *work, int count) {
    const int block_threads = c.teams_per_block * c.team_threads;
    if (!(PLACE & RG_PLACE_XY)) {
        const int nx = c.input_dim * c.ldp, ny = c.output_dim * c.ldp;
        for (int i = thread; i < nx; i += block_threads) smem[c.x_off + i] = xg[i];
        for (int i = thread; i < ny; i += block_threads) smem[c.y_off + i] = yg[i];
    }
    block_sync();
    float *team_smem = smem + c.shared_floats + (long long)t.id * c.team_floats;
    float *team_scratch = scratch + ((long long)block * c.teams_per_block + t.id) * c.scratch_floats;
    rg_rnn_bufs b = rnn_team_bufs<PLACE>(c, smem, team_smem, team_scratch, xg, yg);
    int parity = 0;
    for (;;) {
        if (t.tid == 0) *b.slot = next_member(work);
        team_sync(t);
        const int e = *b.slot;
        team_sync(t);
        if (e >= count) break;
        rnn_train_member(c, t, b, parity, e, params, lambdas, lrs, sched, trace, final_loss, grad_norm, steps_out,
                         status_out);
    }
}

/* The two placements of the recurrent kernel: everything on chip, or everything but the reductions global. */
#define RG_WITH_RNN_PLACEMENT(place, STMT)                                                                  \
    switch (place) {                                                                                       \
        case RG_ON_CHIP: { constexpr int PLACE = RG_ON_CHIP; STMT; } break;                                \
        case RG_ALL_GLOBAL: { constexpr int PLACE = RG_ALL_GLOBAL; STMT; } break;                          \
        default: rg_bad_placement(place);                                                                  \
    }

#if defined(__CUDACC__) && !defined(RG_DEVICE_FUNCTIONS_ONLY)

/*
 * Trains recurrent members [0, count) of a chunk; launch and arguments as mlp_train_fused (no kernel trace),
 * with lambdas 3 per member (input [U, b], recurrent W, readout W_out). One entry point per placement:
 * rnn_train_fused_on_chip, rnn_train_fused_all_global (RnnLayout.kernelName() on the host).
 * Launch bounds (256 threads, 1 block per SM): without the second bound ptxas capped the all-global
 * variant at 128 registers and spilled ~200 bytes per thread; with it, it takes 165 registers and spills
 * nothing (sm_90), while the on-chip variant keeps 127. The planner counts each variant's own registers.
 */
#define RG_RNN_KERNEL(NAME, PLACEMENT)                                                                       \
    extern "C" __global__ void __launch_bounds__(RG_MAX_BLOCK_THREADS, 1)                                   \
        NAME(const rg_rnn_cuda_config c, const float *__restrict__ x, const float *__restrict__ y,           \
             float *params, const float *__restrict__ lambdas, const double *__restrict__ lrs,               \
             const double *__restrict__ sched, float *trace, double *final_loss, double *grad_norm,         \
             int *steps, int *status, float *scratch, int *work, int count) {                                \
        extern __shared__ double rg_smem[];                                                                  \
        if (c.place != PLACEMENT) __trap(); /* the host launched the wrong variant */                       \
        rnn_train_block<PLACEMENT>(c, blockIdx.x, threadIdx.x, (float *)rg_smem, rg_block_sync(),          \
                                   device_team(c), x, y, params, lambdas, lrs, sched, trace,     \
                                   final_loss, grad_norm, steps, status, scratch, work, count);              \
    }
RG_RNN_KERNEL(rnn_train_fused_on_chip, RG_ON_CHIP)
RG_RNN_KERNEL(rnn_train_fused_all_global, RG_ALL_GLOBAL)

#endif
