package org.repgeom.model;

import java.util.Locale;

/**
 * What makes an {@link Architecture} a vanilla recurrent network: {@code h_0 = 0},
 * {@code h_{t+1} = φ(W h_t + U x_t + b)} for t = 0…T−1, readout {@code y = W_out h_T}.
 *
 * @param timeSteps T ≥ 1, the number of recurrent updates before the readout
 * @param input     which steps see the input ({@code x_t = x} at every step, or only at t = 0 and
 *                  {@code x_t = 0} after)
 */
public record Recurrence(int timeSteps, Input input) {
    /** Largest T accepted: longer unrolls are almost certainly a typo. */
    public static final int MAX_TIME_STEPS = 1024;

    /** Which time steps receive the input ({@code model.input} in a spec). */
    public enum Input {
        /** {@code x_t = x} for every t. */
        EVERY,
        /** {@code x_0 = x}, {@code x_t = 0} for t ≥ 1 (the bias still enters every step). */
        FIRST;

        /** The spec name ({@code every | first}). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The native code (0, 1). */
        public int code() {
            return ordinal();
        }
    }

    public Recurrence {
        if (timeSteps < 1 || timeSteps > MAX_TIME_STEPS) {
            throw new IllegalArgumentException("time steps must be in [1, " + MAX_TIME_STEPS + "], got " + timeSteps);
        }
        if (input == null) throw new IllegalArgumentException("input mode is required");
    }

    /** Whether step t (0-based) sees the input. */
    public boolean inputAt(int t) {
        return input == Input.EVERY || t == 0;
    }
}
