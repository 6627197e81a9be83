package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;

/**
 * The heap a study needs does not grow with its size: 8,000 members whose kernels alone
 * (P = 64: 8000 × 64 × 64 float32 = 125 MiB on disk, twice that as doubles) are larger than the
 * whole heap run to completion in a JVM capped at 64 MiB, because results are written chunk by
 * chunk and assembled by streaming. (Holding all members' records, as a one-shot writer must,
 * runs out of memory here.) bench/scale/million.sh measures the same at a million members.
 */
class BoundedHeapTest {
    static final String SPEC = """
            name: bounded-heap
            task:
              kind: hypercube
              labels: 4
              per_class: 4
              input: {geometry: whitened, seed: 0}
            model:
              activation: relu
              widths: [8]
            grid:
              seeds: 8000
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0}
            train: {max_steps: 40, tol: 1.0e-9, window: 40, trace_every: 1}
            """;
    static final int HEAP_MIB = 64;

    @Test
    void aStudyLargerThanTheHeapCompletes(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("bounded.yaml");
        Files.writeString(spec, SPEC);
        Path out = tmp.resolve("out");
        CliProcess.Result r = CliProcess.run(List.of("-Xmx" + HEAP_MIB + "m", "-XX:+UseSerialGC"), tmp.resolve("run.log"),
                300, "run", spec.toString(), "--out", out.toString(), "--quiet",
                "--no-optimum"); // the global optimum's cost does not grow with the members (P = 64: tens of seconds)
        assertEquals(0, r.code(), r.output());

        long kernelBytes = Files.size(out.resolve("kernels.npy"));
        assertTrue(kernelBytes > (long) HEAP_MIB << 20, "kernels.npy " + kernelBytes + " bytes, more than the whole heap");
        Matcher m = Pattern.compile("peak Java heap (\\d+) MiB \\(max (\\d+) MiB\\)").matcher(r.output());
        assertTrue(m.find(), r.output());
        assertTrue(Long.parseLong(m.group(2)) <= HEAP_MIB + 1, "the child ran with the heap cap: " + m.group());

        // the assembled arrays have every member
        NpyArray curves = Npy.read(out.resolve("loss_curves.npy"));
        assertEquals(List.of(8000, 41), List.of(curves.dim(0), curves.dim(1)));
        assertEquals(8001, Files.readAllLines(out.resolve("members.csv")).size());
    }
}
