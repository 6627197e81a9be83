package org.repgeom.study;

import java.util.Arrays;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.theory.KktCertificate;
import org.repgeom.train.MemberStatus;

/**
 * One row of {@code members.csv} per member, and back. Numbers are written in Java's shortest
 * round-trip form ({@link Double#toString}), so parsing a row gives back exactly the doubles
 * that were written; NaN is an empty field (pandas reads it as missing).
 */
public final class MemberCsv {
    /** The header line. */
    public static final String HEADER = "id,group,seed,activation,widths,depth,lambdas,lr,status,steps,final_loss,"
            + "theory_loss,loss_gap,grad_norm,subgradient_norm,ps,kernel_distance,shape_distance,certificate,min_energy,"
            + "w1_rank,participation_ratio,stop_criterion,theory_form,layer_kernel_distances,certificate_method,"
            + "span_residual,config";
    private static final int COLUMNS = HEADER.split(",").length;

    private MemberCsv() {
    }

    /** The row of {@code r}, without a line break. */
    public static String row(MemberRecord r) {
        MemberSpec m = r.spec();
        MemberGeometry g = r.geometry();
        String lambdas = String.join("/", Arrays.stream(m.lambdas()).mapToObj(MemberCsv::num).toList());
        return String.join(",", Integer.toString(m.id()), Integer.toString(r.group()), Long.toString(m.seed()),
                m.architecture().activation().id(), m.architecture().widthsLabel(),
                Integer.toString(m.architecture().depth()), lambdas, num(m.lr()), r.status().name(),
                Integer.toString(r.steps()), num(r.finalLoss()), num(g.theoryLoss()), num(r.lossGap()),
                num(r.gradNorm()), num(g.minNormSubgradient()), num(g.parallelismScore()), num(g.kernelDistance()),
                num(g.shapeDistance()), g.certificate().name(), num(g.minEnergy()), Integer.toString(g.w1Rank()),
                num(g.participationRatio()), r.stopCriterion(), r.theoryForm(),
                String.join("/", Arrays.stream(g.layerKernelDistances()).mapToObj(MemberCsv::num).toList()),
                g.certificateMethod(), num(g.spanResidual()), '"' + m.configurationKey() + '"');
    }

    /**
     * Reads a row back into a record whose member is {@code expected} (the plan's member of that
     * id) and whose geometry carries {@code kernel} (may be null when only the scalars are needed).
     *
     * @throws IllegalArgumentException when the row is malformed or describes another member
     */
    public static MemberRecord parse(String line, MemberSpec expected, double[] kernel) {
        String[] f = line.split(",", -1);
        if (f.length != COLUMNS) {
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
        return new MemberRecord(expected, Integer.parseInt(f[1]), MemberStatus.valueOf(f[8]), Integer.parseInt(f[9]),
                parse(f[10]), parse(f[13]), g, f[22], f[23]);
    }

    /** Full precision, empty for NaN. */
    static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static double parse(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
