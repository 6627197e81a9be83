package org.repgeom.study;

import org.repgeom.backend.TrainResult;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.repgeom.io.AtomicFiles;
import org.repgeom.model.ParamLayout;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.TrainState;

/**
 * The training state of an unfinished chunk, {@code checkpoints/c<index>.state} in the work
 * directory: written after each segment of {@code --checkpoint-every} steps by write-then-rename (a
 * kill leaves the previous checkpoint or the new one, never half of one), read by {@code --resume},
 * deleted when the chunk is written.
 *
 * <p>Format (big-endian, {@link DataOutputStream}): the magic {@code "repgeom-checkpoint-1"}, then
 * chunk index, first member, members, stride, trace length, the step reached (int), the backend name
 * (UTF), then the {@link TrainState} arrays in record order, each as its length (int) and values
 * (the kernel trace last; a file that ends before it, written before the kernel trace existed, has none).
 * The header must match the chunk and backend being resumed (training differs across backends in
 * the last bits), else the checkpoint is not used.
 */
final class ChunkCheckpoint {
    static final String DIR = "checkpoints";
    private static final String MAGIC = "repgeom-checkpoint-1";

    private ChunkCheckpoint() {
    }

    static Path file(Path work, int index) {
        return work.resolve(DIR).resolve(String.format("c%07d.state", index));
    }

    /**
     * Size of chunk c's checkpoint file: per member, 8 bytes for each of params, lastFinite and the
     * moments the optimiser keeps (stride each), 4 per trace entry, 8 per per-member scalar.
     */
    static long bytes(StudyPlan plan, StudyPlan.Chunk c, OptimizerKind kind, int samples) {
        long stride = new ParamLayout(plan.groupArchitecture(c.group())).stride();
        int vectors = 2 + (kind == OptimizerKind.GD ? 0 : kind == OptimizerKind.MOMENTUM ? 1 : 2);
        return 1024 + c.size() * (8L * vectors * stride + 4L * plan.traceLength() + 8L * 9)
                + KernelTraceFiles.chunkBytes(plan, c, samples);
    }

    /**
     * Size of the checkpoint of chunk c once trained ({@link TrainResult#asFinishedState}): params and
     * lastFinite, no moments.
     */
    static long finishedBytes(StudyPlan plan, StudyPlan.Chunk c, int samples) {
        return bytes(plan, c, OptimizerKind.GD, samples);
    }

    /** A checkpoint read back: the state and the step every running member has reached. */
    record Saved(TrainState state, int step) {
    }

    static void write(Path work, StudyPlan.Chunk c, String backend, int step, TrainState s) throws IOException {
        write(work, c, backend, step, s, tmp -> { });
    }

