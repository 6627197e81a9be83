package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.ModelSpec;
import org.repgeom.study.spec.OptimizerSpec;
import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import org.repgeom.study.spec.TaskFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.analysis.RepresentationKernel;
import org.repgeom.backend.Backend;
import org.repgeom.backend.KernelTraceRequest;
import org.repgeom.backend.ProgressListener;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.model.Architecture;
import org.repgeom.model.InitialWeights;
import org.repgeom.model.Mlp;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;
import org.repgeom.analysis.Stationarity;
import org.repgeom.train.MemberStatus;
import org.repgeom.theory.ConfigurationTheory;
import org.repgeom.theory.HypercubeReluTheory;
import org.repgeom.theory.TheoryLookup;
import org.repgeom.train.OptimizerKind;
import org.repgeom.train.OptimizerSettings;
import org.repgeom.train.StopRule;
import org.repgeom.train.KernelSchedule;
import org.repgeom.train.TrainState;

/**
 * Runs a study: builds the task, trains it chunk by chunk on a backend, measures each member's
 * geometry and writes the output directory.
 *
 * <p><b>The finished directory</b> {@code DIR} holds {@code X.npy}, {@code Y.npy} (the task),
 * {@code spec.yaml} (a copy of the spec), with a hold-out ({@link HoldoutSpec}) the held-out samples
 * {@code X_test.npy}, {@code Y_test.npy} (X.npy and Y.npy then hold the training samples only: every
 * backend, closed form and certificate sees those), {@code params_group<g>.npy} (E_g × stride float64,
 * layout and member ids in {@code groups.json}), {@code members.csv}, {@code kernels.npy}
 * (E × P × P float32, last hidden layer, rows in member-id order), {@code loss_curves.npy}
 * (E × T float32, NaN after a member stopped), {@code summary.json} and {@code manifest.json}
 * ({@link StudyManifest}, state {@code assembled}); with {@code train.kernel_every} also the kernel
 * trace files ({@link KernelTraceFiles}).
 *
 * <p><b>While it runs</b> everything goes to {@code DIR.incomplete/}, renamed to {@code DIR}
 * only once complete, so a directory called DIR is always a finished study. The members are cut
 * into chunks ({@link StudyPlan}); each chunk is trained, analysed and written to
 * {@code chunks/c<index>/} by write-then-rename ({@link ChunkFiles}), then recorded in
 * {@code manifest.json}. At the end the chunks are streamed into the final files
 * ({@link StudyAssembler}) and deleted. No more than one chunk's results is ever in memory, so
 * the heap needed does not grow with the number of members.
 *
 * <p><b>Resume</b> ({@link Options#resume}): after a crash or kill, the same command with resume
 * set checks that {@code DIR.incomplete/manifest.json} belongs to the same spec and task (hashes)
 * and shard, and trains only the chunks the manifest does not list. Training is deterministic per
 * member and the chunks are the same, so the result equals an uninterrupted run's.
 *
 * <p><b>Checkpoints</b> ({@link Options#checkpointEvery} N): each chunk is trained in segments of N
 * steps ({@link Backend#trainSegment}) and its training state is saved after each
 * ({@link ChunkCheckpoint}); resume continues an unfinished chunk from there. Segments join up bit
 * for bit, so this too equals an uninterrupted run. A backend without segments (cuda) trains
 * whole chunks, with a warning.
 *
 * <p><b>Shards</b> ({@link Options#shard} i/N): a shard trains chunks i, i+N, i+2N, … into
 * {@code DIR.shard-i-of-N/} (manifest state {@code trained}, chunk files kept); {@link StudyMerge}
 * joins the shards into {@code DIR}.
 *
 * <p><b>Protections</b>: an existing {@code DIR} is replaced only with {@link Options#force}; an
 * existing {@code DIR.incomplete} is continued only with resume and discarded only with force;
 * free disk space is checked against {@link DiskSpace} before training; a lock file keeps two
 * processes out of the same directory; a corrupt or foreign manifest stops with a message naming it.
 */
public final class StudyRunner {
    /** Tolerance on max |XᵀX − I| for the task to count as whitened for theory. */
    static final double WHITENED_TOL = 1e-8;
    static final String LOCK = ".lock";
    /** The header of members.csv; see {@link MemberCsv#HEADER}. */
    static final String CSV_HEADER = MemberCsv.HEADER;

    private final StudySpec spec;
    private final Backend backend;
    private final Task task;
    private final String specHash;
    private final String taskHash;
    /** The held-out samples' task hash; null without a hold-out. */
    private final String heldOutHash;
    private final boolean taskFitsTheory;
    private final TheoryLookup theories;
    private final HoldoutSplit split;
    private final HoldoutEvaluator holdout;
    private StudyOptimum.Settings optimum;

    /** Builds the study's task; bad input fails here, before anything is written. */
    public StudyRunner(StudySpec spec, Backend backend) {
        this.spec = spec;
        this.backend = backend;
        this.split = TaskFactory.split(spec.task());
        this.task = split.train();
        this.holdout = new HoldoutEvaluator(split);
        this.specHash = StudyFingerprint.spec(spec);
        this.taskHash = StudyFingerprint.task(task);
        this.heldOutHash = split.active() ? StudyFingerprint.task(split.test()) : null;
        this.taskFitsTheory = HypercubeReluTheory.applies(task, WHITENED_TOL);
        this.theories = new TheoryLookup(task);
        if (spec.train().tracesKernels() && !backend.supportsKernelTrace()) {
            throw new SpecException("train.kernel_every", "the " + backend.name() + " backend does not record kernel"
                    + " traces; use --backend native or --backend java");
        }
        KernelTraceFiles.checkSize(spec, task.samples());
        int deepest = spec.model().isRecurrent() ? 1
                : spec.model().hiddenShapes().stream().mapToInt(s -> s.length).max().orElse(1);
        if (deepest > backend.maxHiddenLayers()) {
            throw new SpecException("model.depth", deepest + " hidden layers; the " + backend.name() + " backend trains at most "
                    + backend.maxHiddenLayers() + "; use --backend java");
        }
        checkParameterCounts(spec, task);
    }

