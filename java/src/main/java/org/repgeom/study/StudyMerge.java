package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.task.Task;
import org.repgeom.theory.HypercubeReluTheory;

/**
 * Joins finished shard directories ({@code DIR.shard-i-of-N}, see {@link StudyRunner}) into one
 * finished study directory, identical to what an unsharded run writes (apart from timings and
 * the manifest's {@code sources}).
 *
 * <p>Refuses, naming the directories: an unfinished or non-shard directory; shards of different
 * specs or task data (hashes in their manifests) or cut with different chunk sizes; a
 * {@code spec.yaml} or task that does not match its manifest; two shards holding the same chunk
 * (overlapping member ids); members no shard holds. The shards are read, never changed.
 */
public final class StudyMerge {
    private StudyMerge() {
    }

    /** What a merge produced. */
    public record Result(Path directory, Map<String, Object> summary, int members, int shards, double seconds) {
    }

    /** The study directory shards {@code DIR.shard-i-of-N} belong to, or null when they do not share one. */
    public static Path defaultOutput(List<Path> shards) {
        Set<Path> outs = new LinkedHashSet<>();
        for (Path s : shards) {
            String name = s.toAbsolutePath().normalize().getFileName().toString();
            int at = name.lastIndexOf(".shard-");
            if (at <= 0 || !name.substring(at).matches("\\.shard-\\d+-of-\\d+")) return null;
            outs.add(s.toAbsolutePath().normalize().resolveSibling(name.substring(0, at)));
        }
        return outs.size() == 1 ? outs.iterator().next() : null;
    }

    /** Merges {@code shards} into {@code out}; an existing {@code out} is replaced only with {@code force}. */
    public static Result merge(List<Path> shards, Path out, boolean force) throws IOException {
        return merge(shards, out, force, null);
    }

