/*
 * Host emulation of the repgeom CUDA kernels: runs the code of repgeom_train.cu (included below)
 * on the CPU, a team being T std::threads that meet at real barriers and a "warp" one thread —
 * or, built with -DRG_EMU_WARP=32 (rg_cuda_emu32), 32 threads whose shuffles and __syncwarp are
 * emulated, so a 32-thread team takes the device's __syncwarp path and larger teams the named-barrier
 * path. A block over the device's shared-memory limit (RG_EMU_SHARED_LIMIT) is refused.
 * Everything but the warp shuffles, named barriers and the atomic counter is the device code
 * itself, so the Java tests (CudaKernelEmulationTest) check the kernels' arithmetic, indexing,
 * shared-memory layout, stop rule and divergence replay against the Java reference without a GPU.
 *
 *   rg_cuda_emu train   DIR BLOCKS COUNT [KERNEL_EVERY]   (KERNEL_EVERY > 0: krows.bin in, ktrace.bin out)
 *   rg_cuda_emu forward DIR BLOCKS COUNT LAYER
 *   rg_cuda_emu init    DIR COUNT
 *   rg_cuda_emu rnn     DIR BLOCKS COUNT                  (rnn_train_fused, cuda/repgeom_rnn.cu)
 *
 * DIR holds the kernel arguments as raw little-endian files written by the Java side
 * (cfg.bin = the rg_cuda_config bytes, x.bin, y.bin, params.bin, lambdas.bin, lrs.bin, sched.bin;
 * forward: x.bin, params.bin; init: cfg.bin, seeds.bin, scales.bin); outputs are written next to
 * them (params.bin updated in place as on the device, trace.bin, final_loss.bin, grad_norm.bin,
 * steps.bin, status.bin; out.bin; params.bin). An output file already present is the array's content
 * before the launch (as device memory: the fake driver of the tests passes it, so an element the kernel
 * does not write keeps its old bytes); ktrace.bin then holds rows 0 … max(krows) in full.
 * Exit status 0 on success, 2 on bad input.
 *
 * Built by cuda/build.sh with g++ (no CUDA needed); never shipped in the jar.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

/* A reusable barrier for n threads (generation counting). */
struct rg_host_barrier {
    std::mutex mu;
    std::condition_variable cv;
    int n = 0, waiting = 0;
    long generation = 0;

    void wait() {
        std::unique_lock<std::mutex> lock(mu);
        long gen = generation;
        if (++waiting == n) {
            waiting = 0;
            generation++;
            cv.notify_all();
        } else {
            cv.wait(lock, [&] { return generation != gen; });
        }
    }
};

static int rg_host_atomic_add(int *p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }

/* One emulated warp: its lanes meet at bar (the __syncwarp of a 32-thread team) and swap values
   through lane[] (the shuffles). Unused when warps are single threads. */
struct rg_host_warp {
    rg_host_barrier bar;
    double lane[32];
};

/* __shfl_xor_sync(full mask, v, off) for lane `lane`: every lane publishes, all meet, each reads its
   partner, all meet again before the slots are reused. */
static double rg_host_shfl_xor(rg_host_warp *w, int lane, double v, int off) {
    w->lane[lane] = v;
    w->bar.wait();
    double other = w->lane[lane ^ off];
    w->bar.wait();
    return other;
}

/* The device's __trap(): the emulator stops with the reason. */
static void rg_host_fail(const char *what, int value) {
    fprintf(stderr, "rg_cuda_emu: %s: %d\n", what, value);
    exit(3);
}

/* The most dynamic shared memory one block may have: 227 KiB, the opt-in limit of sm_90 (H100/H200). */
#ifndef RG_EMU_SHARED_LIMIT
#define RG_EMU_SHARED_LIMIT (227u * 1024u)
#endif

#include "repgeom_train.cu"
#include "repgeom_rnn.cu"

static void die(const std::string &msg) {
    fprintf(stderr, "rg_cuda_emu: %s\n", msg.c_str());
    exit(2);
}

