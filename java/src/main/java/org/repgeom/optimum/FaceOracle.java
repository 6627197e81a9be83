package org.repgeom.optimum;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Exact oracle over an enumerated list of faces ({@link FaceEnumeration}): the minimum of the
 * energy over all neurons is attained in the relative interior of some face, where it is a top
 * generalised eigenvector; so the lowest energy over the faces' eigenvectors that keep their
 * face's signs is the exact minimum.
 */
final class FaceOracle implements AtomOracle {
    private final OptimumProblem pr;
    private final List<Face> faces;

    FaceOracle(OptimumProblem pr, List<Face> faces) {
        this.pr = pr;
        this.faces = faces;
    }

    @Override
    public Search search(ReadoutState st, List<Candidate> warm, int limit, double ceiling) {
        int n = faces.size();
        int chunks = Math.max(1, Math.min(64, n / 256));
        int dY = pr.dY;
        CandidateSink all = new CandidateSink(limit, ceiling);
        IntStream.range(0, chunks).parallel().mapToObj(ch -> {
            CandidateSink sink = new CandidateSink(limit, ceiling);
            int maxQ = pr.rank;
            double[] m = new double[maxQ * dY], t = new double[dY * dY], v = new double[dY];
            for (int i = ch; i < n; i += chunks) AtomOracle.solveFace(faces.get(i), st, pr, m, t, v, sink);
            return sink;
        }).toList().forEach(all::addAll);
        // the sinks keep the lowest energies, so the first kept candidate is the minimum over all faces
        List<Candidate> sorted = all.sorted();
        double min = sorted.isEmpty() ? Double.POSITIVE_INFINITY : sorted.get(0).energy();
        return new Search(sorted, min, true, method());
    }

    @Override
    public boolean exact() {
        return true;
    }

    @Override
    public String method() {
        return pr.negativeSlope == 1.0 ? "exact: generalised eigenproblem on col(K_X) (linear)"
                : "exact: " + faces.size() + " faces of the activation arrangement (rank " + pr.rank + ")";
    }
}
