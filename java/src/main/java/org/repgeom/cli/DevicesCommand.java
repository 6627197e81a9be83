package org.repgeom.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.repgeom.backend.Backend;
import org.repgeom.backend.BackendSmokeCheck;
import org.repgeom.backend.Backends;
import org.repgeom.study.spec.SpecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code repgeom devices}: which backends load here, which one {@code auto} picks, and why not the
 * others. With {@code --require NAME} it also proves that backend computes (a short training
 * compared with the Java reference) and exits 1 when it does not load or does not agree, so a
 * script can stop before spending GPU time on tests that would only skip.
 */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List backends, whether they load, and why not.")
final class DevicesCommand implements Callable<Integer> {
    @Option(names = "--require", paramLabel = "BACKEND",
            description = "Exit 1 unless this backend (cuda, native, java) loads and a short training on it agrees with the java reference.")
    String require;

    @Override
    public Integer call() {
        String chosen = Backends.auto().name();
        List<Backends.Availability> survey = Backends.survey();
        if (require != null && survey.stream().noneMatch(a -> a.name().equals(require))) {
            throw new SpecException("--require", "names no backend: '" + require + "' (expected cuda, native or java)");
        }
        for (Backends.Availability a : survey) {
            System.out.printf("%-7s %-13s %s%n", a.name(), a.available() ? (a.name().equals(chosen) ? "yes (auto)" : "yes") : "no",
                    a.reason());
        }
        if (require == null) return 0;
        Backend backend;
        try {
            backend = Backends.byName(require);
        } catch (IllegalArgumentException e) {
            System.out.println("required backend check FAILED: " + e.getMessage());
            return 1;
        }
        BackendSmokeCheck.Outcome outcome = BackendSmokeCheck.run(backend);
        System.out.println("required backend check " + (outcome.passed() ? "passed" : "FAILED") + ": " + outcome.line());
        return outcome.passed() ? 0 : 1;
    }
}
