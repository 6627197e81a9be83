package org.repgeom.train;

import java.util.Locale;

/** Update rules: plain gradient descent, heavy-ball momentum, Adam. */
public enum OptimizerKind {
    GD, MOMENTUM, ADAM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
