package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * A recorded population response (neurons × columns) mapped onto a study's samples: column c of
 * the raw matrix is a response to study sample {@code sampleOfColumn[c]}. Columns of the same
 * sample are repeats (trials, sessions) and are averaged, so the comparison sees one population
 * vector per covered sample, in increasing sample order ({@link #samples}).
 *
 * <p>When every covered sample has at least two columns, the repeats are also split in two halves
 * (1st, 3rd, 5th, … column of each sample in file order against the 2nd, 4th, …), each averaged;
 * the agreement of the two halves ({@link #splitHalf}) says how reliable the data's geometry is and
 * bounds how similar any model can look.
 *
 * @param mean    N × S row-major: the mean response of each neuron to each covered sample
 * @param neurons N
 * @param samples the S covered study samples, increasing
 * @param repeats how many columns each covered sample had
 * @param halfA   N × S mean of the first half of the repeats, or null without repeats everywhere
 * @param halfB   N × S mean of the second half, or null
 */
public record Recording(double[] mean, int neurons, int[] samples, int[] repeats, double[] halfA, double[] halfB) {

    /**
     * Split-half agreement of the data with itself: RSA and linear CKA between the two halves, and
     * the Spearman–Brown estimate {@code r = 2ρ/(1+ρ)} of the RSA between two full recordings like
     * this one.
     */
    public record SplitHalf(double rsa, double rsaSpearmanBrown, double cka) {
        /**
         * {@code √max(0, r)}: roughly the highest RSA a noise-free model can reach against this noisy
         * average (a noise ceiling; exact for Pearson correlations under additive noise, an
         * approximation for RDMs and Spearman's ρ: in simulations within about 0.05 of the RSA of the
         * noise-free signal while the split-half ρ is above 0.4, loose below about 0.3).
         */
        public double rsaCeiling() {
            return Math.sqrt(Math.max(0.0, rsaSpearmanBrown));
        }
    }

    /**
     * Averages the columns of {@code r} (N × C row-major) by study sample.
     *
     * @param sampleOfColumn for each of the C columns its study sample, in [0, studySamples)
     * @throws IllegalArgumentException if a mapping is out of range or shapes disagree (callers check
     *                                  user files first and name them)
     */
    public static Recording of(double[] r, int neurons, int[] sampleOfColumn, int studySamples) {
        int cols = sampleOfColumn.length;
        Matrices.checkShape("R", r, neurons, cols);
        int[] count = new int[studySamples];
        for (int s : sampleOfColumn) {
            if (s < 0 || s >= studySamples) {
                throw new IllegalArgumentException("sample index " + s + " outside [0, " + studySamples + ")");
            }
            count[s]++;
        }
        List<Integer> covered = new ArrayList<>();
        boolean allRepeated = true;
        for (int s = 0; s < studySamples; s++) {
            if (count[s] > 0) {
                covered.add(s);
                allRepeated &= count[s] >= 2;
            }
        }
        int n = covered.size();
        int[] samples = covered.stream().mapToInt(Integer::intValue).toArray();
        int[] slot = new int[studySamples];
        int[] repeats = new int[n];
        for (int i = 0; i < n; i++) {
            slot[samples[i]] = i;
            repeats[i] = count[samples[i]];
        }
        double[] mean = new double[neurons * n];
        double[] a = allRepeated ? new double[neurons * n] : null;
        double[] b = allRepeated ? new double[neurons * n] : null;
        int[] seen = new int[n];
        for (int c = 0; c < cols; c++) {
            int i = slot[sampleOfColumn[c]];
            boolean first = seen[i]++ % 2 == 0;
            int inHalf = first ? (repeats[i] + 1) / 2 : repeats[i] / 2;
            for (int u = 0; u < neurons; u++) {
                double v = r[u * cols + c];
                mean[u * n + i] += v / repeats[i];
                if (allRepeated) (first ? a : b)[u * n + i] += v / inHalf;
            }
        }
        return new Recording(mean, neurons, samples, repeats, a, b);
    }

    /** Number of covered samples S. */
    public int conditions() {
        return samples.length;
    }

    /** Whether every covered sample was recorded at least twice (then {@link #splitHalf} is defined). */
    public boolean hasRepeats() {
        return halfA != null;
    }

    /**
     * RSA and linear CKA between the two halves of the repeats, and the Spearman–Brown estimate
     * {@code 2ρ/(1+ρ)} of the RSA of the full data with a second recording like it; null without
     * repeats. Computed on the raw (uncentred) halves: RSA and CKA do not depend on centring.
     */
    public SplitHalf splitHalf() {
        if (!hasRepeats()) return null;
        int s = conditions();
        double[] ka = RepresentationKernel.of(halfA, neurons, s);
        double[] kb = RepresentationKernel.of(halfB, neurons, s);
        double rho = Rsa.fromKernels(ka, kb, s);
        return new SplitHalf(rho, 2 * rho / (1 + rho), Cka.linearFromKernels(ka, kb, s));
    }
}
