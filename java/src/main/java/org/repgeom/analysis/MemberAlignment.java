package org.repgeom.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Member × member alignment: do networks of different widths, activations or seeds reach the same
 * representation kernel? For two members i, j with kernels K_i, K_j (P×P, same samples):
 * <ul>
 *   <li><b>CKA</b> {@code = ⟨HK_iH, HK_jH⟩_F / (‖HK_iH‖_F ‖HK_jH‖_F)}, {@code H = I − 11ᵀ/P}
 *       (linear CKA, {@link Cka}): insensitive to scale and to a constant added to every unit.</li>
 *   <li><b>kernel distance</b> {@code = min_c ‖K_i − c K_j‖_F / ‖K_i‖_F = √(1 − a²)} with the
 *       uncentred alignment {@code a = ⟨K_i, K_j⟩_F / (‖K_i‖_F ‖K_j‖_F)} ({@link KernelDistance#scaleFree};
 *       a ≥ 0 for positive semidefinite kernels, so the distance is symmetric). It is scale-free but
 *       sees the constant part 11ᵀ that separates ReLU's {@code K_Y + dY 11ᵀ} from tanh's K_Y.</li>
 * </ul>
 * A zero kernel (a collapsed member) gives NaN, which the means skip.
 *
 * <p><b>Sampling</b>, so that memory stays bounded on any study: members are offered in stream
 * order (group by group, member-id order within a group) and the first {@code perConfig} of each
 * configuration are kept (so, for a seed axis listed in order, the lowest seeds), up to
 * {@code maxMembers} in all, where {@code maxMembers = min(512, budget / (16 P²))} (two P×P double
 * kernels per kept member, at least 2). The pairwise matrices cost O(N² P²) for N kept members.
 *
 * <p><b>Summary per pair of configurations</b> (c, c'): the mean of CKA (and of kernel distance)
 * over kept pairs i ∈ c, j ∈ c', i ≠ j — for c = c' the within-configuration agreement over seeds.
 * {@code within} is the mean over configurations of their within means, {@code across} the mean over
 * distinct configuration pairs.
 */
public final class MemberAlignment {
    /** Default members kept per configuration. */
    public static final int DEFAULT_PER_CONFIG = 8;
    /** Default memory budget for kept kernels: 64 MiB. */
    public static final long DEFAULT_BUDGET_BYTES = 64L << 20;
    private static final int MAX_MEMBERS = 512;

    private final int p;
    private final int perConfig;
    private final int maxMembers;
    private final Map<String, Integer> configIndex = new LinkedHashMap<>();
    private final List<Integer> keptPerConfig = new ArrayList<>();
    private final List<Integer> memberIds = new ArrayList<>();
    private final List<Integer> configOf = new ArrayList<>();
    /** Centred kernel HKH scaled to unit Frobenius norm (null for a constant kernel). */
    private final List<double[]> centred = new ArrayList<>();
    /** Kernel scaled to unit Frobenius norm (null for K = 0). */
    private final List<double[]> unit = new ArrayList<>();

    /** A sampler for P×P kernels with the given per-configuration cap and memory budget. */
    public MemberAlignment(int p, int perConfig, long budgetBytes) {
        if (p < 2 || perConfig < 1) throw new IllegalArgumentException("need P >= 2 and perConfig >= 1");
        this.p = p;
        this.perConfig = perConfig;
        long perMember = 16L * p * p;
        this.maxMembers = (int) Math.max(2, Math.min(MAX_MEMBERS, budgetBytes / perMember));
    }

    /** Largest number of members kept. */
    public int maxMembers() {
        return maxMembers;
    }

    /**
     * Offers member {@code memberId} of configuration {@code config} with kernel K (P×P, not kept
     * by reference); returns whether it was kept.
     */
    public synchronized boolean offer(String config, int memberId, double[] kernel) {
        Matrices.checkShape("K", kernel, p, p);
        Integer c = configIndex.get(config);
        if (c == null) {
            c = configIndex.size();
            configIndex.put(config, c);
            keptPerConfig.add(0);
        }
        if (keptPerConfig.get(c) >= perConfig || memberIds.size() >= maxMembers) return false;
        for (double v : kernel) {
            if (!Double.isFinite(v)) return false; // a diverged member has no kernel to compare
        }
        keptPerConfig.set(c, keptPerConfig.get(c) + 1);
        memberIds.add(memberId);
        configOf.add(c);
        centred.add(normalised(Cka.doubleCentred(kernel, p)));
        unit.add(normalised(kernel.clone()));
        return true;
    }

    private static double[] normalised(double[] a) {
        double n = Matrices.frobeniusNorm(a);
        if (n == 0) return null;
        for (int i = 0; i < a.length; i++) a[i] /= n;
        return a;
    }

    /**
     * Pairwise and per-configuration-pair results over the kept members.
     *
     * @param configs        configuration keys, in order of first appearance
     * @param memberIds      kept members
     * @param configOf       configuration index of each kept member
     * @param cka            N×N linear CKA
     * @param distance       N×N scale-free kernel distance
     * @param configCka      C×C mean CKA over member pairs (NaN where no pair)
     * @param configDistance C×C mean kernel distance
     */
    public record Result(List<String> configs, int[] memberIds, int[] configOf, double[][] cka, double[][] distance,
                         double[][] configCka, double[][] configDistance) {

        /** Mean over configurations of the within-configuration mean (NaN where no configuration has a pair). */
        public double within(double[][] perConfig) {
            double s = 0;
            int n = 0;
            for (int c = 0; c < perConfig.length; c++) {
                if (!Double.isNaN(perConfig[c][c])) {
                    s += perConfig[c][c];
                    n++;
                }
            }
            return n == 0 ? Double.NaN : s / n;
        }

        /** Mean over distinct configuration pairs. */
        public double across(double[][] perConfig) {
            double s = 0;
            int n = 0;
            for (int c = 0; c < perConfig.length; c++) {
                for (int d = c + 1; d < perConfig.length; d++) {
                    if (!Double.isNaN(perConfig[c][d])) {
                        s += perConfig[c][d];
                        n++;
                    }
                }
            }
            return n == 0 ? Double.NaN : s / n;
        }

        /** JSON-ready: sampling, configuration matrices and the within/across means. */
        public Map<String, Object> toJson(int perConfigCap, int maxMembers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", "last hidden");
            m.put("sampling", "first " + perConfigCap + " members of each configuration in stream order, at most "
                    + maxMembers + " in all");
            m.put("members", memberIds.length);
            m.put("member_ids", memberIds);
            m.put("configurations", configs);
            m.put("cka_within", within(configCka));
            m.put("cka_across", across(configCka));
            m.put("kernel_distance_within", within(configDistance));
            m.put("kernel_distance_across", across(configDistance));
            m.put("cka", rows(configCka));
            m.put("kernel_distance", rows(configDistance));
            return m;
        }

        private static List<Object> rows(double[][] a) {
            List<Object> out = new ArrayList<>();
            for (double[] r : a) out.add(r);
            return out;
        }
    }

    /** {@link Result#toJson} of {@link #result()} with this sampler's caps. */
    public Map<String, Object> summaryJson() {
        return result().toJson(perConfig, maxMembers);
    }

    /** Computes the pairwise matrices over the members kept so far. */
    public synchronized Result result() {
        int n = memberIds.size(), cc = configIndex.size();
        double[][] cka = new double[n][n], dist = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double c = dot(centred.get(i), centred.get(j));
                double a = dot(unit.get(i), unit.get(j));
                double d = Double.isNaN(a) ? Double.NaN : a >= 1 ? 0.0 : a <= 0 ? 1.0 : Math.sqrt(1 - a * a);
                cka[i][j] = cka[j][i] = c;
                dist[i][j] = dist[j][i] = d;
            }
        }
        int[] cfg = configOf.stream().mapToInt(Integer::intValue).toArray();
        return new Result(List.copyOf(configIndex.keySet()), memberIds.stream().mapToInt(Integer::intValue).toArray(), cfg,
                cka, dist, configMeans(cka, cfg, cc), configMeans(dist, cfg, cc));
    }

    private static double dot(double[] a, double[] b) {
        return a == null || b == null ? Double.NaN : Matrices.frobeniusInner(a, b);
    }

    private static double[][] configMeans(double[][] pair, int[] cfg, int cc) {
        double[][] sum = new double[cc][cc];
        int[][] count = new int[cc][cc];
        for (int i = 0; i < cfg.length; i++) {
            for (int j = 0; j < cfg.length; j++) {
                if (i == j || Double.isNaN(pair[i][j])) continue;
                sum[cfg[i]][cfg[j]] += pair[i][j];
                count[cfg[i]][cfg[j]]++;
            }
        }
        for (int c = 0; c < cc; c++) {
            for (int d = 0; d < cc; d++) sum[c][d] = count[c][d] == 0 ? Double.NaN : sum[c][d] / count[c][d];
        }
        return sum;
    }
}
