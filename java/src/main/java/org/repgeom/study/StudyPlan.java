package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.GridSpec;
import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;

/**
 * Which member is which and who trains what, computed from the spec alone, so every machine that
 * reads the same spec agrees on member ids, seeds, groups and chunks without exchanging anything.
 *
 * <p><b>Members</b> are numbered in grid order (activation, hidden shape, λ entry, learning rate,
 * seed; outermost first), exactly as {@link StudySpec#members}; {@link #member(int)} computes one
 * member from its id by mixed-radix decomposition,
 * {@code id = (((a·S + s)·Λ + l)·R + r)·N + k}, so a study of millions of members is never held
 * as a list. An architecture <i>block</i> is the {@code Λ·R·N} consecutive ids of one
 * (activation, shape) pair.
 *
 * <p><b>Groups</b> gather blocks with identical {@link Architecture}s in first-appearance order,
 * as {@link StudySpec#groups}; within a group members keep id order.
 *
 * <p><b>Chunks</b> are the unit of training, writing and resuming: maximal runs of consecutive
 * ids of one group are cut into pieces of at most {@code chunkSize} members; chunks are numbered
 * in id order, so concatenating them in index order gives every member once, in id order. The
 * plan depends only on the spec, the task's dimensions and the chunk size, which is why a
 * resumed or sharded run trains exactly the same batches as an uninterrupted one.
 */
public final class StudyPlan {
    /** Most members per chunk unless told otherwise: seconds of work for small networks. */
    public static final int MAX_DEFAULT_CHUNK_SIZE = 4096;
    /** Bytes of per-member results (parameters, kernel, trace, in doubles) one default chunk holds at most. */
    public static final long CHUNK_BYTES = 16L << 20;

    /** A contiguous piece of one group. */
    public record Chunk(int index, int group, int firstMember, int size, int firstPosition) {
        /** One past the last member id. */
        public int endMember() {
            return firstMember + size;
        }
    }

    /** Consecutive member ids {@code [first, first + length)} of one group. */
    private record Run(int group, int first, int length) {
    }

    private final StudySpec spec;
    private final int chunkSize;
    private final int memberCount;
    private final int blockSize;
    private final int shapeCount;
    private final Architecture[] blockArchitecture;
    private final int[] blockGroup;
    private final List<Architecture> groupArchitecture = new ArrayList<>();
    private final int[] groupSize;
    private final List<Run> runs = new ArrayList<>();
    private final List<Chunk> chunks = new ArrayList<>();

