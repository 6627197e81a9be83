package org.repgeom.cli;

import java.io.PrintWriter;
import org.repgeom.study.IoErrors;
import org.repgeom.study.spec.SpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code repgeom}: train ensembles, print theory, list backends.
 *
 * <p>Exit codes: 0 success; 2 a problem the user can fix — bad input (a spec, a data file, an
 * option) or the environment (permissions, disk space, a read-only or missing path) — told in one
 * line naming the field or path, without a stack trace unless {@code --stacktrace} or
 * {@code REPGEOM_STACKTRACE=1}; 1 an internal error (a bug), with its stack trace; 130 and 143
 * when stopped by SIGINT and SIGTERM (the JVM's 128 + signal; an unfinished run resumes).
 */
@Command(name = "repgeom", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "Train thousands of small networks at once and measure their representation geometry.",
        footer = {"", "Exit codes: 0 ok, 2 bad input or environment (one line naming the path or field), "
                + "1 internal error, 130/143 stopped by SIGINT/SIGTERM."},
        subcommands = {RunCommand.class, MergeCommand.class, TheoryCommand.class, DevicesCommand.class,
                AnalyzeCommand.class, ReportCommand.class, LandscapeCommand.class, VerifyTheoryCommand.class,
                OptimumCommand.class, CompareCommand.class})
public final class Main implements Runnable {
    /** Exit code for bad input or an environment the user must fix. */
    public static final int BAD_INPUT = 2;
    /** Exit code for an internal error. */
    public static final int INTERNAL_ERROR = 1;
    /** Environment variable that, set to 1, prints the stack trace of every error. */
    public static final String STACKTRACE_ENV = "REPGEOM_STACKTRACE";
    /**
     * Packages whose IllegalArgumentExceptions come from checking what the user gave (options,
     * specs, data files); one thrown anywhere else is a bug.
     */
    private static final java.util.List<String> INPUT_PACKAGES = java.util.List.of("org.repgeom.cli.",
            "org.repgeom.study.", "org.repgeom.task.", "org.repgeom.io.", "org.repgeom.report.Metric",
            "org.repgeom.backend.Backends", "picocli.");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of an error, not only its line")
    boolean stacktrace;

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
        cl.setParameterExceptionHandler(Main::usageError);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // an Error passes picocli's handlers: without this the JVM printed "Exception in thread main" and a trace
            System.err.println("error: out of memory: the Java heap (at most " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MiB) cannot hold this work; give java more (java -Xmx16g -jar repgeom.jar …) or make the study"
                    + " smaller (narrower networks, fewer samples, --chunk-size); an unfinished run continues with --resume");
            if ("1".equals(System.getenv(STACKTRACE_ENV)) || java.util.Arrays.asList(args).contains("--stacktrace")) {
                e.printStackTrace();
            }
            return BAD_INPUT;
        }
    }

    /** A bad option value (picocli's converters, e.g. --backend, --shard): one line and exit 2, no usage dump. */
    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("error: " + ex.getMessage() + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return BAD_INPUT;
    }

    private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean trace = "1".equals(System.getenv(STACKTRACE_ENV)) || parsed.hasMatchedOption("--stacktrace")
                || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--stacktrace"));
        int code;
        if (ex instanceof SpecException) {
            err.println("error: " + ex.getMessage());
            code = BAD_INPUT;
        } else if (IoErrors.isIo(ex)) {
            err.println("error: " + IoErrors.describe(ex));
            code = BAD_INPUT;
        } else if (ex instanceof IllegalArgumentException && fromInput(ex)) {
            err.println("error: " + ex.getMessage());
            code = BAD_INPUT;
        } else {
            err.println("internal error (a bug in repgeom; please report it with this output): " + ex);
            trace = true;
            code = INTERNAL_ERROR;
        }
        if (trace) ex.printStackTrace(err);
        err.flush();
        return code;
    }

    /** Whether an IllegalArgumentException was thrown while checking the user's input. */
    private static boolean fromInput(Exception ex) {
        StackTraceElement[] st = ex.getStackTrace();
        if (st.length == 0) return false;
        String where = st[0].getClassName();
        return INPUT_PACKAGES.stream().anyMatch(where::startsWith);
    }
}
