package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.train.MemberStatus;

/**
 * Everything the study keeps about one trained member: its spec, how training ended (status and the
 * criterion that made it CONVERGED, see {@code analysis.Stationarity}), its geometry, the closed
 * form its configuration is compared with ({@code none} when no form applies) and its results on the
 * held-out samples ({@link HoldoutRecord#NONE} when the study holds none out).
 */
public record MemberRecord(MemberSpec spec, int group, MemberStatus status, int steps, double finalLoss,
                           double gradNorm, MemberGeometry geometry, String stopCriterion, String theoryForm,
                           HoldoutRecord holdout) {

    public MemberRecord {
        if (holdout == null) holdout = HoldoutRecord.NONE;
    }

    /** A record without held-out results. */
    public MemberRecord(MemberSpec spec, int group, MemberStatus status, int steps, double finalLoss, double gradNorm,
                        MemberGeometry geometry, String stopCriterion, String theoryForm) {
        this(spec, group, status, steps, finalLoss, gradNorm, geometry, stopCriterion, theoryForm, HoldoutRecord.NONE);
    }

    /** A record without a stop criterion and theory form (both empty). */
    public MemberRecord(MemberSpec spec, int group, MemberStatus status, int steps, double finalLoss, double gradNorm,
                        MemberGeometry geometry) {
        this(spec, group, status, steps, finalLoss, gradNorm, geometry, "", "");
    }

    /** (L − L*)/L*, NaN where no closed form applies. */
    public double lossGap() {
        return geometry.lossGap(finalLoss);
    }
}
