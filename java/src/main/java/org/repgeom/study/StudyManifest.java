package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Json;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * {@code manifest.json}: what a study directory is and how far it got. It names the study, the
 * spec and task hashes ({@link StudyFingerprint}), the member count, the chunk size (which fixes
 * the {@link StudyPlan}), the shard, the state and every finished chunk with its member range and
 * compute seconds. It is rewritten after every chunk by write-then-rename (fsynced), so after a
 * crash it lists exactly the chunks whose files were complete before it was written.
 *
 * <pre>
 * {
 *   "format": "repgeom-study/1",
 *   "study": "abstract-hypercube",
 *   "spec_sha256": "…", "task_sha256": "…", "task_name": "hypercube(…)",
 *   "members": 512, "chunk_size": 4096, "chunks_total": 8,
 *   "shard": {"index": 0, "count": 1},
 *   "backend": "native",
 *   "state": "training" | "trained" | "assembled",
 *   "chunks": [{"chunk": 0, "group": 0, "first_member": 0, "members": 64, "seconds": 1.9, "train_seconds": 1.2,
 *               "train_cpu_seconds": 1.1, "backend": "native", "precision": "float32",
 *               "sha256": {"kernels.npy": "…", "loss_curves.npy": "…", "members.csv": "…", "params.npy": "…"}}, …],
 *   "checkpoints": {"5": {"step": 20000, "sha256": "…"}},
 *   "files": {"X.npy": "…", "kernels.npy": "…", …}
 * }
 * </pre>
 *
 * States: {@code training} while chunks are being trained; {@code trained} once every chunk of
 * the shard is written (a finished shard directory); {@code assembled} once the final files are
 * written (a finished study directory, whose chunk files are gone). A merged study also lists
 * its {@code sources}.
 *
 * <p>Integrity: every chunk file, every checkpoint and, once assembled, every final file has its
 * SHA-256 here ({@link FileHashes}); resume, assembly and merge check them, so a flipped byte is
 * caught, never carried into the results. Chunks of older manifests have no checksums and are
 * retrained on resume.
 */
public final class StudyManifest {
    public static final String FILE = "manifest.json";
    public static final String FORMAT = "repgeom-study/1";

    /** How far a directory got. */
    public enum State {
        TRAINING, TRAINED, ASSEMBLED;

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A finished chunk: its members, compute seconds (training and the per-member analysis: the
     * stationarity check, geometry, holdout), the seconds of the training alone ({@code trainSeconds},
     * NaN in manifests written before it was recorded), the CPU seconds the training took summed over
     * the backend's threads ({@code trainCpuSeconds}, NaN where the backend does not count them or an
     * older version wrote the chunk), the backend and precision that trained it, and the SHA-256 of each
     * of its files (empty for a chunk an older version wrote). Where chunks trained at the same time,
     * {@code seconds} and {@code trainSeconds} are each chunk's share of the wall time
     * (see {@code SharedClock}), so that they add up to wall time.
     */
    public record ChunkEntry(int index, int group, int firstMember, int members, double seconds, String backend,
                             String precision, Map<String, String> sha256, double trainSeconds,
                             double trainCpuSeconds) {
        public ChunkEntry {
            sha256 = Map.copyOf(sha256);
        }

        /** A chunk without backend, checksums or training seconds (tests, and manifests of older versions). */
        public ChunkEntry(int index, int group, int firstMember, int members, double seconds) {
            this(index, group, firstMember, members, seconds, null, null, Map.of(), Double.NaN, Double.NaN);
        }
    }

    /**
     * A checkpoint of an unfinished chunk: the step it reached and the SHA-256s its file may have
     * (the previous and the new one while a new checkpoint is renamed into place).
     */
    public record CheckpointEntry(int step, List<String> sha256) {
        public CheckpointEntry {
            sha256 = List.copyOf(sha256);
        }
    }

