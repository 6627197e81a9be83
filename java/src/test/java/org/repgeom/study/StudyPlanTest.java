package org.repgeom.study;

import org.repgeom.study.spec.MemberGroup;
import org.repgeom.study.spec.MemberSpec;
import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plan computes members, groups and chunks from the spec alone: the same ids, seeds and
 * order as the grid expansion, chunks that cover every member once in id order within one group,
 * and shards that split the chunks without overlap. The spec hash depends on content, not spelling.
 */
class StudyPlanTest {
    static final String SPEC = """
            name: plan
            task: {kind: hypercube, labels: 2, per_class: 1}
            model:
              activation: [relu, tanh, gelu]
              widths: [4, [6, 3], 5]
              depth: [1, 2]
            grid:
              seeds: [7, 3, 11]
              lambda: [1.0e-2, 0]
              lr: [1.0e-2, 3.0e-3]
            """;

    static StudySpec parse(String text) {
        return StudySpec.parse(text, Path.of("/specs"), "plan");
    }

    @Test
    void membersByIdEqualTheGridExpansion() {
        StudySpec spec = parse(SPEC);
        List<MemberSpec> expanded = spec.members(4, 2);
        StudyPlan plan = new StudyPlan(spec, 4, 2, 5);
        assertEquals(expanded.size(), plan.memberCount());
        assertEquals(3 * 5 * 2 * 2 * 3, plan.memberCount()); // activations × shapes × λ × lr × seeds
        for (MemberSpec m : expanded) assertEquals(m, plan.member(m.id()));

        List<MemberGroup> groups = spec.groups(4, 2);
        assertEquals(groups.size(), plan.groupCount());
        for (MemberGroup g : groups) {
            assertEquals(g.architecture(), plan.groupArchitecture(g.index()));
            assertArrayEquals(g.members().stream().mapToInt(MemberSpec::id).toArray(), plan.memberIds(g.index()));
            for (MemberSpec m : g.members()) assertEquals(g.index(), plan.groupOf(m.id()));
        }
    }

    @Test
    void chunksCoverEveryMemberOnceInIdOrderWithinOneGroup() {
        StudySpec spec = parse(SPEC);
        for (int size : new int[] {1, 5, 12, 13, 1000}) {
            StudyPlan plan = new StudyPlan(spec, 4, 2, size);
            int next = 0;
            int[] position = new int[plan.groupCount()];
            for (StudyPlan.Chunk c : plan.chunks()) {
                assertEquals(next, c.firstMember(), "chunks are contiguous, in id order");
                assertTrue(c.size() >= 1 && c.size() <= size);
                for (int id = c.firstMember(); id < c.endMember(); id++) assertEquals(c.group(), plan.groupOf(id));
                assertEquals(position[c.group()], c.firstPosition(), "row of the chunk in its group's params");
                assertEquals(plan.memberIds(c.group())[c.firstPosition()], c.firstMember());
                assertEquals(c, plan.chunkOf(c.firstMember()));
                assertEquals(c, plan.chunkOf(c.endMember() - 1));
                position[c.group()] += c.size();
                next = c.endMember();
            }
            assertEquals(plan.memberCount(), next);
        }
    }

    @Test
    void shardsSplitTheChunksWithoutOverlap() {
        StudyPlan plan = new StudyPlan(parse(SPEC), 4, 2, 7);
        for (int n : new int[] {1, 2, 3, 50}) {
            List<Integer> seen = new ArrayList<>();
            for (int i = 0; i < n; i++) plan.chunks(new Shard(i, n)).forEach(c -> seen.add(c.index()));
            assertEquals(plan.chunks().size(), seen.size());
            assertEquals(plan.chunks().size(), seen.stream().distinct().count());
        }
    }

    @Test
    void defaultChunkSizeShrinksForLargeMembers() {
        StudySpec small = parse(SPEC);
        assertEquals(StudyPlan.MAX_DEFAULT_CHUNK_SIZE, StudyPlan.defaultChunkSize(small, 4, 2, 4));
        // P = 256 samples: a kernel alone is 512 KiB as doubles, so 16 MiB holds 31 members
        int size = StudyPlan.defaultChunkSize(small, 256, 2, 256);
        assertTrue(size >= 20 && size <= 32, "chunk size " + size);
    }

    @Test
    void specHashDependsOnContentNotSpelling() {
        String hash = StudyFingerprint.spec(parse(SPEC));
        assertEquals(hash, StudyFingerprint.spec(parse(SPEC)));
        String respelled = """
                # the same study, written differently, with another output directory
                grid:
                  lr: [0.01, 0.003]
                  lambda: [0.01, 0.0]
                  seeds: [7, 3, 11]
                model: {widths: [4, [6, 3], 5], depth: [1, 2], activation: [relu, tanh, gelu]}
                task: {per_class: 1, labels: 2, kind: hypercube}
                name: plan
                output: {dir: /elsewhere/plan}
                """;
        assertEquals(hash, StudyFingerprint.spec(parse(respelled)));
        assertNotEquals(hash, StudyFingerprint.spec(parse(SPEC.replace("[7, 3, 11]", "[7, 3, 12]"))));
        assertNotEquals(hash, StudyFingerprint.spec(parse(SPEC.replace("[7, 3, 11]", "[3, 7, 11]"))), "seed order is id order");
        assertNotEquals(hash, StudyFingerprint.spec(parse(SPEC + "train: {max_steps: 100}\n")));
        assertNotEquals(hash, StudyFingerprint.spec(parse(SPEC.replace("name: plan", "name: plan2"))));
    }
}
