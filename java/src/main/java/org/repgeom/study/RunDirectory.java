package org.repgeom.study;

import org.repgeom.study.spec.SpecException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repgeom.io.Csv;
import org.repgeom.io.Json;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.io.NpyRows;
import org.repgeom.model.Activation;
import org.repgeom.model.Architecture;
import org.repgeom.model.Representations;
import org.repgeom.model.ParamLayout;
import org.repgeom.task.Task;

/**
 * Read access to a finished study directory (the files {@link StudyRunner} writes), for the
 * commands that analyse a study after the fact ({@code analyze}, {@code report}, {@code landscape}).
 *
 * <p>Everything is read lazily and group by group, so a caller can stream over a large study: the
 * task and the member table are small; {@link #params(Group)} loads one group's parameter block;
 * {@link #representations(Group, double[], int)} recomputes a member's hidden layers from its
 * parameters with the double-precision reference forward pass (the representations themselves are
 * not stored: they are a pure function of the parameters and X).
 */
public final class RunDirectory {
    private final Path dir;
    private Task task;
    private List<Group> groups;
    private List<MemberRow> members;
    private Map<String, Object> summary;

    /** One architecture group: its parameter file, layout and the study-wide ids of its members. */
    public record Group(int index, Architecture architecture, ParamLayout layout, int[] memberIds, Path paramsFile) {
        public int size() {
            return memberIds.length;
        }
    }

    /**
     * One row of {@code members.csv}, by column name. Empty cells read as NaN. The rows share one
     * column index and keep their cells as an array, so a million-member table stays a few hundred
     * MiB rather than a map per row.
     */
    public static final class MemberRow {
        private final Map<String, Integer> columns;
        private final String[] cells;

        MemberRow(Map<String, Integer> columns, String[] cells) {
            this.columns = columns;
            this.cells = cells;
        }

        public int id() {
            return integer("id");
        }

        public int group() {
            return integer("group");
        }

        public String string(String column) {
            Integer i = columns.get(column);
            if (i == null) throw new IllegalArgumentException("members.csv has no column '" + column + "'");
            return cells[i];
        }

        public double number(String column) {
            String v = string(column);
            return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
        }

        public int integer(String column) {
            return Integer.parseInt(string(column));
        }

        /** The configuration key (everything but the seed), the unit of per-configuration statistics. */
        public String config() {
            return string("config");
        }
    }

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Opens a finished study directory, its files checked against the hashes its manifest recorded; fails with a
     * clear message when it is not one, or is damaged.
     */
    public static RunDirectory open(Path dir) {
        return open(dir, true);
    }

    /**
     * Opens the study this process has just assembled (run, merge): its files were hashed into the manifest
     * moments ago, so they are not read and hashed a second time.
     */
    public static RunDirectory openJustAssembled(Path dir) {
        return open(dir, false);
    }

