package org.repgeom.study.spec;

import java.util.Arrays;
import java.util.Objects;
import org.repgeom.model.Architecture;

/**
 * One network of a study: everything that distinguishes it from the other members. Settings
 * shared by the whole study (optimizer kind, schedule, init scale, stopping rule) stay in
 * {@link StudySpec}.
 *
 * @param id           position in the study's grid order, 0-based
 * @param seed         seed of the initial weights
 * @param architecture the network shape and activation
 * @param lambdas      λ_l ≥ 0 per weight layer, {@code architecture.layerCount()} values
 * @param lr           initial learning rate &gt; 0
 */
public record MemberSpec(int id, long seed, Architecture architecture, double[] lambdas, double lr) {

    public MemberSpec {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(lambdas, "lambdas");
        if (id < 0) throw new IllegalArgumentException("id must be ≥ 0, got " + id);
        if (lambdas.length != architecture.layerCount()) {
            throw new IllegalArgumentException(lambdas.length + " λ values for " + architecture.layerCount()
                    + " weight layers");
        }
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
        lambdas = lambdas.clone();
    }

    /** λ per weight layer (a fresh copy). */
    @Override
    public double[] lambdas() {
        return lambdas.clone();
    }

    /** λ of weight layer {@code layer} (0 = first layer, L = readout), without copying. */
    public double lambda(int layer) {
        return lambdas[layer];
    }

    /**
     * The member's configuration without its seed, e.g. {@code relu|w=16x16|lambda=0.01|lr=0.01}
     * ({@code relu|w=16|lambda=0.01|lr=0.01|T=3} for a recurrent member: the time steps last, so the
     * first four parts mean the same for every member);
     * per-layer λ that differ are joined by '/' ({@code lambda=0.01/0.001}). Members that differ
     * only in seed share it, so it is the key for aggregating results over seeds.
     */
    public String configurationKey() {
        return architecture.activation().id() + "|w=" + architecture.widthsLabel()
                + "|lambda=" + lambdasLabel() + "|lr=" + SpecValues.formatNumber(lr) + recurrenceLabel();
    }

    /** {@code |T=3} for a recurrent member ({@code |T=3,first} when only the first step sees x); empty otherwise. */
    private String recurrenceLabel() {
        org.repgeom.model.Recurrence r = architecture.recurrence();
        if (r == null) return "";
        return "|T=" + r.timeSteps() + (r.input() == org.repgeom.model.Recurrence.Input.FIRST ? ",first" : "");
    }

    private String lambdasLabel() {
        return org.repgeom.io.NumberText.exact(lambdas);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemberSpec m && id == m.id && seed == m.seed && architecture.equals(m.architecture)
                && Arrays.equals(lambdas, m.lambdas) && Double.compare(lr, m.lr) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, seed, architecture, Arrays.hashCode(lambdas), lr);
    }

    @Override
    public String toString() {
        return "Member#" + id + "[seed=" + seed + ", " + configurationKey() + ", " + architecture + "]";
    }
}
