/*
 * repgeom native recurrent kernel: pure C11, no JNI (the glue is repgeom_jni.c).
 *
 *   rnn_train_fused  <-> org.repgeom.backend.JavaBackend.rnn_train_fused (+ model.Rnn)
 *
 * in float32 (loss accumulated in double), on caller-owned memory, a chunk of members and every step
 * of their training inside one call.
 */
#ifndef REPGEOM_RNN_H
#define REPGEOM_RNN_H

#include <stdint.h>
#include "repgeom_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most recurrent steps (org.repgeom.model.Recurrence.MAX_TIME_STEPS). */
#define RG_MAX_TIME_STEPS 1024

/* One group of vanilla RNNs h_{t+1} = phi(W h_t + U x_t + b), y = W_out h_T, and its training settings. */
typedef struct rg_rnn_config {
    int input_dim, width, output_dim; /* dX, hidden width, dY */
    int time_steps;                   /* T >= 1 */
    int input_every;                  /* 1: x_t = x at every step; 0: only at t = 0 */
    int activation;                   /* RG_RELU ... */
    int samples;                      /* P */
    int opt_kind;                     /* RG_GD ... */
    double final_lr_ratio, momentum, beta1, beta2, eps;
    int max_steps;
    double tol;
    int window;
    int trace_every;
} rg_rnn_config;

/* Where each weight group starts in a member's slice, ParamLayout order [U | b | W | W_out], and the slice's length. */
typedef struct rg_rnn_offsets {
    long u, b, w, v, stride; /* U (width x dX), b (width), W (width x width), W_out (dY x width) */
} rg_rnn_offsets;

/* The offsets of cfg's shape (valid or not: rg_rnn_stride checks it); the one computation of them, which
   both training layouts and rg_rnn_stride share. */
static inline rg_rnn_offsets rg_rnn_param_offsets(const rg_rnn_config *cfg) {
    const long m = cfg->width;
    rg_rnn_offsets o;
    o.u = 0;
    o.b = m * cfg->input_dim;
    o.w = o.b + m;
    o.v = o.w + m * m;
    o.stride = o.v + (long)cfg->output_dim * m;
    return o;
}

/* Parameters per member, ParamLayout order [U | b | W | W_out]; -1 if cfg is invalid. */
long rg_rnn_stride(const rg_rnn_config *cfg);

/*
 * Trains members [first, first + count) of a group in place from the state in params, trace, steps,
 * status and *r (org.repgeom.train.TrainState) until each has taken r->until_step steps or stopped;
 * members whose status is not RG_RUNNING are left alone, one still running afterwards keeps
 * RG_RUNNING with its state written back (r->penalty is not used). From the initial state (steps 0,
 * zero moments, beta powers 1, trace NaN, last_finite = params) in one call or in any segments, the
 * same numbers. Arrays as mlp_train_fused's, indexed by absolute member; lambdas has 3 per member
 * (input [U, b], recurrent W, readout W_out). Flush-to-zero and denormals-are-zero for the call.
 * Returns RG_OK, RG_EBADARG or RG_ENOMEM.
 */
int rnn_train_fused(const rg_rnn_config *cfg, const rg_resume *r, const float *x, const float *y, float *params,
                    const float *lambdas, const double *lrs, float *trace, double *final_loss, double *grad_norm,
                    int32_t *steps, int32_t *status, int first, int count);

/*
 * The layout rnn_train_fused trains cfg's shape in here: 1 = one member at a time, 2 = RG_VLEN members
 * across the vector lanes (chosen by shape: the lanes while their workspace fits a core's cache); -1 if
 * cfg is invalid. The two layouts round differently (each within the reference's tolerances).
 */
int rg_rnn_layout(const rg_rnn_config *cfg);

/* Forces the layout from now on (0 = by shape, 1, 2 as rg_rnn_layout) and returns the previous mode; for tests. */
int rg_rnn_force_layout(int mode);

#ifdef __cplusplus
}
#endif

#endif
