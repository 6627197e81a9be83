package org.repgeom.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not a {@code .npy} array this reader accepts; the message names the file and the problem. */
public class NpyFormatException extends IOException {
    private final transient Path file;

    public NpyFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
