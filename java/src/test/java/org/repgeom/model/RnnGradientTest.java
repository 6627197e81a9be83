package org.repgeom.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.rng.Philox4x32;
import org.repgeom.task.Task;

/** Backpropagation through time of {@link Rnn} against central finite differences, in double precision. */
class RnnGradientTest {

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (int t : new int[] {1, 2, 4}) out.add(Arguments.of(a, t, Recurrence.Input.EVERY));
            out.add(Arguments.of(a, 3, Recurrence.Input.FIRST));
        }
        return out;
    }

    private static Task randomTask(int dX, int dY, int p, long seed) {
        double[] x = new double[dX * p];
        double[] y = new double[dY * p];
        for (int i = 0; i < x.length; i++) x[i] = Philox4x32.gaussian(seed, 900, i);
        for (int i = 0; i < y.length; i++) y[i] = Philox4x32.gaussian(seed, 901, i);
        return new Task("random", dX, dY, p, x, y);
    }

    @ParameterizedTest(name = "{0} T={1} input={2}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(Activation act, int steps, Recurrence.Input input) {
        Architecture arch = Architecture.recurrent(4, 6, 3, act, new Recurrence(steps, input));
        ParamLayout layout = new ParamLayout(arch);
        Task task = randomTask(4, 3, 7, 11);
        double[] params = InitialWeights.of(layout, 5, act == Activation.CLIPPED_RELU ? 1.5 : 1.0);
        double[] lambdas = {0.05, 0.1, 0.15};

        Rnn rnn = new Rnn(layout, task);
        double[] grad = new double[layout.stride()];
        double loss = rnn.lossAndGradient(params, 0, lambdas, 0, grad, 0);
        assertEquals(rnn.loss(params, 0, lambdas, 0), loss, 1e-12 * Math.abs(loss));

        double h = 1e-6;
        double worst = 0, scale = 0, recurrentScale = 0;
        for (int i = 0; i < params.length; i++) {
            double keep = params[i];
            params[i] = keep + h;
            double up = rnn.loss(params, 0, lambdas, 0);
            params[i] = keep - h;
            double down = rnn.loss(params, 0, lambdas, 0);
            params[i] = keep;
            double fd = (up - down) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - grad[i]));
            scale = Math.max(scale, Math.abs(grad[i]));
            if (i >= layout.weight(1) && i < layout.weight(2)) recurrentScale = Math.max(recurrentScale, Math.abs(grad[i]));
        }
        assertTrue(scale > 1e-3, "gradient should not vanish at a random point");
        // W gets data gradient only through h_1 … h_{T−1}; at T = 1 it sees only its penalty 2λ_rec W
        if (steps > 1) assertTrue(recurrentScale > 1e-3, "the recurrent weights must receive a gradient");
        assertTrue(worst <= 1e-6 * Math.max(1, scale), act + ": max |fd - grad| = " + worst + " (scale " + scale + ")");
    }

    /** One step from h_0 = 0 is the two-layer network W_out φ(U x + b): same numbers as {@link Mlp}. */
    @Test
    void oneStepIsTheTwoLayerNetwork() {
        Task task = randomTask(5, 2, 9, 3);
        Architecture rnnArch = Architecture.recurrent(5, 7, 2, Activation.RELU, new Recurrence(1, Recurrence.Input.EVERY));
        Architecture mlpArch = Architecture.twoLayer(5, 7, 2, Activation.RELU);
        ParamLayout rl = new ParamLayout(rnnArch), ml = new ParamLayout(mlpArch);
        double[] rp = InitialWeights.of(rl, 9, 1.0);
        double[] mp = new double[ml.stride()];
        System.arraycopy(rp, rl.weight(0), mp, ml.weight(0), ml.augmentedSize(0)); // [U, b]
        System.arraycopy(rp, rl.weight(2), mp, ml.weight(1), ml.augmentedSize(1)); // W_out
        Rnn rnn = new Rnn(rl, task);
        Mlp mlp = new Mlp(ml, task);
        rnn.forward(rp, 0);
        mlp.forward(mp, 0);
        assertArrayEquals(mlp.hidden(0), rnn.hidden(1), 0.0);
        assertArrayEquals(mlp.output(), rnn.output(), 0.0);
        // the initial [U, b] is the MLP's first layer: the same Philox stream 0 and indices
        double[] mlpInit = InitialWeights.of(ml, 9, 1.0);
        for (int i = 0; i < ml.augmentedSize(0); i++) assertEquals(mlpInit[i], rp[i], 0.0);
    }

    /** With the input only at the first step, later steps see only the bias and the recurrence. */
    @Test
    void firstStepInputLeavesLaterStepsToTheRecurrence() {
        Task task = randomTask(3, 2, 6, 4);
        Architecture arch = Architecture.recurrent(3, 4, 2, Activation.TANH, new Recurrence(2, Recurrence.Input.FIRST));
        ParamLayout layout = new ParamLayout(arch);
        double[] p = InitialWeights.of(layout, 1, 1.0);
        Rnn rnn = new Rnn(layout, task);
        rnn.forward(p, 0);
        double[] h1 = rnn.hidden(1), h2 = rnn.hidden(2);
        int samples = task.samples();
        for (int i = 0; i < 4; i++) {
            for (int s = 0; s < samples; s++) {
                double z = p[layout.bias(0) + i];
                for (int c = 0; c < 4; c++) z += p[layout.weight(1) + i * 4 + c] * h1[c * samples + s];
                assertEquals(Math.tanh(z), h2[i * samples + s], 1e-14);
            }
        }
    }
}