    /** Every network's parameters are indexed by int: one with more is refused as the widths' fault, before anything runs. */
    private static void checkParameterCounts(StudySpec spec, Task task) {
        ModelSpec model = spec.model();
        for (int i = 0; i < model.networkCount(); i++) {
            Architecture a = model.architecture(task.inputDim(), task.outputDim(), model.activations().get(0), i);
            try {
                new ParamLayout(a);
            } catch (IllegalArgumentException e) {
                throw new SpecException("model.widths", "the network " + a.inputDim() + " -> " + java.util.Arrays.toString(a.hiddenWidths())
                        + " -> " + a.outputDim() + " has more than " + Integer.MAX_VALUE + " parameters; make it narrower");
            }
        }
    }

    /**
     * Measures every two-layer relu / leaky_relu / linear member against the global optimum when the
     * study is assembled ({@link StudyOptimum}); null (the default of this API; the CLI's {@code run}
     * turns it on unless {@code --no-optimum}) leaves the columns empty.
     */
    public StudyRunner withOptimum(StudyOptimum.Settings settings) {
        this.optimum = settings;
        return this;
    }

    /** Number of members the study trains. */
    public int memberCount() {
        return (int) spec.memberCount();
    }

    /** The plan with the given chunk size, or the default one (see {@link StudyPlan#defaultChunkSize}). */
    public StudyPlan plan(Integer chunkSize) {
        int size = chunkSize != null ? chunkSize
                : StudyPlan.defaultChunkSize(spec, task.inputDim(), task.outputDim(), task.samples());
        return new StudyPlan(spec, task.inputDim(), task.outputDim(), size);
    }

    /**
     * How to run.
     *
     * @param force     replace a finished {@code DIR} and discard an unfinished {@code DIR.incomplete}
     * @param resume    continue an unfinished run in {@code DIR.incomplete} (start one if there is none;
     *                  do nothing if {@code DIR} is already finished)
     * @param shard     the part to train; {@link Shard#WHOLE} for all of it
     * @param chunkSize members per chunk, or null for the default (a resumed run keeps its own)
     * @param checkpointEvery train each chunk in segments of this many steps and save its training
     *                  state after each ({@link ChunkCheckpoint}), so resume continues an unfinished
     *                  chunk from its last segment; 0 = off (resume retrains unfinished chunks)
     * @param allowBackendChange resume chunks trained on another backend (another precision) on this one
     */
    public record Options(boolean force, boolean resume, Shard shard, Integer chunkSize, int checkpointEvery,
                          boolean allowBackendChange) {
        public static final Options DEFAULT = new Options(false, false, Shard.WHOLE, null);

        public Options {
            if (shard == null) shard = Shard.WHOLE;
            if (force && resume) throw new SpecException("--force", "cannot be combined with --resume");
            if (checkpointEvery < 0) throw new SpecException("--checkpoint-every", "must be ≥ 0, got " + checkpointEvery);
        }

        public Options(boolean force, boolean resume, Shard shard, Integer chunkSize, int checkpointEvery) {
            this(force, resume, shard, chunkSize, checkpointEvery, false);
        }

        public Options(boolean force, boolean resume, Shard shard, Integer chunkSize) {
            this(force, resume, shard, chunkSize, 0);
        }
    }

