package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import java.util.Arrays;
import org.repgeom.analysis.HoldoutMetrics;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.io.Csv;
import org.repgeom.theory.KktCertificate;
import org.repgeom.train.MemberStatus;

/**
 * One row of {@code members.csv} per member, and back. Numbers are written in Java's shortest
 * round-trip form ({@link Double#toString}), so parsing a row gives back exactly the doubles
 * that were written; NaN is an empty field (pandas reads it as missing).
 *
 * <p>The final {@code members.csv} of a study also has one numeric column per layer after
 * {@link #HEADER}'s: {@code lambda1 … lambda<D+1>} (the weight decay of each weight layer, the
 * readout last) and {@code width1 … width<D>} (each hidden layer's width), D the deepest member's
 * depth; a shallower member leaves its missing layers empty ({@link #layerHeader}, {@link #layerCells}).
 * The composite {@code widths} ("8x4") and {@code lambdas} ("0.01/0.001") columns stay for old readers.
 */
public final class MemberCsv {
    /** The header line. */
    public static final String HEADER = "id,group,seed,activation,widths,depth,lambdas,lr,status,steps,final_loss,"
            + "theory_loss,loss_gap,grad_norm,subgradient_norm,ps,kernel_distance,shape_distance,certificate,min_energy,"
            + "w1_rank,participation_ratio,stop_criterion,theory_form,layer_kernel_distances,certificate_method,"
            + "span_residual,config," + MemberCsv.HOLDOUT_HEADER;
    /**
     * The hold-out columns (empty when the study holds nothing out; see {@link HoldoutRecord}): test loss, mean and
     * per-label ("/"-joined) sign accuracy, mean and per-label CCGP on held-out conditions, and the certified
     * optimum's test loss, CCGP and the distance of the member's held-out predictions from the optimum's.
     */
    public static final String HOLDOUT_HEADER = "test_loss,test_accuracy,test_label_accuracy,test_ccgp,test_label_ccgp,"
            + "optimum_test_loss,optimum_test_ccgp,optimum_test_distance";
    private static final int COLUMNS = HEADER.split(",").length;
    private static final int HOLDOUT_COLUMNS = HOLDOUT_HEADER.split(",").length;

    private MemberCsv() {
    }

    /** The row of {@code r}, without a line break. */
    public static String row(MemberRecord r) {
        MemberSpec m = r.spec();
        MemberGeometry g = r.geometry();
        String lambdas = String.join("/", Arrays.stream(m.lambdas()).mapToObj(Csv::num).toList());
        return Csv.line(Integer.toString(m.id()), Integer.toString(r.group()), Long.toString(m.seed()),
                m.architecture().activation().id(), m.architecture().widthsLabel(),
                Integer.toString(m.architecture().depth()), lambdas, num(m.lr()), r.status().name(),
                Integer.toString(r.steps()), num(r.finalLoss()), num(g.theoryLoss()), num(r.lossGap()),
                num(r.gradNorm()), num(g.minNormSubgradient()), num(g.parallelismScore()), num(g.kernelDistance()),
                num(g.shapeDistance()), g.certificate().name(), num(g.minEnergy()), Integer.toString(g.w1Rank()),
                num(g.participationRatio()), Csv.text(r.stopCriterion()), Csv.text(r.theoryForm()),
                String.join("/", Arrays.stream(g.layerKernelDistances()).mapToObj(MemberCsv::num).toList()),
                Csv.text(g.certificateMethod()), num(g.spanResidual()), Csv.text(m.configurationKey()))
                + "," + holdoutCells(r.holdout());
    }

    private static String holdoutCells(HoldoutRecord h) {
        HoldoutMetrics t = h.metrics();
        return Csv.line(num(t.testLoss()), num(t.accuracy()), joined(t.labelAccuracy()), num(t.ccgp()),
                joined(t.labelCcgp()), num(h.optimumTestLoss()), num(h.optimumCcgp()), num(h.optimumDistance()));
    }

    private static String joined(double[] v) {
        return String.join("/", Arrays.stream(v).mapToObj(MemberCsv::num).toList());
    }

