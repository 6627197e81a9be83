package org.repgeom.study;

import org.repgeom.analysis.MemberGeometry;
import org.repgeom.train.MemberStatus;

/** Everything the study keeps about one trained member: its spec, how training ended, its geometry. */
public record MemberRecord(MemberSpec spec, int group, MemberStatus status, int steps, double finalLoss,
                           double gradNorm, MemberGeometry geometry) {

    /** (L − L*)/L*, NaN where no closed form applies. */
    public double lossGap() {
        return geometry.lossGap(finalLoss);
    }
}