    /**
     * What a run produced.
     *
     * @param directory   the finished study directory, or the finished shard directory
     * @param summary     {@code summary.json}'s content; null for a shard
     * @param memberCount members in the study
     * @param trained     members trained by this call (0 when everything was done already)
     * @param seconds     compute seconds of all finished chunks (over all sessions)
     * @param shard       the part this call ran
     * @param plan        the chunk plan
     * @param resumed     chunks of the shard that were already finished when this call started
     */
    public record Outcome(Path directory, Map<String, Object> summary, int memberCount, int trained, double seconds,
                          Shard shard, StudyPlan plan, int resumed) {

        /**
         * Every member's record read back from the finished directory, with kernels from
         * {@code kernels.npy} (float32 widened to double). Loads the whole study: for small studies
         * and tests.
         */
        public List<MemberRecord> members() {
            if (summary == null) throw new IllegalStateException("a shard has no assembled members; merge it first");
            try {
                NpyArray k = Npy.read(directory.resolve("kernels.npy"));
                int pp = k.size() / Math.max(1, k.dim(0));
                List<MemberRecord> out = new ArrayList<>(memberCount);
                try (BufferedReader r = Files.newBufferedReader(directory.resolve("members.csv"), StandardCharsets.UTF_8)) {
                    r.readLine();
                    for (int id = 0; id < memberCount; id++) {
                        double[] kernel = Arrays.copyOfRange(k.data(), id * pp, (id + 1) * pp);
                        out.add(MemberCsv.parse(r.readLine(), plan.member(id), kernel));
                    }
                }
                return out;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Runs the whole study into {@code outDir}; {@code overwrite} is {@link Options#force}. */
    public Outcome run(Path outDir, Path specFile, boolean overwrite, ProgressListener progress) throws IOException {
        return run(outDir, specFile, new Options(overwrite, false, Shard.WHOLE, null), n -> progress);
    }

    /**
     * Runs the study (or one shard of it) into {@code outDir}.
     *
     * @param specFile the spec file, copied as {@code spec.yaml} (merging shards needs it); may be null
     * @param progress given the number of members this call will train, returns the listener to tell
     * @throws SpecException before any training when a protection stops the run (see class comment)
     */
    public Outcome run(Path outDir, Path specFile, Options options, IntFunction<ProgressListener> progress)
            throws IOException {
        outDir = outDir.toAbsolutePath().normalize();
        Shard shard = options.shard();
        Path target = shard.isPart() ? outDir.resolveSibling(outDir.getFileName() + shard.directorySuffix()) : outDir;
        Path work = target.resolveSibling(target.getFileName() + ".incomplete");

        StudyPaths.Kind targetKind = StudyPaths.kind(target);
        String what = shard.isPart() ? "shard" : "study";
        if (targetKind == StudyPaths.Kind.LINK) StudyPaths.refuseLinks(target);
        if (targetKind == StudyPaths.Kind.STUDY && options.resume()) {
            StudyPaths.refuseLinks(target);
            return finished(target, shard);
        }
        if (targetKind != StudyPaths.Kind.ABSENT && !options.force()) {
            throw new SpecException("--out", target + " already exists (" + (targetKind == StudyPaths.Kind.STUDY
                    ? "a finished " + what + "); choose another directory, or pass --force to replace it"
                    : targetKind.describe() + "); choose another directory"
                    + (targetKind == StudyPaths.Kind.EMPTY ? ", or pass --force to replace it" : "")));
        }
        if (options.force()) StudyPaths.checkReplaceable(target, specFile, "--force");
        checkWorkDirectory(work, options);
        // everything that can be checked is checked before the first file is created
        StudyPlan requested = plan(options.chunkSize());
        if (!StudyManifest.existsIn(work) || options.force()) {
            DiskSpace.require(work, freshBytes(requested, shard), "the study");
        }
        boolean created = !Files.exists(work, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new SpecException(work.toString(), "cannot be created: " + IoErrors.cause(e));
        }
        try {
            return runLocked(target, work, specFile, options, shard, progress);
        } catch (SpecException e) {
            // a refusal leaves nothing behind that was not there before
            if (created && !StudyManifest.existsIn(work)) deleteRecursively(work);
            throw e;
        }
    }

    /** The disk a fresh run of {@code plan} needs: every chunk, plus the assembled copy for a whole study. */
    private long freshBytes(StudyPlan plan, Shard shard) {
        long chunks = DiskSpace.bytes(plan, task.samples(), plan.chunks(shard));
        return shard.isPart() ? chunks : chunks + DiskSpace.bytes(plan, task.samples(), plan.chunks());
    }

    /**
     * Refuses a {@code DIR.incomplete} that is not this program's: a link, a file, or a folder of other
     * files (neither empty nor holding a repgeom manifest), whatever the options; then no link inside.
     */
    private static void checkWorkDirectory(Path work, Options options) {
        StudyPaths.Kind k = StudyPaths.kind(work);
        if ((k == StudyPaths.Kind.FOREIGN || k == StudyPaths.Kind.EMPTY || k == StudyPaths.Kind.STUDY) && StudyPaths.busy(work)) {
            throw new SpecException("--out", "another repgeom process is writing " + work + "; wait for it or stop it");
        }
        switch (k) {
            case ABSENT, EMPTY -> {
            }
            case STUDY -> StudyPaths.refuseLinks(work);
            case LINK -> StudyPaths.refuseLinks(work);
            default -> throw new SpecException("--out", work + " exists and is " + k.describe()
                    + "; repgeom continues or discards only its own unfinished runs" + (options.force() ? ", even with --force"
                    : "") + "; move it away or choose another --out");
        }
    }

    private Outcome runLocked(Path target, Path work, Path specFile, Options options, Shard shard,
                              IntFunction<ProgressListener> progress) throws IOException {
        try (FileChannel lockChannel = FileChannel.open(work.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
             FileLock lock = lockChannel.tryLock()) {
            if (lock == null) {
                throw new SpecException("--out", "another repgeom process is writing " + work + "; wait for it or stop it");
            }
            StudyManifest manifest = open(work, specFile, options, shard);
            StudyPlan plan = new StudyPlan(spec, task.inputDim(), task.outputDim(), manifest.chunkSize());
            int resumed = manifest.state() == StudyManifest.State.ASSEMBLED ? plan.chunks(shard).size()
                    : manifest.chunks().size();
            int trained = train(work, plan, manifest, shard, progress, options.checkpointEvery());
            // a chunk damaged since it was written is retrained before anything is built from it
            while (manifest.state() != StudyManifest.State.ASSEMBLED && verifyChunks(work, plan, manifest) > 0) {
                trained += train(work, plan, manifest, shard, progress, options.checkpointEvery());
            }
            Map<String, Object> summary = null;
            if (!shard.isPart()) {
                if (manifest.state() != StudyManifest.State.ASSEMBLED) {
                    removeTemporaryFiles(work);
                    summary = new StudyAssembler(plan, task, taskFitsTheory, optimum).assemble(work,
                            i -> ChunkFiles.dir(work, i), manifest.backend(), manifest.seconds(), manifest.trainSeconds(),
                            manifest.trainCpuSeconds());
                    manifest.setFiles(FileHashes.of(work, finalFiles(work, plan)));
                    manifest.setState(StudyManifest.State.ASSEMBLED);
                    manifest.write(work);
                }
                deleteRecursively(work.resolve(ChunkFiles.DIR));
                deleteRecursively(work.resolve(ChunkCheckpoint.DIR));
            } else {
                deleteRecursively(work.resolve(ChunkCheckpoint.DIR));
                manifest.setState(StudyManifest.State.TRAINED);
                manifest.write(work);
            }
            removeTemporaryFiles(work);
            Files.delete(work.resolve(LOCK));
            if (options.force()) StudyPaths.checkReplaceable(target, specFile, "--force"); // unchanged since the start?
            deleteRecursively(target);
            org.repgeom.io.AtomicFiles.move(work, target);
            if (summary == null && !shard.isPart()) summary = JsonFiles.readObject(target.resolve("summary.json"));
            return new Outcome(target, summary, plan.memberCount(), trained, manifest.seconds(), shard, plan, resumed);
        }
    }

    /** The outcome for a directory that is already finished (resume of a finished run). */
    private Outcome finished(Path target, Shard shard) throws IOException {
        StudyManifest m = StudyManifest.read(target);
        m.checkSameStudy(target, specHash, taskHash, heldOutHash, memberCount(), shard);
        StudyManifest.State expected = shard.isPart() ? StudyManifest.State.TRAINED : StudyManifest.State.ASSEMBLED;
        if (m.state() != expected) {
            throw new SpecException(target.resolve(StudyManifest.FILE).toString(), "state is " + m.state()
                    + ", expected " + expected + " for a finished " + (shard.isPart() ? "shard" : "study"));
        }
        String damaged = FileHashes.firstMismatch(target, m.files());
        if (damaged != null) {
            throw new SpecException(target.toString(), "the finished study is damaged: " + damaged
                    + "; rerun it with --force");
        }
        StudyPlan plan = new StudyPlan(spec, task.inputDim(), task.outputDim(), m.chunkSize());
        Map<String, Object> summary = shard.isPart() ? null : JsonFiles.readObject(target.resolve("summary.json"));
        return new Outcome(target, summary, plan.memberCount(), 0, m.seconds(), shard, plan, plan.chunks(shard).size());
    }

    /**
     * The manifest of the work directory: a fresh one (task and spec written) or, when resuming,
     * the existing one after checking it belongs to this study and that its chunks are on disk.
     */
    private StudyManifest open(Path work, Path specFile, Options options, Shard shard) throws IOException {
        boolean started = StudyManifest.existsIn(work);
        if (started && !options.force()) {
            StudyManifest m = StudyManifest.read(work);
            String progressText = m.chunks().size() + " chunks of " + m.chunksTotal() + " done";
            if (!options.resume()) {
                boolean same = m.specHash().equals(specHash) && m.taskHash().equals(taskHash)
                        && (m.heldOutHash() == null || m.heldOutHash().equals(heldOutHash)) && m.shard().equals(shard);
                throw new SpecException("--out", work + " holds an unfinished run" + (same ? " of this study (" + progressText
                        + "); pass --resume to continue it" : " of another spec or shard") + ", or --force to discard it");
            }
            m.checkSameStudy(work, specHash, taskHash, heldOutHash, memberCount(), shard);
            if (options.chunkSize() != null && options.chunkSize() != m.chunkSize()) {
                throw new SpecException("--chunk-size", work + " was started with --chunk-size " + m.chunkSize()
                        + "; resume it with that size (or leave the option out)");
            }
            StudyPlan plan = new StudyPlan(spec, task.inputDim(), task.outputDim(), m.chunkSize());
            if (plan.chunks().size() != m.chunksTotal()) {
                throw new SpecException(work.resolve(StudyManifest.FILE).toString(), "corrupt manifest: "
                        + m.chunksTotal() + " chunks, the plan has " + plan.chunks().size() + "; start over with --force");
            }
            checkBackend(work, m, options.allowBackendChange());
            checkTaskFiles(work);
            writeHeldOut(work, split);
            if (specFile != null) copySpec(work, specFile);
            if (m.state() == StudyManifest.State.ASSEMBLED) {
                String damaged = m.files().isEmpty() ? "it lists no final files" : FileHashes.firstMismatch(work, m.files());
                if (damaged != null) {
                    System.err.println("repgeom: " + work + " says it is assembled, but " + damaged
                            + "; checking its chunks and assembling it again");
                    m.setState(StudyManifest.State.TRAINING);
                    m.setFiles(Map.of());
                }
            }
            if (m.state() != StudyManifest.State.ASSEMBLED) verifyChunks(work, plan, m);
            m.setBackend(backend.name());
            return m;
        }
        // a fresh start: keep only the lock file
        try (Stream<Path> s = Files.list(work)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(LOCK)) deleteRecursively(p);
            }
        }
        StudyPlan plan = plan(options.chunkSize());
        StudyManifest m = new StudyManifest(spec.name(), specHash, taskHash, heldOutHash, task.name(), plan.memberCount(),
                plan.chunkSize(), plan.chunks().size(), shard, backend.name());
        m.write(work); // first, so what follows is provably this program's
        writeTask(work, task);
        writeHeldOut(work, split);
        if (specFile != null) Files.copy(specFile, work.resolve("spec.yaml"));
        return m;
    }

    /** Copies the spec to {@code spec.yaml} unless it is there already (a kill may have come before or during the copy). */
    private static void copySpec(Path work, Path specFile) throws IOException {
        Path copy = work.resolve("spec.yaml");
        if (Files.isRegularFile(copy, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && java.util.Arrays.equals(Files.readAllBytes(copy), Files.readAllBytes(specFile))) {
            return;
        }
        Files.deleteIfExists(copy);
        Files.copy(specFile, copy);
    }

    /** Precision a backend trains in. */
    static String precision(String backendName) {
        return "java".equals(backendName) ? "float64" : "float32";
    }

    /** Refuses to continue chunks another backend trained, unless asked (a study would mix precisions). */
    private void checkBackend(Path work, StudyManifest m, boolean allowed) {
        String now = backend.name();
        for (StudyManifest.ChunkEntry e : m.chunks().values()) {
            String by = e.backend() != null ? e.backend() : m.backend();
            if (by == null || by.equals(now) || by.contains("+") || allowed) continue;
            throw new SpecException("--backend", work + ": chunk " + e.index() + " was trained on the " + by
                    + " backend (" + precision(by) + "), this run uses " + now + " (" + precision(now)
                    + "); resume with --backend " + by + ", or pass --allow-backend-change to mix them");
        }
    }

    /** Rewrites X.npy and Y.npy from the spec when they do not hold the task the manifest names. */
    private void checkTaskFiles(Path work) throws IOException {
        boolean ok;
        try {
            NpyArray x = Npy.read(work.resolve("X.npy")), y = Npy.read(work.resolve("Y.npy"));
            ok = x.ndim() == 2 && y.ndim() == 2 && StudyFingerprint.task(new Task(task.name(), x.dim(0), y.dim(0), x.dim(1),
                    x.data(), y.data())).equals(taskHash);
        } catch (IOException | RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            System.err.println("repgeom: " + work + ": X.npy/Y.npy do not match the task hash in " + StudyManifest.FILE
                    + " (damaged or missing); writing them again from the spec");
            Files.deleteIfExists(work.resolve("X.npy"));
            Files.deleteIfExists(work.resolve("Y.npy"));
            writeTask(work, task);
        }
    }

    /** The files a finished study directory holds (their checksums go into the manifest). */
    private static List<String> finalFiles(Path work, StudyPlan plan) {
        List<String> out = new ArrayList<>(List.of("X.npy", "Y.npy", "members.csv", "kernels.npy", "loss_curves.npy",
                "groups.json", "summary.json"));
        for (String f : HELD_OUT_FILES) if (Files.isRegularFile(work.resolve(f))) out.add(f);
        for (int g = 0; g < plan.groupCount(); g++) out.add("params_group" + g + ".npy");
        out.addAll(KernelTraceFiles.names(plan));
        if (Files.isRegularFile(work.resolve("spec.yaml"))) out.add("spec.yaml");
        if (Files.isRegularFile(work.resolve(RnnSteps.FILE))) out.add(RnnSteps.FILE);
        for (String f : out) {
            if (!Files.isRegularFile(work.resolve(f), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("assembly did not write " + work.resolve(f));
            }
        }
        return out;
    }

    /** Deletes the temporary files a killed write leaves at the top of a work directory (".NAME….tmp"). */
    static void removeTemporaryFiles(Path work) throws IOException {
        try (Stream<Path> s = Files.list(work)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.endsWith(".tmp") && !Files.isSymbolicLink(p)) deleteRecursively(p);
            }
        }
    }

    /**
     * Checks each chunk the manifest lists: it must match the plan (else the manifest is corrupt: refused),
     * and its files must be there with the SHA-256 the manifest recorded; a chunk that fails is dropped
     * from the manifest and its files deleted, so it is trained again (saying so). Also removes chunk
     * directories the manifest does not list. Returns the chunks dropped.
     */
    private static int verifyChunks(Path work, StudyPlan plan, StudyManifest m) throws IOException {
        int dropped = 0;
        for (StudyManifest.ChunkEntry e : List.copyOf(m.chunks().values())) {
            StudyPlan.Chunk c = plan.chunk(e.index());
            String where = work.resolve(StudyManifest.FILE).toString();
            if (c.group() != e.group() || c.firstMember() != e.firstMember() || c.size() != e.members()) {
                throw new SpecException(where, "corrupt manifest: chunk " + e.index() + " lists members "
                        + e.firstMember() + "+" + e.members() + " of group " + e.group() + ", the plan has "
                        + c.firstMember() + "+" + c.size() + " of group " + c.group() + "; start over with --force");
            }
            Path dir = ChunkFiles.dir(work, e.index());
            List<String> missing = ChunkFiles.missing(work, e.index(), ChunkFiles.files(plan));
            String why = !missing.isEmpty() ? dir + " lacks " + missing
                    : e.sha256().isEmpty() ? "it has no checksums (written by an older repgeom)"
                    : FileHashes.firstMismatch(dir, e.sha256());
            if (why != null) {
                System.err.println("repgeom: chunk " + e.index() + ": " + why + "; training it again");
                m.remove(e.index());
                deleteRecursively(dir);
                dropped++;
            }
        }
        if (dropped > 0) m.write(work);
        ChunkFiles.removeUnlisted(work, m.chunks().keySet());
        return dropped;
    }

    /** Trains every chunk of the shard the manifest does not list; returns the members trained. */
    private int train(Path work, StudyPlan plan, StudyManifest manifest, Shard shard,
                      IntFunction<ProgressListener> progressFor, int checkpointEvery) throws IOException {
        List<StudyPlan.Chunk> todo = plan.chunks(shard).stream()
                .filter(c -> !manifest.chunks().containsKey(c.index())).toList();
        if (manifest.state() == StudyManifest.State.ASSEMBLED) todo = List.of();
        long needed = DiskSpace.bytes(plan, task.samples(), todo);
        if (!shard.isPart() && manifest.state() != StudyManifest.State.ASSEMBLED) {
            needed += DiskSpace.bytes(plan, task.samples(), plan.chunks()); // the assembled copy
        }
        OptimizerSettings optimizer = optimizerSettings(spec.optimizer());
        if (checkpointEvery > 0 && !backend.supportsSegments() && !todo.isEmpty()) {
            System.err.println("warning: the " + backend.name() + " backend does not support checkpointed training;"
                    + " --checkpoint-every is ignored (an interrupted chunk is retrained from its start)");
            checkpointEvery = 0;
        }
        long checkpoint = 0; // the largest chunk's checkpoint, twice: the old one stays until the new one is renamed
        for (StudyPlan.Chunk c : checkpointEvery > 0 ? todo : List.<StudyPlan.Chunk>of()) {
            checkpoint = Math.max(checkpoint, 2 * ChunkCheckpoint.bytes(plan, c, optimizer.kind(), task.samples()));
        }
        int largest = todo.stream().mapToInt(StudyPlan.Chunk::size).max().orElse(0);
        int atOnce = checkpointEvery > 0 ? 1 : Math.min(backend.chunksAtOnce(largest), todo.size());
        long chunkBytes = todo.stream().mapToLong(c -> DiskSpace.bytes(plan, task.samples(), List.of(c))).max().orElse(1);
        long heapChunks = Runtime.getRuntime().maxMemory() / (8 * Math.max(1, chunkBytes));
        // chunks in flight hold their results in memory: leave each 8 times its files' size of the heap
        if (atOnce > 1) atOnce = (int) Math.max(1, Math.min(atOnce, heapChunks));
        long finishedCheckpoint = todo.stream().mapToLong(c -> ChunkCheckpoint.finishedBytes(plan, c, task.samples()))
                .max().orElse(0);
        int waiting = atOnce > 1 && backend.supportsSegments()
                ? analysisCanWait(todo.size(), largest, finishedCheckpoint, atOnce, heapChunks) : 0;
        // the waiting chunks' finished checkpoints, and those of the chunks in flight as they join them
        needed += checkpoint + (waiting > 0 ? (waiting + atOnce) * finishedCheckpoint : 0);
        DiskSpace.require(work, needed, todo.size() + " chunks" + (shard.isPart() ? "" : " and the assembled study")
                + (checkpoint > 0 || waiting > 0 ? " and checkpoints" : ""));

        int members = todo.stream().mapToInt(StudyPlan.Chunk::size).sum();
        ProgressListener progress = progressFor.apply(members);
        StopRule stop = new StopRule(spec.train().maxSteps(), spec.train().tol(), spec.train().window(),
                spec.train().traceEvery());
        ChunkRun run = new ChunkRun(work, plan, manifest, optimizer, stop, progress, checkpointEvery);
        if (atOnce <= 1) {
            for (StudyPlan.Chunk c : todo) trainChunk(run, c, backend);
        } else {
            trainAtOnce(run, todo, atOnce, waiting);
        }
        return members;
    }

    /** What every chunk of one {@link #train} call shares: where it goes, how it trains, the clocks. */
    private record ChunkRun(Path work, StudyPlan plan, StudyManifest manifest, OptimizerSettings optimizer,
                            StopRule stop, ProgressListener progress, int checkpointEvery,
                            SharedClock training, SharedClock compute) {
        ChunkRun(Path work, StudyPlan plan, StudyManifest manifest, OptimizerSettings optimizer, StopRule stop,
                 ProgressListener progress, int checkpointEvery) {
            this(work, plan, manifest, optimizer, stop, progress, checkpointEvery, new SharedClock(), new SharedClock());
        }
    }

    /**
     * Trains, analyses and writes one chunk on {@code on}, then lists it in the manifest. Its seconds are
     * its share of the wall time ({@link SharedClock}) and its training CPU seconds those of {@code on}'s threads.
     */
    private void trainChunk(ChunkRun run, StudyPlan.Chunk c, Backend on) throws IOException {
        finishChunk(run, trainOnly(run, c, on, false), on);
    }

    /** A trained chunk waiting for {@link #finishChunk}, with the seconds it has taken so far. */
    private record TrainedChunk(StudyPlan.Chunk chunk, List<MemberSpec> members, TrainRequest request,
                                TrainResult result, double trainSeconds, double trainCpu, double seconds) {
    }

    /**
     * Trains one chunk on {@code on} (from its checkpoint where it has one). With {@code checkpointed}, its
     * finished state is written as its checkpoint, so that a run killed before the chunk is analysed
     * resumes with the analysis alone.
     */
    private TrainedChunk trainOnly(ChunkRun run, StudyPlan.Chunk c, Backend on, boolean checkpointed) throws IOException {
        Path work = run.work();
        StudyManifest manifest = run.manifest();
        List<MemberSpec> chunkMembers = run.plan().members(c);
        TrainRequest request = request(run.plan().groupArchitecture(c.group()), chunkMembers, run.optimizer(), run.stop());
        int[] traced = KernelTraceSample.of(spec).inChunk(c);
        if (traced.length > 0) request = request.withKernelTrace(new KernelTraceRequest(spec.train().kernelEvery(), traced));
        // a chunk with a checkpoint is continued from it even when this call asked for none
        boolean segmented = run.checkpointEvery() > 0
                || (on.supportsSegments() && Files.exists(ChunkCheckpoint.file(work, c.index())));
        double trainSeconds, trainCpu, seconds;
        TrainResult result;
        run.compute().start(c.index());
        try {
            run.training().start(c.index());
            double cpu = on.trainingCpuSeconds();
            try {
                result = segmented ? trainInSegments(work, c, request, run.checkpointEvery(), run.progress(), manifest, on)
                        : on.train(request, task, run.progress());
            } finally {
                trainSeconds = run.training().stop(c.index());
            }
            trainCpu = on.trainingCpuSeconds() - cpu;
            if (checkpointed) {
                int last = Arrays.stream(result.steps()).max().orElse(0);
                writeCheckpoint(work, c, on.name(), last, result.asFinishedState(request.layout().stride()), manifest);
            }
        } finally {
            seconds = run.compute().stop(c.index());
        }
        return new TrainedChunk(c, chunkMembers, request, result, trainSeconds, trainCpu, seconds);
    }

    /** Analyses and writes a trained chunk, lists it in the manifest and deletes its checkpoint. */
    private void finishChunk(ChunkRun run, TrainedChunk t, Backend on) throws IOException {
        Path work = run.work();
        StudyManifest manifest = run.manifest();
        StudyPlan.Chunk c = t.chunk();
        TrainResult result = t.result();
        List<MemberRecord> records;
        double seconds;
        run.compute().start(c.index());
        try {
            records = analyse(c, t.members(), t.request(), result);
        } finally {
            seconds = t.seconds() + run.compute().stop(c.index());
        }
        ChunkFiles.write(work, c, records, result.params(), t.request().layout().stride(), result.lossTrace(),
                result.traceLength(), task.samples(), kernelTraceChunk(t.request(), result));
        synchronized (manifest) {
            manifest.add(new StudyManifest.ChunkEntry(c.index(), c.group(), c.firstMember(), c.size(), seconds,
                    on.name(), precision(on.name()), FileHashes.of(ChunkFiles.dir(work, c.index()),
                    ChunkFiles.files(run.plan())), t.trainSeconds(), t.trainCpu()));
            manifest.setCheckpoint(c.index(), null);
            manifest.write(work);
        }
        ChunkCheckpoint.delete(work, c.index());
    }

    /** Trained chunks whose finished checkpoints may wait for their analysis at once: at most this many bytes. */
    static final long WAITING_CHECKPOINT_BYTES = 256L << 20;

    /**
     * At most this many members wait for their analysis at once: their analysis comes after the progress bar
     * has reached its end (the README example's 512 members take about 1.6 s on two cores).
     */
    static final int WAITING_MEMBERS = 4096;

    /**
     * How many of {@code chunks} trained chunks (of at most {@code largest} members and
     * {@code finishedCheckpoint} bytes of finished checkpoint each) may wait for their analysis in
     * {@link #trainAtOnce}: all where the heap holds them beside the {@code atOnce} in flight and as many
     * joining them ({@code heapChunks} chunks in all, 8 times a chunk's files each), they hold at most
     * {@link #WAITING_MEMBERS} members and their finished checkpoints take at most
     * {@link #WAITING_CHECKPOINT_BYTES}. Only for a backend that resumes from a checkpoint: elsewhere a
     * killed run would lose their training.
     */
    private static int analysisCanWait(int chunks, int largest, long finishedCheckpoint, int atOnce, long heapChunks) {
        long n = Math.min(Math.min(chunks, WAITING_MEMBERS / Math.max(1, largest)),
                Math.min(heapChunks - 2L * atOnce, WAITING_CHECKPOINT_BYTES / Math.max(1, finishedCheckpoint)));
        return (int) Math.max(0, n);
    }

    /**
     * Trains {@code todo} with {@code atOnce} chunks in flight, each on its own share of the backend's
     * threads ({@link Backend#forConcurrentChunk}): where one chunk cannot keep every thread's lanes busy
     * to its end, a thread whose chunk is done takes the next one instead of waiting for the slowest member
     * of the other. The most expensive chunks go first, so the last ones to finish are short.
     *
     * <p>Up to {@code waiting} trained chunks wait, each saved as a finished checkpoint, until no chunk is
     * left to train, and are analysed then (first trained, first analysed): the cores train while there is
     * training to do, instead of sharing them with the members' analysis and with the JVM compiling it
     * (with more waiting, a thread analyses the oldest before training the next). A failure lets the chunks
     * in flight finish, analyses and lists those trained, starts no more, and is rethrown.
     */
    private void trainAtOnce(ChunkRun run, List<StudyPlan.Chunk> todo, int atOnce, int waiting) throws IOException {
        // a chunk's training cost, for the order only: members times parameters per member
        StudyPlan plan = run.plan();
        double[] stride = new double[plan.groupCount()];
        for (int g = 0; g < stride.length; g++) stride[g] = new ParamLayout(plan.groupArchitecture(g)).stride();
        List<StudyPlan.Chunk> order = new ArrayList<>(todo);
        order.sort(Comparator.comparingDouble((StudyPlan.Chunk c) -> -c.size() * stride[c.group()])
                .thenComparingInt(StudyPlan.Chunk::index));
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ArrayDeque<TrainedChunk> trained = new ArrayDeque<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < atOnce; w++) {
            Backend mine = backend.forConcurrentChunk(atOnce);
            Thread t = new Thread(() -> {
                try {
                    for (;;) {
                        TrainedChunk oldest;
                        synchronized (trained) {
                            boolean toTrain = failure.get() == null && next.get() < order.size();
                            oldest = !toTrain || trained.size() >= waiting ? trained.poll() : null;
                        }
                        if (oldest != null) {
                            finishChunk(run, oldest, mine);
                            continue;
                        }
                        int i = next.getAndIncrement();
                        if (i >= order.size() || failure.get() != null) break;
                        TrainedChunk done = trainOnly(run, order.get(i), mine, waiting > 0);
                        if (waiting == 0) {
                            finishChunk(run, done, mine);
                        } else {
                            synchronized (trained) {
                                trained.add(done);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "repgeom-chunk-" + w);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        try {
            for (Thread t : workers) t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        }
        Throwable e = failure.get();
        if (e instanceof IOException io) throw io;
        if (e instanceof RuntimeException re) throw re;
        if (e instanceof Error err) throw err;
        if (e != null) throw new IllegalStateException(e);
    }

    /**
     * Trains one chunk in segments of {@code every} steps (0: one segment to the end), from its
     * checkpoint when there is one, writing the state after each segment that leaves members running. Segments join up bit for bit
     * ({@link Backend#trainSegment}), so the result equals one uninterrupted {@link Backend#train}.
     */
    private TrainResult trainInSegments(Path work, StudyPlan.Chunk c, TrainRequest request, int every,
                                        ProgressListener progress, StudyManifest manifest, Backend backend)
            throws IOException {
        StopRule stop = request.stop();
        int stride = request.layout().stride();
        Path file = ChunkCheckpoint.file(work, c.index());
        StudyManifest.CheckpointEntry recorded;
        synchronized (manifest) {
            recorded = manifest.checkpoints().get(c.index());
        }
        if (Files.exists(file) && (recorded == null || !recorded.sha256().contains(FileHashes.sha256(file)))) {
            System.err.println("repgeom: chunk " + c.index() + ": checkpoint " + file + " does not match its SHA-256 in "
                    + StudyManifest.FILE + " (damaged, or the run stopped while saving it); training the chunk from its start");
            Files.delete(file);
        }
        int kernels = request.kernelTraceFloats(task.samples());
        ChunkCheckpoint.Saved saved = ChunkCheckpoint.read(work, c, backend.name(), stride, stop.traceLength(), kernels);
        TrainState state;
        int step;
        if (saved != null) {
            state = saved.state();
            step = saved.step();
            progress.membersDone(state.stoppedCount());
            System.err.println("chunk " + c.index() + (state.finished() ? ": trained before the interruption, analysing it from its checkpoint"
                    : ": continuing from its checkpoint at step " + step));
        } else {
            state = TrainState.initial(request.optimizer().kind(), request.members(), stride, stop.traceLength(),
                    request.initialParams()).withKernelTrace(kernels);
            step = 0;
        }
        while (!state.finished()) {
            step = every > 0 ? (int) Math.min(stop.maxSteps(), (long) step + every) : stop.maxSteps();
            state = backend.trainSegment(request, state, step, task, progress);
            if (!state.finished()) writeCheckpoint(work, c, backend.name(), step, state, manifest);
        }
        return TrainResult.of(state);
    }

    /** Writes chunk c's checkpoint and lists its SHA-256 in the manifest before it replaces the old one. */
    private static void writeCheckpoint(Path work, StudyPlan.Chunk c, String backend, int step, TrainState state,
                                        StudyManifest manifest) throws IOException {
        Path file = ChunkCheckpoint.file(work, c.index());
        ChunkCheckpoint.write(work, c, backend, step, state, tmp -> {
            // both the old and the new file are valid until the rename is done
            List<String> valid = new ArrayList<>();
            synchronized (manifest) {
                StudyManifest.CheckpointEntry old = manifest.checkpoints().get(c.index());
                if (old != null && Files.exists(file)) valid.add(old.sha256().get(old.sha256().size() - 1));
                valid.add(FileHashes.sha256(tmp));
                manifest.setCheckpoint(c.index(), new StudyManifest.CheckpointEntry(step, valid));
                manifest.write(work);
            }
        });
    }

    /**
     * The backend's settings for a spec's optimizer. A spec leaves the parameters its kind does not
     * use at 0; the backends check every parameter (eps &gt; 0 included) whatever the kind, so those
     * get Adam's neutral defaults, which the kind never reads.
     */
    static OptimizerSettings optimizerSettings(OptimizerSpec o) {
        OptimizerKind kind = OptimizerKind.valueOf(o.kind().name());
        if (o.kind() == OptimizerSpec.Kind.ADAM) {
            return new OptimizerSettings(kind, o.finalLrRatio(), o.momentum(), o.beta1(), o.beta2(), o.eps());
        }
        OptimizerSpec unused = OptimizerSpec.defaults();
        return new OptimizerSettings(kind, o.finalLrRatio(), o.momentum(), unused.beta1(), unused.beta2(), unused.eps());
    }

    private TrainRequest request(org.repgeom.model.Architecture arch, List<MemberSpec> members,
                                 OptimizerSettings optimizer, StopRule stop) {
        ParamLayout layout = new ParamLayout(arch);
        int e = members.size(), layers = arch.layerCount();
        double[] params = new double[e * layout.stride()];
        double[] lambdas = new double[e * layers];
        double[] lrs = new double[e];
        for (int i = 0; i < e; i++) {
            MemberSpec m = members.get(i);
            InitialWeights.fill(layout, m.seed(), spec.model().initScale(), params, i * layout.stride());
            System.arraycopy(m.lambdas(), 0, lambdas, i * layers, layers);
            lrs[i] = m.lr();
        }
        return new TrainRequest(layout, e, params, lambdas, lrs, optimizer, stop);
    }

    private List<MemberRecord> analyse(StudyPlan.Chunk c, List<MemberSpec> members, TrainRequest req, TrainResult res) {
        if (req.architecture().isRecurrent()) return RecurrentMembers.analyse(c, members, req, res, task);
        ParamLayout layout = req.layout();
        int layers = layout.architecture().layerCount();
        MemberRecord[] records = new MemberRecord[members.size()];
        IntStream.range(0, members.size()).parallel().forEach(i -> {
            MemberSpec m = members.get(i);
            Mlp mlp = new Mlp(layout, task);
            Stationarity.Outcome o = Stationarity.judge(mlp, task, res.params(), i * layout.stride(), req.lambdas(),
                    i * layers, m.lr() * spec.optimizer().finalLrRatio(), res.status()[i],
                    Stationarity.polishSteps(spec.train().maxSteps()));
            ConfigurationTheory theory = theories.lookup(layout.architecture(), m.lambdas());
            MemberGeometry geo = MemberGeometry.measure(mlp, task, res.params(), i * layout.stride(), req.lambdas(),
                    i * layers, theory, theories.whitenedUnitHypercube(), o.status() == MemberStatus.CONVERGED);
            HoldoutRecord held = holdout.evaluate(layout, res.params(), i * layout.stride(), m.lambdas());
            records[i] = new MemberRecord(m, c.group(), o.status(), res.steps()[i], o.loss(), res.gradNorm()[i], geo,
                    o.criterion(), theory.applies() ? theory.form() : "none", held);
        });
        return Arrays.asList(records);
    }

    /**
     * The chunk's kernel trace file content (null without a kernel trace): the backend's trace with
     * every time point from a member's final step on set to its final kernel as analysed, i.e. of the
     * parameters {@code analyse} left (after the stationarity polish where it was kept), each hidden
     * layer by {@link RepresentationKernel} as kernels.npy; so the last time point of kernel_trace.npy
     * is the member's row of kernels.npy.
     */
    private ChunkFiles.KernelTraceChunk kernelTraceChunk(TrainRequest req, TrainResult res) {
        if (!spec.train().tracesKernels()) return null;
        org.repgeom.model.Architecture arch = req.architecture();
        int depth = arch.depth(), p = task.samples(), pp = p * p;
        KernelSchedule sched = KernelTraceFiles.schedule(spec);
        int points = sched.points();
        int[] traced = req.kernelTrace() == null ? new int[0] : req.kernelTrace().members();
        float[] trace = res.kernelTrace();
        Mlp mlp = new Mlp(req.layout(), task);
        for (int j = 0; j < traced.length; j++) {
            int e = traced[j];
            mlp.forward(res.params(), e * req.layout().stride());
            for (int l = 0; l < depth; l++) {
                double[] k = RepresentationKernel.of(mlp.hidden(l), arch.width(l), p);
                for (int t = sched.firstPointFrom(res.steps()[e]); t < points; t++) {
                    int at = ((j * depth + l) * points + t) * pp;
                    for (int i = 0; i < pp; i++) trace[at + i] = (float) k[i];
                }
            }
        }
        return new ChunkFiles.KernelTraceChunk(trace, traced.length, depth, points);
    }

    /** The files of the held-out samples in a study directory (with a hold-out only). */
    static final List<String> HELD_OUT_FILES = List.of("X_test.npy", "Y_test.npy");

    /** Writes (again) the held-out samples of a split that holds some out. */
    static void writeHeldOut(Path dir, HoldoutSplit split) throws IOException {
        if (!split.active()) return;
        Task t = split.test();
        for (String f : HELD_OUT_FILES) Files.deleteIfExists(dir.resolve(f));
        Npy.writeFloat64(dir.resolve(HELD_OUT_FILES.get(0)), new int[] {t.inputDim(), t.samples()}, t.xData());
        Npy.writeFloat64(dir.resolve(HELD_OUT_FILES.get(1)), new int[] {t.outputDim(), t.samples()}, t.yData());
    }

    static void writeTask(Path dir, Task task) throws IOException {
        Npy.writeFloat64(dir.resolve("X.npy"), new int[] {task.inputDim(), task.samples()}, task.xData());
        Npy.writeFloat64(dir.resolve("Y.npy"), new int[] {task.outputDim(), task.samples()}, task.yData());
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
