package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Compares two finished study directories file by file. */
final class StudyDirs {
    private StudyDirs() {
    }

    /**
     * Asserts that two study directories hold the same results: every result file byte for byte
     * (members.csv, kernels.npy, loss_curves.npy, params_group*.npy, groups.json, X.npy, Y.npy, spec.yaml) and
     * summary.json apart from its timing line. The analysis and report.html derived from them are
     * not compared.
     */
    static void assertSameResults(Path expected, Path actual) throws IOException {
        List<String> files = resultFiles(expected);
        assertEquals(files, resultFiles(actual), "result files");
        assertTrue(files.containsAll(List.of("members.csv", "kernels.npy", "loss_curves.npy", "groups.json",
                "params_group0.npy", "X.npy", "Y.npy")), files.toString());
        for (String f : files) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
        }
        assertEquals(summaryWithoutTiming(expected), summaryWithoutTiming(actual), "summary.json");
    }

    private static List<String> resultFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    // the report is derived from the results (and carries timings), so it is not compared
                    .filter(n -> !n.equals("summary.json") && !n.equals("manifest.json") && !n.equals("analysis")
                            && !n.equals("report.html"))
                    .sorted().toList();
        }
    }

    private static List<String> summaryWithoutTiming(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("summary.json")).stream()
                .filter(l -> !l.trim().startsWith("\"seconds\":") && !l.trim().startsWith("\"train_seconds\":")
                        && !l.trim().startsWith("\"train_cpu_seconds\":")).toList();
    }
}