    /**
     * Merges, measuring the members against the global optimum as {@code run} does ({@link StudyOptimum};
     * null skips it).
     */
    public static Result merge(List<Path> shards, Path out, boolean force, StudyOptimum.Settings optimum) throws IOException {
        if (shards.isEmpty()) throw new SpecException("SHARD_DIR", "give at least one shard directory");
        out = out.toAbsolutePath().normalize();
        List<StudyManifest> manifests = new ArrayList<>();
        for (Path dir : shards) manifests.add(readShard(dir));
        for (Path dir : shards) refuseOutputOverlapping(out, dir);
        StudyManifest first = manifests.get(0);
        for (int i = 1; i < shards.size(); i++) sameStudy(shards.get(0), first, shards.get(i), manifests.get(i));

        Path firstDir = shards.get(0);
        StudySpec spec = readSpec(firstDir, first);
        Task task = readTask(firstDir, first);
        checkHeldOutFiles(firstDir, first);
        StudyPlan plan = new StudyPlan(spec, task.inputDim(), task.outputDim(), first.chunkSize());
        if (plan.memberCount() != first.members() || plan.chunks().size() != first.chunksTotal()) {
            throw new SpecException(firstDir.resolve(StudyManifest.FILE).toString(), "does not match its spec.yaml ("
                    + first.members() + " members in " + first.chunksTotal() + " chunks, the spec gives "
                    + plan.memberCount() + " in " + plan.chunks().size() + ")");
        }
        Path[] source = chunkSources(shards, manifests, plan);

        StudyPaths.Kind outKind = StudyPaths.kind(out);
        if (outKind != StudyPaths.Kind.ABSENT && !force) {
            throw new SpecException("--out", out + " already exists (" + outKind.describe() + "); choose another directory"
                    + (outKind == StudyPaths.Kind.STUDY || outKind == StudyPaths.Kind.EMPTY
                    ? ", or pass --force to replace it" : ""));
        }
        if (force) StudyPaths.checkReplaceable(out, null, "--force");
        Path work = out.resolveSibling(out.getFileName() + ".incomplete");
        StudyPaths.Kind workKind = StudyPaths.kind(work);
        if (workKind == StudyPaths.Kind.STUDY && !force) {
            throw new SpecException("--out", work + " holds an unfinished run; resume it, or pass --force to discard it");
        }
        if (workKind != StudyPaths.Kind.ABSENT && workKind != StudyPaths.Kind.STUDY && workKind != StudyPaths.Kind.EMPTY) {
            throw new SpecException("--out", work + " exists and is " + workKind.describe() + "; repgeom discards only "
                    + "its own unfinished runs; move it away or choose another --out");
        }
        DiskSpace.require(out, DiskSpace.bytes(plan, task.samples(), plan.chunks()), "the merged study");
        StudyRunner.deleteRecursively(work);
        Files.createDirectories(work);
        try (FileChannel ch = FileChannel.open(work.resolve(StudyRunner.LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = ch.tryLock()) {
            if (lock == null) throw new SpecException("--out", "another repgeom process is writing " + work);
            StudyManifest merged = new StudyManifest(first.study(), first.specHash(), first.taskHash(),
                    manifests.stream().allMatch(x -> x.heldOutHash() != null) ? first.heldOutHash() : null, first.taskName(),
                    first.members(), first.chunkSize(), first.chunksTotal(), Shard.WHOLE, backends(manifests));
            merged.write(work); // first (no chunks yet), so a killed merge leaves a directory provably repgeom's
            StudyRunner.writeTask(work, task);
            Files.copy(firstDir.resolve("spec.yaml"), work.resolve("spec.yaml"));
            List<String> heldOut = new ArrayList<>();
            for (String f : StudyRunner.HELD_OUT_FILES) {
                if (Files.isRegularFile(firstDir.resolve(f))) {
                    Files.copy(firstDir.resolve(f), work.resolve(f));
                    heldOut.add(f);
                }
            }

            for (int i = 0; i < shards.size(); i++) {
                merged.addSource(shards.get(i).toAbsolutePath().normalize().toString());
                for (StudyManifest.ChunkEntry e : manifests.get(i).chunks().values()) merged.add(e);
            }
            boolean theory = HypercubeReluTheory.applies(task, StudyRunner.WHITENED_TOL);
            Map<String, Object> summary = new StudyAssembler(plan, task, theory, optimum).assemble(work,
                    c -> ChunkFiles.dir(source[c], c), merged.backend(), merged.seconds(), merged.trainSeconds(),
                    merged.trainCpuSeconds());
            List<String> files = new ArrayList<>(List.of("X.npy", "Y.npy", "spec.yaml", "members.csv", "kernels.npy",
                    "loss_curves.npy", "groups.json", "summary.json"));
            files.addAll(heldOut);
            for (int g = 0; g < plan.groupCount(); g++) files.add("params_group" + g + ".npy");
            files.addAll(KernelTraceFiles.names(plan));
            if (Files.isRegularFile(work.resolve(RnnSteps.FILE))) files.add(RnnSteps.FILE);
            merged.setFiles(FileHashes.of(work, files));
            merged.setState(StudyManifest.State.ASSEMBLED);
            merged.write(work);
            StudyRunner.removeTemporaryFiles(work);
            Files.delete(work.resolve(StudyRunner.LOCK));
            if (force) StudyPaths.checkReplaceable(out, null, "--force");
            StudyRunner.deleteRecursively(out);
            AtomicFiles.move(work, out);
            return new Result(out, summary, plan.memberCount(), shards.size(), merged.seconds());
        }
    }

    /**
     * Merge never modifies a shard: {@code out} (and its {@code .incomplete} beside it) must be neither
     * the shard, nor inside it, nor hold it — with {@code --force} the first and the last would delete it.
     */
    private static void refuseOutputOverlapping(Path out, Path shard) {
        Path realOut = StudyPaths.real(out), realShard = StudyPaths.real(shard);
        Path work = realOut.resolveSibling(realOut.getFileName() + ".incomplete");
        if (realShard.startsWith(realOut) || realOut.startsWith(realShard) || work.startsWith(realShard)) {
            throw new SpecException("--out", out + (realOut.startsWith(realShard) ? " is or lies inside" : " holds")
                    + " the shard " + shard + "; merge never modifies a shard, so write the study elsewhere");
        }
    }

    /** Refuses, naming it, a shard path that is missing or not a directory. */
    public static void requireShardDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new SpecException(dir.toString(), Files.exists(dir) ? "not a directory" : "no such shard directory");
        }
    }

