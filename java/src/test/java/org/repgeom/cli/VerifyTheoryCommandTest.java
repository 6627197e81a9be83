package org.repgeom.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repgeom.theory.ClosedForms;

/** {@code repgeom verify-theory --quick} on a subset of cases: its table, exit code and files. */
class VerifyTheoryCommandTest {

    @Test
    void quickRunPrintsOneRowPerCaseAndWritesJsonAndCsv(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("vt.json");
        RunCommandTest.Result r = RunCommandTest.cli("verify-theory", "--quick", "--cases",
                "linear,deep-linear-3,onehot-bias", "--out", json.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("case ")) header = i;
        }
        assertTrue(header >= 0, r.out());
        assertTrue(lines.get(header).contains("kernel_err") && lines.get(header).contains("certified"));
        List<String> ids = List.of("linear", "deep-linear-3", "onehot-bias");
        for (int i = 0; i < ids.size(); i++) {
            String[] cols = lines.get(header + 1 + i).trim().split("\\s+");
            assertEquals(ids.get(i), cols[0]);
            String[] tail = Arrays.copyOfRange(cols, cols.length - 8, cols.length);
            assertEquals("4", tail[0], "members");
            double error = Double.parseDouble(tail[2]);
            assertTrue(error < 1e-2, ids.get(i) + " kernel error " + error);
            assertEquals(ids.get(i).equals("onehot-bias") ? "1.00" : "n/a", tail[5], "certified column");
            assertEquals("PASS", tail[7]);
        }
        assertTrue(r.out().contains("3/3 cases pass"));
        String written = Files.readString(json);
        for (String id : ids) assertTrue(written.contains("\"case\": \"" + id + "\""));
        List<String> csv = Files.readAllLines(tmp.resolve("vt.csv"));
        assertEquals(4, csv.size());
        assertTrue(csv.get(1).startsWith("linear,"));
    }

    @Test
    void replacesOnlyItsOwnEarlierOutputs(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("vt.json"), csv = tmp.resolve("vt.csv");
        String[] args = {"verify-theory", "--quick", "--cases", "deep-linear-2", "--out", json.toString()};
        Files.writeString(csv, "my,own\n1,2\n"); // FILE.csv is derived from --out: the user never named it
        RunCommandTest.Result mine = RunCommandTest.cli(args);
        assertEquals(Main.BAD_INPUT, mine.code(), mine.err());
        assertEquals(1, mine.err().lines().count(), mine.err());
        assertTrue(mine.err().startsWith("error: " + csv + ": exists and is not an earlier repgeom verify-theory output"), mine.err());
        assertEquals("", mine.out(), "refused before any case is trained");
        assertEquals("my,own\n1,2\n", Files.readString(csv));
        assertTrue(!Files.exists(json));

        Files.delete(csv);
        Files.writeString(json, "{\"notes\": \"mine\"}\n");
        assertEquals(Main.BAD_INPUT, RunCommandTest.cli(args).code());
        assertEquals("{\"notes\": \"mine\"}\n", Files.readString(json));

        Files.delete(json);
        assertEquals(0, RunCommandTest.cli(args).code());
        RunCommandTest.Result again = RunCommandTest.cli(args); // its own files are replaced
        assertEquals(0, again.code(), again.err());
        assertTrue(Files.readString(json).contains("\"format\": \"repgeom-verify-theory/1\""));
    }

    @Test
    void listsCasesAndRejectsBadOptions() {
        RunCommandTest.Result list = RunCommandTest.cli("verify-theory", "--list");
        assertEquals(0, list.code());
        for (ClosedForms.Case c : ClosedForms.all()) assertTrue(list.out().contains(c.id()));
        assertEquals(Main.BAD_INPUT, RunCommandTest.cli("verify-theory", "--cases", "nope").code());
        assertEquals(Main.BAD_INPUT, RunCommandTest.cli("verify-theory", "--seeds", "0").code());
    }
}
