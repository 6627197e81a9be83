"""Every other output of a study read from Python: the held-out samples, the kernels recorded during
training, analysis/ (metrics, trajectory) and the landscape. Each reader is checked against what the
same study says elsewhere (final kernels, loss curves, the member table), not against stored numbers."""

import numpy as np
import pytest

import repgeom

# Two samples per condition of the 2-label hypercube, condition 3 held out; kernels recorded every
# 100 steps; a one- and a two-hidden-layer architecture so the per-layer traces are exercised.
SPEC = """\
name: py-outputs
task:
  kind: hypercube
  labels: 2
  per_class: 2
  input: {geometry: target_aligned, seed: 1}
  holdout: {classes: [3]}
model:
  activation: [relu, tanh]
  widths: [4, [4, 3]]
grid:
  seeds: 2
  lambda: [1.0e-2]
optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
train: {max_steps: 600, tol: 1.0e-9, window: 200, trace_every: 100, kernel_every: 100}
"""


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs") / "py-outputs"
    repgeom.run(SPEC, out=str(out), backend="java", report=True, progress=False)  # run analyses too
    return repgeom.landscape(out)


def test_held_out_samples_are_the_condition_kept_out(traced):
    X, Y = traced.task
    Xt, Yt = traced.held_out
    assert X.shape == (Xt.shape[0], 6) and Xt.shape == (X.shape[0], 2) and Yt.shape == (2, 2)
    # condition 3 of the 2-label hypercube is (+, +): both held-out samples carry it, no training sample does
    assert np.all(Yt == 1)
    assert not np.any(np.all(Y == 1, axis=0))


def test_the_last_traced_kernel_is_the_final_kernel(traced):
    ids, steps, K = traced.kernel_trace_members, traced.kernel_trace_steps, traced.kernel_trace
    assert list(ids) == list(range(len(traced)))  # every member is traced by default
    assert steps[0] == 0 and np.all(np.diff(steps) > 0) and K.shape == (len(ids), len(steps), 6, 6)
    for i in ids:
        final = traced.kernel(i)  # float64, recomputed from the final parameters
        last = np.asarray(traced.kernel_trace_of(i)[-1], dtype=np.float64)
        assert np.allclose(last, final, rtol=1e-4, atol=1e-4 * np.abs(final).max()), i
        if traced.columns["depth"][i] == 2:  # the first hidden layer has its own file
            first = np.asarray(traced.kernel_trace_of(i, layer=1)[-1], dtype=np.float64)
            assert np.allclose(first, traced.kernel(i, layer=0), rtol=1e-4, atol=1e-4 * np.abs(first).max()), i
    with pytest.raises(IndexError):
        traced.kernel_trace_of(0, layer=2)  # a one-hidden-layer member


def test_metrics_have_a_row_per_member_and_layer(traced):
    m = traced.metrics
    assert len(m) == int(np.sum(traced.columns["depth"]))
    assert set(m["id"]) == set(range(len(traced)))
    assert "metrics" in traced.analysis


def test_trajectory_loss_is_the_median_of_the_loss_curves(traced):
    curves, every = np.asarray(traced.loss_curves, dtype=np.float64), traced.trace_every
    configs = traced.columns["config"]
    for config in sorted(set(configs)):
        loss = traced.trajectory_series(config, "loss")
        assert loss.steps.dtype == np.int64 and np.all(np.diff(loss.steps) > 0)
        members = curves[configs == config]
        expected = np.median(members[:, loss.steps // every], axis=0)
        assert np.allclose(loss.median, expected, rtol=1e-6), config
        assert np.all(loss.n == len(members))


def test_trajectory_alignment_ends_at_the_final_members_alignment(traced):
    m = traced.metrics
    for config in sorted(set(traced.columns["config"])):
        last_layer = int(np.max(m["layer"][m["config"] == config]))
        cka = traced.trajectory_series(config, "cka_y")  # the last hidden layer by default
        final = m["cka_y"][(m["config"] == config) & (m["layer"] == last_layer)]
        finite = final[np.isfinite(final)]  # a member whose last layer died has no alignment
        assert cka.n[-1] == len(finite), config
        assert abs(cka.median[-1] - np.median(finite)) < 1e-4, config
    with pytest.raises(KeyError):
        traced.trajectory_series(config, "no-such-metric")


def test_landscape_has_a_row_per_configuration(traced):
    land = traced.landscape
    configs = sorted(set(traced.columns["config"]))
    assert sorted(land["config"]) == configs
    assert int(np.sum(land["members"])) == len(traced)
    assert "configurations" in traced.landscape_summary


def test_absent_outputs_read_as_none(study):
    # the shared study: no hold-out, no kernel trace, trained with report=False (no analysis), no landscape
    for name in ("held_out", "kernel_trace", "kernel_trace_steps", "metrics", "analysis", "trajectory",
                 "trajectory_events", "landscape", "landscape_summary"):
        assert getattr(study, name) is None, name
    with pytest.raises(KeyError):
        study.kernel_trace_of(0)


def test_verify_checks_every_final_file(study_dir, tmp_path):
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(study_dir, copy)
    checked = repgeom.load(copy).verify()
    assert {"members.csv", "kernels.npy", "X.npy", "summary.json", "params_group0.npy"} <= set(checked)
    with open(copy / "kernels.npy", "r+b") as f:  # one bit of the last kernel entry
        f.seek(-2, 2)
        b = f.read(1)
        f.seek(-2, 2)
        f.write(bytes([b[0] ^ 0x10]))
    with pytest.raises(ValueError, match="kernels.npy does not match its SHA-256"):
        repgeom.load(copy).verify()
