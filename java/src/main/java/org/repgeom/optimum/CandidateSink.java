package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** Keeps the {@code limit} lowest-energy candidates offered to it (one per face), for one worker. */
final class CandidateSink {
    private final int limit;
    private final PriorityQueue<Candidate> worst = new PriorityQueue<>(Comparator.comparingDouble(Candidate::energy).reversed());
    private final double ceiling;
    private final java.util.Map<Face, Candidate> byFace = new java.util.HashMap<>();

    /** Keeps at most {@code limit} candidates with energy ≤ ceiling. */
    CandidateSink(int limit, double ceiling) {
        this.limit = limit;
        this.ceiling = ceiling;
    }

    /** Whether a candidate of this energy would be kept (lets workers skip building it). */
    boolean wants(double energy) {
        if (!(energy <= ceiling)) return false;
        return worst.size() < limit || energy < worst.peek().energy();
    }

    /** The energy a new candidate must stay at or below to be kept (the ceiling, or the worst kept when full). */
    double threshold() {
        return worst.size() < limit ? ceiling : Math.min(ceiling, worst.peek().energy());
    }

    void offer(Candidate c) {
        if (!wants(c.energy())) return;
        // one candidate per face: the lower energy wins
        Candidate same = byFace.get(c.face());
        if (same != null) {
            if (same.energy() <= c.energy()) return;
            worst.remove(same);
        }
        worst.add(c);
        byFace.put(c.face(), c);
        if (worst.size() > limit) byFace.remove(worst.poll().face());
    }

    void addAll(CandidateSink other) {
        for (Candidate c : other.worst) offer(c);
    }

    /**
     * Runs {@code work(sink, chunk)} for every chunk in [0, chunks) in parallel, each into its own
     * sink, and merges the sinks in chunk order: the candidates kept are the lowest over all chunks,
     * whatever the threads' timing.
     */
    static CandidateSink gather(int chunks, int limit, double ceiling, java.util.function.ObjIntConsumer<CandidateSink> work) {
        CandidateSink all = new CandidateSink(limit, ceiling);
        java.util.stream.IntStream.range(0, chunks).parallel().mapToObj(ch -> {
            CandidateSink sink = new CandidateSink(limit, ceiling);
            work.accept(sink, ch);
            return sink;
        }).toList().forEach(all::addAll);
        return all;
    }

    /**
     * The kept candidates as an oracle's answer; its minimum is the lowest kept energy, or
     * {@code floor} where that is lower (a bound the search proved without a neuron to show).
     */
    AtomOracle.Search result(boolean exact, String method, double floor) {
        List<Candidate> sorted = sorted();
        double min = sorted.isEmpty() ? Double.POSITIVE_INFINITY : sorted.get(0).energy();
        return new AtomOracle.Search(sorted, Math.min(min, floor), exact, method);
    }

    /** The kept candidates, lowest energy first. */
    List<Candidate> sorted() {
        List<Candidate> out = new ArrayList<>(worst);
        out.sort(Comparator.comparingDouble(Candidate::energy));
        return out;
    }
}
