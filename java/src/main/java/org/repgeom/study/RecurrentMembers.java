package org.repgeom.study;

import org.repgeom.study.spec.MemberSpec;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.repgeom.analysis.MemberGeometry;
import org.repgeom.analysis.RnnGeometry;
import org.repgeom.analysis.Stationarity;
import org.repgeom.backend.TrainRequest;
import org.repgeom.backend.TrainResult;
import org.repgeom.model.ParamLayout;
import org.repgeom.model.Rnn;
import org.repgeom.task.Task;
import org.repgeom.train.MemberStatus;

/**
 * The members.csv records of a trained chunk of recurrent members: the geometry of the last time
 * step ({@link RnnGeometry#lastStep}) and the loss in double precision at the trained parameters.
 * The stationarity polish and the subgradient test of feedforward members need the MLP's
 * structure, so a recurrent member keeps the status of the training loop's stop rule
 * ({@code stop_criterion} loss-window when it converged).
 */
final class RecurrentMembers {
    private RecurrentMembers() {
    }

    static List<MemberRecord> analyse(StudyPlan.Chunk c, List<MemberSpec> members, TrainRequest req, TrainResult res,
                                      Task task) {
        ParamLayout layout = req.layout();
        int layers = layout.architecture().layerCount();
        MemberRecord[] records = new MemberRecord[members.size()];
        IntStream.range(0, members.size()).parallel().forEach(i -> {
            Rnn rnn = new Rnn(layout, task);
            int off = i * layout.stride();
            double loss = rnn.loss(res.params(), off, req.lambdas(), i * layers);
            MemberStatus status = Double.isFinite(loss) ? res.status()[i] : MemberStatus.DIVERGED;
            MemberGeometry geo = RnnGeometry.lastStep(rnn, task, res.params(), off);
            String criterion = status == MemberStatus.CONVERGED ? Stationarity.LOSS_WINDOW : Stationarity.NONE;
            records[i] = new MemberRecord(members.get(i), c.group(), status, res.steps()[i], loss, res.gradNorm()[i], geo,
                    criterion, "none");
        });
        return Arrays.asList(records);
    }
}
