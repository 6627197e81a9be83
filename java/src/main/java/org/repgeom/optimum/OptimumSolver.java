package org.repgeom.optimum;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Global minimum over all widths of a two-layer network with a 1-homogeneous activation, by
 * fully corrective column generation on the convex measure formulation (docs/optimum.md):
 * <ol>
 * <li>ask the oracle for the neurons of most negative energy {@code e(h) = 1 − (λ2/λ1) φ(h)ᵀGφ(h)}
 *   (unit mass) at the current readout state;</li>
 * <li>stop when the gap between the loss J and the bound {@code D + min(0, e_min)·J} is below
 *   {@code tol·J} (the total mass of any better network is at most J/λ1, so no network can gain
 *   more than {@code |e_min| λ1 · J/λ1});</li>
 * <li>otherwise add them, re-optimise all masses ({@link MassSolver}), drop empty neurons, let
 *   the neurons settle inside their faces ({@link DirectionPolish}) and repeat.</li>
 * </ol>
 * At the end the zero-energy neurons span the optimal face ({@link OptimalFace}): its vertices give
 * a narrowest optimal network and its extreme kernels the diameter of the optimal kernel set.
 */
public final class OptimumSolver {

    /**
     * @param tol          relative gap at which the solve stops
     * @param certifyTol   relative gap up to which an exact oracle's result counts as certified
     * @param maxRounds    column-generation rounds at most
     * @param timeLimit    seconds (the solve stops, uncertified, when exceeded)
     * @param faceBudget   most faces enumerated for an exact oracle
     * @param randomStarts random starts of the sampled oracle
     */
    public record Options(double tol, double certifyTol, int maxRounds, double timeLimit, long faceBudget, int randomStarts) {
        public static Options defaults() {
            return new Options(1e-10, 1e-8, 200, 600, 2_000_000, 32);
        }
    }

    static final boolean DEBUG = Boolean.getBoolean("repgeom.optimum.debug");
    private final OptimumProblem pr;
    private final Options o;
    private final AtomOracle oracle;
    /** The loss J at the start of every round of the last solve (it never increases). */
    private final List<Double> lossTrace = new ArrayList<>();

    public OptimumSolver(OptimumProblem pr, Options o) {
        this(pr, o, chooseOracle(pr, o));
    }

    /** With a given oracle (tests compare the local search with the exact oracles). */
    OptimumSolver(OptimumProblem pr, Options o, AtomOracle oracle) {
        this.pr = pr;
        this.o = o;
        this.oracle = oracle;
    }

    static AtomOracle chooseOracle(OptimumProblem pr, Options o) {
        if (pr.negativeSlope == 0.0 && pr.p <= SupportOracle.MAX_P && pr.inverseIsMMatrix()) return new SupportOracle(pr);
        if (pr.negativeSlope == 1.0) return faces(pr, o.faceBudget());
        // a short face list is the quickest exact oracle; beyond it the sweep certifies what a local search finds
        AtomOracle listed = FaceEnumeration.inReach(pr, o.faceBudget()) ? faces(pr, Math.min(o.faceBudget(), LISTED_FACES)) : null;
        if (listed != null) return listed;
        SampledOracle local = new SampledOracle(pr, o.randomStarts(), 0x0b7L);
        if (pr.p <= FaceSweep.MAX_P) {
            NeighbourhoodOracle near = new NeighbourhoodOracle(pr, NEIGHBOURHOOD);
            return new CertifyingOracle(local, List.of(call -> near, call -> new SampledOracle(pr, WIDE_STARTS, 0x51deL + call)),
                    new FaceSweep(pr));
        }
        if (FaceEnumeration.inReach(pr, o.faceBudget())) {
            AtomOracle all = faces(pr, o.faceBudget());
            if (all != null) return new CertifyingOracle(local, all);
        }
        return local;
    }

    /** Samples in which the faces searched around the current neurons before a sweep may differ. */
    static final int NEIGHBOURHOOD = 3;

    /** Random starts of the wider local search tried before each exact sweep. */
    private static final int WIDE_STARTS = 512;

    /** Faces listed up front (beyond this the sweep, which builds none, is used). */
    private static final long LISTED_FACES = 100_000;

    private static AtomOracle faces(OptimumProblem pr, long budget) {
        try {
            return new FaceOracle(pr, FaceEnumeration.enumerate(pr, budget));
        } catch (FaceEnumeration.TooMany e) {
            return null;
        }
    }

    /** Exact sweeps the oracle ran (0 unless a local search drives and a sweep certifies). */
    int sweeps() {
        return oracle instanceof CertifyingOracle c ? c.sweeps() : 0;
    }

