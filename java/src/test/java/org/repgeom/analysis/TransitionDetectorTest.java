package org.repgeom.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransitionDetectorTest {
    private static final TransitionDetector DETECTOR = new TransitionDetector(4, 8, 0.05, 0.25, 4);

    private static long[] steps(int n, int every) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) t[i] = (long) i * every;
        return t;
    }

    @Test
    void stepsAfterPlateausAreFoundAtTheirSteps() {
        long[] t = steps(200, 10);
        double[] v = new double[200];
        Random rnd = new Random(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = 1.0 - (t[i] >= 400 ? 0.4 : 0) - (t[i] >= 1200 ? 0.3 : 0) + 0.002 * rnd.nextGaussian();
        }
        List<TransitionDetector.Transition> found = DETECTOR.find(t, v);
        assertEquals(2, found.size(), found.toString());
        assertEquals(400, found.get(0).step());
        assertEquals(1200, found.get(1).step());
        assertTrue(!found.get(0).rise() && found.get(0).before() - found.get(0).after() > 0.35, found.get(0).toString());
        assertTrue(found.get(0).fromStep() < 400 && found.get(0).toStep() >= 400);
    }

    @Test
    void smoothSigmoidalRisesAreFoundAtTheirSteepestPoint() {
        long[] t = steps(300, 5);
        double[] v = new double[300];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.5 / (1 + Math.exp(-(t[i] - 300) / 5.0)) + 0.4 / (1 + Math.exp(-(t[i] - 1000) / 5.0));
        }
        List<TransitionDetector.Transition> found = DETECTOR.find(t, v);
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.get(0).rise() && found.get(1).rise());
        assertEquals(300, found.get(0).step(), 5);
        assertEquals(1000, found.get(1).step(), 5);
    }

    @Test
    void aSteadyDeclineAndANoisyPlateauAreNoTransitions() {
        long[] t = steps(200, 1);
        double[] line = new double[200], noise = new double[200];
        Random rnd = new Random(2);
        for (int i = 0; i < 200; i++) {
            line[i] = 2.0 - 0.005 * i; // 0.02 per window of 4: below the threshold of a quarter of the range (0.25)
            noise[i] = 0.5 + 0.005 * rnd.nextGaussian();
        }
        assertEquals(List.of(), DETECTOR.find(t, line));
        assertEquals(List.of(), DETECTOR.find(t, noise));
    }

    @Test
    void aChangeRightAtTheStartCountsAndNaNsAreSkipped() {
        long[] t = steps(100, 2);
        double[] v = new double[100];
        for (int i = 0; i < v.length; i++) v[i] = i < 3 ? 0.2 * i : (i > 90 ? Double.NaN : 0.6);
        List<TransitionDetector.Transition> found = DETECTOR.find(t, v);
        assertEquals(1, found.size(), found.toString());
        assertEquals(2, found.get(0).step());
        assertEquals(0, found.get(0).fromStep());
    }

    @Test
    void aSlowStageAfterAFastOneIsFoundWithALongerWindow() {
        long[] t = steps(400, 10);
        double[] v = new double[400];
        for (int i = 0; i < v.length; i++) {
            // a sharp fall at step 100, then a slow rise of 0.12 centred on step 2500 (width 100 steps)
            v[i] = (t[i] >= 100 ? 0.0 : 0.23) + 0.12 / (1 + Math.exp(-(t[i] - 2500) / 100.0));
        }
        TransitionDetector single = new TransitionDetector(8, 16, 0.05, 0.25, 8);
        TransitionDetector multi = TransitionDetector.forPoints(400, 0.05, 0.25);
        assertEquals(1, single.find(t, v).size(), "one window of 80 steps sees only the sharp fall");
        List<TransitionDetector.Transition> found = multi.find(t, v);
        assertEquals(2, found.size(), found.toString());
        assertEquals(100, found.get(0).step());
        assertTrue(!found.get(0).rise() && found.get(1).rise());
        assertEquals(2500, found.get(1).step(), 10);
        assertTrue(found.get(1).fromStep() < 2200 && found.get(1).toStep() > 2800, found.get(1).toString());
    }
}