    private static StudyManifest readShard(Path dir) {
        String where = dir.resolve(StudyManifest.FILE).toString();
        requireShardDirectory(dir);
        StudyPaths.refuseLinks(dir);
        StudyManifest m = StudyManifest.read(dir);
        switch (m.state()) {
            case TRAINING -> throw new SpecException(where, "an unfinished run (" + m.chunks().size() + " chunks done); "
                    + "finish it with repgeom run --resume before merging");
            case ASSEMBLED -> throw new SpecException(where, "already a finished study, not a shard; nothing to merge");
            default -> {
            }
        }
        return m;
    }

    private static void sameStudy(Path aDir, StudyManifest a, Path bDir, StudyManifest b) {
        String pair = aDir + " and " + bDir;
        if (!a.specHash().equals(b.specHash())) {
            throw new SpecException("SHARD_DIR", pair + " are shards of different specs (spec sha256 "
                    + StudyFingerprint.abbrev(a.specHash()) + "… vs " + StudyFingerprint.abbrev(b.specHash()) + "…)");
        }
        if (!a.taskHash().equals(b.taskHash())) {
            throw new SpecException("SHARD_DIR", pair + " were trained on different task data (task sha256 "
                    + StudyFingerprint.abbrev(a.taskHash()) + "… vs " + StudyFingerprint.abbrev(b.taskHash()) + "…)");
        }
        if (a.heldOutHash() != null && b.heldOutHash() != null && !a.heldOutHash().equals(b.heldOutHash())) {
            throw new SpecException("SHARD_DIR", pair + " were evaluated on different held-out data (held-out sha256 "
                    + StudyFingerprint.abbrev(a.heldOutHash()) + "… vs " + StudyFingerprint.abbrev(b.heldOutHash())
                    + "…): the test files differ between the shards");
        }
        if ((a.heldOutHash() == null) != (b.heldOutHash() == null)) {
            System.err.println("repgeom: " + (a.heldOutHash() == null ? aDir : bDir) + " records no hash of the held-out"
                    + " samples (written by an older repgeom): the shards' held-out data cannot be compared");
        }
        if (a.chunkSize() != b.chunkSize() || a.members() != b.members()) {
            throw new SpecException("SHARD_DIR", pair + " were cut with different chunk sizes (" + a.chunkSize() + " vs "
                    + b.chunkSize() + "); rerun the shards with the same --chunk-size");
        }
    }

    /** Chunk index → the shard directory that holds it, checking overlaps and gaps. */
    private static Path[] chunkSources(List<Path> shards, List<StudyManifest> manifests, StudyPlan plan) {
        Path[] source = new Path[plan.chunks().size()];
        for (int i = 0; i < shards.size(); i++) {
            for (StudyManifest.ChunkEntry e : manifests.get(i).chunks().values()) {
                StudyPlan.Chunk c = plan.chunk(e.index());
                if (c.firstMember() != e.firstMember() || c.size() != e.members()) {
                    throw new SpecException(shards.get(i).resolve(StudyManifest.FILE).toString(), "corrupt manifest: chunk "
                            + e.index() + " lists members " + e.firstMember() + "+" + e.members() + ", the plan has "
                            + c.firstMember() + "+" + c.size());
                }
                if (source[c.index()] != null) {
                    throw new SpecException("SHARD_DIR", "overlapping member ids: members " + range(c) + " (chunk "
                            + c.index() + ") are in both " + source[c.index()] + " and " + shards.get(i));
                }
                List<String> missing = ChunkFiles.missing(shards.get(i), c.index(), ChunkFiles.files(plan));
                if (!missing.isEmpty()) {
                    throw new SpecException(shards.get(i).toString(), "chunk " + c.index() + " lacks " + missing);
                }
                verify(shards.get(i), e);
                source[c.index()] = shards.get(i);
            }
        }
        TreeMap<Integer, String> gaps = new TreeMap<>();
        for (StudyPlan.Chunk c : plan.chunks()) {
            if (source[c.index()] == null) gaps.put(c.index(), range(c));
        }
        if (!gaps.isEmpty()) {
            Shard expected = manifests.get(0).shard();
            throw new SpecException("SHARD_DIR", gaps.size() + " of " + plan.chunks().size() + " chunks are in no shard "
                    + "given (first: chunk " + gaps.firstKey() + ", members " + gaps.firstEntry().getValue() + "); the "
                    + "shards were cut " + expected.count() + " ways — is one of the " + expected.count() + " missing?");
        }
        return source;
    }