    private static RunDirectory open(Path dir, boolean checkHashes) {
        Path d = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(d)) {
            throw new SpecException(dir.toString(), Files.exists(d) ? "is a file, not a study directory (give the directory "
                    + "repgeom run wrote)" : "no such study directory");
        }
        StudyPaths.refuseLinks(d); // analyze, report and landscape write into it
        for (String f : List.of("summary.json", "members.csv", "groups.json", "X.npy", "Y.npy", "kernels.npy")) {
            if (!Files.isRegularFile(d.resolve(f))) {
                throw new SpecException(d.resolve(f).toString(), "missing; " + dir + " is not a finished study directory");
            }
        }
        if (checkHashes) checkAgainstManifest(d);
        RunDirectory run = new RunDirectory(d);
        try {
            for (Group g : run.groups()) {
                if (!Files.isRegularFile(g.paramsFile())) {
                    throw new SpecException(g.paramsFile().toString(), "missing; the study directory is incomplete");
                }
            }
        } catch (IOException e) {
            throw new SpecException(d.resolve("groups.json").toString(), "cannot be read: " + IoErrors.cause(e));
        } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
            throw new SpecException(d.resolve("groups.json").toString(), "corrupt (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")");
        }
        return run;
    }

    /**
     * The study's final files against the SHA-256 its manifest recorded when it was assembled: an analysis
     * of a file damaged since (a copy cut short, a disk error, an edit) would be wrong without a sign of it.
     * Studies without a manifest, or whose manifest lists no files (written before checksums), are read as they are.
     */
    private static void checkAgainstManifest(Path d) {
        if (!StudyManifest.existsIn(d)) return;
        StudyManifest m = StudyManifest.read(d);
        FileHashes.Mismatch damaged;
        try {
            damaged = FileHashes.firstMismatching(d, m.files());
        } catch (IOException e) {
            throw new SpecException(d.toString(), "cannot be read: " + IoErrors.cause(e));
        }
        if (damaged != null) {
            throw new SpecException(damaged.file().toString(), damaged.why() + "; the study cannot be trusted as it is: run it again (repgeom run SPEC --out " + d
                    + " --force), or merge its shards again");
        }
    }

    public Path path() {
        return dir;
    }

    /** The task the study trained on (from X.npy and Y.npy). */
    public synchronized Task task() throws IOException {
        if (task == null) {
            NpyArray x = Npy.read(dir.resolve("X.npy"));
            NpyArray y = Npy.read(dir.resolve("Y.npy"));
            if (x.ndim() != 2 || y.ndim() != 2 || x.dim(1) != y.dim(1)) {
                throw new IllegalArgumentException(dir + ": X.npy and Y.npy must be dX x P and dY x P");
            }
            task = new Task(dir.getFileName().toString(), x.dim(0), y.dim(0), x.dim(1), x.data(), y.data());
        }
        return task;
    }

    /** The parsed {@code summary.json}. */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> summary() throws IOException {
        if (summary == null) summary = (Map<String, Object>) readJson(dir.resolve("summary.json"));
        return summary;
    }

    /** The groups of {@code groups.json}, in file order. */
    @SuppressWarnings("unchecked")
    public synchronized List<Group> groups() throws IOException {
        if (groups == null) {
            List<Object> raw = (List<Object>) readJson(dir.resolve("groups.json"));
            List<Group> out = new ArrayList<>();
            for (Object o : raw) out.add(group((Map<String, Object>) o));
            groups = Collections.unmodifiableList(out);
        }
        return groups;
    }

    @SuppressWarnings("unchecked")
    private Group group(Map<String, Object> g) {
        List<Object> widths = (List<Object>) g.get("hidden_widths");
        int[] hidden = widths.stream().mapToInt(w -> ((Number) w).intValue()).toArray();
        List<Object> layers = (List<Object>) g.get("layers");
        // the bias is read off the layers: none on the first hidden layer (bias: none), or one on the second (bias: all)
        java.util.function.IntPredicate hasBias = l -> ((Number) ((Map<String, Object>) layers.get(l)).get("bias_offset")).intValue() >= 0;
        org.repgeom.model.Bias bias = !hasBias.test(0) ? org.repgeom.model.Bias.NONE
                : hidden.length > 1 && hasBias.test(1) ? org.repgeom.model.Bias.ALL : org.repgeom.model.Bias.FIRST;
        Architecture arch = "rnn".equals(g.get("kind"))
                ? Architecture.recurrent(((Number) g.get("input_dim")).intValue(), hidden[0],
                        ((Number) g.get("output_dim")).intValue(), Activation.parse((String) g.get("activation")),
                        new org.repgeom.model.Recurrence(((Number) g.get("time_steps")).intValue(),
                                org.repgeom.model.Recurrence.Input.valueOf(((String) g.get("input")).toUpperCase(java.util.Locale.ROOT))))
                : new Architecture(((Number) g.get("input_dim")).intValue(), hidden,
                ((Number) g.get("output_dim")).intValue(), Activation.parse((String) g.get("activation")), bias);
        ParamLayout layout = new ParamLayout(arch);
        int stride = ((Number) g.get("stride")).intValue();
        if (stride != layout.stride()) {
            throw new IllegalArgumentException(dir + "/groups.json: group " + g.get("group") + " has stride " + stride
                    + " but its architecture needs " + layout.stride());
        }
        int[] ids = ((List<Object>) g.get("member_ids")).stream().mapToInt(i -> ((Number) i).intValue()).toArray();
        return new Group(((Number) g.get("group")).intValue(), arch, layout, ids, dir.resolve((String) g.get("file")));
    }

    /** One group's parameters: {@code size × stride} doubles, member-major, in the group's member order. */
    public double[] params(Group g) throws IOException {
        NpyArray a = Npy.read(g.paramsFile());
        if (a.ndim() != 2 || a.dim(0) != g.size() || a.dim(1) != g.layout().stride()) {
            throw new IllegalArgumentException(g.paramsFile() + " does not hold " + g.size() + " x " + g.layout().stride()
                    + " parameters");
        }
        return a.data();
    }

    /**
     * Parameters of members {@code [from, from + count)} of group {@code g} (local indices), read
     * without loading the rest of the file: {@code count × stride} doubles.
     */
    public double[] params(Group g, int from, int count) throws IOException {
        int stride = g.layout().stride();
        double[] out = new double[Math.multiplyExact(count, stride)];
        try (NpyRows rows = NpyRows.open(g.paramsFile())) {
            if (rows.rows() != g.size() || rows.rowLength() != stride) {
                throw new IllegalArgumentException(g.paramsFile() + " does not hold " + g.size() + " x " + stride
                        + " parameters");
            }
            for (int i = 0; i < count; i++) rows.read(from + i, out, i * stride);
        }
        return out;
    }

    /**
     * Hidden representations of member {@code local} of group {@code g} (its parameters at
     * {@code local * stride} of {@code params}): element l is layer l+1's {@code width × P} matrix
     * (row-major), after the activation; for a recurrent member, element t is the hidden state h_(t+1).
     */
    public List<double[]> representations(Group g, double[] params, int local) throws IOException {
        return new ArrayList<>(List.of(Representations.of(g.layout(), task(), params, local * g.layout().stride()).hidden()));
    }

    /** The rows of {@code members.csv}, in member-id order. */
    public synchronized List<MemberRow> members() throws IOException {
        if (members == null) {
            List<MemberRow> rows = new ArrayList<>();
            try (Csv.Reader r = new Csv.Reader(Files.newBufferedReader(dir.resolve("members.csv"), StandardCharsets.UTF_8))) {
                List<String> header = r.next();
                if (header == null) throw new IllegalArgumentException(dir + "/members.csv is empty");
                Map<String, Integer> columns = new LinkedHashMap<>();
                for (int i = 0; i < header.size(); i++) columns.put(header.get(i), i);
                Map<String, String> shared = new java.util.HashMap<>(); // configs and statuses repeat: keep one copy
                int[] repeating = java.util.stream.Stream.of("config", "status", "activation", "widths", "lambdas",
                        "certificate").filter(columns::containsKey).mapToInt(columns::get).toArray();
                List<String> cells;
                while ((cells = r.next()) != null) {
                    if (cells.size() == 1 && cells.get(0).isEmpty()) continue;
                    if (cells.size() != header.size()) {
                        throw new IllegalArgumentException(dir + "/members.csv row " + (rows.size() + 1) + " has "
                                + cells.size() + " cells, the header " + header.size());
                    }
                    String[] row = cells.toArray(new String[0]);
                    for (int i : repeating) row[i] = shared.computeIfAbsent(row[i], v -> v);
                    rows.add(new MemberRow(Collections.unmodifiableMap(columns), row));
                }
            }
            members = Collections.unmodifiableList(rows);
        }
        return members;
    }

    /** All stored last-hidden-layer kernels, {@code E × P × P} in member-id order. */
    public NpyArray kernels() throws IOException {
        return Npy.read(dir.resolve("kernels.npy"));
    }

    /** Loss curves, {@code E × T} (NaN after a member stopped). */
    public NpyArray lossCurves() throws IOException {
        return Npy.read(dir.resolve("loss_curves.npy"));
    }

    /** The cells of one CSV record ({@link Csv#split}): quoted cells may hold commas, {@code ""} and line breaks. */
    public static List<String> splitCsv(String line) {
        return Csv.split(line);
    }

    private static Object readJson(Path file) throws IOException {
        return Json.read(file);
    }
}
