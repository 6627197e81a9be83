package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import org.repgeom.study.spec.StudySpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;

/**
 * What a run refuses to do: replace a finished study without force, touch an unfinished one
 * without resume or force, resume a directory of another spec, shard or chunk size, or resume
 * from a manifest that lists chunks whose files are gone.
 */
class StudyRunnerProtectionTest {
    static final String SPEC = """
            name: guarded
            task: {kind: hypercube, labels: 2, per_class: 1}
            model: {widths: [4]}
            grid: {seeds: 6, lambda: [1.0e-2]}
            train: {max_steps: 200, window: 100, trace_every: 50}
            """;

    static StudyRunner runner(String text) {
        return new StudyRunner(StudySpec.parse(text, null, "guarded"), new JavaBackend(1));
    }

    static StudyRunner.Outcome run(StudyRunner r, Path out, StudyRunner.Options o) throws Exception {
        return r.run(out, null, o, n -> ProgressListener.NONE);
    }

    @Test
    void finishedStudiesNeedForce(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        StudyRunner r = runner(SPEC);
        StudyRunner.Outcome first = run(r, out, new StudyRunner.Options(false, false, Shard.WHOLE, 2));
        assertEquals(6, first.trained());
        assertEquals(6, first.members().size());
        SpecException e = assertThrows(SpecException.class, () -> run(r, out, StudyRunner.Options.DEFAULT));
        assertTrue(e.getMessage().contains("already exists (a finished study)"), e.getMessage());
        // resume of a finished study does nothing; force replaces it
        assertEquals(0, run(r, out, new StudyRunner.Options(false, true, Shard.WHOLE, null)).trained());
        assertEquals(6, run(r, out, new StudyRunner.Options(true, false, Shard.WHOLE, null)).trained());
        assertFalse(Files.exists(tmp.resolve("out.incomplete")));
    }

    @Test
    void unfinishedRunsAreResumedOnlyIntoTheSameStudy(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out"), work = tmp.resolve("out.incomplete");
        StudyRunner r = runner(SPEC);
        // a shard leaves an unfinished-looking directory of its own; build an interrupted one by hand:
        // run the whole study with chunk size 2, then drop the final files and mark it in training
        run(r, tmp.resolve("shard"), new StudyRunner.Options(false, false, new Shard(0, 2), 2));
        Path shardDir = tmp.resolve("shard.shard-0-of-2");
        StudyManifest m = StudyManifest.read(shardDir);
        assertEquals(2, m.chunks().size()); // chunks 0 and 2 of 3
        Files.move(shardDir, tmp.resolve("shard.shard-0-of-2.incomplete"));
        Path shardWork = tmp.resolve("shard.shard-0-of-2.incomplete");
        m.setState(StudyManifest.State.TRAINING);
        m.write(shardWork);

        StudyRunner.Options resume = new StudyRunner.Options(false, true, new Shard(0, 2), null);
        SpecException other = assertThrows(SpecException.class,
                () -> run(runner(SPEC.replace("seeds: 6", "seeds: 7")), tmp.resolve("shard"), resume));
        assertTrue(other.getMessage().contains("belongs to a different spec"), other.getMessage());
        SpecException chunk = assertThrows(SpecException.class,
                () -> run(r, tmp.resolve("shard"), new StudyRunner.Options(false, true, new Shard(0, 2), 3)));
        assertTrue(chunk.getMessage().contains("was started with --chunk-size 2"), chunk.getMessage());
        SpecException noResume = assertThrows(SpecException.class,
                () -> run(r, tmp.resolve("shard"), new StudyRunner.Options(false, false, new Shard(0, 2), null)));
        assertTrue(noResume.getMessage().contains("2 chunks of 3 done); pass --resume"), noResume.getMessage());

        // a listed chunk whose files are gone is trained again (the run says so); the other is kept
        StudyRunner.deleteRecursively(ChunkFiles.dir(shardWork, 2));
        StudyRunner.Outcome o = run(r, tmp.resolve("shard"), resume);
        assertEquals(2, o.trained(), "only the chunk whose files were lost is trained again");
        assertEquals(1, o.resumed());
        assertFalse(Files.exists(out) || Files.exists(work));
    }
}
