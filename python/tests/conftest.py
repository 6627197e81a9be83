"""A small study, trained once per test session by the engine through ``repgeom.run``.

The engine is found as repgeom finds it (REPGEOM_JAR, REPGEOM_CLASSPATH or the repository's
java/target/repgeom.jar); ``REPGEOM_TEST_STUDY=DIR`` reuses a study trained before instead.
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package from this checkout, installed or not

import repgeom  # noqa: E402

# Three activations (ReLU, tanh and GELU — the tanh approximation), one and two hidden layers,
# two λ: every activation definition and the parameter layout of both depths are exercised.
SPEC = """\
name: py-small
task:
  kind: hypercube
  labels: 2
  per_class: 1
  input: {geometry: whitened, dim: 4, seed: 1}
model:
  activation: [relu, tanh, gelu]
  widths: [3, 8, [4, 5]]
grid:
  seeds: 2
  lambda: [1.0e-2, 3.0e-3]
optimizer: {kind: adam, lr: 1.0e-2, final_lr_ratio: 1.0e-2}
train: {max_steps: 1500, tol: 1.0e-9, window: 200, trace_every: 100}
"""


@pytest.fixture(scope="session")
def study_dir(tmp_path_factory):
    given = os.environ.get("REPGEOM_TEST_STUDY")
    if given:
        return given
    out = tmp_path_factory.mktemp("study") / "py-small"
    repgeom.run(SPEC, out=str(out), backend="java", report=False, progress=False)
    return str(out)


@pytest.fixture(scope="session")
def study(study_dir):
    return repgeom.load(study_dir, pandas=False)
