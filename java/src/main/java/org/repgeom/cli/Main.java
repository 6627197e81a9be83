package org.repgeom.cli;

import java.io.PrintWriter;
import org.repgeom.study.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code repgeom}: train ensembles, print theory, list backends. Exit codes: 0 success, 2 bad
 * input (a spec, a data file, an option; one line naming the field or file), 1 anything else.
 */
@Command(name = "repgeom", mixinStandardHelpOptions = true, version = "repgeom 0.1.0",
        description = "Train thousands of small networks at once and measure their representation geometry.",
        subcommands = {RunCommand.class, MergeCommand.class, TheoryCommand.class, DevicesCommand.class,
                AnalyzeCommand.class, ReportCommand.class, LandscapeCommand.class, VerifyTheoryCommand.class,
                OptimumCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input. */
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handle);
        return cl.execute(args);
    }

    private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (ex instanceof SpecException || ex instanceof IllegalArgumentException) {
            err.println("error: " + ex.getMessage());
            err.flush();
            return BAD_INPUT;
        }
        err.println("error: " + ex);
        ex.printStackTrace(err);
        err.flush();
        return 1;
    }
}
