package org.repgeom.backend.cuda;

import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * The operations {@link org.repgeom.backend.CudaBackend} exposes, so that the JCuda-facing classes
 * ({@link CudaTrainer}) stay package-private.
 */
public final class CudaBackendOps {
    private CudaBackendOps() {
    }

    /** Trains on the path {@link #path} chooses: the fused kernel or the library path. */
    public static TrainResult train(CudaDevice dev, TrainRequest req, Task task, ProgressListener progress) {
        if (req.architecture().isRecurrent()) {
            // rnn_train_fused; the library path trains feed-forward networks only
            if ("library".equalsIgnoreCase(String.valueOf(System.getProperty(TrainingPath.PROPERTY)).strip())) {
                throw new IllegalArgumentException("-D" + TrainingPath.PROPERTY + "=library: " + LibraryTrainer.refuses(req));
            }
            return CudaTrainer.train(dev, req, task, progress);
        }
        if (path(dev, req, task) == TrainingPath.LIBRARY) return CudaLibraryDevice.train(dev, req, task, progress);
        return CudaTrainer.train(dev, req, task, progress);
    }

    /**
     * As {@link #train}, keeping the fused path's slots and result arrays in {@code ws} between calls (the
     * returned result's arrays are overwritten by the next call through {@code ws}) and its kernel time in
     * {@link CudaWorkspace#lastKernelSeconds()}. The library path ignores {@code ws} (its kernel time stays NaN).
     */
    public static TrainResult train(CudaDevice dev, TrainRequest req, Task task, ProgressListener progress, CudaWorkspace ws) {
        if (path(dev, req, task) == TrainingPath.LIBRARY) {
            ws.finished(null, Double.NaN, 0, Double.NaN);
            return CudaLibraryDevice.train(dev, req, task, progress);
        }
        return ws.train(req, task, progress, true);
    }

    /** A workspace for repeated fused-path calls on {@code dev} (close it when done). */
    public static CudaWorkspace workspace(CudaDevice dev) {
        return CudaWorkspace.open(dev);
    }

    /** Which path trains this request on this device ({@link TrainingPath}'s rule, {@code -Drepgeom.cuda.path}). */
    public static TrainingPath path(CudaDevice dev, TrainRequest req, Task task) {
        synchronized (dev) {
            dev.makeCurrent();
            return TrainingPath.choose(req.architecture(), task.samples(), req.optimizer().kind(), dev.limits(),
                    dev.trainRegisters(), System.getProperty(TrainingPath.PROPERTY),
                    () -> LibraryTrainer.refuses(req) != null ? LibraryTrainer.refuses(req)
                            : CudaLibraryDevice.unavailableReason(dev));
        }
    }

    /** Why the library path cannot run on this device (kernels or cuBLAS), or null. */
    public static String libraryUnavailableReason(CudaDevice dev) {
        return CudaLibraryDevice.unavailableReason(dev);
    }

    /** φ(Z_layer) computed by the library path (cuBLAS + bias_act_forward), as {@link #hiddenRepresentations}. */
    public static float[] libraryHiddenRepresentations(CudaDevice dev, ParamLayout layout, double[] params, int members,
                                                       Task task, int layer) {
        return CudaLibraryDevice.hidden(dev, layout, params, members, task, layer);
    }

    public static CudaLaunchPlan plan(CudaDevice dev, TrainRequest req, Task task) {
        synchronized (dev) {
            return CudaTrainer.plan(dev, req, task);
        }
    }

    /** How rnn_train_fused would run a recurrent request on this device now. */
    public static RnnLaunchPlan rnnPlan(CudaDevice dev, TrainRequest req, Task task) {
        synchronized (dev) {
            return CudaTrainer.rnnPlan(dev, req, task);
        }
    }

    public static float[] hiddenRepresentations(CudaDevice dev, ParamLayout layout, double[] params, int members, Task task,
                                                int layer) {
        return CudaTrainer.hiddenRepresentations(dev, layout, params, members, task, layer);
    }

    public static float[] initialParams(CudaDevice dev, ParamLayout layout, long[] seeds, double[] scales) {
        return CudaTrainer.initialParams(dev, layout, seeds, scales);
    }
}