template <class T>
static std::vector<T> read_file(const std::string &dir, const char *name, size_t expect) {
    std::string path = dir + "/" + name;
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) die("cannot open " + path);
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (bytes < 0 || (size_t)bytes != expect * sizeof(T)) {
        die(path + ": " + std::to_string(bytes) + " bytes, expected " + std::to_string(expect * sizeof(T)));
    }
    std::vector<T> v(expect);
    if (expect > 0 && fread(v.data(), sizeof(T), expect, f) != expect) die("cannot read " + path);
    fclose(f);
    return v;
}

template <class T>
static void write_file(const std::string &dir, const char *name, const std::vector<T> &v) {
    std::string path = dir + "/" + name;
    FILE *f = fopen(path.c_str(), "wb");
    if (!f) die("cannot write " + path);
    if (!v.empty() && fwrite(v.data(), sizeof(T), v.size(), f) != v.size()) die("cannot write " + path);
    fclose(f);
}

/* The per-member results both training kernels (MLP and recurrent) leave, one file each. */
static void write_results(const std::string &dir, const std::vector<float> &params, const std::vector<float> &trace,
                          const std::vector<double> &final_loss, const std::vector<double> &grad_norm,
                          const std::vector<int> &steps, const std::vector<int> &status) {
    write_file(dir, "params.bin", params);
    write_file(dir, "trace.bin", trace);
    write_file(dir, "final_loss.bin", final_loss);
    write_file(dir, "grad_norm.bin", grad_norm);
    write_file(dir, "steps.bin", steps);
    write_file(dir, "status.bin", status);
}

/* An output array's content before the kernel: DIR/NAME where present (the device memory as the host
   left it, written by the tests' fake CUDA driver, so an element the kernel fails to write keeps it),
   else n copies of `fill`. */
template <class T>
static std::vector<T> initial(const std::string &dir, const char *name, size_t n, T fill) {
    FILE *f = fopen((dir + "/" + name).c_str(), "rb");
    if (!f) return std::vector<T>(n, fill);
    fclose(f);
    return read_file<T>(dir, name, n);
}

static rg_cuda_config read_config(const std::string &dir) {
    std::vector<unsigned char> raw = read_file<unsigned char>(dir, "cfg.bin", sizeof(rg_cuda_config));
    rg_cuda_config c;
    memcpy(&c, raw.data(), sizeof c);
    if (c.depth < 1 || c.depth > RG_MAX_DEPTH || c.layers != c.depth + 1 || c.team_threads < 1
        || c.teams_per_block < 1 || c.samples < 1 || c.ldp < c.samples) {
        die("implausible configuration");
    }
    return c;
}

/*
 * Runs `body(block, thread, smem, block_sync, team)` for `blocks` blocks of teams_per_block teams of
 * T threads, all concurrently (so the member counter is contended as on a device).
 */
template <class Config, class Body>
static void launch(const Config &c, int blocks, Body body) {
    const int tpb = c.teams_per_block, T = c.team_threads, threads = tpb * T;
    const size_t smem_floats = (size_t)c.shared_floats + (size_t)tpb * c.team_floats;
    std::vector<std::vector<double>> smem(blocks, std::vector<double>(smem_floats / 2 + 1));
    if (T % RG_WARP != 0) die("team size " + std::to_string(T) + " is not a multiple of the warp (" + std::to_string(RG_WARP) + ")");
    // a block the device could not launch must not pass here either
    const size_t smem_bytes = smem_floats * sizeof(float);
    if (smem_bytes > RG_EMU_SHARED_LIMIT) {
        die("a block needs " + std::to_string(smem_bytes) + " bytes of shared memory, over the device limit of "
            + std::to_string(RG_EMU_SHARED_LIMIT));
    }
    std::vector<rg_host_barrier> block_bars(blocks);
    std::vector<rg_host_barrier> team_bars((size_t)blocks * tpb);
    std::vector<rg_host_warp> warps((size_t)blocks * threads / RG_WARP);
    for (auto &b : block_bars) b.n = threads;
    for (auto &b : team_bars) b.n = T;
    for (auto &w : warps) w.bar.n = RG_WARP;
    std::vector<std::thread> pool;
    for (int blk = 0; blk < blocks; blk++) {
        for (int th = 0; th < threads; th++) {
            pool.emplace_back([&, blk, th] {
                float *s = (float *)smem[blk].data();
                rg_team t;
                t.tid = th % T;
                t.n = T;
                t.id = th / T;
                t.bar = &team_bars[(size_t)blk * tpb + t.id];
                t.warp = &warps[((size_t)blk * threads + th) / RG_WARP];
                rg_host_barrier *bb = &block_bars[blk];
                body(blk, th, s, [bb] { bb->wait(); }, t);
            });
        }
    }
    for (auto &p : pool) p.join();
}