    /**
     * @param inputDim  dX of the built task
     * @param outputDim dY of the built task
     * @param chunkSize most members per chunk, ≥ 1
     */
    public StudyPlan(StudySpec spec, int inputDim, int outputDim, int chunkSize) {
        if (chunkSize < 1) throw new SpecException("--chunk-size", "must be ≥ 1, got " + chunkSize);
        // the grid was validated when the spec was built (StudySpec's constructor)
        this.spec = spec;
        this.chunkSize = chunkSize;
        this.memberCount = (int) spec.memberCount();
        GridSpec grid = spec.grid();
        this.blockSize = grid.lambdas().size() * grid.learningRates().size() * grid.seeds().size();
        this.shapeCount = spec.model().networkCount();
        List<Activation> activations = spec.model().activations();
        int blocks = activations.size() * shapeCount;
        blockArchitecture = new Architecture[blocks];
        blockGroup = new int[blocks];
        Map<Architecture, Integer> groupOf = new LinkedHashMap<>();
        for (int b = 0; b < blocks; b++) {
            Architecture arch = spec.model().architecture(inputDim, outputDim, activations.get(b / shapeCount),
                    b % shapeCount);
            blockArchitecture[b] = arch;
            blockGroup[b] = groupOf.computeIfAbsent(arch, a -> {
                groupArchitecture.add(a);
                return groupArchitecture.size() - 1;
            });
        }
        groupSize = new int[groupArchitecture.size()];
        for (int b = 0; b < blocks; b++) {
            int g = blockGroup[b];
            Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last.group() == g) {
                runs.set(runs.size() - 1, new Run(g, last.first(), last.length() + blockSize));
            } else {
                runs.add(new Run(g, b * blockSize, blockSize));
            }
        }
        for (Run run : runs) {
            for (int off = 0, size; off < run.length(); off += size) {
                size = Math.min(chunkSize, run.length() - off);
                chunks.add(new Chunk(chunks.size(), run.group(), run.first() + off, size, groupSize[run.group()] + off));
            }
            groupSize[run.group()] += run.length();
        }
    }

    /**
     * The default chunk size: {@link #MAX_DEFAULT_CHUNK_SIZE} members, fewer when a member's results
     * ({@code 8·(P² + T + stride)} bytes for the widest group, plus a traced member's share of the
     * kernel trace, {@link KernelTraceFiles#bytesPerMember}) would make a chunk hold more than
     * {@link #CHUNK_BYTES}. A function of the spec and the task's dimensions only.
     */
    public static int defaultChunkSize(StudySpec spec, int inputDim, int outputDim, int samples) {
        StudyPlan one = new StudyPlan(spec, inputDim, outputDim, Integer.MAX_VALUE);
        long perMember = 8L * ((long) samples * samples + one.traceLength() + one.maxStride()) + 512
                + KernelTraceFiles.bytesPerMember(spec, samples);
        return (int) Math.max(1, Math.min(MAX_DEFAULT_CHUNK_SIZE, CHUNK_BYTES / perMember));
    }

    /** Loss-trace length T = max_steps / trace_every + 1. */
    public int traceLength() {
        return spec.train().maxSteps() / spec.train().traceEvery() + 1;
    }

    /** Largest parameter stride over the groups. */
    public int maxStride() {
        int max = 0;
        for (Architecture a : groupArchitecture) max = Math.max(max, new org.repgeom.model.ParamLayout(a).stride());
        return max;
    }

    public StudySpec spec() {
        return spec;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public int memberCount() {
        return memberCount;
    }

    public int groupCount() {
        return groupArchitecture.size();
    }

    public Architecture groupArchitecture(int group) {
        return groupArchitecture.get(group);
    }

    public int groupSize(int group) {
        return groupSize[group];
    }

    /** Every chunk, in index (= id) order. */
    public List<Chunk> chunks() {
        return List.copyOf(chunks);
    }

    /** The chunks {@code shard} trains, in index order. */
    public List<Chunk> chunks(Shard shard) {
        return chunks.stream().filter(c -> shard.owns(c.index())).toList();
    }

    public Chunk chunk(int index) {
        return chunks.get(index);
    }

    /** Member {@code id}, equal to {@code spec.members(dX, dY).get(id)}. */
    public MemberSpec member(int id) {
        if (id < 0 || id >= memberCount) throw new IndexOutOfBoundsException("member " + id + " of " + memberCount);
        GridSpec grid = spec.grid();
        int seeds = grid.seeds().size(), rates = grid.learningRates().size(), lambdas = grid.lambdas().size();
        int k = id % seeds, rest = id / seeds;
        int r = rest % rates;
        rest /= rates;
        int l = rest % lambdas;
        int block = rest / lambdas;
        Architecture arch = blockArchitecture[block];
        return new MemberSpec(id, grid.seeds().get(k), arch, grid.lambdas().get(l).forLayers(arch.layerCount()),
                grid.learningRates().get(r));
    }

    /** The group member {@code id} belongs to. */
    public int groupOf(int id) {
        return blockGroup[id / blockSize];
    }

    /** Index of the configuration (members that differ only in seed) of member {@code id}. */
    public int configurationIndex(int id) {
        return id / spec.grid().seeds().size();
    }

    /** The members of a chunk, in id order. */
    public List<MemberSpec> members(Chunk chunk) {
        List<MemberSpec> out = new ArrayList<>(chunk.size());
        for (int id = chunk.firstMember(); id < chunk.endMember(); id++) out.add(member(id));
        return out;
    }

    /** The ids of a group's members, in id (= row) order. */
    public int[] memberIds(int group) {
        int[] ids = new int[groupSize[group]];
        int n = 0;
        for (Run run : runs) {
            if (run.group() != group) continue;
            for (int i = 0; i < run.length(); i++) ids[n++] = run.first() + i;
        }
        return ids;
    }

    /** The chunk that holds member {@code id}. */
    public Chunk chunkOf(int id) {
        int lo = 0, hi = chunks.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (chunks.get(mid).firstMember() <= id) lo = mid;
            else hi = mid - 1;
        }
        return chunks.get(lo);
    }
}