    private static double[] split(String cell) {
        return cell.isEmpty() ? new double[0] : Arrays.stream(cell.split("/", -1)).mapToDouble(MemberCsv::parse).toArray();
    }

    /**
     * How many empty cells a chunk row written under {@code header} needs to fit {@link #HEADER}: 0 for the
     * current header, the number of columns added since for an older header that is a prefix of it
     * (chunks of a run started by an earlier repgeom), −1 for anything else.
     */
    public static int missingColumns(String header) {
        if (HEADER.equals(header)) return 0;
        if (header == null || !HEADER.startsWith(header + ",")) return -1;
        return COLUMNS - header.split(",").length;
    }

    /** The per-layer columns for a study whose deepest member has {@code depth} hidden layers, each with a leading comma. */
    public static String layerHeader(int depth) {
        StringBuilder sb = new StringBuilder();
        for (int l = 1; l <= depth + 1; l++) sb.append(",lambda").append(l);
        for (int l = 1; l <= depth; l++) sb.append(",width").append(l);
        return sb.toString();
    }

    /** Member {@code m}'s cells under {@link #layerHeader(int)}, each with a leading comma; empty past its depth. */
    public static String layerCells(MemberSpec m, int depth) {
        StringBuilder sb = new StringBuilder();
        double[] lambdas = m.lambdas();
        for (int l = 0; l <= depth; l++) sb.append(',').append(l < lambdas.length ? num(lambdas[l]) : "");
        int[] widths = m.architecture().hiddenWidths();
        for (int l = 0; l < depth; l++) sb.append(',').append(l < widths.length ? Integer.toString(widths[l]) : "");
        return sb.toString();
    }

    /**
     * Reads a row back into a record whose member is {@code expected} (the plan's member of that
     * id) and whose geometry carries {@code kernel} (may be null when only the scalars are needed).
     * Cells after {@link #HEADER}'s columns (the per-layer columns of the final file) are ignored.
     *
     * @throws IllegalArgumentException when the row is malformed or describes another member
     */
    public static MemberRecord parse(String line, MemberSpec expected, double[] kernel) {
        String[] f = Csv.split(line).toArray(new String[0]);
        if (f.length < COLUMNS) {
            throw new IllegalArgumentException("expected " + COLUMNS + " columns, got " + f.length + ": " + line);
        }
        if (Integer.parseInt(f[0]) != expected.id() || Long.parseLong(f[2]) != expected.seed()
                || !f[3].equals(expected.architecture().activation().id())
                || !f[4].equals(expected.architecture().widthsLabel())) {
            throw new IllegalArgumentException("row describes member " + f[0] + " (seed " + f[2] + ", " + f[3] + ", "
                    + f[4] + "), expected " + expected);
        }
        double[] layers = f[24].isEmpty() ? new double[0]
                : Arrays.stream(f[24].split("/")).mapToDouble(MemberCsv::parse).toArray();
        MemberGeometry g = new MemberGeometry(kernel, parse(f[15]), parse(f[21]), Integer.parseInt(f[20]), parse(f[16]),
                parse(f[11]), parse(f[17]), parse(f[14]), KktCertificate.Verdict.valueOf(f[18]), parse(f[19]), layers,
                f[25], parse(f[26]));
        int h = COLUMNS - HOLDOUT_COLUMNS;
        HoldoutRecord holdout = new HoldoutRecord(new HoldoutMetrics(parse(f[h]), parse(f[h + 1]), split(f[h + 2]),
                parse(f[h + 3]), split(f[h + 4])), parse(f[h + 5]), parse(f[h + 6]), parse(f[h + 7]));
        return new MemberRecord(expected, Integer.parseInt(f[1]), MemberStatus.valueOf(f[8]), Integer.parseInt(f[9]),
                parse(f[10]), parse(f[13]), g, f[22], f[23], holdout);
    }

    /** Full precision, empty for NaN ({@link Csv#num}). */
    static String num(double v) {
        return Csv.num(v);
    }

    private static double parse(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
