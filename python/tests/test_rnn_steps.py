"""rnn_steps.csv through ``Study.rnn_steps`` and ``Study.rnn_series``, on a small recurrent study the
engine trains (two T, so members have different numbers of rows)."""

import numpy as np
import pytest

import repgeom

RNN_SPEC = """\
name: py-rnn
task:
  kind: hypercube
  labels: 2
  per_class: 1
  input: {geometry: whitened, dim: 4, seed: 1}
model:
  kind: rnn
  time_steps: [2, 3]
  activation: relu
  widths: 5
grid:
  seeds: 2
  lambda: 1.0e-3
optimizer: {kind: adam, lr: 1.0e-2}
train: {max_steps: 300, tol: 0, window: 100, trace_every: 50}
"""

COLUMNS = ["id", "group", "seed", "t", "time_steps", "parallelism_score", "participation_ratio",
           "label_alignment", "cka_to_last", "configuration"]


@pytest.fixture(scope="module")
def rnn_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("rnn") / "py-rnn"
    repgeom.run(RNN_SPEC, out=str(out), backend="java", report=False, progress=False)
    return repgeom.load(str(out), pandas=False)


def test_one_row_per_member_and_time_step(rnn_study):
    rows = rnn_study.rnn_steps
    assert list(rows.dtype.names) == COLUMNS
    T = {int(i): int(t) for i, t in zip(rows["id"], rows["time_steps"])}
    assert sorted(T) == list(range(len(rnn_study))) and sorted(set(T.values())) == [2, 3]
    assert len(rows) == sum(T.values())
    expected = [(i, t) for i in range(len(rnn_study)) for t in range(1, T[i] + 1)]
    assert [(int(i), int(t)) for i, t in zip(rows["id"], rows["t"])] == expected
    assert all(c.endswith("T=%d" % T[int(i)]) for i, c in zip(rows["id"], rows["configuration"]))


def test_the_last_step_is_the_member_table_and_every_step_its_hidden_state(rnn_study):
    rows, m = rnn_study.rnn_steps, rnn_study.columns
    Y = np.asarray(rnn_study.Y, dtype=np.float64)
    KY = Y.T @ Y
    for r in rows:
        i, t = int(r["id"]), int(r["t"])
        h = rnn_study.representations(i)[t - 1]
        K = h.T @ h
        cos = np.sum(K * KY) / (np.linalg.norm(K) * np.linalg.norm(KY))
        assert r["label_alignment"] == pytest.approx(cos, rel=1e-6, abs=1e-9), (i, t)
        if t == r["time_steps"]:
            assert r["parallelism_score"] == pytest.approx(m["ps"][i], rel=1e-12, abs=1e-12)
            assert r["cka_to_last"] == pytest.approx(1.0, abs=1e-9)


def test_series_is_member_by_time_step(rnn_study):
    rows = rnn_study.rnn_steps
    ps = rnn_study.rnn_series("parallelism_score")
    assert ps.shape == (len(rnn_study), 3)
    for r in rows:
        assert ps[int(r["id"]), int(r["t"]) - 1] == r["parallelism_score"]
    short = sorted({int(i) for i, T in zip(rows["id"], rows["time_steps"]) if T == 2})
    assert short and np.isnan(ps[short, 2]).all() and not np.isnan(ps[short, :2]).any()
    with pytest.raises(KeyError, match="configuration"):
        rnn_study.rnn_series("configuration")


def test_a_feedforward_study_has_no_recurrent_steps(study):
    assert study.rnn_steps is None and study.rnn_series() is None


def test_rnn_steps_as_dataframe_when_pandas_exists(rnn_study):
    pd = pytest.importorskip("pandas")
    df = repgeom.load(rnn_study.path).rnn_steps
    assert isinstance(df, pd.DataFrame) and list(df.columns) == COLUMNS
    assert df["t"].dtype == np.int64 and df["cka_to_last"].dtype == np.float64
