package org.repgeom.study.spec;

import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads spec text into plain maps, lists and scalars with SnakeYAML's safe constructor (no
 * arbitrary classes are instantiated). Duplicate keys are rejected rather than silently letting
 * the last one win. Syntax errors become {@link SpecException}s whose field is the source (file)
 * name and whose message gives the 1-based line and column.
 */
final class YamlDocument {
    private YamlDocument() {
    }

    /** The top-level mapping of {@code text}; {@code source} names the file in error messages. */
    static Map<?, ?> readMapping(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        Object document;
        try {
            document = yaml.load(text);
        } catch (MarkedYAMLException e) {
            throw new SpecException(source, "invalid YAML" + position(e) + ": " + problem(e), e);
        } catch (YAMLException e) {
            throw new SpecException(source, "invalid YAML: " + e.getMessage(), e);
        }
        if (document == null) {
            throw new SpecException(source, "the spec is empty; expected a mapping with sections task, model, grid, …");
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new SpecException(source, "expected a mapping of sections (task:, model:, grid:, …) at the top level, got "
                    + SpecValues.describe(document));
        }
        return map;
    }

    private static String position(MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        if (mark == null) return "";
        return " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String problem(MarkedYAMLException e) {
        String problem = e.getProblem() != null ? e.getProblem() : "syntax error";
        return e.getContext() != null ? problem + " (" + e.getContext() + ")" : problem;
    }
}
