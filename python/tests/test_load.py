"""repgeom.load on a study the engine trained: the member table, arrays, and representations."""

import csv
import json
import os

import numpy as np
import pytest

import repgeom


def test_members_have_numeric_per_layer_columns(study, study_dir):
    m = study.members
    assert isinstance(m, np.ndarray) and m.dtype.names is not None
    names = m.dtype.names
    for col in ("id", "seed", "lambda1", "lambda2", "lambda3", "width1", "width2", "final_loss", "status", "config"):
        assert col in names, col
    assert m["id"].dtype == np.int64 and list(m["id"]) == list(range(len(m)))
    assert m["lambda1"].dtype == np.float64 and m["lambda2"].dtype == np.float64
    assert m["width1"].dtype == np.int64  # every member has a first hidden layer
    assert m["width2"].dtype == np.float64  # empty (NaN) for one-hidden-layer members
    assert m["status"].dtype.kind == "U" and set(m["status"]) <= {"CONVERGED", "MAX_STEPS", "DIVERGED"}
    # the composite columns stay text in every study, even where every cell looks like a number
    assert m["widths"].dtype.kind == "U" and m["lambdas"].dtype.kind == "U" and "3" in set(m["widths"])
    # the numeric columns agree with the composite ones kept for old readers
    with open(os.path.join(study_dir, "members.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(m)
    for row, rec in zip(rows, m):
        lambdas = [float(v) for v in row["lambdas"].split("/")]
        widths = [int(w) for w in row["widths"].split("x")]
        depth = int(row["depth"])
        assert len(widths) == depth
        given = lambdas if len(lambdas) > 1 else lambdas * (depth + 1)
        assert [rec["lambda%d" % (l + 1)] for l in range(depth + 1)] == given
        assert [int(rec["width%d" % (l + 1)]) for l in range(depth)] == widths
        if depth == 1:
            assert np.isnan(rec["lambda3"]) and np.isnan(rec["width2"])
        assert not row["config"].startswith('"') and rec["config"] == row["config"]
    assert set(m["lambda1"]) == {1e-2, 3e-3}


def test_members_as_dataframe_when_pandas_exists(study_dir):
    pd = pytest.importorskip("pandas")
    m = repgeom.load(study_dir).members
    assert isinstance(m, pd.DataFrame)
    assert m["lambda1"].dtype == np.float64 and m["id"].dtype == np.int64


def test_representations_rebuild_every_stored_kernel(study):
    K = np.asarray(study.kernels, dtype=np.float64)
    assert K.shape == (len(study), study.X.shape[1], study.X.shape[1])
    worst = 0.0
    for i in range(len(study)):
        R = study.representations(i)
        depth = int(study.columns["depth"][i])
        assert len(R) == depth
        assert [r.shape[0] for r in R] == [int(study.columns["width%d" % (l + 1)][i]) for l in range(depth)]
        assert all(r.dtype == np.float64 and r.shape[1] == K.shape[1] for r in R)
        rebuilt = R[-1].T @ R[-1]
        err = np.linalg.norm(rebuilt - K[i]) / np.linalg.norm(K[i])
        worst = max(worst, err)
        assert err < 1e-6, (i, study.activation(i), err)
    assert {study.activation(i) for i in range(len(study))} == {"relu", "tanh", "gelu"}
    print("worst relative kernel error over %d members: %.2e" % (len(study), worst))


def test_a_wrong_activation_does_not_rebuild_the_kernel(study):
    """The check above can fail: the same parameters through another φ give another kernel."""
    i = next(i for i in range(len(study)) if study.activation(i) == "gelu")
    layers = study.params(i)
    hidden, _ = repgeom._model.forward(layers, study.X, repgeom.activation("relu"))
    K = np.asarray(study.kernels[i], dtype=np.float64)
    assert np.linalg.norm(hidden[-1].T @ hidden[-1] - K) / np.linalg.norm(K) > 1e-3


def test_params_follow_groups_json(study, study_dir):
    groups = json.load(open(os.path.join(study_dir, "groups.json")))
    for g in groups:
        P = np.load(os.path.join(study_dir, g["file"]))
        assert P.shape == (len(g["member_ids"]), g["stride"]) and P.dtype == np.float64
        i = g["member_ids"][-1]
        flat = study.params(i, flat=True)
        assert np.array_equal(flat, P[-1])
        layers = study.params(i)
        assert len(layers) == len(g["hidden_widths"]) + 1
        assert [lay.kind for lay in layers] == ["hidden"] * len(g["hidden_widths"]) + ["readout"]
        sizes = sum(lay.W.size + (0 if lay.b is None else lay.b.size) for lay in layers)
        assert sizes == g["stride"]
        W1, b1 = layers[0]
        assert W1.shape == (g["hidden_widths"][0], g["input_dim"]) and b1.shape == (g["hidden_widths"][0],)
        assert layers[-1].b is None and layers[-1].W.shape == (g["output_dim"], g["hidden_widths"][-1])
        assert g["layers"][0]["lambda_column"] == "lambda1" and g["layers"][-1]["kind"] == "readout"


def test_loss_of_a_member_matches_its_final_loss(study):
    """Data loss plus Σ λ_l ‖[W_l, b_l]‖² from the rebuilt network equals members.csv's final_loss."""
    c = study.columns
    for i in range(len(study)):
        if c["status"][i] == "DIVERGED":
            continue
        layers = study.params(i)
        F = study.output(i)
        loss = np.sum((study.Y - F) ** 2)
        for l, lay in enumerate(layers):
            sq = np.sum(lay.W ** 2) + (0.0 if lay.b is None else np.sum(lay.b ** 2))
            loss += c["lambda%d" % (l + 1)][i] * sq
        assert abs(loss - c["final_loss"][i]) <= 1e-4 * abs(c["final_loss"][i]), (i, loss, c["final_loss"][i])


def test_loss_curves_steps_summary_and_task(study):
    curves = study.loss_curves
    assert curves.shape == (len(study), 1500 // 100 + 1)
    assert list(study.steps[:3]) == [0, 100, 200] and study.steps[-1] == 1500
    first = np.asarray(curves[:, 0], dtype=np.float64)
    assert np.all(np.isfinite(first)) and np.all(first > 0)
    X, Y = study.task
    assert X.shape == (4, 4) and Y.shape == (2, 4)
    assert np.allclose(X.T @ X, np.eye(4), atol=1e-10)
    assert study.summary["members"] == len(study)
    check = study.theory_check
    assert {"applies", "holds", "statement"} <= set(check)
    assert isinstance(check["statement"], str) and check["statement"]


def test_theory_check_statement_when_theory_does_not_apply(tmp_path):
    spec = """\
name: py-onehot
task: {kind: onehot, classes: 3, per_class: 1, input: {geometry: gaussian, dim: 5, seed: 3}}
model: {activation: [relu], widths: [4]}
grid: {seeds: 1, lambda: [1.0e-2]}
train: {max_steps: 100, tol: 1.0e-9, window: 50, trace_every: 50}
"""
    s = repgeom.run(spec, out=str(tmp_path / "onehot"), backend="java", report=False, progress=False)
    raw = json.load(open(os.path.join(s.path, "summary.json")))["theory_check"]
    assert raw["applies"] is False and "does not apply" in raw["statement"]
    assert np.isnan(s.columns["kernel_distance"]).all()


def test_to_xarray(study):
    xr = pytest.importorskip("xarray")
    ds = study.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert ds["kernel"].shape == study.kernels.shape and ds["lambda1"].dtype == np.float64


def test_load_refuses_what_is_not_a_study(tmp_path):
    with pytest.raises(FileNotFoundError, match="members.csv is missing"):
        repgeom.load(tmp_path)