    /** Refuses a shard chunk whose files do not match the SHA-256 its manifest recorded (merge never repairs a shard). */
    private static void verify(Path shard, StudyManifest.ChunkEntry e) {
        Path dir = ChunkFiles.dir(shard, e.index());
        if (e.sha256().isEmpty()) {
            System.err.println("warning: chunk " + e.index() + " of " + shard + " has no checksums (written by an older "
                    + "repgeom); merged unverified");
            return;
        }
        try {
            String why = FileHashes.firstMismatch(dir, e.sha256());
            if (why != null) {
                throw new SpecException(shard.toString(), why + "; rerun this shard (repgeom run --shard … --force) "
                        + "before merging");
            }
        } catch (java.io.IOException x) {
            throw new SpecException(dir.toString(), "cannot be read: " + IoErrors.cause(x));
        }
    }

    private static String range(StudyPlan.Chunk c) {
        return c.firstMember() + "–" + (c.endMember() - 1);
    }

    private static StudySpec readSpec(Path dir, StudyManifest m) throws IOException {
        Path file = dir.resolve("spec.yaml");
        if (!Files.isRegularFile(file)) throw new SpecException(file.toString(), "missing; cannot merge without the spec");
        StudySpec spec = StudySpec.parse(Files.readString(file, StandardCharsets.UTF_8), dir, m.study());
        if (!StudyFingerprint.spec(spec).equals(m.specHash())) {
            throw new SpecException(file.toString(), "does not match the spec hash in " + StudyManifest.FILE
                    + " (was it edited?)");
        }
        return spec;
    }

    private static Task readTask(Path dir, StudyManifest m) throws IOException {
        return readChecked(dir, "X.npy", "Y.npy", m.taskName(), m.taskHash(), "task hash");
    }

    /** The first shard's held-out files against the hash its manifest records (when it records one). */
    private static void checkHeldOutFiles(Path dir, StudyManifest m) throws IOException {
        if (m.heldOutHash() == null) return;
        readChecked(dir, StudyRunner.HELD_OUT_FILES.get(0), StudyRunner.HELD_OUT_FILES.get(1), m.taskName() + " [held-out]",
                m.heldOutHash(), "held-out hash");
    }

    /** The task in {@code dir/xName} and {@code dir/yName}, refused (naming xName) unless it has {@code hash}. */
    private static Task readChecked(Path dir, String xName, String yName, String name, String hash, String hashName)
            throws IOException {
        NpyArray x = Npy.read(dir.resolve(xName)), y = Npy.read(dir.resolve(yName));
        Task task = new Task(name, x.dim(0), y.dim(0), x.dim(1), x.data(), y.data());
        if (!StudyFingerprint.task(task).equals(hash)) {
            throw new SpecException(dir.resolve(xName).toString(), xName + "/" + yName + " do not match the " + hashName
                    + " in " + StudyManifest.FILE);
        }
        return task;
    }

    private static String backends(List<StudyManifest> manifests) {
        return String.join("+", manifests.stream().map(StudyManifest::backend).distinct().toList());
    }
}
