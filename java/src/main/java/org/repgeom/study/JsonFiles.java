package org.repgeom.study;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.repgeom.io.Json;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the JSON files a study writes ({@code manifest.json}, {@code summary.json}) back into
 * maps, lists and scalars, through {@link Json}. Kept for the study package's callers, which catch
 * malformed text as SnakeYAML's {@link YAMLException} (the reader before {@link Json} had one).
 */
final class JsonFiles {
    private JsonFiles() {
    }

    /** The value of JSON {@code text}; malformed text throws {@link YAMLException} with the parser's message. */
    static Object parse(String text) {
        try {
            return Json.parse(text);
        } catch (Json.MalformedJsonException e) {
            throw new YAMLException(e.getMessage(), e);
        }
    }

    /** The top-level object of a JSON file written by this program. */
    static Map<String, Object> readObject(Path file) {
        try {
            return Json.readObject(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
