package org.repgeom.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.Architecture;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;

/**
 * One group's training on the CUDA compute kernels, host side: the arguments of mlp_train_fused in the
 * compute kernel's formats (config bytes, padded X and Y, the schedule table, per-chunk parameter, λ and
 * learning-rate buffers) and the collection of its outputs into a {@link TrainResult}. Whatever
 * runs the compute kernel — a device through JCuda, or the host emulator in the tests — only moves these
 * bytes.
 *
 * <p>The schedule holds, per step s, {@code {q^(s/T), c1_s, c2_s}} in double: the factor of
 * {@link OptimizerSettings#learningRate} (the compute kernel multiplies it by the member's learning rate,
 * the same double product as the reference) and Adam's bias corrections
 * {@code c_k = 1 / (1 − β_k^(s+1))} with β^(s+1) formed by repeated multiplication, as
 * {@link org.repgeom.train.OptimizerState} does.
 */
public final class FusedTrainingJob {
    private final TrainRequest req;
    private final KernelLayout layout;
    private final int stride;
    private final int layers;
    private final int traceLength;
    private final double[] outParams;
    private final float[] outTrace;
    private final double[] outLoss;
    private final double[] outNorm;
    private final int[] outSteps;
    private final MemberStatus[] outStatus;
    private final float[] x;
    private final float[] y;

    public FusedTrainingJob(TrainRequest req, Task task, KernelLayout layout) {
        this(req, task, layout, null);
    }

    /**
     * A job that writes its outputs into the arrays of {@code reuse} where they have this request's
     * sizes (a benchmark's repeated calls; that earlier result is overwritten), else into new arrays.
     */
    public FusedTrainingJob(TrainRequest req, Task task, KernelLayout layout, TrainResult reuse) {
        Architecture arch = req.architecture();
        if (arch.inputDim() != task.inputDim() || arch.outputDim() != task.outputDim()) {
            throw new IllegalArgumentException(arch + " does not fit " + task);
        }
        if (!layout.architecture().equals(arch) || layout.samples() != task.samples()) {
            throw new IllegalArgumentException(layout + " is not for " + arch + " on " + task.samples() + " samples");
        }
        this.req = req;
        this.layout = layout;
        this.stride = req.layout().stride();
        this.layers = arch.layerCount();
        this.traceLength = req.stop().traceLength();
        int members = req.members();
        boolean fits = reuse != null && reuse.params().length == members * stride
                && reuse.lossTrace().length == members * traceLength && reuse.members() == members;
        outParams = fits ? reuse.params() : new double[members * stride];
        outTrace = fits ? reuse.lossTrace() : new float[members * traceLength];
        outLoss = fits ? reuse.finalLoss() : new double[members];
        outNorm = fits ? reuse.gradNorm() : new double[members];
        outSteps = fits ? reuse.steps() : new int[members];
        outStatus = fits ? reuse.status() : new MemberStatus[members];
        java.util.Arrays.fill(outStatus, null); // result() checks that every member was trained
        x = layout.pad(task.xData(), arch.inputDim());
        y = layout.pad(task.yData(), arch.outputDim());
    }

    public KernelLayout layout() {
        return layout;
    }

    public int members() {
        return req.members();
    }

    public int stride() {
        return stride;
    }

    public int traceLength() {
        return traceLength;
    }

    public int layers() {
        return layers;
    }

    /** The kernel's configuration bytes. */
    public byte[] config() {
        return layout.config(req.optimizer(), req.stop());
    }

    /** X as the kernel reads it: dX × ldp floats. */
    public float[] paddedX() {
        return x.clone();
    }

    /** Y as the kernel reads it: dY × ldp floats. */
    public float[] paddedY() {
        return y.clone();
    }

    /** Per step {lr factor, c1, c2}, 3 × maxSteps doubles (see class comment). */
    public double[] schedule() {
        return schedule(req.optimizer(), req.stop());
    }

    static double[] schedule(OptimizerSettings opt, StopRule stop) {
        int n = stop.maxSteps();
        double[] s = new double[3 * n];
        double p1 = 1.0, p2 = 1.0;
        for (int t = 0; t < n; t++) {
            p1 *= opt.beta1();
            p2 *= opt.beta2();
            s[3 * t] = opt.finalLrRatio() == 1.0 ? 1.0 : Math.pow(opt.finalLrRatio(), (double) t / n);
            s[3 * t + 1] = 1.0 / (1.0 - p1);
            s[3 * t + 2] = 1.0 / (1.0 - p2);
        }
        return s;
    }

    /** Bytes of each chunk buffer for {@code capacity} members. */
    public ChunkBuffers.Sizes sizes(int capacity) {
        return new ChunkBuffers.Sizes(4L * capacity * stride, 4L * capacity * layers, 8L * capacity,
                4L * capacity * traceLength, 8L * capacity, 8L * capacity, 4L * capacity, 4L * capacity);
    }

    /** Writes the inputs of members [first, first+count) (parameters to float, λ to float, learning rates). */
    public void packInputs(int first, int count, ChunkBuffers b) {
        ByteBuffer p = b.params().order(ByteOrder.LITTLE_ENDIAN);
        double[] init = req.initialParams();
        int base = first * stride;
        for (int i = 0; i < count * stride; i++) p.putFloat(4 * i, (float) init[base + i]);
        ByteBuffer l = b.lambdas().order(ByteOrder.LITTLE_ENDIAN);
        double[] lam = req.lambdas();
        for (int i = 0; i < count * layers; i++) l.putFloat(4 * i, (float) lam[first * layers + i]);
        ByteBuffer r = b.lrs().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) r.putDouble(8 * i, req.learningRates()[first + i]);
    }

    /** Reads the outputs of members [first, first+count) from the chunk buffers. */
    public void unpackOutputs(int first, int count, ChunkBuffers b) {
        ByteBuffer p = b.params().order(ByteOrder.LITTLE_ENDIAN);
        int base = first * stride;
        for (int i = 0; i < count * stride; i++) outParams[base + i] = p.getFloat(4 * i);
        ByteBuffer t = b.trace().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count * traceLength; i++) outTrace[first * traceLength + i] = t.getFloat(4 * i);
        ByteBuffer fl = b.finalLoss().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer gn = b.gradNorm().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer st = b.steps().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer ss = b.status().order(ByteOrder.LITTLE_ENDIAN);
        MemberStatus[] all = MemberStatus.values();
        for (int e = 0; e < count; e++) {
            outLoss[first + e] = fl.getDouble(8 * e);
            outNorm[first + e] = gn.getDouble(8 * e);
            outSteps[first + e] = st.getInt(4 * e);
            int s = ss.getInt(4 * e);
            if (s < 0 || s >= all.length) throw new IllegalStateException("kernel returned status " + s + " for member " + (first + e));
            outStatus[first + e] = all[s];
        }
    }

    /** The collected result (after every chunk was unpacked). */
    public TrainResult result() {
        for (int e = 0; e < outStatus.length; e++) {
            if (outStatus[e] == null) throw new IllegalStateException("member " + e + " was never trained");
        }
        return new TrainResult(outParams, outTrace, traceLength, outLoss, outNorm, outSteps, outStatus);
    }
}
