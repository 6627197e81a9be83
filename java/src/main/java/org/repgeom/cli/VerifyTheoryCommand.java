package org.repgeom.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repgeom.backend.Backend;
import org.repgeom.backend.ProgressListener;
import org.repgeom.io.Csv;
import org.repgeom.theory.ClosedForms;
import org.repgeom.theory.TheoryVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code repgeom verify-theory}: trains a matched ensemble for every closed form of
 * {@link ClosedForms} and prints one row per case (prediction, members, converged, median relative
 * kernel error, median PS, fraction certified, seconds, pass). Exit code 0 when every case passes,
 * 1 when one fails, 2 on bad options.
 */
@Command(name = "verify-theory", mixinStandardHelpOptions = true,
        description = "Train matched ensembles for every closed form (docs/science.md §5) and compare them with it.")
final class VerifyTheoryCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "auto", converter = BackendOption.class,
            description = "auto, java, native or cuda (default: ${DEFAULT-VALUE})")
    Backend backend;

    @Option(names = "--seeds", description = "members per case and width (default: 16; 4 with --quick)")
    Integer seeds;

    @Option(names = "--steps", description = "optimiser steps per member (default: 60000; 30000 with --quick)")
    Integer steps;

    @Option(names = "--quick", description = "few seeds and a short schedule (a smoke test: cases may miss the tolerance)")
    boolean quick;

    @Option(names = "--cases", split = ",", paramLabel = "ID", description = "only these cases (comma-separated ids)")
    List<String> cases;

    @Option(names = "--list", description = "list the case ids and exit")
    boolean list;

    @Option(names = "--out", paramLabel = "FILE.json", description = "also write the table as JSON to FILE and as CSV next to it (FILE with .csv); "
            + "an existing file there is replaced only if it is an earlier verify-theory output")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (list) {
            for (ClosedForms.Case c : ClosedForms.all()) System.out.printf("%-20s %s%n", c.id(), c.title());
            return 0;
        }
        int seedCount = seeds != null ? seeds : quick ? 4 : 16;
        int stepCount = steps != null ? steps : quick ? 30_000 : ClosedForms.Training.standard().steps();
        if (seedCount < 1) throw new IllegalArgumentException("--seeds must be ≥ 1, got " + seedCount);
        if (stepCount < TheoryVerifier.WINDOW) {
            throw new IllegalArgumentException("--steps must be ≥ " + TheoryVerifier.WINDOW + ", got " + stepCount);
        }
        VerifyTheoryOutputs outputs = out == null ? null : VerifyTheoryOutputs.check(out); // before minutes of training
        List<ClosedForms.Case> selected;
        try {
            selected = cases == null ? ClosedForms.all() : ClosedForms.select(cases);
        } catch (IllegalArgumentException e) {
            throw new org.repgeom.study.spec.SpecException("--cases", e.getMessage());
        }
        System.out.printf(Locale.ROOT, "verify-theory: %d cases, %d seeds each, Adam lr %.0e -> x%.0e over %d steps, backend %s%n",
                selected.size(), seedCount, ClosedForms.Training.standard().learningRate(),
                ClosedForms.Training.standard().finalLrRatio(), stepCount, backend.name());
        System.out.printf(Locale.ROOT, "converged: relative loss change <= %.0e over %d steps; reaches K*: ||K-K*||/||K*|| < %.0e; "
                + "certificate tol %.0e%n", TheoryVerifier.CONVERGED_TOL, TheoryVerifier.WINDOW, TheoryVerifier.KERNEL_TOL,
                TheoryVerifier.CERTIFY_TOL);
        System.out.println(header());
        TheoryVerifier verifier = new TheoryVerifier(backend);
        List<TheoryVerifier.Row> rows = new ArrayList<>();
        long start = System.nanoTime();
        for (ClosedForms.Case c : selected) {
            TheoryVerifier.Row row = verifier.run(c, seedCount, ClosedForms.Training.standard().withSteps(stepCount),
                    ProgressListener.NONE);
            rows.add(row);
            System.out.println(format(row));
            if (row.testCase().isSweep()) System.out.println("    " + row.detail());
            System.out.flush();
        }
        double total = (System.nanoTime() - start) / 1e9;
        long failed = rows.stream().filter(r -> !r.pass()).count();
        System.out.printf(Locale.ROOT, "%d/%d cases pass (median kernel error < %.0e) in %.1f s%n", rows.size() - failed,
                rows.size(), TheoryVerifier.KERNEL_TOL, total);
        if (outputs != null) write(outputs, rows, seedCount, stepCount, backend.name(), total);
        return failed == 0 ? 0 : 1;
    }

    static String header() {
        return String.format(Locale.ROOT, "%-20s %-52s %7s %9s %10s %10s %9s %9s %7s %s", "case", "prediction", "members",
                "converged", "kernel_err", "loss_gap", "PS", "certified", "seconds", "pass");
    }

    static String format(TheoryVerifier.Row r) {
        double cert = r.certifiedFraction();
        return String.format(Locale.ROOT, "%-20s %-52s %7d %9d %10.2e %10.2e %9s %9s %7.1f %s", r.testCase().id(),
                r.testCase().prediction().formula(), r.members().size(), r.converged(), r.medianKernelError(),
                r.medianLossGap(), Double.isNaN(r.medianPs()) ? "n/a" : String.format(Locale.ROOT, "%.6f", r.medianPs()),
                Double.isNaN(cert) ? "n/a" : String.format(Locale.ROOT, "%.2f", cert), r.seconds(),
                r.pass() ? "PASS" : "FAIL");
    }

    private static void write(VerifyTheoryOutputs outputs, List<TheoryVerifier.Row> rows, int seeds, int steps, String backend,
            double seconds) throws IOException {
        List<Object> list = new ArrayList<>();
        StringBuilder csv = new StringBuilder(VerifyTheoryOutputs.CSV_HEADER).append('\n');
        for (TheoryVerifier.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("case", r.testCase().id());
            m.put("title", r.testCase().title());
            m.put("prediction", r.testCase().prediction().formula());
            m.put("task", r.testCase().task().name());
            m.put("activation", r.testCase().activation().id());
            m.put("widths", r.testCase().widths().stream().map(w -> Arrays.toString(w)).toList());
            m.put("lambdas", r.testCase().lambdas());
            m.put("members", r.members().size());
            m.put("converged", r.converged());
            m.put("median_kernel_error", r.medianKernelError());
            m.put("median_loss_gap", r.medianLossGap());
            m.put("median_ps", r.medianPs());
            m.put("certified_fraction", r.certifiedFraction());
            m.put("seconds", r.seconds());
            m.put("pass", r.pass());
            m.put("reached_by_width", r.reachedByWidth());
            m.put("kernel_errors", r.members().stream().mapToDouble(TheoryVerifier.Member::kernelError).toArray());
            list.add(m);
            csv.append(String.join(",", r.testCase().id(), Csv.text(r.testCase().title()), Csv.text(r.testCase().prediction().formula()),
                    Integer.toString(r.members().size()), Integer.toString(r.converged()), Csv.num(r.medianKernelError()),
                    Csv.num(r.medianLossGap()), Csv.num(r.medianPs()), Csv.num(r.certifiedFraction()), Csv.num(r.seconds()),
                    Boolean.toString(r.pass()), Csv.text(r.detail()))).append('\n');
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", VerifyTheoryOutputs.FORMAT);
        doc.put("backend", backend);
        doc.put("seeds", seeds);
        doc.put("steps", steps);
        doc.put("kernel_tol", TheoryVerifier.KERNEL_TOL);
        doc.put("converged_tol", TheoryVerifier.CONVERGED_TOL);
        doc.put("converged_window", TheoryVerifier.WINDOW);
        doc.put("certificate_tol", TheoryVerifier.CERTIFY_TOL);
        doc.put("seconds", seconds);
        doc.put("cases", list);
        outputs.write(doc, csv.toString());
    }


}
