package org.repgeom.cli;

import org.repgeom.backend.Backend;
import org.repgeom.backend.Backends;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --backend auto|java|native|cuda} as picocli reads it: the backend itself, chosen while the
 * command line is parsed, so an unknown or unavailable one is a usage error (one line, exit 2) before
 * anything runs.
 */
final class BackendOption implements ITypeConverter<Backend> {
    @Override
    public Backend convert(String value) {
        try {
            return Backends.byName(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
