/*
 * repgeom native CPU kernels: pure C11, no JNI (the glue is repgeom_jni.c).
 *
 * Same operations, same names as the Java reference:
 *   philox4x32_10     <-> org.repgeom.rng.Philox4x32.philox4x32_10
 *   mlp_train_fused   <-> org.repgeom.backend.JavaBackend.mlp_train_fused (+ model.Mlp)
 *   mlp_forward       <-> org.repgeom.model.Mlp.forward + hidden(layer)
 *   mlp_train_fused_f64 <-> JavaBackend.mlp_train_fused itself, in double precision (the stationarity polish)
 * but in float32, on caller-owned memory (Java direct buffers), a whole chunk of members and all
 * of their steps inside one call.
 */
#ifndef REPGEOM_KERNELS_H
#define REPGEOM_KERNELS_H

#include <float.h>
#include <math.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most hidden layers a network may have (layers = depth + 1 weight matrices). */
#define RG_MAX_DEPTH 16

/* rg_config.bias_all: which hidden layers carry a bias (the readout never does). */
#define RG_BIAS_FIRST 0
#define RG_BIAS_ALL 1
#define RG_BIAS_NONE 2
/* Whether weight layer l (0 ... depth) of c has a bias. */
#define RG_HAS_BIAS(c, l) ((l) < (c)->depth && (c)->bias_all != RG_BIAS_NONE && ((l) == 0 || (c)->bias_all == RG_BIAS_ALL))

/* Activation ids: the ordinals of org.repgeom.model.Activation. */
enum { RG_RELU = 0, RG_LEAKY_RELU = 1, RG_CLIPPED_RELU = 2, RG_LINEAR = 3, RG_TANH = 4, RG_GELU = 5 };
/* Optimiser ids: the ordinals of org.repgeom.train.OptimizerKind. */
enum { RG_GD = 0, RG_MOMENTUM = 1, RG_ADAM = 2 };
/* Member status: the ordinals of org.repgeom.train.MemberStatus. */
enum { RG_CONVERGED = 0, RG_MAX_STEPS = 1, RG_DIVERGED = 2 };
/* Status of a member still training (mlp_train_fused_resume; org.repgeom.train.TrainState.RUNNING). */
#define RG_RUNNING (-1)

/* Error codes returned by mlp_train_fused and mlp_forward (0 = success). */
#define RG_OK 0
#define RG_EBADARG (-1)
#define RG_ENOMEM (-2)

/*
 * The kernel trace of train.kernel_every (org.repgeom.backend.KernelTraceRequest): each hidden layer's
 * K_l = R_l^T R_l (P x P) at step 0, every `every` steps and at max_steps (rg_kernel_trace_points time
 * points, point k at step min(k * every, max_steps)); a member that stops at step S holds its final
 * kernel at every point whose step is >= S. Traced member row r writes out[((r * depth + l) * points + k) * P * P].
 */
typedef struct rg_kernel_trace {
    int every;          /* >= 1 */
    const int32_t *row; /* per member (absolute index): its row of out, or -1 when it is not traced */
    float *out;         /* rows x depth x points x P x P */
} rg_kernel_trace;

/* One group's architecture and training settings (shared by every member of the call). */
typedef struct rg_config {
    int depth;                     /* L hidden layers, 1 ... RG_MAX_DEPTH */
    int dims[RG_MAX_DEPTH + 2];    /* dims[0] = dX, dims[1..L] = hidden widths, dims[L+1] = dY */
    int bias_all;                  /* RG_BIAS_FIRST (0): only layer 0 has a bias; RG_BIAS_ALL (1): every hidden
                                      layer; RG_BIAS_NONE (2): no layer */
    int activation;                /* RG_RELU ... */
    int samples;                   /* P */
    int opt_kind;                  /* RG_GD ... */
    double final_lr_ratio, momentum, beta1, beta2, eps;
    int max_steps;
    double tol;
    int window;
    int trace_every;
    const rg_kernel_trace *kernel_trace; /* NULL: no kernel trace */
} rg_config;

/*
 * One member's network for mlp_train_fused_f64 (repgeom_train_f64.c): the dimensions and the offsets of
 * org.repgeom.model.ParamLayout (bias_off[l] = -1 where layer l has no bias; every offset as ParamLayout's).
 */
typedef struct rg_f64_net {
    int depth;                      /* L hidden layers, 1 ... RG_MAX_DEPTH */
    int dims[RG_MAX_DEPTH + 2];     /* dX, hidden widths, dY */
    int weight_off[RG_MAX_DEPTH + 1];
    int bias_off[RG_MAX_DEPTH + 1];
    int activation;                 /* RG_RELU ... */
    int samples;                    /* P */
} rg_f64_net;

/* The optimiser and stop rule of one mlp_train_fused_f64 call (the learning rates come one per step). */
typedef struct rg_f64_train {
    int opt_kind;                   /* RG_GD ... */
    double momentum, beta1, beta2, eps;
    int max_steps, window, trace_every;
    double tol;
} rg_f64_train;

/* Parameters per member of n, or -1 when n is invalid (offsets not ParamLayout's, bad sizes). */
long rg_f64_stride(const rg_f64_net *n);

