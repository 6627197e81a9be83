package org.repgeom.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.repgeom.backend.JavaBackend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.study.RunDirectory;
import org.repgeom.study.StudyOptimum;
import org.repgeom.study.StudyRunner;
import org.repgeom.study.spec.StudySpec;

/**
 * Small studies for the analysis and report tests, trained once per test JVM on the Java backend
 * (a second or two each), measured against the global optimum as {@code repgeom run} does, and shared
 * read-only; a test that writes into a study copies it first.
 */
final class SmallStudies {
    /** Hypercube dY = 2, two samples per class, whitened input; ReLU and tanh, one and two hidden layers. */
    static final String HYPERCUBE = """
            name: small-hypercube
            task:
              kind: hypercube
              labels: 2
              per_class: 2
              input: {geometry: whitened, dim: 8, seed: 1}
            model:
              activation: [relu, tanh]
              widths: [3, 8]
              depth: [1, 2]
            grid:
              seeds: 3
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 1500, tol: 1.0e-9, window: 200, trace_every: 50}
            """;

    /** One-hot, three classes of two samples: neural collapse with a readout, no PS. */
    static final String ONEHOT = """
            name: small-onehot
            task:
              kind: onehot
              classes: 3
              per_class: 2
              input: {geometry: whitened, dim: 6, seed: 2}
            model:
              activation: [relu]
              widths: [8]
            grid:
              seeds: 3
              lambda: [1.0e-2]
            optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
            train: {max_steps: 1500, tol: 1.0e-9, window: 200, trace_every: 50}
            """;

    private static Path root;
    private static Path hypercube;
    private static Path onehot;

    private SmallStudies() {
    }

    static synchronized Path hypercube() {
        if (hypercube == null) hypercube = train(HYPERCUBE, "hypercube");
        return hypercube;
    }

    static synchronized Path onehot() {
        if (onehot == null) onehot = train(ONEHOT, "onehot");
        return onehot;
    }

    /** A fresh copy of a trained study under {@code dir}, for tests that write into it. */
    static RunDirectory copy(Path study, Path dir) throws IOException {
        Path target = dir.resolve(study.getFileName().toString());
        Files.createDirectories(target);
        try (var files = Files.list(study)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return RunDirectory.open(target);
    }

    private static Path train(String yaml, String name) {
        try {
            if (root == null) {
                root = Files.createTempDirectory("repgeom-report-tests");
                root.toFile().deleteOnExit();
            }
            StudySpec spec = StudySpec.parse(yaml, root, name);
            Path out = root.resolve(name);
            new StudyRunner(spec, new JavaBackend()).withOptimum(StudyOptimum.Settings.defaults())
                    .run(out, null, false, ProgressListener.NONE);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
