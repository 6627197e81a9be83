package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest round-trips, and a corrupt or foreign one is an error that says which and where. */
class StudyManifestTest {

    static StudyManifest sample() {
        StudyManifest m = new StudyManifest("s", "a".repeat(64), "b".repeat(64), null, "hypercube(dY=2)", 100, 30, 4,
                new Shard(1, 2), "java");
        m.add(new StudyManifest.ChunkEntry(1, 0, 30, 30, 1.5, "java", "float64", java.util.Map.of("members.csv", "c".repeat(64)), 0.9, Double.NaN));
        m.add(new StudyManifest.ChunkEntry(3, 1, 90, 10, Double.NaN));
        return m;
    }

    @Test
    void roundTrips(@TempDir Path dir) throws Exception {
        StudyManifest m = sample();
        m.setState(StudyManifest.State.TRAINED);
        m.addSource("/x/s.shard-1-of-2");
        m.write(dir);
        StudyManifest back = StudyManifest.read(dir);
        assertEquals(m.specHash(), back.specHash());
        assertEquals(m.taskHash(), back.taskHash());
        assertEquals("hypercube(dY=2)", back.taskName());
        assertEquals(new Shard(1, 2), back.shard());
        assertEquals(StudyManifest.State.TRAINED, back.state());
        assertEquals(List.of(1, 3), List.copyOf(back.chunks().keySet()));
        assertEquals(m.chunks().get(1), back.chunks().get(1));
        assertTrue(Double.isNaN(back.chunks().get(3).seconds()));
        assertEquals(0.9, back.chunks().get(1).trainSeconds());
        assertTrue(Double.isNaN(back.chunks().get(3).trainSeconds()), "not recorded");
        assertTrue(Double.isNaN(back.trainSeconds()), "a total over chunks of which one did not record it");
        assertEquals(List.of("/x/s.shard-1-of-2"), back.sources());
        assertEquals(40, back.finishedMembers());
        try (var s = Files.list(dir)) {
            assertEquals(List.of("manifest.json"), s.map(p -> p.getFileName().toString()).toList(), "no temp files left");
        }
    }

    @Test
    void corruptOrForeignManifestsAreClearErrors(@TempDir Path dir) throws Exception {
        SpecException missing = assertThrows(SpecException.class, () -> StudyManifest.read(dir));
        assertTrue(missing.getMessage().contains("no manifest.json"), missing.getMessage());

        sample().write(dir);
        Path file = dir.resolve(StudyManifest.FILE);
        String good = Files.readString(file);
        Files.writeString(file, good.substring(0, good.length() / 2));
        SpecException truncated = assertThrows(SpecException.class, () -> StudyManifest.read(dir));
        assertTrue(truncated.getMessage().startsWith(file + ": corrupt manifest: "), truncated.getMessage());

        Files.writeString(file, good.replace("\"members\": 100", "\"members\": \"many\""));
        SpecException badField = assertThrows(SpecException.class, () -> StudyManifest.read(dir));
        assertTrue(badField.getMessage().contains("field 'members' is not an integer"), badField.getMessage());

        Files.writeString(file, good.replace("\"chunk\": 3", "\"chunk\": 1"));
        SpecException twice = assertThrows(SpecException.class, () -> StudyManifest.read(dir));
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());

        Files.writeString(file, "{\"format\": \"something-else/2\", \"name\": \"x\"}");
        SpecException foreign = assertThrows(SpecException.class, () -> StudyManifest.read(dir));
        assertTrue(foreign.getMessage().contains("not a repgeom study manifest"), foreign.getMessage());

        Files.writeString(file, good);
        StudyManifest m = StudyManifest.read(dir);
        SpecException otherSpec = assertThrows(SpecException.class,
                () -> m.checkSameStudy(dir, "c".repeat(64), "b".repeat(64), null, 100, new Shard(1, 2)));
        assertTrue(otherSpec.getMessage().contains("belongs to a different spec"), otherSpec.getMessage());
        SpecException otherShard = assertThrows(SpecException.class,
                () -> m.checkSameStudy(dir, "a".repeat(64), "b".repeat(64), null, 100, new Shard(0, 2)));
        assertTrue(otherShard.getMessage().contains("holds shard 1/2, not 0/2"), otherShard.getMessage());
    }
}
