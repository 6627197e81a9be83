"""A finished study directory, read lazily: the object ``repgeom.load`` returns."""

import collections
import hashlib
import json
import os
import re

import numpy as np

from . import _model, _table

REQUIRED = ("members.csv", "summary.json", "groups.json", "X.npy", "Y.npy")


class Task(tuple):
    """The study's data: ``X`` (dX × P) and ``Y`` (dY × P), samples as columns; unpacks as ``X, Y``."""

    def __new__(cls, X, Y):
        return super().__new__(cls, (X, Y))

    @property
    def X(self):
        return self[0]

    @property
    def Y(self):
        return self[1]


Series = collections.namedtuple("Series", "steps median q25 q75 n")
Series.__doc__ = "One median curve over training steps (``Study.trajectory_series``): steps, median, q25, q75, n."


def _ids(ids):
    shown = ", ".join(str(int(v)) for v in ids[:8])
    return shown + (", …" if len(ids) > 8 else "")


class Study:
    """A finished repgeom study directory.

    Everything is read on first use and kept: ``members`` (the member table), ``kernels``
    (E × P × P, memory-mapped), ``loss_curves`` with ``steps``, ``summary``, ``theory_check``,
    ``task``; per member ``params(i)`` and ``representations(i)``. Member ids are the row indices
    of ``members.csv``, ``kernels.npy`` and ``loss_curves.npy``.
    """

    def __init__(self, path, pandas=None):
        self.path = os.path.abspath(os.fspath(path))
        if not os.path.isdir(self.path):
            raise FileNotFoundError("%s: no such study directory" % path)
        for f in REQUIRED:
            if not os.path.isfile(os.path.join(self.path, f)):
                raise FileNotFoundError("%s is not a finished study directory (%s is missing)" % (path, f))
        self._pandas = pandas
        self._cache = {}

    def __repr__(self):
        return "<repgeom.Study %s: %d members, %s>" % (self.path, len(self), self.summary.get("study", "?"))

    def __len__(self):
        return len(self.columns["id"])

    def _file(self, name):
        return os.path.join(self.path, name)

    def _cached(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # ---- tables and summaries -------------------------------------------------------------------

    @property
    def columns(self):
        """members.csv as {column: numpy array}: numeric columns as int64/float64 (NaN for empty), others str."""
        return self._cached("columns", lambda: _table.read_columns(self._file("members.csv"))[1])

    @property
    def column_names(self):
        """The columns of members.csv, in file order."""
        return self._cached("names", lambda: _table.read_columns(self._file("members.csv"))[0])

    @property
    def members(self):
        """The member table: a pandas DataFrame where pandas is installed, else a numpy structured array.

        One row per member in id order; numeric columns (``id``, ``seed``, ``lambda1``, ``lambda2``, …,
        ``width1``, …, ``final_loss``, ``kernel_distance`` …) are numbers, ``status``, ``activation``,
        ``certificate`` and ``config`` are text. ``load(DIR, pandas=False)`` always gives the array.
        """
        return self._cached("members", self._members)

    def _members(self):
        return self._table(self.column_names, self.columns)

    def _table(self, names, cols):
        """A DataFrame of the columns where pandas is installed (and not refused), else a structured array."""
        if self._pandas is not False:
            try:
                import pandas as pd
            except ImportError:
                if self._pandas:
                    raise
            else:
                return pd.DataFrame({n: cols[n] for n in names}, columns=names)
        return _table.structured(names, cols)

    @property
    def rnn_steps(self):
        """rnn_steps.csv, the recurrent members' geometry at every time step, as ``members`` is given
        (DataFrame or structured array); None for a study without recurrent members.

        One row per recurrent member and time step, member-id order, ``t`` = 1 … T ascending: ``id``,
        ``group``, ``seed``, ``t``, ``time_steps``, ``parallelism_score``, ``participation_ratio``,
        ``label_alignment``, ``cka_to_last``, ``configuration``. ``rnn_series(column)`` gives one
        column as a member × time-step array.
        """
        return self._cached("rnn_steps", lambda: None if self._rnn_columns() is None
                            else self._table(*self._rnn_columns()))

    def _rnn_columns(self):
        return self._optional_columns("rnn_steps.csv")

    def rnn_series(self, column="parallelism_score"):
        """One column of rnn_steps.csv as an E × T_max float64 array: row i is member i (the ids of
        ``members``), entry t - 1 its value at time step t; NaN for members that are not recurrent
        and past a member's own T. None for a study without recurrent members."""
        found = self._rnn_columns()
        if found is None:
            return None
        names, cols = found
        if column not in names or column in ("id", "t", "configuration"):
            raise KeyError("rnn_steps.csv has no numeric column %r (columns: %s)" % (column, ", ".join(names)))
        ids, t = cols["id"].astype(np.int64), cols["t"].astype(np.int64)
        out = np.full((len(self), int(t.max()) if len(t) else 0), np.nan)
        out[ids, t - 1] = cols[column].astype(np.float64)
        return out

    @property
    def summary(self):
        """summary.json as a dict."""
        return self._cached("summary", lambda: self._json("summary.json"))

    @property
    def theory_check(self):
        """summary.json's ``theory_check``: always has ``applies``, ``holds`` and ``statement``."""
        check = dict(self.summary.get("theory_check", {}))
        check.setdefault("applies", False)
        check.setdefault("holds", False)
        check.setdefault("statement", check.get("why", "no theory check in summary.json"))
        return check

    @property
    def groups(self):
        """groups.json: one dict per architecture group, with its parameter layout and member ids."""
        return self._cached("groups", lambda: self._json("groups.json"))

    @property
    def manifest(self):
        """manifest.json (spec and task hashes, chunks), or None when the directory has none."""
        return self._json("manifest.json") if os.path.isfile(self._file("manifest.json")) else None

    def verify(self):
        """Checks every final file against the SHA-256 manifest.json recorded when the study was assembled
        (what ``repgeom analyze``/``report``/``landscape`` check before reading a study). Returns the names
        checked (empty for a study written before checksums); raises ValueError naming the first file that is
        missing or differs (a copy cut short, a disk error, an edit)."""
        files = (self.manifest or {}).get("files") or {}
        for name, expected in sorted(files.items()):
            path = self._file(name)
            if not os.path.isfile(path) or os.path.islink(path):
                raise ValueError("%s is missing (listed in manifest.json)" % path)
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            if digest.hexdigest() != expected:
                raise ValueError("%s does not match its SHA-256 in manifest.json (damaged or edited)" % path)
        return sorted(files)

    def _json(self, name):
        with open(self._file(name), encoding="utf-8") as f:
            return json.load(f)

    # ---- arrays ----------------------------------------------------------------------------------

    @property
    def task(self):
        """(X, Y): X is dX × P, Y is dY × P (float64); also ``study.task.X`` / ``study.task.Y``."""
        return self._cached("task", lambda: Task(np.load(self._file("X.npy")).astype(np.float64),
                                                 np.load(self._file("Y.npy")).astype(np.float64)))

    @property
    def X(self):
        return self.task.X

    @property
    def Y(self):
        return self.task.Y

    @property
    def kernels(self):
        """E × P × P float32 (memory-mapped): member i's last-hidden-layer kernel K = RᵀR is ``kernels[i]``."""
        return self._cached("kernels", lambda: np.load(self._file("kernels.npy"), mmap_mode="r"))

    @property
    def loss_curves(self):
        """E × T float32: member i's loss at step ``steps[t]`` is ``loss_curves[i, t]`` (NaN after it stopped)."""
        return self._cached("curves", lambda: np.load(self._file("loss_curves.npy"), mmap_mode="r"))

    @property
    def trace_every(self):
        """Steps between two entries of a loss curve (the spec's ``train.trace_every``, 100 when it is not set)."""
        return self._cached("trace_every", self._trace_every)

    def _trace_every(self):
        spec = self._file("spec.yaml")
        if not os.path.isfile(spec):
            return 100
        text = open(spec, encoding="utf-8").read()
        try:
            import yaml
            train = (yaml.safe_load(text) or {}).get("train") or {}
            return int(train.get("trace_every", 100))
        except ImportError:
            m = re.search(r"^[^#\n]*\btrace_every\s*:\s*(\d+)", text, re.M)
            return int(m.group(1)) if m else 100

    @property
    def steps(self):
        """The step axis of ``loss_curves``: 0, trace_every, 2·trace_every, …"""
        return np.arange(self.loss_curves.shape[1], dtype=np.int64) * self.trace_every

    # ---- one member ------------------------------------------------------------------------------

    def _locate(self, i):
        """(group dict, row in its params file) of member i."""
        index = self._cached("index", self._member_index)
        i = int(i)
        if not 0 <= i < len(index):
            raise IndexError("member %d out of range: the study has %d members" % (i, len(index)))
        g, row = index[i]
        return self.groups[g], row

    def _member_index(self):
        total = sum(len(g["member_ids"]) for g in self.groups)
        index = [None] * total
        for gi, g in enumerate(self.groups):
            for row, mid in enumerate(g["member_ids"]):
                index[mid] = (gi, row)
        return index

    def _params_file(self, group):
        key = "params%d" % group["group"]
        return self._cached(key, lambda: np.load(self._file(group["file"]), mmap_mode="r"))

    def params(self, i, flat=False):
        """Member i's parameters: a list of layers, each unpacking as ``W, b`` (b None where the layer
        has no bias), hidden layers first and the readout last; ``flat=True`` gives the raw row of
        ``params_group<g>.npy`` (float64, layout in groups.json)."""
        group, row = self._locate(i)
        values = np.array(self._params_file(group)[row], dtype=np.float64)
        return values if flat else _model.unpack(values, group)

    def activation(self, i):
        """The name of member i's activation (relu, leaky_relu, clipped_relu, linear, tanh, gelu)."""
        return self._locate(i)[0]["activation"]

    def representations(self, i):
        """Member i's hidden representations, recomputed in float64 from its parameters and X:
        a list with one M_l × P array per hidden layer (after the activation), or per time step
        h_1 … h_T of a recurrent member. The last one's ``R.T @ R`` is ``kernels[i]`` (stored in float32)."""
        return self._forward(i)[0]

    def output(self, i):
        """Member i's network output F (dY × P), float64."""
        return self._forward(i)[1]

    def _forward(self, i):
        group, _ = self._locate(i)
        phi = _model.activation(group["activation"])
        if group.get("kind") == "rnn":
            return _model.forward_rnn(self.params(i), self.X, phi, group["time_steps"], group["input"] == "every")
        return _model.forward(self.params(i), self.X, phi)

    def kernel(self, i, layer=-1):
        """Member i's representation kernel RᵀR (P × P, float64) of a hidden layer (default the last)."""
        R = self.representations(i)[layer]
        return R.T @ R

    # ---- held-out samples ------------------------------------------------------------------------

    @property
    def held_out(self):
        """(X_test, Y_test) of a study that holds samples out (``task.holdout`` or ``task.test_x``/``test_y``):
        dX × Q and dY × Q float64, as ``task``; None for a study that holds none out."""
        def read():
            if not os.path.isfile(self._file("X_test.npy")):
                return None
            return Task(np.load(self._file("X_test.npy")).astype(np.float64),
                        np.load(self._file("Y_test.npy")).astype(np.float64))
        return self._cached("held_out", read)

    # ---- kernels during training (train.kernel_every) ----------------------------------------------

    def _optional_array(self, name):
        path = self._file(name)
        return self._cached(name, lambda: np.load(path, mmap_mode="r") if os.path.isfile(path) else None)

    @property
    def kernel_trace(self):
        """M_t × T × P × P float32 (memory-mapped): row r is the last-hidden-layer kernel of member
        ``kernel_trace_members[r]`` at the steps ``kernel_trace_steps``; None for a study that did not
        record kernels during training. ``kernel_trace_of(i)`` gives one member's."""
        return self._optional_array("kernel_trace.npy")

    @property
    def kernel_trace_steps(self):
        """The T steps of ``kernel_trace`` (int64), or None."""
        return self._optional_array("kernel_trace_steps.npy")

    @property
    def kernel_trace_members(self):
        """The member ids of ``kernel_trace``'s rows (int64, increasing), or None."""
        return self._optional_array("kernel_trace_members.npy")

    def kernel_trace_of(self, i, layer=None):
        """Member i's kernels during training, T × P × P float32 at ``kernel_trace_steps``: of its last
        hidden layer (``layer`` None), or of hidden layer ``layer`` (1-based). Raises KeyError when member
        i was not traced (``train.kernel_trace_members`` traces a sample) or the study traced nothing."""
        ids = self.kernel_trace_members
        if ids is None:
            raise KeyError("the study recorded no kernels during training (train.kernel_every)")
        row = int(np.searchsorted(ids, int(i)))
        if row >= len(ids) or ids[row] != int(i):
            raise KeyError("member %d was not traced (traced: %d members, ids %s)" % (int(i), len(ids), _ids(ids)))
        if layer is None:
            return self.kernel_trace[row]
        depth = int(self.columns["depth"][int(i)])
        layer = int(layer)
        if not 1 <= layer <= depth:
            raise IndexError("member %d has hidden layers 1..%d, not %d" % (int(i), depth, layer))
        if layer == depth:
            return self.kernel_trace[row]
        return self._optional_array("kernel_trace_layer%d.npy" % layer)[row]

    # ---- analysis/ (repgeom analyze) and landscape (repgeom landscape) ------------------------------

    def _optional_columns(self, name):
        """(names, columns) of a CSV file of the study, or None where it has none."""
        def read():
            path = self._file(name)
            return _table.read_columns(path) if os.path.isfile(path) else None
        return self._cached("columns " + name, read)

    def _optional_table(self, name):
        found = self._optional_columns(name)
        return None if found is None else self._cached("table " + name, lambda: self._table(*found))

    def _optional_json(self, name):
        return self._cached("json " + name, lambda: self._json(name) if os.path.isfile(self._file(name)) else None)

    @property
    def metrics(self):
        """analysis/metrics.csv as ``members`` is given: one row per member and hidden layer (``id``,
        ``config``, ``layer``, ``ps``, ``ccgp``, ``cka_y``, ``pr``, …); None before ``repgeom analyze``
        (``run`` writes it unless ``--no-report``)."""
        return self._optional_table(os.path.join("analysis", "metrics.csv"))

    @property
    def analysis(self):
        """analysis/summary.json (quantiles of every metric per configuration and layer), or None."""
        return self._optional_json(os.path.join("analysis", "summary.json"))

    @property
    def trajectory(self):
        """analysis/trajectory.csv (long format: ``config``, ``layer``, ``step``, ``metric``, ``median``,
        ``q25``, ``q75``, ``n``), or None where the study recorded no kernels during training.
        ``trajectory_series`` cuts one curve out of it."""
        return self._optional_table(os.path.join("analysis", "trajectory.csv"))

    @property
    def trajectory_events(self):
        """analysis/trajectory_events.csv, the stage-like transitions of the median curves, or None."""
        return self._optional_table(os.path.join("analysis", "trajectory_events.csv"))

    def trajectory_series(self, config, metric, layer=None):
        """One median curve of analysis/trajectory.csv as a ``Series`` ordered by step: ``steps``
        (int64), ``median``, ``q25``, ``q75`` (float64) and ``n`` (members with a value, int64). ``layer``: the hidden layer (1-based); None takes
        the configuration's last hidden layer (``loss`` has none). Raises KeyError when there is no such curve."""
        found = self._optional_columns(os.path.join("analysis", "trajectory.csv"))
        if found is None:
            raise KeyError("no analysis/trajectory.csv: the study recorded no kernels during training, or was not analysed")
        cols = found[1]
        rows = (cols["config"] == config) & (np.asarray(cols["metric"]).astype(str) == metric)
        layers = np.asarray(cols["layer"], dtype=np.float64)
        if metric != "loss":
            if layer is None and rows.any():
                layer = int(np.nanmax(layers[rows]))
            rows &= layers == (np.nan if layer is None else float(layer))
        if not rows.any():
            metrics = sorted(set(np.asarray(cols["metric"]).astype(str)[cols["config"] == config]))
            raise KeyError("trajectory.csv has no %r curve for %r%s (its metrics there: %s)" % (
                str(metric), str(config), "" if layer is None else " layer %s" % layer, ", ".join(metrics) or "none"))
        order = np.argsort(np.asarray(cols["step"], dtype=np.float64)[rows], kind="stable")
        pick = lambda name, dtype=np.float64: np.asarray(cols[name], dtype=dtype)[rows][order]
        return Series(pick("step", np.int64), pick("median"), pick("q25"), pick("q75"), pick("n", np.int64))

    @property
    def landscape(self):
        """landscape.csv, one row per configuration (``repgeom landscape DIR``), or None before that runs."""
        return self._optional_table("landscape.csv")

    @property
    def landscape_summary(self):
        """landscape.json, or None before ``repgeom landscape DIR`` runs."""
        return self._optional_json("landscape.json")

    # ---- xarray ----------------------------------------------------------------------------------

    def to_xarray(self):
        """An xarray.Dataset with dims member, step, sample, sample2: every members.csv column as a
        variable over ``member``, ``kernel`` (member × sample × sample2), ``loss`` (member × step),
        ``X`` and ``Y``. Needs xarray (not required otherwise)."""
        try:
            import xarray as xr
        except ImportError:
            raise ImportError("Study.to_xarray needs xarray (pip install xarray); everything else works without it") from None
        cols = self.columns
        data = {n: ("member", cols[n]) for n in self.column_names if n != "id"}
        data["kernel"] = (("member", "sample", "sample2"), np.asarray(self.kernels))
        data["loss"] = (("member", "step"), np.asarray(self.loss_curves))
        data["X"] = (("input", "sample"), self.X)
        data["Y"] = (("label", "sample"), self.Y)
        coords = {"member": cols["id"], "step": self.steps}
        return xr.Dataset(data, coords=coords, attrs={"study": str(self.summary.get("study", "")), "path": self.path})


def load(path, pandas=None):
    """Opens the finished study directory ``path`` (what ``repgeom run … --out DIR`` wrote).

    ``pandas``: None (default) gives ``members`` as a DataFrame when pandas is installed;
    False always a numpy structured array; True requires pandas.
    """
    return Study(path, pandas=pandas)