static int run_train(const std::string &dir, int blocks, int count, int kernel_every) {
    rg_cuda_config c = read_config(dir);
    const int dX = c.fin[0], dY = c.fout[c.depth];
    std::vector<float> x = read_file<float>(dir, "x.bin", (size_t)dX * c.ldp);
    std::vector<float> y = read_file<float>(dir, "y.bin", (size_t)dY * c.ldp);
    std::vector<float> params = read_file<float>(dir, "params.bin", (size_t)count * c.stride);
    std::vector<float> lambdas = read_file<float>(dir, "lambdas.bin", (size_t)count * c.layers);
    std::vector<double> lrs = read_file<double>(dir, "lrs.bin", (size_t)count);
    std::vector<double> sched = read_file<double>(dir, "sched.bin", (size_t)3 * c.max_steps);
    std::vector<float> trace = initial<float>(dir, "trace.bin", (size_t)count * c.trace_len, 0.0f);
    std::vector<double> final_loss = initial<double>(dir, "final_loss.bin", count, 0.0);
    std::vector<double> grad_norm = initial<double>(dir, "grad_norm.bin", count, 0.0);
    std::vector<int> steps = initial<int>(dir, "steps.bin", count, 0), status = initial<int>(dir, "status.bin", count, 0);
    std::vector<float> scratch((size_t)blocks * c.teams_per_block * c.scratch_floats + 1);
    /* the kernel trace: krows.bin (a row per member, -1 untraced) in, ktrace.bin (rows x depth x points x P x P) out */
    std::vector<int> krows(1, -1);
    std::vector<float> ktrace(1);
    if (kernel_every > 0) {
        krows = read_file<int>(dir, "krows.bin", (size_t)count);
        long rows = 0;
        for (int r : krows) rows = r + 1L > rows ? r + 1L : rows;
        const long points = c.max_steps / kernel_every + 1 + (c.max_steps % kernel_every != 0);
        ktrace = initial<float>(dir, "ktrace.bin", (size_t)(rows * c.depth * points * c.samples * c.samples), nan_f());
        ktrace.push_back(nan_f());
    }
    int work = 0;
    launch(c, blocks, [&](int blk, int th, float *smem, auto block_sync, rg_team t) {
        RG_WITH_PLACEMENT(c.place, (train_block<PLACE>(c, blk, th, smem, block_sync, t, x.data(), y.data(), params.data(),
                                                       lambdas.data(), lrs.data(), sched.data(), trace.data(),
                                                       final_loss.data(), grad_norm.data(), steps.data(),
                                                       status.data(), scratch.data(), &work, count, kernel_every,
                                                       krows.data(), ktrace.data())));
    });
    if (kernel_every > 0) {
        ktrace.pop_back();
        write_file(dir, "ktrace.bin", ktrace);
    }
    write_results(dir, params, trace, final_loss, grad_norm, steps, status);
    return 0;
}

