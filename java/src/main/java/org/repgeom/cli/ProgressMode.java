package org.repgeom.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --progress}: how training progress is shown on stderr. {@code auto} redraws a bar when stderr
 * is a terminal and prints lines otherwise (a log file, a pipe, {@code 2> log} under a terminal);
 * {@code bar} and {@code lines} force one; {@code none} prints nothing.
 */
enum ProgressMode {
    AUTO, BAR, LINES, NONE;

    /** The option's value as users write it: auto, bar, lines, none. */
    static final class Option implements ITypeConverter<ProgressMode> {
        @Override
        public ProgressMode convert(String value) {
            for (ProgressMode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(value)) return m;
            }
            throw new TypeConversionException("expected auto, bar, lines or none, got '" + value + "'");
        }
    }

    /** Whether this mode, here, redraws a bar; null for {@link #NONE}. */
    Boolean interactive(Map<String, String> env) {
        return switch (this) {
            case NONE -> null;
            case BAR -> true;
            case LINES -> false;
            case AUTO -> stderrIsTerminal() && !"dumb".equals(env.get("TERM"));
        };
    }

    /**
     * Whether file descriptor 2 is a terminal. On Linux /proc names what it points at (a tty or pts
     * device); elsewhere the best Java offers is {@link System#console()}, which looks at stdin and
     * stdout instead.
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd)) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(fd).toString());
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }

    /** Whether a device path names a terminal: /dev/pts/N, /dev/ttyX, /dev/console. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
