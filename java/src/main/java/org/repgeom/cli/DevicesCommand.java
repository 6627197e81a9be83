package org.repgeom.cli;

import java.util.concurrent.Callable;
import org.repgeom.backend.Backends;
import picocli.CommandLine.Command;

/** {@code repgeom devices}: which backends load here, which one {@code auto} picks, and why not the others. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List backends, whether they load, and why not.")
final class DevicesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        String chosen = Backends.auto().name();
        for (Backends.Availability a : Backends.survey()) {
            System.out.printf("%-7s %-13s %s%n", a.name(), a.available() ? (a.name().equals(chosen) ? "yes (auto)" : "yes") : "no",
                    a.reason());
        }
        return 0;
    }
}
