package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.io.NpyWriter;
import org.repgeom.model.Architecture;
import org.repgeom.train.KernelSchedule;

/**
 * The kernel trace files of a study ({@code train.kernel_every}), see docs/outputs.md:
 * {@code kernel_trace.npy} (M_traced × T × P × P float32, each traced member's last hidden layer),
 * {@code kernel_trace_layer<k>.npy} (the same for hidden layer k, 1-based, k &lt; the deepest
 * member's depth; all NaN for a member with fewer than k hidden layers),
 * {@code kernel_trace_steps.npy} (T int64, the step of each time point) and
 * {@code kernel_trace_members.npy} (M_traced int64, the member ids of the rows).
 *
 * <p>A chunk keeps its traced members' traces in {@code chunks/c<index>/kernel_trace.npy}
 * (rows × depth × T × P × P, its group's depth); {@link #assemble} streams them into the final files.
 */
final class KernelTraceFiles {
    static final String TRACE = "kernel_trace.npy";
    static final String STEPS = "kernel_trace_steps.npy";
    static final String MEMBERS = "kernel_trace_members.npy";
    /** The most float32 values the final trace files may hold together: 4 GiB. */
    static final long LIMIT_FLOATS = 1L << 30;

    private KernelTraceFiles() {
    }

    static String layerFile(int k) {
        return "kernel_trace_layer" + k + ".npy";
    }

    /** The final files a study writes for its kernel trace (none without one). */
    static List<String> names(StudyPlan plan) {
        List<String> out = new ArrayList<>();
        if (!plan.spec().train().tracesKernels()) return out;
        out.add(TRACE);
        out.add(STEPS);
        out.add(MEMBERS);
        for (int k = 1; k < maxDepth(plan.spec()); k++) out.add(layerFile(k));
        return out;
    }

    static KernelSchedule schedule(StudySpec spec) {
        return new KernelSchedule(spec.train().kernelEvery(), spec.train().maxSteps());
    }

    /** Hidden layers of the deepest member. */
    static int maxDepth(StudySpec spec) {
        int d = 0;
        for (int[] shape : spec.model().hiddenShapes()) d = Math.max(d, shape.length);
        return d;
    }

    /**
     * Refuses (on {@code train.kernel_every}) a trace whose final files would hold more than
     * {@link #LIMIT_FLOATS} values: depth × members traced × T × P² of the deepest member's depth.
     */
    static void checkSize(StudySpec spec, int samples) {
        if (!spec.train().tracesKernels()) return;
        int members = KernelTraceSample.of(spec).count(), depth = maxDepth(spec), points = schedule(spec).points();
        long floats = (long) depth * members * points * samples * samples;
        if (floats > LIMIT_FLOATS) {
            throw new SpecException("train.kernel_every", String.format(java.util.Locale.ROOT,
                    "the kernel trace would take %.1f GiB (%d members x %d hidden layers x %d time points x %d x %d"
                            + " float32), over the %d GiB limit; raise train.kernel_every or trace fewer members with"
                            + " train.kernel_trace_members", floats * 4.0 / (1L << 30), members, depth, points, samples,
                    samples, LIMIT_FLOATS * 4 >> 30));
        }
    }

    /**
     * Memory a member's share of the kernel trace takes while its chunk is handled (8 bytes a value, as
     * assembly reads it): depth × T × P² values times the traced fraction of the members; 0 without a trace.
     */
    static long bytesPerMember(StudySpec spec, int samples) {
        if (!spec.train().tracesKernels()) return 0;
        long members = Math.max(1, spec.memberCount());
        long values = (long) maxDepth(spec) * schedule(spec).points() * samples * samples;
        return (8 * values * KernelTraceSample.of(spec).count() + members - 1) / members;
    }

    /** Bytes of chunk c's trace file. */
    static long chunkBytes(StudyPlan plan, StudyPlan.Chunk c, int samples) {
        if (!plan.spec().train().tracesKernels()) return 0;
        int rows = KernelTraceSample.of(plan.spec()).inChunk(c).length;
        return 4L * rows * plan.groupArchitecture(c.group()).depth() * schedule(plan.spec()).points() * samples * samples;
    }

    /** Writes chunk c's traced rows ({@code rows × depth × T × P × P}) into {@code dir}. */
    static void writeChunk(Path dir, float[] trace, int rows, int depth, int points, int samples) throws IOException {
        try (NpyWriter w = NpyWriter.float32(dir.resolve(TRACE), rows, depth, points, samples, samples)) {
            w.append(trace, 0, rows * depth * points * samples * samples);
            w.finish();
        }
    }

    /** Streams the chunks' traces (chunk i from {@code chunkDir.apply(i)}) into the final files in {@code out}. */
    static void assemble(Path out, StudyPlan plan, int samples, IntFunction<Path> chunkDir) throws IOException {
        StudySpec spec = plan.spec();
        KernelTraceSample sample = KernelTraceSample.of(spec);
        KernelSchedule sched = schedule(spec);
        int rows = sample.count(), points = sched.points(), pp = samples * samples, maxDepth = maxDepth(spec);
        int block = points * pp;
        List<NpyWriter> layers = new ArrayList<>();
        try (NpyWriter last = NpyWriter.float32(out.resolve(TRACE), rows, points, samples, samples)) {
            for (int k = 1; k < maxDepth; k++) layers.add(NpyWriter.float32(out.resolve(layerFile(k)), rows, points, samples, samples));
            float[] nan = new float[block];
            java.util.Arrays.fill(nan, Float.NaN);
            for (StudyPlan.Chunk c : plan.chunks()) {
                int n = sample.inChunk(c).length;
                Architecture arch = plan.groupArchitecture(c.group());
                int depth = arch.depth();
                Path file = chunkDir.apply(c.index()).resolve(TRACE);
                NpyArray a = Npy.read(file);
                if (a.ndim() != 5 || a.dim(0) != n || a.dim(1) != depth || a.dim(2) != points || a.dim(3) != samples
                        || a.dim(4) != samples) {
                    throw new IOException(file + ": expected " + n + " x " + depth + " x " + points + " x " + samples + " x "
                            + samples + " values, found shape " + java.util.Arrays.toString(a.shape()) + " (corrupt chunk)");
                }
                double[] d = a.data();
                for (int r = 0; r < n; r++) {
                    int base = r * depth * block;
                    last.append(d, base + (depth - 1) * block, block);
                    for (int k = 1; k < maxDepth; k++) {
                        if (k <= depth) layers.get(k - 1).append(d, base + (k - 1) * block, block);
                        else layers.get(k - 1).append(nan);
                    }
                }
            }
            last.finish();
            for (NpyWriter w : layers) w.finish();
        } finally {
            for (NpyWriter w : layers) w.close();
        }
        Npy.writeInt64(out.resolve(STEPS), new int[] {points}, sched.steps());
        int[] ids = sample.ids();
        long[] idsLong = new long[ids.length];
        for (int i = 0; i < ids.length; i++) idsLong[i] = ids[i];
        Npy.writeInt64(out.resolve(MEMBERS), new int[] {ids.length}, idsLong);
    }
}
