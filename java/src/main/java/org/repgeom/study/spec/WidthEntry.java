package org.repgeom.study.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One entry of the {@code model.widths} grid axis: either one width for every hidden layer
 * (combined with each {@code model.depth}) or an explicit list of per-layer widths whose length
 * is the depth.
 */
public sealed interface WidthEntry permits WidthEntry.Uniform, WidthEntry.PerLayer {

    /** The hidden-width arrays this entry contributes, in grid order, given the depth axis. */
    List<int[]> shapes(List<Integer> depths);

    /** The same width in every hidden layer; expanded over every depth. */
    record Uniform(int width) implements WidthEntry {
        public Uniform {
            if (width <= 0) throw new IllegalArgumentException("width must be positive, got " + width);
        }

        @Override
        public List<int[]> shapes(List<Integer> depths) {
            List<int[]> shapes = new ArrayList<>(depths.size());
            for (int depth : depths) {
                int[] widths = new int[depth];
                Arrays.fill(widths, width);
                shapes.add(widths);
            }
            return shapes;
        }
    }

    /** Explicit widths, one per hidden layer; the depth axis does not apply. */
    record PerLayer(int[] widths) implements WidthEntry {
        public PerLayer {
            if (widths == null || widths.length == 0) throw new IllegalArgumentException("at least one hidden layer");
            for (int w : widths) {
                if (w <= 0) throw new IllegalArgumentException("widths must be positive, got " + w);
            }
            widths = widths.clone();
        }

        @Override
        public int[] widths() {
            return widths.clone();
        }

        @Override
        public List<int[]> shapes(List<Integer> depths) {
            return List.of(widths.clone());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PerLayer p && Arrays.equals(widths, p.widths);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(widths);
        }

        @Override
        public String toString() {
            return "PerLayer" + Arrays.toString(widths);
        }
    }
}
