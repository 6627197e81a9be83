package org.repgeom.cli;

import org.repgeom.study.Shard;
import org.repgeom.study.spec.SpecException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --shard i/N} as picocli reads it ({@link Shard#parse}); a malformed value is a usage error (exit 2). */
final class ShardOption implements ITypeConverter<Shard> {
    @Override
    public Shard convert(String value) {
        try {
            return Shard.parse(value);
        } catch (IllegalArgumentException | SpecException e) {
            // its own words only: picocli would otherwise quote the exception's class name in the line
            throw new TypeConversionException(e.getMessage());
        }
    }
}
