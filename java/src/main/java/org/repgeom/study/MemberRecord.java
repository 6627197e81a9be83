package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.train.MemberStatus;

/**
 * Everything the study keeps about one trained member: its spec, how training ended (status and the
 * criterion that made it CONVERGED, see {@code analysis.Stationarity}), its geometry and the closed
 * form its configuration is compared with ({@code none} when no form applies).
 */
public record MemberRecord(MemberSpec spec, int group, MemberStatus status, int steps, double finalLoss,
                           double gradNorm, MemberGeometry geometry, String stopCriterion, String theoryForm) {

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
