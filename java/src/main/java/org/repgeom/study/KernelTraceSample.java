package org.repgeom.study;

import org.repgeom.study.spec.StudySpec;
import org.repgeom.study.spec.TrainSpec;

/**
 * Which members record the kernel trace ({@code train.kernel_trace_members: m}): all of them when m
 * is absent or at least the study's size, else a deterministic sample spread over the configurations
 * (members that differ only in seed). With C configurations and N seeds each, member
 * {@code id = c·N + k} (c its configuration, k its seed index, {@link StudyPlan}) is taken in rounds:
 * seed index 0 of every configuration, then seed index 1 of every configuration, and so on, the last
 * incomplete round taking r configurations evenly spaced over all C ({@code ⌊i·C/r⌋}, i &lt; r). So every
 * configuration is traced whenever m ≥ C, and the sample depends on the spec alone (chunks, shards and
 * resumes agree on it).
 */
public final class KernelTraceSample {
    private final int members;
    private final int seeds;
    private final int configurations;
    private final int count;
    private final int fullRounds;
    private final int remainder;

    /** The sample of a study of {@code members} members with {@code seeds} seeds per configuration; m = 0: all. */
    public KernelTraceSample(int members, int seeds, int m) {
        if (members < 0 || seeds < 1 || members % seeds != 0 || m < 0) {
            throw new IllegalArgumentException(members + " members of " + seeds + " seeds, sample " + m);
        }
        this.members = members;
        this.seeds = seeds;
        this.configurations = members / seeds;
        this.count = m == 0 ? members : Math.min(m, members);
        this.fullRounds = configurations == 0 ? 0 : count / configurations;
        this.remainder = configurations == 0 ? 0 : count % configurations;
    }

    /** The sample a study's spec asks for (empty when it records no kernel trace). */
    public static KernelTraceSample of(StudySpec spec) {
        TrainSpec t = spec.train();
        int seeds = spec.grid().seeds().size(), members = (int) spec.memberCount();
        return t.tracesKernels() ? new KernelTraceSample(members, seeds, t.kernelTraceMembers())
                : new KernelTraceSample(0, seeds, 0);
    }

    /** Members traced. */
    public int count() {
        return count;
    }

    /** Whether member {@code id} records its kernel trace. */
    public boolean traced(int id) {
        if (id < 0 || id >= members) return false;
        int k = id % seeds, c = id / seeds;
        if (k < fullRounds) return true;
        if (k > fullRounds || remainder == 0) return false;
        // is c one of ⌊i·C/r⌋, i < r? the smallest i with ⌊i·C/r⌋ ≥ c is ⌈c·r/C⌉
        long i = ((long) c * remainder + configurations - 1) / configurations;
        return i < remainder && i * configurations / remainder == c;
    }

    /** The traced members' ids in increasing order: the rows of kernel_trace.npy. */
    public int[] ids() {
        int[] out = new int[count];
        int n = 0;
        for (int id = 0; id < members && n < count; id++) {
            if (traced(id)) out[n++] = id;
        }
        return out;
    }

    /** Indices within the chunk (id − first member) of its traced members, increasing. */
    public int[] inChunk(StudyPlan.Chunk c) {
        int n = 0;
        for (int id = c.firstMember(); id < c.endMember(); id++) if (traced(id)) n++;
        int[] out = new int[n];
        n = 0;
        for (int id = c.firstMember(); id < c.endMember(); id++) if (traced(id)) out[n++] = id - c.firstMember();
        return out;
    }
}
