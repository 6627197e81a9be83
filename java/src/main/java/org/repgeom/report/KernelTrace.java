package org.repgeom.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.io.NpyFormatException;
import org.repgeom.io.NpyRows;

/**
 * The kernels a study recorded during training ({@code train.kernel_every}), as read from its
 * directory: {@code kernel_trace.npy} (float32, traced members × T × P × P, the last hidden layer),
 * {@code kernel_trace_steps.npy} (int64 [T], the step of each time point),
 * {@code kernel_trace_members.npy} (int64, the members.csv id of each traced row) and
 * {@code kernel_trace_layer<k>.npy} for the other hidden layers (k 1-based, same shape).
 *
 * @param dir     the study directory
 * @param steps   training step of each time point, ascending
 * @param members member id of each traced row
 * @param p       samples P
 */
record KernelTrace(Path dir, long[] steps, int[] members, int p) {
    static final String KERNELS = "kernel_trace.npy";
    static final String STEPS = "kernel_trace_steps.npy";
    static final String MEMBERS = "kernel_trace_members.npy";

    /** The file of hidden layer k (1-based) when it is not the last hidden layer. */
    static String layerFile(int k) {
        return "kernel_trace_layer" + k + ".npy";
    }

    /** The study's trace, or null when it recorded none; a trace whose files disagree is an error naming the file. */
    static KernelTrace open(Path dir, int samples) throws IOException {
        Path kernels = dir.resolve(KERNELS);
        if (!Files.isRegularFile(kernels)) return null;
        long[] steps = integers(dir.resolve(STEPS));
        long[] ids = integers(dir.resolve(MEMBERS));
        for (int i = 1; i < steps.length; i++) {
            if (steps[i] <= steps[i - 1]) throw new NpyFormatException(dir.resolve(STEPS), "steps are not increasing at entry " + i);
        }
        int[] members = new int[ids.length];
        for (int i = 0; i < ids.length; i++) members[i] = Math.toIntExact(ids[i]);
        KernelTrace t = new KernelTrace(dir, steps, members, samples);
        t.checkShape(kernels);
        return t;
    }

    /** Time points T. */
    int times() {
        return steps.length;
    }

    /** Trace row of each traced member id. */
    Map<Integer, Integer> rowOfMember() {
        Map<Integer, Integer> m = new LinkedHashMap<>();
        for (int r = 0; r < members.length; r++) m.put(members[r], r);
        return m;
    }

    /** The file holding hidden layer {@code layer} (1-based) of members with {@code depth} hidden layers. */
    Path file(int layer, int depth) {
        return dir.resolve(layer == depth ? KERNELS : layerFile(layer));
    }

    /** Fails, naming the file, unless it is traced members × T × P × P. */
    void checkShape(Path file) throws IOException {
        try (NpyRows r = NpyRows.open(file)) {
            int[] want = {members.length, steps.length, p, p};
            if (!Arrays.equals(r.shape(), want)) {
                throw new NpyFormatException(file, "shape " + Arrays.toString(r.shape()) + ", expected " + Arrays.toString(want)
                        + " (traced members × time points × P × P)");
            }
        }
    }

    private static long[] integers(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NpyFormatException(file, "missing: a kernel trace needs it beside " + KERNELS);
        NpyArray a = Npy.read(file);
        if (a.ndim() != 1) throw new NpyFormatException(file, "expected a 1-d array, got shape " + Arrays.toString(a.shapeCopy()));
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            double v = a.data()[i];
            if (v != Math.rint(v) || v < 0) throw new NpyFormatException(file, "entry " + i + " is not a non-negative integer: " + v);
            out[i] = (long) v;
        }
        return out;
    }
}
