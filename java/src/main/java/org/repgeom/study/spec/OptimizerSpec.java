package org.repgeom.study.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code optimizer:} section. The learning rate decays geometrically from {@code lr} at step 0
 * to {@code lr · finalLrRatio} at {@code train.max_steps} (ratio 1: constant). Parameters a kind
 * does not use are 0.
 *
 * @param kind         gradient descent, heavy-ball momentum or Adam
 * @param lr           initial learning rate &gt; 0 (the default of {@code grid.lr})
 * @param finalLrRatio ratio of final to initial learning rate, in (0, 1]
 * @param momentum     momentum coefficient in [0, 1) ({@link Kind#MOMENTUM} only)
 * @param beta1        Adam first-moment decay in [0, 1) ({@link Kind#ADAM} only)
 * @param beta2        Adam second-moment decay in [0, 1) ({@link Kind#ADAM} only)
 * @param eps          Adam denominator offset &gt; 0 ({@link Kind#ADAM} only)
 */
public record OptimizerSpec(Kind kind, double lr, double finalLrRatio, double momentum, double beta1,
                            double beta2, double eps) {

    /** The optimizer algorithms. */
    public enum Kind {
        /** Plain gradient descent. */
        GD,
        /** Gradient descent with heavy-ball momentum. */
        MOMENTUM,
        /** Adam (Kingma and Ba 2015) with bias correction. */
        ADAM;

        /** The name used in specs: lower case. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final List<String> KEYS = List.of("kind", "lr", "final_lr_ratio", "momentum", "beta1", "beta2", "eps");

    public OptimizerSpec {
        Objects.requireNonNull(kind, "kind");
    }

    /** Adam with every default of the spec format. */
    public static OptimizerSpec defaults() {
        return new OptimizerSpec(Kind.ADAM, 1e-2, 1e-4, 0, 0.9, 0.999, 1e-8);
    }

    /** Reads and validates the {@code optimizer:} section (absent: {@link #defaults()}). */
    static OptimizerSpec read(SpecSection s) {
        s.allowOnly(KEYS);
        List<String> kinds = Arrays.stream(Kind.values()).map(Kind::id).toList();
        Kind kind = Kind.valueOf(s.choice("kind", kinds, "adam", "optimizer kind").toUpperCase(Locale.ROOT));
        double lr = SpecValues.positive(s.field("lr"), s.number("lr", 1e-2));
        double ratio = SpecValues.unitIntervalOpenBelow(s.field("final_lr_ratio"), s.number("final_lr_ratio", 1e-4));

        double momentum = 0;
        if (kind == Kind.MOMENTUM) {
            momentum = SpecValues.unitIntervalOpenAbove(s.field("momentum"), s.number("momentum", 0.9));
        } else {
            s.forbid("momentum", "only for optimizer kind 'momentum', not '" + kind.id() + "'");
        }
        double beta1 = 0;
        double beta2 = 0;
        double eps = 0;
        if (kind == Kind.ADAM) {
            beta1 = SpecValues.unitIntervalOpenAbove(s.field("beta1"), s.number("beta1", 0.9));
            beta2 = SpecValues.unitIntervalOpenAbove(s.field("beta2"), s.number("beta2", 0.999));
            eps = SpecValues.positive(s.field("eps"), s.number("eps", 1e-8));
        } else {
            for (String key : List.of("beta1", "beta2", "eps")) {
                s.forbid(key, "only for optimizer kind 'adam', not '" + kind.id() + "'");
            }
        }
        return new OptimizerSpec(kind, lr, ratio, momentum, beta1, beta2, eps);
    }
}