/*
 * org.repgeom.backend.JavaBackend.mlp_train_fused in double precision, bit for bit: trains one member
 * (params, stride doubles, in place) with the loss, gradient, optimiser, stop and divergence rules of the
 * Java reference; lrs[t] is the learning rate of step t (tr->max_steps of them); x is dX x P, y dY x P,
 * lambdas depth + 1; grad (stride) ends with the gradient at the final parameters; trace holds
 * max_steps / trace_every + 1 floats. outcome = {loss, gradient norm, steps, status}. Returns RG_OK,
 * RG_EBADARG or RG_ENOMEM.
 */
int mlp_train_fused_f64(const rg_f64_net *n, const rg_f64_train *tr, const double *x, const double *y,
                        double *params, const double *lambdas, const double *lrs, double *grad, float *trace,
                        double *outcome);

/* out[i] = StrictMath.tanh(in[i]) (fdlibm's algorithm), as mlp_train_fused_f64 computes it (in == out allowed). */
void rg_tanh_f64_array(const double *in, double *out, long len);

/* Time points of cfg's kernel trace: max_steps / every + 1, plus one when every does not divide max_steps. */
int rg_kernel_trace_points(const rg_config *cfg);

/* Start of member e's block of cfg's kernel trace (depth x points x P x P), or NULL when e is not traced. */
float *rg_kernel_trace_member(const rg_config *cfg, int e);

/*
 * Writes K = R^T R of hidden layer `layer`, R[i][p] = a[i * unit_stride + p * sample_stride] (i < width,
 * p < P; summed in double, rounded to float), to time points [from, to) of a member's block. The twin of
 * org.repgeom.backend.JavaBackend.kernel_trace_record; both training layouts call it.
 */
void kernel_trace_record(const rg_config *cfg, int layer, const float *a, long unit_stride, long sample_stride,
                         float *block, int from, int to);

/*
 * What training in segments carries from one call to the next besides params, trace, steps and
 * status (org.repgeom.train.TrainState): per member, ParamLayout-ordered like params,
 *   last_finite  the parameters before the last update (restored on divergence)
 *   moment1      momentum velocity / Adam m (NULL for GD), moment2 Adam v (NULL unless Adam)
 *   beta1_pow, beta2_pow   beta^t as Adam's bias correction multiplied them up
 *   window_start the stop rule's loss at the start of the current window
 *   penalty      sum_l lambda_l ||W_l||^2 of params as the last update computed it (read when steps > 0)
 */
typedef struct rg_resume {
    int until_step;
    float *last_finite, *moment1, *moment2;
    double *beta1_pow, *beta2_pow, *window_start, *penalty;
} rg_resume;

/* Ten Philox rounds on ctr[4] under key (k0, k1); ctr is overwritten with the output. */
void philox4x32_10(uint32_t ctr[4], uint32_t k0, uint32_t k1);

/* Checks the three published Random123 known-answer vectors; returns a bit mask of failures (0 = all pass). */
int philox4x32_kat(void);

/*
 * Continues members [first, first + count) from the state in params, trace, steps, status and *r
 * until each has taken r->until_step steps or stopped: members whose status is not RG_RUNNING are
 * left alone; one still running after the call has status RG_RUNNING and its state written back.
 * Started from the initial state (steps 0, zero moments, beta powers 1, trace NaN, last_finite =
 * params) and continued in any segments, it ends bit for bit where mlp_train_fused ends.
 */
int mlp_train_fused_resume(const rg_config *cfg, const rg_resume *r, const float *x, const float *y, float *params,
                           const float *lambdas, const double *lrs, float *trace, double *final_loss,
                           double *grad_norm, int32_t *steps, int32_t *status, int first, int count);

/*
 * Trains members [first, first + count) of a group in place.
 *
 *   x          dX x P, row-major (feature-major), shared by all members
 *   y          dY x P
 *   params     members x stride, ParamLayout order [W_0 | b_0 | W_1 | ... | W_L] per member
 *   lambdas    members x (L+1)
 *   lrs        members (initial learning rate, double)
 *   trace      members x traceLength (traceLength = max_steps / trace_every + 1)
 *   final_loss, grad_norm (double), steps, status (int): members each
 *
 * Every array is indexed by the absolute member index (first ... first+count-1). Float32
 * parameters and arithmetic; the loss is accumulated in double. Returns RG_OK or an error code.
 */
int mlp_train_fused(const rg_config *cfg, const float *x, const float *y, float *params,
                    const float *lambdas, const double *lrs, float *trace, double *final_loss,
                    double *grad_norm, int32_t *steps, int32_t *status, int first, int count);

/*
 * The post-activation representation R = phi(Z_layer) of hidden layer `layer` (0-based, < depth) for
 * members [first, first + count) of a group: the forward pass of mlp_train_fused up to that layer.
 *
 *   x          dX x P, row-major, shared by all members
 *   params     members x stride, ParamLayout order (as mlp_train_fused), read only
 *   out        members x width x P with width = dims[layer + 1]: out[e][unit][sample], unpadded
 *
 * Indexed by absolute member like mlp_train_fused. Only the shape fields of cfg are read (depth,
 * dims, bias_all, activation, samples); the training settings are ignored. Float32. Returns RG_OK,
 * RG_EBADARG (bad shape, NULL pointer, layer outside [0, depth), negative range) or RG_ENOMEM.
 */
