package org.repgeom.study;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.NpyWriter;

/**
 * The files of one finished chunk, in {@code chunks/c<index>/} of a study directory (the
 * in-progress format, assembled into the final files at the end):
 * {@code members.csv} (header and one row per member, id order), {@code params.npy}
 * (E_c × stride float64), {@code kernels.npy} (E_c × P × P float32) and
 * {@code loss_curves.npy} (E_c × T float32).
 *
 * <p>A chunk is written into {@code chunks/.c<index>.tmp/}, each file synced, and the directory is
 * renamed to its name only when all four are complete, so {@code chunks/c<index>/} never holds a
 * partial chunk. Only the manifest decides which chunks count as finished.
 */
public final class ChunkFiles {
    public static final String DIR = "chunks";
    public static final String MEMBERS = "members.csv";
    public static final String PARAMS = "params.npy";
    public static final String KERNELS = "kernels.npy";
    public static final String CURVES = "loss_curves.npy";
    static final List<String> FILES = List.of(MEMBERS, PARAMS, KERNELS, CURVES);

    /** The files a chunk of {@code plan} has: {@link #FILES}, and {@code kernel_trace.npy} with a kernel trace. */
    static List<String> files(StudyPlan plan) {
        if (!plan.spec().train().tracesKernels()) return FILES;
        List<String> all = new java.util.ArrayList<>(FILES);
        all.add(KernelTraceFiles.TRACE);
        return all;
    }

    /** A chunk's kernel trace: its traced members' rows, each depth × points × P × P. */
    record KernelTraceChunk(float[] trace, int rows, int depth, int points) {
    }

    private ChunkFiles() {
    }

    /** {@code studyDir/chunks/c<index>}, zero-padded so directory listings sort in chunk order. */
    public static Path dir(Path studyDir, int index) {
        return studyDir.resolve(DIR).resolve(String.format("c%07d", index));
    }

    /**
     * Writes a trained chunk: its records (id order), parameters ({@code size × stride}, member-major)
     * and loss traces ({@code size × traceLength}).
     */
    public static void write(Path studyDir, StudyPlan.Chunk chunk, List<MemberRecord> records, double[] params,
                             int stride, float[] traces, int traceLength, int samples) throws IOException {
        write(studyDir, chunk, records, params, stride, traces, traceLength, samples, null);
    }

    /** {@link #write} with the chunk's kernel trace (null: none). */
    static void write(Path studyDir, StudyPlan.Chunk chunk, List<MemberRecord> records, double[] params, int stride,
                      float[] traces, int traceLength, int samples, KernelTraceChunk kernelTrace) throws IOException {
        Path target = dir(studyDir, chunk.index());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        StudyRunner.deleteRecursively(tmp);
        Files.createDirectories(tmp);
        int n = chunk.size();
        try (NpyWriter w = NpyWriter.float64(tmp.resolve(PARAMS), n, stride)) {
            w.append(params, 0, n * stride);
            w.finish();
        }
        try (NpyWriter w = NpyWriter.float32(tmp.resolve(KERNELS), n, samples, samples)) {
            for (MemberRecord r : records) w.append(r.geometry().kernel());
            w.finish();
        }
        try (NpyWriter w = NpyWriter.float32(tmp.resolve(CURVES), n, traceLength)) {
            w.append(traces, 0, n * traceLength);
            w.finish();
        }
        if (kernelTrace != null) {
            KernelTraceFiles.writeChunk(tmp, kernelTrace.trace(), kernelTrace.rows(), kernelTrace.depth(), kernelTrace.points(),
                    samples);
        }
        Path csv = tmp.resolve(MEMBERS);
        try (FileChannel ch = FileChannel.open(csv, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             BufferedWriter w = new BufferedWriter(new OutputStreamWriter(java.nio.channels.Channels.newOutputStream(ch),
                     StandardCharsets.UTF_8), 1 << 16)) {
            w.write(MemberCsv.HEADER);
            w.newLine();
            for (MemberRecord r : records) {
                w.write(MemberCsv.row(r));
                w.newLine();
            }
            w.flush();
            ch.force(false);
        }
        StudyRunner.deleteRecursively(target);
        AtomicFiles.move(tmp, target);
        syncDirectory(target.getParent()); // the rename is durable before the manifest names the chunk
    }

    /** Flushes a directory's entries to disk where the platform allows it (Linux does; others may refuse). */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // best effort: without it a power cut (not a crash) may undo the last rename, which resume detects
        }
    }

    /** The files a finished chunk must have that are missing under {@code studyDir}; empty when complete. */
    static List<String> missing(Path studyDir, int index, List<String> files) {
        Path d = dir(studyDir, index);
        return files.stream().filter(f -> !Files.isRegularFile(d.resolve(f))).toList();
    }

    /** Removes chunk directories and temporary chunk directories the manifest does not list. */
    static void removeUnlisted(Path studyDir, java.util.Set<Integer> listed) throws IOException {
        Path chunks = studyDir.resolve(DIR);
        if (!Files.isDirectory(chunks)) return;
        try (Stream<Path> s = Files.list(chunks)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                boolean keep = name.matches("c\\d{7}") && listed.contains(Integer.parseInt(name.substring(1)));
                if (!keep) StudyRunner.deleteRecursively(p);
            }
        }
    }
}
