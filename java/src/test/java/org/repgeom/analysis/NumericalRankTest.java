package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class NumericalRankTest {

    @Test
    void singularValuesOfDiagonalAreSortedAbsValues() {
        double[] w = {2, 0, 0, 0, 0, -5, 0, 0, 0, 0, 1, 0}; // 3×4
        assertArrayEquals(new double[] {5, 2, 1}, NumericalRank.singularValues(w, 3, 4), 1e-12);
        assertEquals(3, NumericalRank.of(w, 3, 4));
        assertEquals(2, NumericalRank.of(w, 3, 4, 0.25));
    }

    @Test
    void productOfThinFactorsHasKnownRank() {
        Random rnd = new Random(7);
        int rows = 20, cols = 12, rank = 3;
        DMatrixRMaj a = new DMatrixRMaj(rows, rank, true, TestData.gaussian(rows, rank, rnd));
        DMatrixRMaj b = new DMatrixRMaj(rank, cols, true, TestData.gaussian(rank, cols, rnd));
        DMatrixRMaj w = new DMatrixRMaj(rows, cols);
        CommonOps_DDRM.mult(a, b, w);
        double[] data = w.data.clone();
        assertEquals(rank, NumericalRank.of(data, rows, cols));
        // residue of the size trained dead neurons leave (≪ 1e-3 σ_max) does not count
        for (int i = 0; i < data.length; i++) {
            data[i] += 1e-8 * rnd.nextGaussian();
        }
        assertEquals(rank, NumericalRank.of(data, rows, cols));
        assertEquals(Math.min(rows, cols), NumericalRank.of(data, rows, cols, 0.0));
        assertArrayEquals(w.data, data, 1e-6); // input untouched apart from our own noise
    }

    @Test
    void zeroMatrixHasRankZero() {
        assertEquals(0, NumericalRank.of(new double[6], 2, 3));
    }
}
