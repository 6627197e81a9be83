package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.List;

/**
 * A cheap local search drives column generation and an exact oracle certifies: each search first
 * asks the local search; while it finds a neuron of energy below {@value #DRIVE} (units of λ1)
 * that result is used (it is a real neuron, so adding it is progress, though its minimum proves
 * nothing); only when the local search runs dry does the exact oracle sweep, once per readout state
 * (later calls on the same state, such as the optimal-face search, reuse its candidates). The
 * stopping rule therefore always rests on an exact minimum.
 */
final class CertifyingOracle implements AtomOracle {
    /** Local-search energy below which its neurons are used without an exact sweep. */
    static final double DRIVE = -1e-8;
    /**
     * Candidates the exact sweep keeps for reuse (a later call on the same state gets at most these),
     * and its ceiling (the optimal face needs the zero-energy ones).
     */
    private static final int KEEP = 64;
    private static final double KEEP_CEILING = 1e-6;
    /** Candidates a fresh sweep hands to the solver (more than a local-search round: sweeps are few). */
    private static final int SWEEP_HANDOUT = 32;

    private final AtomOracle driver;
    private final AtomOracle exact;
    private final List<java.util.function.IntFunction<AtomOracle>> wider;
    private int widened;
    private ReadoutState cachedState;
    private Search cached;
    private double cachedCeiling;
    private int cachedLimit;
    private int sweeps;

    CertifyingOracle(AtomOracle driver, AtomOracle exact) {
        this(driver, List.of(), exact);
    }

    /**
     * @param wider wider local searches by call number (deterministic: random starts may depend on
     *              the count only), tried in order when the driver finds nothing and before the
     *              exact sweep; each starts from the warm neurons and the last sweep's
     */
    CertifyingOracle(AtomOracle driver, List<java.util.function.IntFunction<AtomOracle>> wider, AtomOracle exact) {
        this.driver = driver;
        this.wider = wider;
        this.exact = exact;
    }

    /** Exact sweeps run so far. */
    int sweeps() {
        return sweeps;
    }

    @Override
    public synchronized Search search(ReadoutState st, List<Candidate> warm, int limit, double ceiling) {
        boolean fresh = false;
        if (st != cachedState || ceiling > cachedCeiling) {
            fresh = true;
            if (st != cachedState) {
                Search s = driver.search(st, warm, limit, ceiling);
                if (s.minEnergy() < DRIVE) return s;
                // before a sweep, a wider local search (fresh random starts each time, from the
                // neurons the last sweep found too): far cheaper, and it often finds what the sweep would
                List<Candidate> starts = new ArrayList<>(warm);
                if (cached != null) starts.addAll(cached.candidates());
                int call = sweeps + widened++;
                for (java.util.function.IntFunction<AtomOracle> w : wider) {
                    s = w.apply(call).search(st, starts, limit, ceiling);
                    if (s.minEnergy() < DRIVE) return s;
                }
            }
            cachedCeiling = Math.max(ceiling, KEEP_CEILING);
            cachedLimit = Math.max(limit, KEEP);
            cached = exact.search(st, warm, cachedLimit, cachedCeiling);
            cachedState = st;
            sweeps++;
        }
        // a sweep is costly and the local search missed what it found: hand over more of its neurons
        int give = fresh ? Math.max(limit, SWEEP_HANDOUT) : limit;
        List<Candidate> out = new ArrayList<>();
        for (Candidate c : cached.candidates()) {
            if (out.size() < give && c.energy() <= ceiling) out.add(c);
        }
        return new Search(out, cached.minEnergy(), true, method());
    }

    @Override
    public boolean exact() {
        return true;
    }

    @Override
    public String method() {
        return exact.method() + "; a local search drives the rounds";
    }
}
