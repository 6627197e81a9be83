package org.repgeom.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.repgeom.analysis.Recording;
import org.repgeom.io.Npy;
import org.repgeom.io.NpyArray;
import org.repgeom.study.IoErrors;
import org.repgeom.study.spec.SpecException;

/**
 * Reads and checks the recorded data of {@code compare} and {@code report --data}: R (neurons ×
 * conditions) and, optionally, C (one study sample index per column of R). Every problem is one
 * {@link SpecException} naming the file, so the CLI prints one line and exits with 2.
 *
 * <p>Without C the columns of R are the study's P samples in order (R must have P columns). With C,
 * column c of R is a response to study sample {@code C[c]}: C is a 1-D array of whole numbers in
 * [0, P) with one entry per column of R (any integer dtype; a float array is accepted when every
 * entry is a whole number). Samples may repeat (averaged, and then used for the split-half
 * reliability) or be missing (the comparison uses the covered samples only).
 */
final class RecordingFiles {
    /** Fewest distinct conditions compared: RSA needs at least three pairwise distances. */
    static final int MIN_CONDITIONS = 3;

    private RecordingFiles() {
    }

    /** Loads R and C (null: study order) for a study of {@code studySamples} samples. */
    static Recording load(Path data, Path conditions, int studySamples) {
        NpyArray r = read(data);
        String name = data.toString();
        if (r.ndim() != 2) {
            throw new SpecException(name, "must be a 2-D array neurons x conditions, got shape " + Arrays.toString(r.shape()));
        }
        int neurons = r.dim(0), cols = r.dim(1);
        if (neurons < 1 || cols < 1) throw new SpecException(name, "is empty (shape " + Arrays.toString(r.shape()) + ")");
        double[] v = r.data();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new SpecException(name, "holds a non-finite value (" + v[i] + ") at neuron " + (i / cols) + ", column "
                        + (i % cols));
            }
        }
        int[] sampleOf;
        if (conditions == null) {
            if (cols != studySamples) {
                String hint = neurons == studySamples ? " (it has " + neurons + " rows: is it conditions x neurons? transpose it)"
                        : " (give --conditions to map its columns onto the study's samples)";
                throw new SpecException(name, "has " + cols + " columns but the study has " + studySamples + " samples" + hint);
            }
            sampleOf = new int[cols];
            for (int c = 0; c < cols; c++) sampleOf[c] = c;
        } else {
            sampleOf = mapping(conditions, cols, studySamples);
        }
        Recording rec = Recording.of(v, neurons, sampleOf, studySamples);
        if (rec.conditions() < MIN_CONDITIONS) {
            throw new SpecException(conditions != null ? conditions.toString() : name, "covers " + rec.conditions()
                    + " distinct study samples; at least " + MIN_CONDITIONS + " are needed");
        }
        return rec;
    }

    /** C: one whole number in [0, P) per column of R. */
    private static int[] mapping(Path file, int cols, int studySamples) {
        NpyArray c = read(file);
        String name = file.toString();
        if (c.ndim() != 1) {
            throw new SpecException(name, "must be a 1-D array (one study sample index per column of R), got shape "
                    + Arrays.toString(c.shape()));
        }
        if (c.dim(0) != cols) {
            throw new SpecException(name, "has " + c.dim(0) + " entries but R has " + cols + " columns");
        }
        int[] out = new int[cols];
        for (int i = 0; i < cols; i++) {
            double x = c.data()[i];
            if (x != Math.rint(x)) throw new SpecException(name, "entry " + i + " is " + x + ", not a whole number");
            if (x < 0 || x >= studySamples) {
                throw new SpecException(name, "entry " + i + " is " + (long) x + ", outside the study's samples 0.."
                        + (studySamples - 1));
            }
            out[i] = (int) x;
        }
        return out;
    }

    private static NpyArray read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException(file.toString(), Files.exists(file) ? "is not a regular file" : "no such file");
        }
        try {
            return Npy.read(file);
        } catch (IOException e) {
            // the npy reader's messages already start with the file name
            String msg = e.getMessage() != null && e.getMessage().startsWith(file.toString()) ? e.getMessage()
                    : file + ": " + IoErrors.cause(e);
            throw new SpecException(file.toString(), msg.substring(Math.min(msg.length(), file.toString().length() + 2)));
        }
    }
}
