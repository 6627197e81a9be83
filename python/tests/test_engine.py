"""repgeom.run and repgeom.theory drive the engine; their results agree with the closed form."""

import math

import pytest

import repgeom


def closed_form(P, dY, l1, l2):
    """c and L* of the two-layer ReLU optimum on a whitened hypercube task (docs/science.md)."""
    c = math.sqrt(l2 * (P + 1) / (l1 * P * (P + 2))) - l2 / P
    a = P * (P + 2) / (P + 1)
    loss = dY * (2 * math.sqrt(l1 * l2 * a) - l1 * l2 * a / P)
    return c, loss


def test_theory_from_options_matches_the_closed_form():
    t = repgeom.theory(labels=3, per_class=2, lambda1=1e-2, lambda2=1e-3)
    assert len(t) == 1
    r = t[0]
    assert (r["P"], r["dY"], r["lambda1"], r["lambda2"]) == (16, 3, 1e-2, 1e-3)
    c, loss = closed_form(16, 3, 1e-2, 1e-3)
    assert r["c"] == pytest.approx(c, rel=1e-5) and r["minimal_loss"] == pytest.approx(loss, rel=1e-5)
    assert r["minimal_width"] == 6 and not r["trivial"] and "K*" in t.text


def test_theory_of_a_spec_lists_every_lambda_pair():
    spec = {
        "name": "t",
        "task": {"kind": "hypercube", "labels": 2, "per_class": 1, "input": {"geometry": "whitened", "dim": 4, "seed": 0}},
        "model": {"activation": ["relu"], "widths": [8]},
        "grid": {"seeds": 1, "lambda": [1e-2, [1e-3, 1e-1], 10.0]},
    }
    t = repgeom.theory(spec)
    assert [(r["lambda1"], r["lambda2"]) for r in t] == [(1e-2, 1e-2), (1e-3, 1e-1), (10.0, 10.0)]
    assert [r["trivial"] for r in t] == [False, False, True]  # λ1λ2 = 100 ≥ P(P+1)/(P+2) = 10/3
    for r in t[:2]:
        assert r["c"] == pytest.approx(closed_form(4, 2, r["lambda1"], r["lambda2"])[0], rel=1e-5)


def test_run_streams_progress_and_returns_the_study(tmp_path, study_dir):
    lines = []
    spec = open(study_dir + "/spec.yaml").read().replace("seeds: 2", "seeds: 1").replace("max_steps: 1500", "max_steps: 300")
    s = repgeom.run(spec, out=tmp_path / "s", backend="java", report=False, progress=lines.append)
    assert isinstance(s, repgeom.Study) and len(s) == 18
    assert any("results in" in line for line in lines), lines
    assert s.loss_curves.shape == (18, 4)
    # a finished directory is not replaced without force
    with pytest.raises(repgeom.EngineError) as e:
        repgeom.run(spec, out=tmp_path / "s", backend="java", report=False, progress=False)
    assert e.value.code == 2 and "already exists" in e.value.output


def test_bad_spec_raises_with_the_engines_message(tmp_path):
    with pytest.raises(repgeom.EngineError) as e:
        repgeom.run({"name": "x", "task": {"kind": "hypercube", "labels": 0}}, out=tmp_path / "x", progress=False)
    assert e.value.code == 2 and "labels" in str(e.value)
