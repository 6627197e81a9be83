package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void parsesIOverN() {
        assertEquals(new Shard(2, 5), Shard.parse("2/5"));
        assertEquals(new Shard(0, 1), Shard.parse(" 0 / 1 "));
        assertEquals(".shard-2-of-5", new Shard(2, 5).directorySuffix());
        for (String bad : new String[] {"5/5", "-1/3", "1", "a/b", "1/0", "1/2/3"}) {
            SpecException e = assertThrows(SpecException.class, () -> Shard.parse(bad), bad);
            assertEquals("--shard", e.field());
        }
    }

    @Test
    void slurmArrayVariablesGiveTheShard() {
        assertNull(Shard.fromSlurm(Map.of()));
        assertNull(Shard.fromSlurm(Map.of("SLURM_ARRAY_TASK_ID", "3")), "not an array job without a count");
        assertEquals(new Shard(3, 8), Shard.fromSlurm(Map.of("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "8")));
        // --array=1-8: ids 1..8 are shards 0..7
        assertEquals(new Shard(7, 8), Shard.fromSlurm(Map.of("SLURM_ARRAY_TASK_ID", "8", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_COUNT", "8")));
        // --array=0-30:10: ids 0, 10, 20, 30 are shards 0..3
        assertEquals(new Shard(2, 4), Shard.fromSlurm(Map.of("SLURM_ARRAY_TASK_ID", "20", "SLURM_ARRAY_TASK_MIN", "0",
                "SLURM_ARRAY_TASK_STEP", "10", "SLURM_ARRAY_TASK_COUNT", "4")));
        SpecException e = assertThrows(SpecException.class, () -> Shard.fromSlurm(Map.of("SLURM_ARRAY_TASK_ID", "9",
                "SLURM_ARRAY_TASK_COUNT", "4")));
        assertTrue(e.getMessage().contains("pass --shard i/N"), e.getMessage());
    }

    @Test
    void chunksGoRoundRobin() {
        Shard s = new Shard(1, 3);
        assertTrue(s.owns(1) && s.owns(4) && !s.owns(0) && !s.owns(2));
    }
}