    /**
     * Writes the checkpoint (atomically, on disk before its rename: {@link AtomicFiles#write}); {@code beforeRename}
     * sees the complete temporary file first (the runner records its SHA-256 in the manifest then, so a kill at any
     * point leaves a checkpoint file whose hash the manifest lists).
     */
    static void write(Path work, StudyPlan.Chunk c, String backend, int step, TrainState s,
                      AtomicFiles.BeforeRename beforeRename) throws IOException {
        AtomicFiles.write(file(work, c.index()), ch -> {
            // not closed here: AtomicFiles forces the channel to disk once the content is written
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16));
            out.writeUTF(MAGIC);
            for (int v : new int[] {c.index(), c.firstMember(), s.members(), s.stride(), s.traceLength(), step}) {
                out.writeInt(v);
            }
            out.writeUTF(backend);
            for (double[] a : new double[][] {s.params(), s.lastFinite(), s.moment1(), s.moment2(), s.beta1Power(),
                    s.beta2Power()}) {
                writeDoubles(out, a);
            }
            writeInts(out, s.step());
            writeDoubles(out, s.windowStartLoss());
            writeDoubles(out, s.penalty());
            writeInts(out, s.status());
            writeDoubles(out, s.finalLoss());
            writeDoubles(out, s.gradNorm());
            writeFloats(out, s.trace());
            writeFloats(out, s.kernelTrace());
            out.flush();
        }, beforeRename);
    }

    /**
     * The checkpoint of chunk {@code c}, or null when there is none or it does not belong to this
     * chunk, shape and backend (a line on stderr then says why the chunk starts over).
     */
    static Saved read(Path work, StudyPlan.Chunk c, String backend, int stride, int traceLength, int kernelTraceFloats)
            throws IOException {
        Path f = file(work, c.index());
        if (!Files.exists(f)) return null;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16))) {
            if (!in.readUTF().equals(MAGIC)) return discard(f, "not a checkpoint file");
            int index = in.readInt(), first = in.readInt(), members = in.readInt(), str = in.readInt(),
                    tlen = in.readInt(), step = in.readInt();
            String by = in.readUTF();
            if (index != c.index() || first != c.firstMember() || members != c.size() || str != stride || tlen != traceLength) {
                return discard(f, "it belongs to another chunk or shape");
            }
            if (!by.equals(backend)) return discard(f, "it was written by the " + by + " backend, this run uses " + backend);
            double[] params = readDoubles(in), lastFinite = readDoubles(in), m1 = readDoubles(in), m2 = readDoubles(in),
                    b1 = readDoubles(in), b2 = readDoubles(in);
            int[] steps = readInts(in);
            double[] window = readDoubles(in), penalty = readDoubles(in);
            int[] status = readInts(in);
            double[] loss = readDoubles(in), norm = readDoubles(in);
            float[] trace = readFloats(in);
            in.mark(1);
            boolean older = in.read() < 0; // files from before the kernel trace end here
            in.reset();
            float[] kernels = older ? new float[0] : readFloats(in);
            if (kernels.length != kernelTraceFloats) return discard(f, "its kernel trace does not fit this study");
            return new Saved(new TrainState(members, stride, traceLength, params, lastFinite, m1, m2, b1, b2, steps,
                    window, penalty, status, loss, norm, trace, kernels), step);
        } catch (IOException | IllegalArgumentException | NegativeArraySizeException e) {
            return discard(f, "it cannot be read (" + (e instanceof java.io.EOFException ? "it ends early"
                    : IoErrors.cause(e)) + ")");
        }
    }

    static void delete(Path work, int index) throws IOException {
        Files.deleteIfExists(file(work, index));
    }

    private static Saved discard(Path f, String why) {
        System.err.println("warning: not using checkpoint " + f + ": " + why + "; the chunk is trained from the start");
        return null;
    }

    /** Values per bulk transfer: writeDouble one by one would dominate a checkpoint's cost. */
    private static final int BLOCK = 8192;

    private static void writeDoubles(DataOutputStream out, double[] a) throws IOException {
        out.writeInt(a.length);
        ByteBuffer b = ByteBuffer.allocate(8 * BLOCK); // big-endian, as DataOutputStream
        for (int i = 0; i < a.length; i += BLOCK) {
            int n = Math.min(BLOCK, a.length - i);
            b.asDoubleBuffer().put(a, i, n);
            out.write(b.array(), 0, 8 * n);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        ByteBuffer b = ByteBuffer.allocate(4 * BLOCK);
        for (int i = 0; i < a.length; i += BLOCK) {
            int n = Math.min(BLOCK, a.length - i);
            b.asFloatBuffer().put(a, i, n);
            out.write(b.array(), 0, 4 * n);
        }
    }

    private static void writeInts(DataOutputStream out, int[] a) throws IOException {
        out.writeInt(a.length);
        for (int v : a) out.writeInt(v);
    }

    private static double[] readDoubles(DataInputStream in) throws IOException {
        double[] a = new double[in.readInt()];
        byte[] b = new byte[8 * BLOCK];
        for (int i = 0; i < a.length; i += BLOCK) {
            int n = Math.min(BLOCK, a.length - i);
            in.readFully(b, 0, 8 * n);
            ByteBuffer.wrap(b).asDoubleBuffer().get(a, i, n);
        }
        return a;
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] a = new float[in.readInt()];
        byte[] b = new byte[4 * BLOCK];
        for (int i = 0; i < a.length; i += BLOCK) {
            int n = Math.min(BLOCK, a.length - i);
            in.readFully(b, 0, 4 * n);
            ByteBuffer.wrap(b).asFloatBuffer().get(a, i, n);
        }
        return a;
    }

    private static int[] readInts(DataInputStream in) throws IOException {
        int[] a = new int[in.readInt()];
        for (int i = 0; i < a.length; i++) a[i] = in.readInt();
        return a;
    }
}
