package org.repgeom.study.spec;

/**
 * Bad user input: a spec field, a data file or a value that cannot be used. The message names the
 * field (dotted path, e.g. {@code task.input.dim}) or the file; the CLI prints it and exits with 2.
 */
public class SpecException extends RuntimeException {
    private final String field;

    public SpecException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public SpecException(String field, String message, Throwable cause) {
        super(field + ": " + message, cause);
        this.field = field;
    }

    /** The offending field path or file name. */
    public String field() {
        return field;
    }
}
