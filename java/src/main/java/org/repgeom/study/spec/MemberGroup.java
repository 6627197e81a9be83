package org.repgeom.study.spec;

import java.util.List;
import java.util.Objects;
import org.repgeom.model.Architecture;

/**
 * Members sharing one {@link Architecture}: their parameters have identical shapes, so a backend
 * trains the whole group in one call (docs/outputs.md, groups.json).
 *
 * @param index        position among the study's groups, 0-based, in first-appearance order
 * @param architecture the shape every member has
 * @param members      the members, in grid (id) order; at least one
 */
public record MemberGroup(int index, Architecture architecture, List<MemberSpec> members) {

    public MemberGroup {
        Objects.requireNonNull(architecture, "architecture");
        members = List.copyOf(members);
        if (members.isEmpty()) throw new IllegalArgumentException("a group needs at least one member");
        for (MemberSpec m : members) {
            if (!m.architecture().equals(architecture)) {
                throw new IllegalArgumentException("member " + m.id() + " has " + m.architecture()
                        + ", not the group's " + architecture);
            }
        }
    }

    /** Number of members. */
    public int size() {
        return members.size();
    }
}
