package org.repgeom.backend;

import org.repgeom.backend.cuda.CudaBackendOps;
import org.repgeom.backend.cuda.CudaDevice;
import org.repgeom.backend.cuda.CudaLaunchPlan;
import org.repgeom.backend.cuda.RnnLaunchPlan;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * The CUDA backend: the fused compute kernels of {@code cuda/repgeom_train.cu} on an NVIDIA GPU through
 * JCuda ({@link org.repgeom.backend.cuda}). {@code mlp_train_fused} runs every step of every member
 * of a chunk in one launch, each member owned by a team of threads that keeps it in shared memory;
 * the group is cut into chunks that fit the device, double-buffered so that transfers overlap
 * training ({@link CudaLaunchPlan}). Float32, the semantics of {@link JavaBackend} (tested member by
 * member against it: on the host through the compute-kernel emulator, on a GPU directly).
 *
 * <p>Recurrent requests ({@code model.kind: rnn}) run {@code rnn_train_fused} (cuda/repgeom_rnn.cu):
 * the same teams, chunks and double buffering, with BPTT over every time step on chip.
 *
 * <p>Also: {@link #hiddenRepresentations} (mlp_forward) and {@link #initialParams} (philox_init,
 * {@link org.repgeom.model.InitialWeights} on the device).
 *
 * <p>Not supported: training in segments ({@link Backend#trainSegment}, {@code run --checkpoint-every});
 * the compute kernel keeps each member's optimiser state in shared memory for the whole run and has no way
 * to load or save it. The study runner then trains whole chunks and says so in one warning line.
 */
public final class CudaBackend implements Backend {
    private final CudaDevice device;

    /** The shared device; throws {@link IllegalStateException} with the reason when there is none. */
    public CudaBackend() {
        this.device = CudaDevice.shared();
    }

    /** True when a CUDA device is present and the kernels load on it. */
    public static boolean isAvailable() {
        return CudaDevice.isAvailable();
    }

    /** Why the CUDA backend cannot run here (one line), or null. */
    public static String unavailableReason() {
        return CudaDevice.unavailableReason();
    }

    /** The device and kernels, one line (for {@code repgeom devices}); null when unavailable. */
    public static String description() {
        return isAvailable() ? CudaDevice.shared().describe() : null;
    }

    @Override
    public String name() {
        return "cuda";
    }

    public CudaDevice device() {
        return device;
    }

    @Override
    public boolean supportsKernelTrace() {
        return true;
    }

    @Override
    public TrainResult train(TrainRequest request, Task task, ProgressListener progress) {
        return CudaBackendOps.train(device, request, task, progress);
    }

    /** How {@link #train} would run this feed-forward request on this device now. */
    public CudaLaunchPlan plan(TrainRequest request, Task task) {
        if (request.architecture().isRecurrent()) throw new IllegalArgumentException("a recurrent request: see rnnPlan");
        return CudaBackendOps.plan(device, request, task);
    }

    /** How {@link #train} would run this recurrent request (rnn_train_fused) on this device now. */
    public RnnLaunchPlan rnnPlan(TrainRequest request, Task task) {
        return CudaBackendOps.rnnPlan(device, request, task);
    }

    /**
     * The hidden representations R = φ(Z_layer) of hidden layer {@code layer} of the first
     * {@code members} members of {@code params}: {@code members × width × P} floats, as
     * {@link NativeBackend#hiddenRepresentations}.
     */
    public float[] hiddenRepresentations(ParamLayout layout, double[] params, int members, Task task, int layer) {
        return CudaBackendOps.hiddenRepresentations(device, layout, params, members, task, layer);
    }

    /**
     * Initial parameters of one member per seed ({@code members × stride}, float): entry for entry
     * {@link org.repgeom.model.InitialWeights#fill} rounded to float, computed on the device.
     */
    public float[] initialParams(ParamLayout layout, long[] seeds, double[] initScales) {
        return CudaBackendOps.initialParams(device, layout, seeds, initScales);
    }
}
