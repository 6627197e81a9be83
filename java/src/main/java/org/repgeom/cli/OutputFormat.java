package org.repgeom.cli;

/**
 * What {@code landscape} and {@code analyze} print on stdout: a table for people, or exactly the
 * CSV or JSON they write to the run directory (for a pipe), with the status line moved to stderr.
 * The constants are the option's values (picocli refuses any other with one line and exit 2).
 */
enum OutputFormat {
    table, csv, json;

    /** The option's description, shared by both commands. */
    static final String DESCRIPTION = "what to print: table (for reading), csv or json (the content of the files"
            + " written, for a pipe; the status line goes to stderr) (default: ${DEFAULT-VALUE})";
}
