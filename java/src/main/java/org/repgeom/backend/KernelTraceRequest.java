package org.repgeom.backend;

import java.util.Arrays;
import org.repgeom.model.Architecture;
import org.repgeom.train.KernelSchedule;

/**
 * Which members of a group record their kernel trace, and how often ({@code train.kernel_every}).
 * {@code members} are indices into the request's members, strictly increasing; traced member j
 * (its j-th entry) fills row j of {@link TrainResult#kernelTrace}: {@code depth × T × P × P} floats,
 * hidden layer l's kernel K_l = R_lᵀR_l at time point k at {@code ((j·depth + l)·T + k)·P²}, with
 * T and the time points of {@link KernelSchedule}.
 */
public record KernelTraceRequest(int every, int[] members) {

    public KernelTraceRequest {
        if (every < 1) throw new IllegalArgumentException("kernel_every must be ≥ 1, got " + every);
        members = members.clone();
        for (int j = 0; j < members.length; j++) {
            if (members[j] < 0 || (j > 0 && members[j] <= members[j - 1])) {
                throw new IllegalArgumentException("traced members must be increasing indices ≥ 0: " + Arrays.toString(members));
            }
        }
    }

    /** Every one of {@code count} members, every {@code every} steps. */
    public static KernelTraceRequest all(int every, int count) {
        int[] m = new int[count];
        for (int i = 0; i < count; i++) m[i] = i;
        return new KernelTraceRequest(every, m);
    }

    public KernelSchedule schedule(int maxSteps) {
        return new KernelSchedule(every, maxSteps);
    }

    /** Traced members. */
    public int count() {
        return members.length;
    }

    /** Per member of a group of {@code groupMembers}: its row in the trace, or -1 when it is not traced. */
    public int[] rows(int groupMembers) {
        int[] rows = new int[groupMembers];
        Arrays.fill(rows, -1);
        for (int j = 0; j < members.length; j++) {
            if (members[j] >= groupMembers) throw new IllegalArgumentException("traced member " + members[j] + " outside the group");
            rows[members[j]] = j;
        }
        return rows;
    }

    /** Floats of one traced member: depth × T × P × P. */
    public long floatsPerMember(Architecture arch, int samples, int maxSteps) {
        return (long) arch.depth() * schedule(maxSteps).points() * samples * samples;
    }

    /** Floats of the whole trace of a group; refused beyond one Java array. */
    public int floats(Architecture arch, int samples, int maxSteps) {
        long n = count() * floatsPerMember(arch, samples, maxSteps);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("kernel trace of " + n + " floats is too large for one group");
        return (int) n;
    }
}
