"""repgeom from Python: read finished studies, start new ones, query the closed forms.

    import repgeom
    study = repgeom.load("/tmp/ex")          # a finished study directory
    study.members                            # one row per member (DataFrame with pandas, else numpy)
    study.kernels[i]                         # member i's P × P kernel of its last hidden layer
    R = study.representations(i)             # its hidden layers, recomputed in float64
    study = repgeom.run("spec.yaml", out="/tmp/s", backend="native")   # runs the engine, then loads

Needs only numpy; pandas, xarray and matplotlib are used when installed. The science and the
file formats: docs/science.md and docs/outputs.md of the repgeom repository.
"""

from ._engine import EngineError, analyze, command, landscape, run, theory
from ._model import ACTIVATIONS, activation
from ._study import Series, Study, Task, load

__version__ = "0.1.0"
__all__ = ["load", "run", "analyze", "landscape", "theory", "Study", "Task", "Series", "EngineError", "activation",
           "ACTIVATIONS", "command"]
