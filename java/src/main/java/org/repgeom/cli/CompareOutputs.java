package org.repgeom.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.repgeom.analysis.NeuralComparison.Geometry;
import org.repgeom.analysis.Quantiles;
import org.repgeom.analysis.Recording;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Csv;
import org.repgeom.io.Json;
import org.repgeom.report.StudyComparison;
import org.repgeom.report.StudyComparison.ConfigRow;
import org.repgeom.report.StudyComparison.Measure;
import org.repgeom.report.StudyComparison.MemberResult;
import org.repgeom.study.spec.SpecException;

/**
 * The three files of {@code repgeom compare --out FILE.csv}, and the rule for replacing them.
 *
 * <ul>
 *   <li>{@code FILE.csv}: one row per configuration, most similar first;</li>
 *   <li>{@code FILE.members.csv}: one row per compared member, in id order;</li>
 *   <li>{@code FILE.json}: the data's geometry and kernel, its split-half reliability, the settings,
 *       and the SHA-256 of the two CSV files.</li>
 * </ul>
 *
 * <p><b>Replacing.</b> An existing target is never replaced without {@code --force}; with it, only
 * when it provably is an earlier compare output: {@code FILE.json} parses with
 * {@code "format": "repgeom-compare/1"} and every existing CSV target has the SHA-256 recorded there.
 * A link or a directory in a target's place is always refused. The checks run before anything is
 * computed or written; the CSVs are written first and the JSON last, each atomically.
 */
final class CompareOutputs {
    static final String FORMAT = "repgeom-compare/1";

    private final Path csv;
    private final Path membersCsv;
    private final Path json;

    private CompareOutputs(Path csv, Path membersCsv, Path json) {
        this.csv = csv;
        this.membersCsv = membersCsv;
        this.json = json;
    }