    public String method() {
        return oracle.method();
    }

    /** Solves; deterministic for a given problem and options. */
    public Optimum solve() {
        long t0 = System.nanoTime();
        List<Atom> atoms = new ArrayList<>();
        lossTrace.clear();
        ReadoutState st = new ReadoutState(pr, new double[pr.p * pr.p]);
        double j = pr.emptyLoss();
        AtomOracle.Search search = null;
        int round = 0;
        double bound = Double.NaN;
        for (; round < o.maxRounds(); round++) {
            search = oracle.search(st, warm(atoms), 8, SEARCH_CEILING);
            double eMin = search.minEnergy();
            bound = st.dualValue() + Math.min(0, eMin) * j;
            lossTrace.add(j);
            if (DEBUG) System.err.printf("%.1fs round %d J=%.15g D=%.15g eMin=%.3e atoms=%d cands=%d%n", seconds(t0), round, j, st.dualValue(), eMin, atoms.size(), search.candidates().size());
            if (j - bound <= stopTolerance(search, round) * j) break;
            if (seconds(t0) > o.timeLimit()) break;
            int before = atoms.size();
            for (Candidate c : search.candidates()) {
                if (c.energy() < 0) {
                    Atom a = new Atom(c.face(), c.c().clone());
                    a.scaleToMass(NEW_ATOM_MASS); // enters the mass solve at zero mass
                    atoms.add(a);
                }
            }
            if (atoms.size() == before && round > 0 && !improvable(atoms, st)) break;
            st = reoptimise(atoms);
            j = loss(atoms, st);
        }
        if (search == null) search = oracle.search(st, warm(atoms), 8, SEARCH_CEILING);
        // nothing at or below the ceiling (e.g. the empty network is optimal): the actual minimum
        if (!Double.isFinite(search.minEnergy())) search = oracle.search(st, warm(atoms), 1, Double.POSITIVE_INFINITY);
        double eMin = search.minEnergy();
        bound = st.dualValue() + Math.min(0, eMin) * j;

        // the optimal face: narrowest network and the diameter of the optimal kernels
        List<Candidate> zero = new ArrayList<>(oracle.search(st, warm(atoms), 512, ZERO_ENERGY).candidates());
        zero.addAll(warm(atoms));
        OptimalFace face = new OptimalFace(pr, st, zero, j);
        List<double[]> extremes = face.extremes(4, 17);
        double diameter = 0;
        List<double[]> kernels = new ArrayList<>();
        kernels.add(st.k);
        for (double[] m : extremes) kernels.add(face.kernel(m));
        for (int x = 0; x < kernels.size(); x++) {
            for (int y = x + 1; y < kernels.size(); y++) diameter = Math.max(diameter, Dense.distance(kernels.get(x), kernels.get(y)));
        }
        // reweighted ℓ1 from the solver's own masses (its neurons are the last candidates)
        double[] own = new double[zero.size()];
        int at = zero.size();
        for (int i = atoms.size() - 1; i >= 0; i--) if (atoms.get(i).mass() > 0) own[--at] = atoms.get(i).mass();
        List<double[]> vertices = new ArrayList<>(extremes);
        vertices.addAll(face.sparse(own, 4));
        List<Atom> narrow = narrowest(face, vertices, atoms.size(), j);
        if (narrow != null) {
            atoms = narrow;
            st = stateOf(atoms);
            j = loss(atoms, st);
        }
        if (pr.negativeSlope != 1.0) {
            List<Atom> fewer = withoutRedundant(atoms, j);
            if (fewer != null) {
                atoms = fewer;
                st = stateOf(atoms);
                j = loss(atoms, st);
            }
        }
        if (pr.negativeSlope == 1.0 && !atoms.isEmpty()) {
            List<Atom> eigen = eigenNeurons(atoms.get(0).face, st.k);
            ReadoutState se = stateOf(eigen);
            double je = loss(eigen, se);
            if (eigen.size() < atoms.size() && je <= j * (1 + 1e-10)) {
                atoms = eigen;
                st = se;
                j = je;
            }
        }
        boolean certified = search.exact() && j - bound <= o.certifyTol() * j;
        return build(atoms, st, j, search.exact() ? bound : Double.NaN, certified, eMin, diameter, round, seconds(t0));
    }