    private final String study;
    private final String specHash;
    private final String taskHash;
    /** The task hash of the held-out samples; null without a hold-out (and in manifests older than this field). */
    private final String heldOutHash;
    private final String taskName;
    private final int members;
    private final int chunkSize;
    private final int chunksTotal;
    private final Shard shard;
    private String backend;
    private State state;
    private final TreeMap<Integer, ChunkEntry> chunks = new TreeMap<>();
    private final List<String> sources = new ArrayList<>();
    private final TreeMap<Integer, CheckpointEntry> checkpoints = new TreeMap<>();
    /** SHA-256 of each final file, recorded once assembled. */
    private final TreeMap<String, String> files = new TreeMap<>();

    public StudyManifest(String study, String specHash, String taskHash, String heldOutHash, String taskName, int members,
                         int chunkSize, int chunksTotal, Shard shard, String backend) {
        this.study = study;
        this.specHash = specHash;
        this.taskHash = taskHash;
        this.heldOutHash = heldOutHash;
        this.taskName = taskName;
        this.members = members;
        this.chunkSize = chunkSize;
        this.chunksTotal = chunksTotal;
        this.shard = shard;
        this.backend = backend;
        this.state = State.TRAINING;
    }

    public String study() {
        return study;
    }

    public String specHash() {
        return specHash;
    }

    public String taskHash() {
        return taskHash;
    }

    /** {@link StudyFingerprint#task} of the held-out samples; null when none are held out or the manifest predates it. */
    public String heldOutHash() {
        return heldOutHash;
    }

    public String taskName() {
        return taskName;
    }