int mlp_forward(const rg_config *cfg, const float *x, const float *params, int layer, float *out, int first,
                int count);

/* Parameters per member (ParamLayout.stride()) for cfg, or -1 if cfg (shape or training settings) is invalid. */
long rg_param_stride(const rg_config *cfg);

/* Parameters per member for cfg's shape alone (training settings not checked), or -1 if the shape is invalid. */
long rg_shape_stride(const rg_config *cfg);

/* Caps the variant used from now on (2 = best available, 1 = at most AVX2, 0 = generic); returns the
 * previous cap. For tests of the lower variants on a machine that has AVX-512. */
int rg_limit_isa(int limit);

/* Forces the training layout of mlp_train_fused from now on (0 = chosen by shape, 1 = one member at a
 * time, padded, 2 = members interleaved across the vector lanes); returns the previous mode. For tests. */
int rg_force_layout(int mode);

/* The layout mlp_train_fused uses for cfg's shape here (only the shape fields are read): 1 = one member
 * at a time, 2 = across the lanes; -1 if the shape is invalid. */
int rg_layout(const rg_config *cfg);

/* Flush-to-zero and denormals-are-zero for one kernel call, as mlp_train_fused sets them (see
 * repgeom_kernels.c); returns the caller's mode, which rg_restore_fp_mode puts back. */
unsigned long rg_flush_subnormals(void);
void rg_restore_fp_mode(unsigned long saved);

/* Which compiled variant mlp_train_fused and mlp_forward dispatch to here: "avx512", "avx2" or "generic". */
const char *rg_isa(void);

/* out[i] = the float tanh the training uses (rg_tanh_v of repgeom_activations.h) of in[i], in the variant
 * rg_isa() names, under the training's flush to zero; in == out allowed. For the accuracy tests of that tanh. */
void rg_tanh_f32(const float *in, float *out, long n);

/*
 * Step control of one member, shared by the training loops (one member at a time, and members across the
 * vector lanes): the stop rule, the loss trace, Adam's bias corrections and the final status, the float32
 * twins of the reference's loop (org.repgeom.backend.JavaBackend.mlp_train_fused). They take plain values,
 * not rg_config, so that any loop with the same rules can use them.
 */

/*
 * The divergence rule of every backend (JavaBackend.representable, representable in the CUDA kernels):
 * float32 can hold the loss v. A loss the double sums keep finite but float32 cannot hold (|v| > FLT_MAX)
 * is a divergence too, as it is in the reference; NaN is not representable.
 */
static inline int representable(double v) {
    return fabs(v) <= FLT_MAX;
}

/* The stop rule: the loss moved by at most tol (relative to now) since the start of the window. */
static inline int rg_converged(double tol, double window_start, double now) {
    return tol > 0 && fabs(window_start - now) <= tol * fabs(now);
}

/*
 * After step s of a member, whose loss was representable and whose update gave a finite gradient: writes the trace
 * point of s (trace_row: the member's row) and, at a window boundary, applies the stop rule (returns 1: the
 * member converged at s and keeps the parameters of step s) or starts the next window; returns 0 to go on.
 */
static inline int rg_step_end(int s, double loss, float *trace_row, int trace_every, int window, double tol,
                              double *window_start) {
    if (s % trace_every == 0) trace_row[s / trace_every] = (float)loss;
    if (s % window != 0) return 0;
    if (s > 0 && rg_converged(tol, *window_start, loss)) return 1;
    *window_start = loss;
    return 0;
}

/*
 * The status a member ends with after `step` steps, its loss at the final parameters being `loss`: a
 * loss float32 cannot hold (not representable) is DIVERGED; a run that used its whole budget at a window boundary may still have
 * converged there. Writes the final trace point when the budget ended on one.
 */
static inline int rg_final_status(int status, int step, double loss, double window_start, float *trace_row,
                                  int max_steps, int trace_every, int window, double tol) {
    if (status != RG_DIVERGED && !representable(loss)) status = RG_DIVERGED;
    if (status == RG_MAX_STEPS && step >= window && step % window == 0 && rg_converged(tol, window_start, loss)) {
        status = RG_CONVERGED;
    }
    if (step == max_steps && step % trace_every == 0) trace_row[step / trace_every] = (float)loss;
    return status;
}

/* Adam's bias corrections of the next step: beta^t multiplied up one step, c = 1 / (1 - beta^t). */
static inline void rg_adam_corrections(double beta1, double beta2, double *beta1_pow, double *beta2_pow, float *c1,
                                       float *c2) {
    *beta1_pow *= beta1;
    *beta2_pow *= beta2;
    *c1 = (float)(1.0 / (1.0 - *beta1_pow));
    *c2 = (float)(1.0 / (1.0 - *beta2_pow));
}

#ifdef __cplusplus
}
#endif

#endif
