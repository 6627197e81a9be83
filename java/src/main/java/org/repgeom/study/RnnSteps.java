package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.repgeom.analysis.RnnGeometry;
import org.repgeom.io.AtomicFiles;
import org.repgeom.io.Csv;
import org.repgeom.model.Architecture;
import org.repgeom.model.ParamLayout;
import org.repgeom.model.Rnn;
import org.repgeom.task.Task;

/**
 * Writes {@code rnn_steps.csv}: one row per recurrent member and time step t = 1…T with the
 * geometry of its hidden state {@code h_t} ({@link RnnGeometry}); rows in member-id order, t
 * ascending. Written while a study is assembled, from each chunk's trained parameters; a study
 * without recurrent members has no such file. Columns: see {@link #HEADER} and docs/outputs.md.
 */
final class RnnSteps implements Closeable {
    static final String FILE = "rnn_steps.csv";
    static final String HEADER = "id,group,seed,t,time_steps,parallelism_score,participation_ratio,label_alignment,"
            + "cka_to_last,configuration";

    private final Path out;
    private final Path tmp;
    private final BufferedWriter csv;
    private final Task task;

    private RnnSteps(Path dir, Task task) throws IOException {
        this.out = dir.resolve(FILE);
        this.tmp = dir.resolve("." + FILE + ".tmp");
        this.task = task;
        this.csv = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        csv.write(HEADER);
        csv.newLine();
    }

    /** A writer into {@code dir}, or null when no group of the plan is recurrent. */
    static RnnSteps openIfRecurrent(StudyPlan plan, Path dir, Task task) throws IOException {
        for (int g = 0; g < plan.groupCount(); g++) {
            if (plan.groupArchitecture(g).isRecurrent()) return new RnnSteps(dir, task);
        }
        return null;
    }

    /** Appends the rows of chunk {@code c} from its trained parameters ({@code c.size() × stride}). */
    void add(StudyPlan plan, StudyPlan.Chunk c, double[] params) throws IOException {
        Architecture arch = plan.groupArchitecture(c.group());
        if (!arch.isRecurrent()) return;
        ParamLayout layout = new ParamLayout(arch);
        RnnGeometry.Step[][] steps = new RnnGeometry.Step[c.size()][];
        IntStream.range(0, c.size()).parallel().forEach(i ->
                steps[i] = RnnGeometry.steps(new Rnn(layout, task), task, params, i * layout.stride()));
        for (int i = 0; i < c.size(); i++) {
            MemberSpec m = plan.member(c.firstMember() + i);
            for (RnnGeometry.Step s : steps[i]) {
                csv.write(m.id() + "," + c.group() + "," + m.seed() + "," + s.t() + "," + steps[i].length + ","
                        + MemberCsv.num(s.parallelismScore()) + "," + MemberCsv.num(s.participationRatio()) + ","
                        + MemberCsv.num(s.labelAlignment()) + "," + MemberCsv.num(s.ckaToLast()) + ","
                        + Csv.text(m.configurationKey()));
                csv.newLine();
            }
        }
    }

    /** Finishes the file (renamed into place). */
    void finish() throws IOException {
        csv.close();
        AtomicFiles.move(tmp, out);
    }

    /** Closes without finishing: the temporary file is removed. */
    @Override
    public void close() throws IOException {
        csv.close();
        Files.deleteIfExists(tmp);
    }
}
