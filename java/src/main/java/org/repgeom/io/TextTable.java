package org.repgeom.io;

import java.util.ArrayList;
import java.util.List;

/**
 * A terminal table no wider than {@link #WIDTH} columns: a title, a header row, the rows (first
 * column left-aligned, the others right-aligned, two spaces apart) and a legend in words, wrapped
 * at {@link #WIDTH}. Where the first column (a long configuration key) would make a line too wide,
 * each row's first cell gets a line of its own with the other cells on the next. Numbers in the cells come from {@link NumberText}.
 */
public final class TextTable {
    /** The widest line a table aims for (a terminal of 100 columns). */
    public static final int WIDTH = 100;

    private final String title;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> legend = new ArrayList<>();

    public TextTable(String title, String... header) {
        this.title = title;
        this.header = List.of(header);
    }

    /** Adds a row with one cell per header column. */
    public TextTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Adds a sentence to the legend under the table. */
    public TextTable legend(String sentence) {
        legend.add(sentence);
        return this;
    }

    public String render() {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            for (int i = 0; i < r.size(); i++) width[i] = Math.max(width[i], r.get(i).length());
        }
        int total = -2;
        for (int w : width) total += w + 2;
        // too wide (long first cells): each first cell on a line of its own, the rest indented below it
        boolean split = total > WIDTH && width.length > 1;
        if (split) width[0] = 0;
        StringBuilder sb = new StringBuilder();
        if (title != null) sb.append(wrap(title));
        for (List<String> r : all) {
            StringBuilder line = new StringBuilder();
            if (split) sb.append(r.get(0)).append('\n');
            for (int i = 0; i < r.size(); i++) {
                String cell = split && i == 0 ? "" : r.get(i);
                String pad = " ".repeat(width[i] - cell.length());
                if (i > 0) line.append("  ").append(pad).append(cell);
                else line.append(cell).append(pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        if (!legend.isEmpty()) sb.append(wrap(String.join(" ", legend)));
        return sb.toString();
    }

    /** {@code text} broken at spaces into lines of at most {@link #WIDTH} characters. */
    public static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (word.isEmpty()) continue;
            if (line.length() > 0 && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) out.append(line).append('\n');
        return out.toString();
    }
}
