package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples grouped into classes, one class per distinct column of Y (exact equality of the label
 * vectors). Class indices are assigned in order of first appearance, so nothing is assumed about
 * the sample order.
 *
 * @param classOf    class index of each sample, length P
 * @param labels     label vector (column of Y) of each class, {@code labels[c].length == dY}
 */
public record ClassPartition(int[] classOf, double[][] labels) {

    /** Groups the P columns of Y (dY×P row-major) by their value. */
    public static ClassPartition ofColumns(double[] y, int dY, int p) {
        Matrices.checkShape("Y", y, dY, p);
        Map<List<Double>, Integer> index = new HashMap<>();
        List<double[]> columns = new ArrayList<>();
        int[] classOf = new int[p];
        for (int s = 0; s < p; s++) {
            double[] col = new double[dY];
            List<Double> key = new ArrayList<>(dY);
            for (int k = 0; k < dY; k++) {
                // +0.0 folds −0.0 into 0.0 so they are one class, as they are equal labels
                col[k] = y[k * p + s] + 0.0;
                key.add(col[k]);
            }
            Integer c = index.get(key);
            if (c == null) {
                c = columns.size();
                index.put(key, c);
                columns.add(col);
            }
            classOf[s] = c;
        }
        return new ClassPartition(classOf, columns.toArray(new double[0][]));
    }

    /** Number of classes C. */
    public int classCount() {
        return labels.length;
    }

    /** Number of samples in each class. */
    public int[] counts() {
        int[] n = new int[labels.length];
        for (int c : classOf) {
            n[c]++;
        }
        return n;
    }

    /**
     * Hypercube code of each class (bit k set iff {@code y_k > 0}), or null unless the classes are
     * the 2^dY sign patterns, each once, with no zero label. Scaled labels (±s_k) get the codes of
     * their signs, so a parallelism score does not depend on the label scale.
     */
    public int[] hypercubeCodes(int dY) {
        // fewer than 2^dY classes: some pattern is missing (also guards 1 << dY overflow)
        if (dY >= 31 || classCount() != (1 << dY)) return null;
        int[] codes = new int[classCount()];
        boolean[] seen = new boolean[codes.length];
        for (int c = 0; c < codes.length; c++) {
            for (int k = 0; k < dY; k++) {
                double v = labels[c][k];
                if (v > 0) codes[c] |= 1 << k;
                else if (!(v < 0)) return null;
            }
            if (seen[codes[c]]) return null;
            seen[codes[c]] = true;
        }
        return codes;
    }

    /**
     * The dichotomy of the classes induced by label k: {@code true} for classes with
     * {@code y_k > 0} (side A), {@code false} otherwise.
     */
    public boolean[] labelDichotomy(int k) {
        boolean[] side = new boolean[labels.length];
        for (int c = 0; c < labels.length; c++) {
            side[c] = labels[c][k] > 0;
        }
        return side;
    }

    /**
     * Class prototypes: the mean hidden vector of each class,
     * {@code proto[c][i] = (1/n_c) Σ_{p in c} R[i][p]}. A class without samples gets NaN.
     *
     * @param r M×P row-major representation
     */
    public static double[][] prototypes(double[] r, int m, int[] classOf, int classes) {
        Matrices.checkShape("R", r, m, classOf.length);
        int p = classOf.length;
        double[][] proto = new double[classes][m];
        int[] n = new int[classes];
        for (int s = 0; s < p; s++) {
            if (classOf[s] < 0 || classOf[s] >= classes) {
                throw new IllegalArgumentException("class index " + classOf[s] + " of sample " + s
                        + " outside [0, " + classes + ")");
            }
            n[classOf[s]]++;
        }
        for (int i = 0; i < m; i++) {
            for (int s = 0; s < p; s++) {
                proto[classOf[s]][i] += r[i * p + s];
            }
        }
        for (int c = 0; c < classes; c++) {
            if (n[c] == 0) {
                Arrays.fill(proto[c], Double.NaN);
            } else {
                for (int i = 0; i < m; i++) {
                    proto[c][i] /= n[c];
                }
            }
        }
        return proto;
    }
}