    public int members() {
        return members;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int chunksTotal() {
        return chunksTotal;
    }

    public Shard shard() {
        return shard;
    }

    public String backend() {
        return backend;
    }

    public void setBackend(String backend) {
        this.backend = backend;
    }

    public State state() {
        return state;
    }

    public void setState(State state) {
        this.state = state;
    }

    /** Finished chunks by index. */
    public Map<Integer, ChunkEntry> chunks() {
        return java.util.Collections.unmodifiableMap(chunks);
    }

    public void add(ChunkEntry e) {
        chunks.put(e.index(), e);
    }

    /** Removes a chunk (its files were found damaged). */
    public void remove(int index) {
        chunks.remove(index);
    }

    /** Checkpoints of unfinished chunks by index. */
    public Map<Integer, CheckpointEntry> checkpoints() {
        return java.util.Collections.unmodifiableMap(checkpoints);
    }

    public void setCheckpoint(int index, CheckpointEntry e) {
        if (e == null) checkpoints.remove(index);
        else checkpoints.put(index, e);
    }

    /** The final files' SHA-256 by name (empty until assembled). */
    public Map<String, String> files() {
        return java.util.Collections.unmodifiableMap(files);
    }

    public void setFiles(Map<String, String> sha256) {
        files.clear();
        files.putAll(sha256);
    }

    public List<String> sources() {
        return List.copyOf(sources);
    }

    public void addSource(String source) {
        sources.add(source);
    }

    /** Total compute seconds of the finished chunks. */
    public double seconds() {
        return chunks.values().stream().mapToDouble(ChunkEntry::seconds).sum();
    }

    /**
     * Seconds the finished chunks spent training (the backend's calls alone, without the analysis
     * of their members); NaN when a chunk did not record it.
     */
    public double trainSeconds() {
        return chunks.values().stream().mapToDouble(ChunkEntry::trainSeconds).sum();
    }

    /** CPU seconds the finished chunks' training took over all the backend's threads; NaN when a chunk did not count them. */
    public double trainCpuSeconds() {
        return chunks.values().stream().mapToDouble(ChunkEntry::trainCpuSeconds).sum();
    }

    /** Members in the finished chunks. */
    public long finishedMembers() {
        return chunks.values().stream().mapToLong(ChunkEntry::members).sum();
    }

    /** Whether {@code dir} holds a manifest. */
    public static boolean existsIn(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** Writes {@code dir/manifest.json} atomically, synced to disk before the rename. */
    public void write(Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("study", study);
        m.put("spec_sha256", specHash);
        m.put("task_sha256", taskHash);
        if (heldOutHash != null) m.put("heldout_sha256", heldOutHash);
        m.put("task_name", taskName);
        m.put("members", members);
        m.put("chunk_size", chunkSize);
        m.put("chunks_total", chunksTotal);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("index", shard.index());
        s.put("count", shard.count());
        m.put("shard", s);
        m.put("backend", backend);
        m.put("state", state.id());
        m.put("seconds", seconds());
        m.put("train_seconds", trainSeconds());
        m.put("train_cpu_seconds", trainCpuSeconds());
        if (!sources.isEmpty()) m.put("sources", List.copyOf(sources));
        List<Object> list = new ArrayList<>();
        for (ChunkEntry e : chunks.values()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("chunk", e.index());
            c.put("group", e.group());
            c.put("first_member", e.firstMember());
            c.put("members", e.members());
            c.put("seconds", e.seconds());
            c.put("train_seconds", e.trainSeconds());
            c.put("train_cpu_seconds", e.trainCpuSeconds());
            if (e.backend() != null) c.put("backend", e.backend());
            if (e.precision() != null) c.put("precision", e.precision());
            if (!e.sha256().isEmpty()) c.put("sha256", new TreeMap<>(e.sha256()));
            list.add(c);
        }
        m.put("chunks", list);
        if (!checkpoints.isEmpty()) {
            Map<String, Object> cp = new LinkedHashMap<>();
            for (Map.Entry<Integer, CheckpointEntry> e : checkpoints.entrySet()) {
                cp.put(Integer.toString(e.getKey()), Map.of("step", e.getValue().step(), "sha256", e.getValue().sha256()));
            }
            m.put("checkpoints", cp);
        }
        if (!files.isEmpty()) m.put("files", new TreeMap<>(files));
        byte[] bytes = Json.write(m).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(FILE), bytes);
    }

    /**
     * Reads {@code dir/manifest.json}.
     *
     * @throws SpecException naming the file when it is missing, not JSON, not a repgeom manifest,
     *     or has missing or ill-typed fields (a corrupt or foreign manifest)
     */
    public static StudyManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        String field = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(field, "missing: " + dir + " is not a study directory this version of repgeom can "
                    + "resume or merge (no " + FILE + ")");
        } catch (IOException e) {
            throw new SpecException(field, "cannot read: " + e.getMessage(), e);
        }
        Object doc;
        try {
            doc = JsonFiles.parse(text);
        } catch (YAMLException e) {
            throw corrupt(field, "not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (!(doc instanceof Map<?, ?> m)) throw corrupt(field, "not a JSON object");
        if (!FORMAT.equals(m.get("format"))) {
            throw new SpecException(field, "not a repgeom study manifest (format " + m.get("format") + ", expected "
                    + FORMAT + ")");
        }
        try {
            Map<?, ?> s = (Map<?, ?>) need(m, "shard");
            StudyManifest out = new StudyManifest(text(m, "study"), text(m, "spec_sha256"), text(m, "task_sha256"),
                    optionalText(m, "heldout_sha256"),
                    text(m, "task_name"), integer(m, "members"), integer(m, "chunk_size"), integer(m, "chunks_total"),
                    new Shard(integer(s, "index"), integer(s, "count")), text(m, "backend"));
            String state = text(m, "state");
            out.state = java.util.Arrays.stream(State.values()).filter(x -> x.id().equals(state)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown state '" + state + "'"));
            Object sources = m.get("sources");
            if (sources instanceof List<?> l) for (Object o : l) out.sources.add(String.valueOf(o));
            for (Object o : (List<?>) need(m, "chunks")) {
                Map<?, ?> c = (Map<?, ?>) o;
                ChunkEntry e = new ChunkEntry(integer(c, "chunk"), integer(c, "group"), integer(c, "first_member"),
                        integer(c, "members"), number(c, "seconds"), optionalText(c, "backend"),
                        optionalText(c, "precision"), hashes(c.get("sha256")), number(c, "train_seconds"),
                        number(c, "train_cpu_seconds"));
                if (e.index() < 0 || e.index() >= out.chunksTotal || out.chunks.put(e.index(), e) != null) {
                    throw new IllegalArgumentException("chunk index " + e.index() + " out of range or listed twice");
                }
            }
            Object cps = m.get("checkpoints");
            if (cps instanceof Map<?, ?> cm) {
                for (Map.Entry<?, ?> e : cm.entrySet()) {
                    Map<?, ?> c = (Map<?, ?>) e.getValue();
                    out.checkpoints.put(Integer.parseInt(String.valueOf(e.getKey())),
                            new CheckpointEntry(integer(c, "step"), ((List<?>) need(c, "sha256")).stream()
                                    .map(String::valueOf).toList()));
                }
            }
            out.files.putAll(hashes(m.get("files")));
            return out;
        } catch (ClassCastException | IllegalArgumentException | NullPointerException e) {
            throw corrupt(field, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static SpecException corrupt(String field, String why) {
        return new SpecException(field, "corrupt manifest: " + why
                + "; the directory cannot be resumed or merged (start over with --force)");
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static Object need(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) throw new IllegalArgumentException("field '" + key + "' is missing");
        return v;
    }

    private static String text(Map<?, ?> m, String key) {
        if (!(need(m, key) instanceof String s)) throw new IllegalArgumentException("field '" + key + "' is not a string");
        return s;
    }

    private static String optionalText(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v != null && !(v instanceof String)) throw new IllegalArgumentException("field '" + key + "' is not a string");
        return (String) v;
    }

    /** A {name: sha256} object; absent: empty. */
    private static Map<String, String> hashes(Object v) {
        if (v == null) return Map.of();
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            if (!(e.getValue() instanceof String h) || !h.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 of '" + e.getKey() + "' is not a SHA-256");
            }
            out.put(String.valueOf(e.getKey()), h);
        }
        return out;
    }

    private static int integer(Map<?, ?> m, String key) {
        if (!(need(m, key) instanceof Integer i)) {
            throw new IllegalArgumentException("field '" + key + "' is not an integer: " + m.get(key));
        }
        return i;
    }

    private static double number(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (v == null) return Double.NaN; // Json writes NaN as null
        if (!(v instanceof Number n)) throw new IllegalArgumentException("field '" + key + "' is not a number: " + v);
        return n.doubleValue();
    }

    /**
     * Checks that this manifest describes the given study and shard; a {@link SpecException}
     * naming {@code dir} and the difference otherwise (a foreign directory). {@code heldOutHash} is the
     * held-out samples' hash now (null without a hold-out); a manifest written before that hash was recorded
     * cannot be checked against it, and a line on stderr says so.
     */
    public void checkSameStudy(Path dir, String specHash, String taskHash, String heldOutHash, int members, Shard shard) {
        String where = dir.resolve(FILE).toString();
        if (!this.specHash.equals(specHash)) {
            throw new SpecException(where, "belongs to a different spec (study '" + study + "', spec sha256 "
                    + StudyFingerprint.abbrev(this.specHash) + "…, this spec has " + StudyFingerprint.abbrev(specHash)
                    + "…); use another --out, or --force to discard it");
        }
        if (!this.taskHash.equals(taskHash)) {
            throw new SpecException(where, "was run on different task data (task sha256 "
                    + StudyFingerprint.abbrev(this.taskHash) + "…, now " + StudyFingerprint.abbrev(taskHash)
                    + "…); use another --out, or --force to discard it");
        }
        if (heldOutHash != null && this.heldOutHash == null) {
            System.err.println("repgeom: " + where + " records no hash of the held-out samples (written by an older"
                    + " repgeom): the held-out data cannot be checked against the chunks already evaluated on them");
        } else if (!java.util.Objects.equals(this.heldOutHash, heldOutHash)) {
            throw new SpecException(where, "was evaluated on different held-out data (held-out sha256 "
                    + StudyFingerprint.abbrev(this.heldOutHash) + "…, now " + StudyFingerprint.abbrev(heldOutHash)
                    + "…): the test files changed; use another --out, or --force to discard it");
        }
        if (this.members != members) {
            throw new SpecException(where, "has " + this.members + " members, the spec " + members);
        }
        if (shard != null && !this.shard.equals(shard)) {
            throw new SpecException(where, "holds shard " + this.shard + ", not " + shard
                    + "; use the same --shard, or another --out");
        }
    }
}