    /**
     * The relative gap at which the rounds stop: {@code tol}, except where the exact answer came from
     * a sweep of the sign patterns (seconds each, against milliseconds for a round of local search),
     * or after {@value #PATIENT_ROUNDS} rounds: there the certification tolerance. Near the optimum
     * the local search keeps finding neurons of energy about −1e-8 that each buy about 1e-11 of the
     * loss, so without this a solve that is already certified would sweep once per round for many
     * rounds (measured on a P = 16 task with dY = 1: certified at round 98 and 23 s, stopped only at
     * round 130 and 135 s), and a P = 64 solve with a hundred neurons would spend its rounds (seconds
     * each in the mass solve) on the last digits.
     */
    private double stopTolerance(AtomOracle.Search search, int round) {
        boolean certifiedEnough = search.exact() && (oracle instanceof CertifyingOracle || round >= PATIENT_ROUNDS);
        return certifiedEnough ? Math.max(o.tol(), o.certifyTol()) : o.tol();
    }

    /** Rounds after which an exact oracle's solve stops at the certification tolerance. */
    private static final int PATIENT_ROUNDS = 100;

    /** The loss J at the start of each column-generation round of the last {@link #solve}. */
    double[] lossTrace() {
        return lossTrace.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** A network from the vertex with the fewest neurons, polished, if it is as good as the current one. */
    private List<Atom> narrowest(OptimalFace face, List<double[]> extremes, int currentWidth, double j) {
        double[] best = extremes.stream().min(Comparator.comparingInt(OptimumSolver::support)).orElse(null);
        if (best == null || support(best) >= currentWidth) return null;
        List<Atom> atoms = new ArrayList<>();
        for (int i = 0; i < best.length; i++) {
            if (best[i] <= 0) continue;
            Candidate c = face.candidates.get(i);
            Atom a = new Atom(c.face(), c.c().clone());
            a.scaleToMass(best[i]);
            atoms.add(a);
        }
        ReadoutState st = reoptimise(atoms);
        double jn = loss(atoms, st);
        return jn <= j * (1 + 1e-10) ? atoms : null;
    }

    /**
     * Linear φ: the neurons of an eigen-decomposition K = Σ λ_k u_k u_kᵀ (h_k = √λ_k u_k). Every
     * decomposition K = Σ h hᵀ costs the same mass tr(K_X⁺ K) and gives the same kernel, so the
     * narrowest optimal network has exactly rank K* neurons.
     */
    private List<Atom> eigenNeurons(Face linear, double[] k) {
        int p = pr.p;
        Dense.Eig e = Dense.eig(k, p);
        double top = Math.max(e.values()[p - 1], 0);
        List<Atom> out = new ArrayList<>();
        for (int j = p - 1; j >= 0 && e.values()[j] > RANK_CUT * top; j--) {
            double[] h = new double[p];
            for (int i = 0; i < p; i++) h[i] = Math.sqrt(e.values()[j]) * e.vectors()[i * p + j];
            // coefficients in the face's K_X⁺-orthonormal basis: c = Nᵀ K_X⁺ h
            double[] c = new double[linear.q];
            for (int a = 0; a < p; a++) {
                double bh = 0;
                for (int b = 0; b < p; b++) bh += pr.bPinv[a * p + b] * h[b];
                for (int q = 0; q < linear.q; q++) c[q] += linear.basis[a * linear.q + q] * bh;
            }
            out.add(new Atom(linear, c));
        }
        return out;
    }

    /**
     * Tries dropping each neuron (lightest first) and re-solving the others' masses: a neuron goes
     * when the rest stay optimal (loss within 1e-10 of j). Returns the narrower network, or null.
     */
    private List<Atom> withoutRedundant(List<Atom> atoms, double j) {
        List<Atom> cur = new ArrayList<>();
        for (Atom a : atoms) cur.add(new Atom(a.face, a.c.clone()));
        cur.sort(Comparator.comparingDouble(Atom::mass));
        boolean dropped = false;
        for (int i = 0; i < cur.size() && cur.size() > 1; ) {
            List<Atom> trial = new ArrayList<>();
            for (int k = 0; k < cur.size(); k++) if (k != i) trial.add(new Atom(cur.get(k).face, cur.get(k).c.clone()));
            double[][] unit = new double[trial.size()][];
            double[] m = new double[trial.size()];
            for (int k = 0; k < trial.size(); k++) {
                unit[k] = trial.get(k).unitActivation(pr);
                m[k] = trial.get(k).mass();
            }
            MassSolver.solve(pr, unit, m, 1e-14);
            List<Atom> kept = new ArrayList<>();
            for (int k = 0; k < trial.size(); k++) {
                if (m[k] <= 0) continue;
                trial.get(k).scaleToMass(m[k]);
                kept.add(trial.get(k));
            }
            if (!kept.isEmpty() && loss(kept, stateOf(kept)) <= j * (1 + 1e-10)) {
                cur = kept;
                dropped = true;
            } else {
                i++;
            }
        }
        return dropped ? cur : null;
    }

    /** Eigenvalues of K* below this fraction of the largest are rounding (the rank of a linear optimum). */
    private static final double RANK_CUT = 1e-10;

    private static int support(double[] m) {
        double max = 0;
        for (double v : m) max = Math.max(max, v);
        int n = 0;
        for (double v : m) if (v > 1e-12 * max) n++;
        return n;
    }

    /** Masses, pruning, merging and the in-face polish. */
    private ReadoutState reoptimise(List<Atom> atoms) {
        for (int pass = 0; pass < 6; pass++) {
            double[][] unit = new double[atoms.size()][];
            double[] m = new double[atoms.size()];
            for (int i = 0; i < atoms.size(); i++) {
                unit[i] = atoms.get(i).unitActivation(pr);
                m[i] = atoms.get(i).mass() < 1e-250 ? 0 : atoms.get(i).mass();
            }
            MassSolver.solve(pr, unit, m, 1e-14);
            List<Atom> kept = new ArrayList<>();
            double total = 0;
            for (double v : m) total += v;
            for (int i = 0; i < atoms.size(); i++) {
                if (m[i] > 1e-14 * total) {
                    atoms.get(i).scaleToMass(m[i]);
                    kept.add(atoms.get(i));
                }
            }
            atoms.clear();
            List<Atom> snapped = snap(kept);
            // the projection onto a smaller face moves a neuron by ~SNAP of its size: keep it unless it costs
            if (loss(snapped, stateOf(snapped)) > loss(kept, stateOf(kept))) snapped = kept;
            boolean moved = snapped != kept && snapped.stream().anyMatch(a -> !kept.contains(a));
            atoms.addAll(merge(snapped));
            if (atoms.isEmpty() || pass >= 2 && !moved) break;
            DirectionPolish.run(pr, atoms, 500, 1e-15);
        }
        return stateOf(atoms);
    }

    /**
     * Energy (units of λ1) above which the oracle need not report neurons during the solve: only
     * negative energies change the network or the bound (min(0, e_min)); the small positive margin
     * keeps the optimum's own zero-energy neurons in view.
     */
    private static final double SEARCH_CEILING = 1e-6;

    /** Energy (units of λ1) up to which a neuron counts as zero-energy for the optimal face. */
    private static final double ZERO_ENERGY = 1e-8;

    /** Relative size below which a neuron's preactivation on a sample is taken as exactly zero. */
    private static final double SNAP = 1e-7;

    /**
     * Neurons that (nearly) vanish on a sample of their face move to the smaller face where they
     * vanish exactly (B-orthogonal projection): the in-face polish cannot reach a face boundary,
     * and the optimum often lies on one (a ReLU neuron silent on part of the data sits on its kink).
     */
    private List<Atom> snap(List<Atom> atoms) {
        List<Atom> out = new ArrayList<>();
        int p = pr.p;
        for (Atom a : atoms) {
            if (a.face.signFree) {
                out.add(a);
                continue;
            }
            double[] h = a.preactivation();
            double max = 0;
            for (double v : h) max = Math.max(max, Math.abs(v));
            boolean[] zero = a.face.zero.clone();
            boolean changed = false;
            for (int i = 0; i < p; i++) {
                if (!zero[i] && Math.abs(h[i]) <= SNAP * max) {
                    zero[i] = true;
                    changed = true;
                }
            }
            if (!changed) {
                out.add(resigned(a, h));
                continue;
            }
            int[] d = new int[1];
            double[] n = Face.subspaceBasis(pr, zero, d);
            if (d[0] == 0) {
                out.add(resigned(a, h));
                continue;
            }
            boolean[] plus = new boolean[p];
            for (int i = 0; i < p; i++) plus[i] = !zero[i] && h[i] > 0;
            Face f = new Face(zero, plus, pr.negativeSlope, n, d[0], false);
            double[] bh = new double[p];
            for (int i = 0; i < p; i++) {
                double v = 0;
                for (int k = 0; k < p; k++) v += pr.bPinv[i * p + k] * h[k];
                bh[i] = v;
            }
            double[] c = new double[d[0]];
            for (int j = 0; j < d[0]; j++) {
                double v = 0;
                for (int i = 0; i < p; i++) v += n[i * d[0] + j] * bh[i];
                c[j] = v;
            }
            Atom s2 = new Atom(f, c);
            if (f.matches(s2.preactivation(), 0)) out.add(s2);
            else out.add(resigned(a, h));
        }
        return out;
    }

    /**
     * The neuron on the face its preactivation actually has (same zero set and basis, signs read
     * from h): a neuron the oracle accepted within its sign slack, or one rounding moved across a
     * boundary, would otherwise sit outside its face, where the polish's step cap does not hold it.
     */
    private Atom resigned(Atom a, double[] h) {
        boolean[] plus = a.face.plus.clone();
        boolean changed = false;
        for (int i = 0; i < pr.p; i++) {
            if (a.face.zero[i] || h[i] == 0 || plus[i] == h[i] > 0) continue;
            plus[i] = h[i] > 0;
            changed = true;
        }
        if (!changed) return a;
        Face f = new Face(a.face.zero, plus, pr.negativeSlope, a.face.basis, a.face.q, false);
        return new Atom(f, a.c);
    }

    /** Mass below which a neuron counts as new (zero mass in the mass solve). */
    private static final double NEW_ATOM_MASS = 1e-300;

    /** Neurons on the same face with parallel coefficients become one (their masses add). */
    private static List<Atom> merge(List<Atom> atoms) {
        List<Atom> out = new ArrayList<>();
        for (Atom a : atoms) {
            Atom twin = null;
            for (Atom b : out) {
                if (!b.face.equals(a.face)) continue;
                double dot = 0;
                for (int i = 0; i < a.c.length; i++) dot += a.c[i] * b.c[i];
                if (dot > (1 - 1e-12) * Math.sqrt(a.mass() * b.mass())) {
                    twin = b;
                    break;
                }
            }
            if (twin == null) {
                out.add(a);
            } else {
                double m = twin.mass() + a.mass();
                twin.scaleToMass(m);
            }
        }
        return out;
    }

    private boolean improvable(List<Atom> atoms, ReadoutState st) {
        for (Atom a : atoms) if (Math.abs(st.energy(a.unitActivation(pr))) > o.tol()) return true;
        return false;
    }

    private List<Candidate> warm(List<Atom> atoms) {
        List<Candidate> out = new ArrayList<>();
        for (Atom a : atoms) {
            double[] c = a.c.clone();
            double n = Math.sqrt(a.mass());
            if (!(n > 0)) continue;
            for (int i = 0; i < c.length; i++) c[i] /= n;
            out.add(new Candidate(a.face, c, Double.NaN));
        }
        return out;
    }

    private ReadoutState stateOf(List<Atom> atoms) {
        int p = pr.p;
        double[] k = new double[p * p];
        for (Atom a : atoms) {
            double[] act = a.activation(pr);
            for (int s = 0; s < p; s++) {
                if (act[s] == 0) continue;
                for (int t = 0; t < p; t++) k[s * p + t] += act[s] * act[t];
            }
        }
        return new ReadoutState(pr, k);
    }

    private double loss(List<Atom> atoms, ReadoutState st) {
        double m = 0;
        for (Atom a : atoms) m += a.mass();
        return pr.lambda1 * m + st.readoutLoss;
    }

    private Optimum build(List<Atom> atoms, ReadoutState st, double j, double bound, boolean certified, double eMin,
            double diameter, int rounds, double seconds) {
        int p = pr.p, dY = pr.dY, w = atoms.size(), rows = pr.xRows;
        double[] pre = new double[w * p];
        double[] w1 = new double[w * rows];
        double[] r = new double[w * p];
        for (int i = 0; i < w; i++) {
            double[] h = atoms.get(i).preactivation();
            System.arraycopy(h, 0, pre, i * p, p);
            // w = X̃ K_X⁺ h: the smallest weights with X̃ᵀw = h
            double[] bh = new double[p];
            for (int s = 0; s < p; s++) {
                double v = 0;
                for (int t = 0; t < p; t++) v += pr.bPinv[s * p + t] * h[t];
                bh[s] = v;
            }
            for (int q = 0; q < rows; q++) {
                double v = 0;
                for (int s = 0; s < p; s++) v += pr.xTilde[q * p + s] * bh[s];
                w1[i * rows + q] = v;
            }
            double[] act = atoms.get(i).activation(pr);
            System.arraycopy(act, 0, r, i * p, p);
        }
        // W2 = Y S Rᵀ = Zᵀ Rᵀ
        double[] w2 = new double[dY * w];
        for (int c = 0; c < dY; c++) {
            for (int i = 0; i < w; i++) {
                double v = 0;
                for (int s = 0; s < p; s++) v += st.z[s * dY + c] * r[i * p + s];
                w2[c * w + i] = v;
            }
        }
        return new Optimum(j, bound, certified, oracle.method(), eMin, w, st.k.clone(), pre, w1, w2, diameter, rounds, seconds);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) * 1e-9;
    }
}
