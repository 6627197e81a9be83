package org.repgeom.optimum;

import java.util.List;

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
        // the sinks keep the lowest energies, so the first kept candidate is the minimum over all faces
        return CandidateSink.gather(chunks, limit, ceiling, (sink, ch) -> {
            double[] m = new double[pr.rank * dY], t = new double[dY * dY], v = new double[dY];
            for (int i = ch; i < n; i += chunks) AtomOracle.solveFace(faces.get(i), st, pr, m, t, v, sink);
        }).result(true, method(), Double.POSITIVE_INFINITY);
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