static int run_rnn(const std::string &dir, int blocks, int count) {
    std::vector<unsigned char> raw = read_file<unsigned char>(dir, "cfg.bin", sizeof(rg_rnn_cuda_config));
    rg_rnn_cuda_config c;
    memcpy(&c, raw.data(), sizeof c);
    if (c.team_threads < 1 || c.teams_per_block < 1 || c.samples < 1 || c.ldp < c.samples || c.time_steps < 1
        || c.ldr < c.time_steps * c.ldp || c.width < 1) {
        die("implausible recurrent configuration");
    }
    std::vector<float> x = read_file<float>(dir, "x.bin", (size_t)c.input_dim * c.ldp);
    std::vector<float> y = read_file<float>(dir, "y.bin", (size_t)c.output_dim * c.ldp);
    std::vector<float> params = read_file<float>(dir, "params.bin", (size_t)count * c.stride);
    std::vector<float> lambdas = read_file<float>(dir, "lambdas.bin", (size_t)count * 3);
    std::vector<double> lrs = read_file<double>(dir, "lrs.bin", (size_t)count);
    std::vector<double> sched = read_file<double>(dir, "sched.bin", (size_t)3 * c.max_steps);
    std::vector<float> trace((size_t)count * c.trace_len);
    std::vector<double> final_loss(count), grad_norm(count);
    std::vector<int> steps(count), status(count);
    std::vector<float> scratch((size_t)blocks * c.teams_per_block * c.scratch_floats + 1);
    int work = 0;
    launch(c, blocks, [&](int blk, int th, float *smem, auto block_sync, rg_team t) {
        RG_WITH_RNN_PLACEMENT(c.place, (rnn_train_block<PLACE>(c, blk, th, smem, block_sync, t, x.data(), y.data(),
                                                               params.data(), lambdas.data(), lrs.data(), sched.data(),
                                                               trace.data(), final_loss.data(), grad_norm.data(),
                                                               steps.data(), status.data(), scratch.data(), &work,
                                                               count)));
    });
    write_results(dir, params, trace, final_loss, grad_norm, steps, status);
    return 0;
}

static int run_forward(const std::string &dir, int blocks, int count, int layer) {
    rg_cuda_config c = read_config(dir);
    if (layer < 0 || layer >= c.depth) die("layer out of range");
    std::vector<float> x = read_file<float>(dir, "x.bin", (size_t)c.fin[0] * c.ldp);
    std::vector<float> params = read_file<float>(dir, "params.bin", (size_t)count * c.stride);
    std::vector<float> out = initial<float>(dir, "out.bin", (size_t)count * c.fout[layer] * c.samples, 0.0f);
    std::vector<float> scratch((size_t)blocks * c.teams_per_block * c.scratch_floats + 1);
    int work = 0;
    launch(c, blocks, [&](int blk, int th, float *smem, auto block_sync, rg_team t) {
        RG_WITH_PLACEMENT(c.place, (forward_block<PLACE>(c, blk, th, smem, block_sync, t, x.data(), params.data(), layer,
                                                         out.data(), scratch.data(), &work, count)));
    });
    write_file(dir, "out.bin", out);
    return 0;
}

static int run_init(const std::string &dir, int count) {
    rg_cuda_config c = read_config(dir);
    std::vector<unsigned long long> seeds = read_file<unsigned long long>(dir, "seeds.bin", (size_t)count);
    std::vector<double> scales = read_file<double>(dir, "scales.bin", (size_t)count);
    std::vector<float> params((size_t)count * c.stride);
    for (int e = 0; e < count; e++) init_member(c, seeds[e], scales[e], params.data() + (size_t)e * c.stride, 0, 1);
    write_file(dir, "params.bin", params);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) die("usage: rg_cuda_emu train|rnn|forward DIR BLOCKS COUNT [LAYER] | init DIR COUNT");
    std::string kernel = argv[1], dir = argv[2];
    if (kernel == "init") return run_init(dir, atoi(argv[3]));
    if (argc < 5) die("missing COUNT");
    int blocks = atoi(argv[3]), count = atoi(argv[4]);
    if (blocks < 1 || count < 0) die("bad BLOCKS or COUNT");
    if (kernel == "rnn") return run_rnn(dir, blocks, count);
    if (kernel == "train") return run_train(dir, blocks, count, argc >= 6 ? atoi(argv[5]) : 0);
    if (kernel == "forward" && argc >= 6) return run_forward(dir, blocks, count, atoi(argv[5]));
    die("unknown kernel " + kernel);
    return 2;
}