    /** The targets of {@code --out}, checked (class comment); refuses with one line naming the path. */
    static CompareOutputs check(Path out, boolean force) throws IOException {
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        if (!name.endsWith(".csv") || name.length() == 4) {
            throw new SpecException("--out", "must name a .csv file (FILE.csv; FILE.members.csv and FILE.json go beside it), got " + out);
        }
        String base = name.substring(0, name.length() - 4);
        CompareOutputs o = new CompareOutputs(out, out.resolveSibling(base + ".members.csv"), out.resolveSibling(base + ".json"));
        List<Path> existing = new ArrayList<>();
        for (Path p : o.targets()) {
            if (Files.isSymbolicLink(p)) throw new SpecException(p.toString(), "is a symbolic link; repgeom compare does not write through links");
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) throw new SpecException(p.toString(), "is a directory");
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) existing.add(p);
        }
        if (existing.isEmpty()) return o;
        if (!force) {
            throw new SpecException(existing.get(0).toString(), "exists; give --force to replace an earlier repgeom compare output");
        }
        Map<String, Object> recorded = o.recordedHashes();
        for (Path p : existing) {
            if (p.equals(o.json)) continue;
            Object sha = recorded == null ? null : recorded.get(p.getFileName().toString());
            if (sha == null || !sha.equals(sha256(Files.readAllBytes(p)))) {
                throw new SpecException(p.toString(), "exists and is not recorded in " + o.json.getFileName()
                        + " as repgeom compare's output; --force replaces only files it wrote (move or delete it)");
            }
        }
        return o;
    }

    /** The three targets. */
    List<Path> targets() {
        return List.of(csv, membersCsv, json);
    }

    /** The {@code files} map of an existing FILE.json of ours; null when absent; refuses one that is not ours. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> recordedHashes() throws IOException {
        if (!Files.exists(json, LinkOption.NOFOLLOW_LINKS)) return null;
        Object doc;
        try {
            doc = Json.read(json);
        } catch (IllegalArgumentException e) {
            throw new SpecException(json.toString(), "exists and is not repgeom compare's output (not JSON); --force "
                    + "replaces only files it wrote");
        }
        if (!(doc instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format")) || !(m.get("files") instanceof Map<?, ?> files)) {
            throw new SpecException(json.toString(), "exists and is not repgeom compare's output (no \"format\": \""
                    + FORMAT + "\"); --force replaces only files it wrote");
        }
        return (Map<String, Object>) files;
    }

    /** Writes the three files; {@code settings} go into the JSON first. */
    List<Path> write(StudyComparison.Result r, Recording rec, Map<String, Object> settings) throws IOException {
        byte[] table = configTable(r).getBytes(StandardCharsets.UTF_8);
        byte[] members = memberTable(r).getBytes(StandardCharsets.UTF_8);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.putAll(settings);
        doc.put("layer", r.layer());
        doc.put("centred", r.centred());
        doc.put("sort_key", r.sortKey().name());
        doc.put("sort_order", r.sortKey().describe());
        doc.put("neurons", rec.neurons());
        doc.put("study_samples", r.studySamples());
        doc.put("samples", rec.samples());
        doc.put("repeats", rec.repeats());
        doc.put("data", geometry(r.data()));
        int s = rec.conditions();
        doc.put("data_kernel", rows(r.dataKernel(), s));
        Recording.SplitHalf sh = r.splitHalf();
        if (sh == null) {
            doc.put("split_half", null);
        } else {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rsa", sh.rsa());
            m.put("rsa_spearman_brown", sh.rsaSpearmanBrown());
            m.put("cka", sh.cka());
            m.put("rsa_ceiling", sh.rsaCeiling());
            doc.put("split_half", m);
        }
        List<Object> configs = new ArrayList<>();
        for (ConfigRow c : r.configs()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("config", c.config());
            m.put("members", c.size());
            m.put("left_out", c.leftOut());
            for (Measure x : Measure.values()) m.put(x.column, Quantiles.summary(c.values(x)));
            configs.add(m);
        }
        doc.put("configurations", configs);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put(csv.getFileName().toString(), sha256(table));
        files.put(membersCsv.getFileName().toString(), sha256(members));
        doc.put("files", files);
        doc.put("seconds", r.seconds());
        AtomicFiles.write(csv, table);
        AtomicFiles.write(membersCsv, members);
        AtomicFiles.writeString(json, Json.write(doc));
        return targets();
    }

    /** Header of FILE.csv. */
    static final String CONFIG_HEADER = "config,rank,members,left_out,cka_median,cka_q25,cka_q75,rsa_median,rsa_q25,rsa_q75,"
            + "kernel_distance_median,kernel_distance_q25,kernel_distance_q75,ps_median,ccgp_median,"
            + "participation_ratio_median,cka_y_median";

    static String configTable(StudyComparison.Result r) {
        StringBuilder sb = new StringBuilder(CONFIG_HEADER).append('\n');
        int rank = 1;
        for (ConfigRow c : r.configs()) {
            List<String> cells = new ArrayList<>(List.of(Csv.text(c.config()), Integer.toString(rank++),
                    Integer.toString(c.size()), Integer.toString(c.leftOut())));
            for (Measure m : Measure.values()) {
                cells.add(Csv.num(c.median(m)));
                cells.add(Csv.num(c.quantile(m, 0.25)));
                cells.add(Csv.num(c.quantile(m, 0.75)));
            }
            cells.add(Csv.num(c.geometryMedian(Geometry::ps)));
            cells.add(Csv.num(c.geometryMedian(Geometry::ccgp)));
            cells.add(Csv.num(c.geometryMedian(Geometry::participationRatio)));
            cells.add(Csv.num(c.geometryMedian(Geometry::ckaY)));
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }

    static String memberTable(StudyComparison.Result r) {
        StringBuilder sb = new StringBuilder("id,config,cka,rsa,kernel_distance,ps,ccgp,participation_ratio,cka_y\n");
        for (MemberResult m : r.members()) {
            Geometry g = m.geometry();
            sb.append(String.join(",", Integer.toString(m.id()), Csv.text(m.config()), Csv.num(m.similarity().cka()),
                    Csv.num(m.similarity().rsa()), Csv.num(m.similarity().kernelDistance()), Csv.num(g.ps()),
                    Csv.num(g.ccgp()), Csv.num(g.participationRatio()), Csv.num(g.ckaY()))).append('\n');
        }
        return sb.toString();
    }

    private static Map<String, Object> geometry(Geometry g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ps", g.ps());
        m.put("ps_per_label", g.psPerLabel());
        m.put("ccgp", g.ccgp());
        m.put("ccgp_per_label", g.ccgpPerLabel());
        m.put("participation_ratio", g.participationRatio());
        m.put("cka_y", g.ckaY());
        return m;
    }

    private static List<double[]> rows(double[] k, int s) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < s; i++) out.add(java.util.Arrays.copyOfRange(k, i * s, (i + 1) * s));
        return out;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
