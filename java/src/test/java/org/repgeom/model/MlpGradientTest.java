package org.repgeom.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.repgeom.rng.Philox4x32;
import org.repgeom.task.Task;

/** The analytic gradient of {@link Mlp} against central finite differences, in double precision. */
class MlpGradientTest {

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Activation a : Activation.values()) {
            for (int depth = 1; depth <= 3; depth++) {
                out.add(Arguments.of(a, depth, false));
            }
            out.add(Arguments.of(a, 2, true));
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

    @ParameterizedTest(name = "{0} depth {1} biasAll={2}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(Activation act, int depth, boolean biasAll) {
        int[] widths = new int[depth];
        for (int l = 0; l < depth; l++) widths[l] = 5 + l;
        Architecture arch = new Architecture(4, widths, 3, act, biasAll);
        ParamLayout layout = new ParamLayout(arch);
        Task task = randomTask(4, 3, 7, 11);
        // clipped ReLU saturates at 1: a larger init puts units in all three regimes
        double[] params = InitialWeights.of(layout, 5, act == Activation.CLIPPED_RELU ? 1.5 : 1.0);
        double[] lambdas = new double[arch.layerCount()];
        for (int l = 0; l < lambdas.length; l++) lambdas[l] = 0.05 * (l + 1);

        Mlp mlp = new Mlp(layout, task);
        double[] grad = new double[layout.stride()];
        double loss = mlp.lossAndGradient(params, 0, lambdas, 0, grad, 0);
        assertEquals(mlp.loss(params, 0, lambdas, 0), loss, 1e-12 * Math.abs(loss));

        double h = 1e-6;
        double worst = 0, scale = 0;
        for (int i = 0; i < params.length; i++) {
            double keep = params[i];
            params[i] = keep + h;
            double up = mlp.loss(params, 0, lambdas, 0);
            params[i] = keep - h;
            double down = mlp.loss(params, 0, lambdas, 0);
            params[i] = keep;
            double fd = (up - down) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - grad[i]));
            scale = Math.max(scale, Math.abs(grad[i]));
        }
        assertTrue(scale > 1e-3, "gradient should not vanish at a random point");
        assertTrue(worst <= 1e-6 * Math.max(1, scale), act + ": max |fd - grad| = " + worst + " (scale " + scale + ")");
    }
}
