package org.repgeom.study.spec;

import java.util.Arrays;

/**
 * One entry of the {@code grid.lambda} axis: the weight-decay strength λ_l of every weight layer
 * of a member, either one λ for all layers or one per weight layer (L + 1 values for L hidden
 * layers, first layer first).
 */
public sealed interface LambdaEntry permits LambdaEntry.Uniform, LambdaEntry.PerLayer {

    /** Whether this entry can serve a network with {@code layerCount} weight layers. */
    boolean fits(int layerCount);

    /** λ per weight layer for a network with {@code layerCount} weight layers (a fresh array). */
    double[] forLayers(int layerCount);

    /** The same λ ≥ 0 in every weight layer. */
    record Uniform(double lambda) implements LambdaEntry {
        public Uniform {
            if (!(lambda >= 0) || Double.isInfinite(lambda)) {
                throw new IllegalArgumentException("λ must be finite and ≥ 0, got " + lambda);
            }
        }

        @Override
        public boolean fits(int layerCount) {
            return layerCount >= 1;
        }

        @Override
        public double[] forLayers(int layerCount) {
            double[] lambdas = new double[layerCount];
            Arrays.fill(lambdas, lambda);
            return lambdas;
        }
    }

    /** Explicit λ_l ≥ 0 per weight layer; only fits networks with exactly that many layers. */
    record PerLayer(double[] lambdas) implements LambdaEntry {
        public PerLayer {
            if (lambdas == null || lambdas.length == 0) throw new IllegalArgumentException("no λ values");
            for (double l : lambdas) {
                if (!(l >= 0) || Double.isInfinite(l)) {
                    throw new IllegalArgumentException("λ must be finite and ≥ 0, got " + l);
                }
            }
            lambdas = lambdas.clone();
        }

        @Override
        public double[] lambdas() {
            return lambdas.clone();
        }

        @Override
        public boolean fits(int layerCount) {
            return layerCount == lambdas.length;
        }

        @Override
        public double[] forLayers(int layerCount) {
            if (!fits(layerCount)) {
                throw new IllegalArgumentException(lambdas.length + " λ values for " + layerCount + " weight layers");
            }
            return lambdas.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PerLayer p && Arrays.equals(lambdas, p.lambdas);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(lambdas);
        }

        @Override
        public String toString() {
            return "PerLayer" + Arrays.toString(lambdas);
        }
    }
}
