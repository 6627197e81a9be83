package org.repgeom.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the JSON files a study writes ({@code manifest.json}, {@code summary.json}) back into
 * maps, lists and scalars. JSON as {@link org.repgeom.io.Json} writes it is YAML, so SnakeYAML's
 * safe loader reads it; numbers come back as Integer, Long or Double, null as null.
 */
final class JsonFiles {
    private JsonFiles() {
    }

    /** The value of JSON {@code text}; SnakeYAML's exceptions on malformed text. */
    static Object parse(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(Integer.MAX_VALUE);
        return new Yaml(new SafeConstructor(options)).load(text);
    }

    /** The top-level object of a JSON file written by this program. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> readObject(Path file) {
        try {
            return (Map<String, Object>) parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
