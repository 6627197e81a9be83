package org.repgeom.study.spec;

import org.repgeom.model.Architecture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.repgeom.model.Activation;
import org.repgeom.model.Bias;
import org.repgeom.model.Recurrence;

/**
 * The {@code model:} section: the architecture family. Activations, widths and depths are grid
 * axes; the hidden-width arrays a study covers are {@link #hiddenShapes()}.
 *
 * @param activations     the activation axis, distinct, in spec order
 * @param widths          the width axis, in spec order
 * @param depths          hidden-layer counts L ≥ 1 applied to {@link WidthEntry.Uniform} entries
 * @param bias            {@code bias: first | all | none}: which hidden layers carry a bias
 * @param initScale       multiplier of the initial weights, &gt; 0
 * @param timeSteps       {@code kind: rnn}: the {@code time_steps} axis (T ≥ 1 each, distinct); empty for
 *                        {@code kind: mlp} (feedforward)
 * @param input           {@code kind: rnn}: {@code input: every | first}, which steps see x; null for mlp
 *
 * <p>{@code kind: rnn} makes every member a vanilla recurrent network ({@link Recurrence}) with one hidden
 * state per integer width; {@code depth} and {@code bias} do not apply (the bias is part of the input group).
 */
public record ModelSpec(List<Activation> activations, List<WidthEntry> widths, List<Integer> depths,
                        Bias bias, double initScale, List<Integer> timeSteps, Recurrence.Input input) {

    /** A feedforward family. */
    public ModelSpec(List<Activation> activations, List<WidthEntry> widths, List<Integer> depths, Bias bias,
                     double initScale) {
        this(activations, widths, depths, bias, initScale, List.of(), null);
    }

    /** {@code bias: all} (true) or {@code bias: first} (false). */
    public ModelSpec(List<Activation> activations, List<WidthEntry> widths, List<Integer> depths,
                     boolean biasOnAllHidden, double initScale) {
        this(activations, widths, depths, biasOnAllHidden ? Bias.ALL : Bias.FIRST, initScale);
    }

    /** True for {@code bias: all}. */
    public boolean biasOnAllHidden() {
        return bias == Bias.ALL;
    }

    /** Largest hidden width accepted: wider layers are almost certainly a typo. */
    public static final int MAX_WIDTH = 65536;

    static final List<String> KEYS = List.of("kind", "activation", "widths", "depth", "bias", "init_scale", "time_steps",
            "input");
    private static final List<String> BIAS_CHOICES = List.of("first", "all", "none");
    private static final List<String> KIND_CHOICES = List.of("mlp", "rnn");
    private static final List<String> INPUT_CHOICES = List.of("every", "first");

    public ModelSpec {
        activations = List.copyOf(activations);
        widths = List.copyOf(widths);
        depths = List.copyOf(depths);
        timeSteps = List.copyOf(timeSteps);
        if (timeSteps.isEmpty() != (input == null)) {
            throw new IllegalArgumentException("a recurrent family needs both time steps and an input mode");
        }
        if (bias == null) throw new IllegalArgumentException("bias is required");
        if (activations.isEmpty() || widths.isEmpty() || depths.isEmpty()) {
            throw new IllegalArgumentException("activations, widths and depths must not be empty");
        }
    }

    /** True for {@code kind: rnn}. */
    public boolean isRecurrent() {
        return !timeSteps.isEmpty();
    }

    /** Networks per activation: hidden shapes, times the time-step axis for a recurrent family. */
    public int networkCount() {
        return hiddenShapes().size() * Math.max(1, timeSteps.size());
    }

    /**
     * Network {@code index} (0 ≤ index &lt; {@link #networkCount()}) of activation {@code act}, in grid
     * order: the time-step axis outside the width axis for a recurrent family.
     */
    public Architecture architecture(int inputDim, int outputDim, Activation act, int index) {
        List<int[]> shapes = hiddenShapes();
        if (!isRecurrent()) return new Architecture(inputDim, shapes.get(index), outputDim, act, bias);
        Recurrence r = new Recurrence(timeSteps.get(index / shapes.size()), input);
        return Architecture.recurrent(inputDim, shapes.get(index % shapes.size())[0], outputDim, act, r);
    }

    /**
     * Every hidden-width array of the study in grid order: for each width entry, a uniform width
     * once per depth, an explicit list as is. Fresh arrays on every call.
     */
    public List<int[]> hiddenShapes() {
        List<int[]> shapes = new ArrayList<>();
        for (WidthEntry entry : widths) {
            shapes.addAll(entry.shapes(depths));
        }
        return shapes;
    }

    /** Reads and validates the {@code model:} section. */
    static ModelSpec read(SpecSection s) {
        s.allowOnly(KEYS);
        boolean recurrent = s.choice("kind", KIND_CHOICES, "mlp", "model kind").equals("rnn");
        List<Activation> activations = readActivations(s);
        s.require("widths", "a width or a list of widths (each an integer or a list of per-layer integers)");
        List<WidthEntry> widths = readWidths(s);
        List<Integer> timeSteps = List.of();
        Recurrence.Input input = null;
        if (recurrent) {
            for (String key : List.of("depth", "bias")) {
                if (s.has(key)) {
                    throw new SpecException(s.field(key), "does not apply to kind: rnn (one hidden state; its bias is part"
                            + " of the input weights [U, b]); remove it");
                }
            }
            for (int i = 0; i < widths.size(); i++) {
                if (!(widths.get(i) instanceof WidthEntry.Uniform)) {
                    throw new SpecException(s.axisField("widths", i), "kind: rnn has one hidden state: give its width as"
                            + " an integer");
                }
            }
            s.require("time_steps", "the number of recurrent steps T (an integer ≥ 1, or a list of them)");
            timeSteps = readTimeSteps(s);
            input = Recurrence.Input.valueOf(s.choice("input", INPUT_CHOICES, "every", "input mode")
                    .toUpperCase(Locale.ROOT));
        } else {
            for (String key : List.of("time_steps", "input")) {
                if (s.has(key)) throw new SpecException(s.field(key), "applies only to kind: rnn; remove it or set kind: rnn");
            }
        }
        List<Integer> depths = readDepths(s, widths);
        Bias bias = Bias.valueOf(s.choice("bias", BIAS_CHOICES, "first", "bias setting").toUpperCase(Locale.ROOT));
        double initScale = SpecValues.positive(s.field("init_scale"), s.number("init_scale", 1.0));
        ModelSpec model = new ModelSpec(activations, widths, depths, bias, initScale, timeSteps, input);
        rejectRepeatedShapes(s, model);
        return model;
    }

    private static List<Activation> readActivations(SpecSection s) {
        if (!s.has("activation")) return List.of(Activation.RELU);
        List<String> names = Arrays.stream(Activation.values()).map(Activation::id).toList();
        List<?> entries = s.axis("activation");
        List<Activation> activations = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = s.axisField("activation", i);
            String name = SpecSection.oneOf(field, entries.get(i), names, "activation");
            Activation a = Activation.valueOf(name.toUpperCase(Locale.ROOT));
            if (activations.contains(a)) throw new SpecException(field, "activation '" + name + "' is listed twice");
            activations.add(a);
        }
        return activations;
    }

    private static List<WidthEntry> readWidths(SpecSection s) {
        List<?> entries = s.axis("widths");
        List<WidthEntry> widths = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = s.axisField("widths", i);
            Object entry = entries.get(i);
            if (entry instanceof List<?> layers) {
                if (layers.isEmpty()) {
                    throw new SpecException(field, "an explicit per-layer width list needs at least one hidden layer");
                }
                int[] perLayer = new int[layers.size()];
                for (int j = 0; j < perLayer.length; j++) {
                    perLayer[j] = readWidth(field + "[" + j + "]", layers.get(j));
                }
                widths.add(new WidthEntry.PerLayer(perLayer));
            } else if (entry instanceof Map) {
                throw new SpecException(field, "expected a width (integer) or a list of per-layer widths, got a mapping");
            } else {
                widths.add(new WidthEntry.Uniform(readWidth(field, entry)));
            }
        }
        return widths;
    }

    private static List<Integer> readTimeSteps(SpecSection s) {
        List<?> entries = s.axis("time_steps");
        List<Integer> steps = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = s.axisField("time_steps", i);
            int t = (int) SpecValues.between(field, SpecValues.toInt(field, entries.get(i)), 1, Recurrence.MAX_TIME_STEPS);
            if (steps.contains(t)) throw new SpecException(field, "time_steps " + t + " is listed twice");
            steps.add(t);
        }
        return steps;
    }

    private static int readWidth(String field, Object value) {
        return (int) SpecValues.between(field, SpecValues.toInt(field, value), 1, MAX_WIDTH);
    }

    private static List<Integer> readDepths(SpecSection s, List<WidthEntry> widths) {
        if (!s.has("depth")) return List.of(1);
        if (widths.stream().noneMatch(w -> w instanceof WidthEntry.Uniform)) {
            throw new SpecException(s.field("depth"), "applies only to integer entries of model.widths, but every entry"
                    + " is an explicit per-layer list (its length is the depth); remove 'depth'");
        }
        List<?> entries = s.axis("depth");
        List<Integer> depths = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = s.axisField("depth", i);
            int depth = (int) SpecValues.atLeast(field, SpecValues.toInt(field, entries.get(i)), 1);
            if (depths.contains(depth)) throw new SpecException(field, "depth " + depth + " is listed twice");
            depths.add(depth);
        }
        return depths;
    }

    /** Two width entries producing the same hidden widths would train the same networks twice. */
    private static void rejectRepeatedShapes(SpecSection s, ModelSpec model) {
        List<int[]> seen = new ArrayList<>();
        List<Integer> origin = new ArrayList<>();
        for (int i = 0; i < model.widths.size(); i++) {
            for (int[] shape : model.widths.get(i).shapes(model.depths)) {
                for (int k = 0; k < seen.size(); k++) {
                    if (Arrays.equals(seen.get(k), shape)) {
                        throw new SpecException(s.axisField("widths", i), "gives hidden widths "
                                + Architecture.widthsLabel(shape) + " again (already from model.widths[" + origin.get(k)
                                + "]); each network shape may appear once");
                    }
                }
                seen.add(shape);
                origin.add(i);
            }
        }
    }
}
