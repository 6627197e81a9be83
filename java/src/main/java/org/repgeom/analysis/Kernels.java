package org.repgeom.analysis;

import org.repgeom.task.Task;

/**
 * Linear kernels of a task's data (docs/science.md §4.1): output kernel {@code K_Y = YᵀY} and augmented
 * input kernel {@code K_X = X̃ᵀX̃} with {@code X̃ = [X; 1ᵀ]} (the row of ones carries the
 * first-layer bias). All kernels are P×P row-major.
 */
public final class Kernels {
    private Kernels() {
    }

    /**
     * Linear kernel of a feature matrix: {@code AᵀA}, {@code (AᵀA)[p][q] = Σ_i A[i][p] A[i][q]}.
     *
     * @param a features × samples, row-major
     */
    public static double[] linear(double[] a, int rows, int samples) {
        return RepresentationKernel.of(a, rows, samples);
    }

    /** {@code K_Y = YᵀY}. */
    public static double[] outputKernel(Task task) {
        return linear(task.yData(), task.outputDim(), task.samples());
    }

    /** {@code K_X = X̃ᵀX̃ = XᵀX + 11ᵀ}, with {@code X̃ = [X; 1ᵀ]}. */
    public static double[] augmentedInputKernel(Task task) {
        return augmentedLinear(task.xData(), task.inputDim(), task.samples());
    }

    /** {@code AᵀA + 11ᵀ}: the linear kernel of A with a constant row of ones appended. */
    public static double[] augmentedLinear(double[] a, int rows, int samples) {
        double[] k = linear(a, rows, samples);
        for (int i = 0; i < k.length; i++) {
            k[i] += 1.0;
        }
        return k;
    }
}
