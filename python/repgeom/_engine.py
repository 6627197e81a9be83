"""Runs the repgeom engine (the Java command-line program) from Python.

Which program: ``REPGEOM_JAR`` (a path to repgeom.jar), else ``REPGEOM_CLASSPATH`` (a class path
holding org.repgeom.cli.Main, what the project's tests use), else the jar of the repository this
package sits in or that the working directory is inside (``java/target/repgeom.jar``, built by
``mvn -DskipTests package``, or ``bundle/lib/repgeom.jar``). Java is ``REPGEOM_JAVA``, else
``$JAVA_HOME/bin/java``, else ``java`` on the PATH.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from ._study import load

MAIN_CLASS = "org.repgeom.cli.Main"
_JARS = (os.path.join("java", "target", "repgeom.jar"), os.path.join("bundle", "lib", "repgeom.jar"))


class EngineError(RuntimeError):
    """The engine exited with a non-zero code; ``code`` and ``output`` say what it printed."""

    def __init__(self, args, code, output):
        tail = output.strip().splitlines()[-5:]
        super().__init__("repgeom %s exited with code %d%s" % (" ".join(args), code,
                                                                ": " + " / ".join(tail) if tail else ""))
        self.code = code
        self.output = output


def _java():
    explicit = os.environ.get("REPGEOM_JAVA")
    if explicit:
        return explicit
    home = os.environ.get("JAVA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "java")):
        return os.path.join(home, "bin", "java")
    found = shutil.which("java")
    if not found:
        raise FileNotFoundError("no java on the PATH (repgeom needs Java 17); set REPGEOM_JAVA or JAVA_HOME")
    return found


def _repository_jar():
    starts = [os.path.dirname(os.path.abspath(__file__)), os.getcwd()]
    for start in starts:
        d = start
        while True:
            for rel in _JARS:
                if os.path.isfile(os.path.join(d, rel)):
                    return os.path.join(d, rel)
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return None


def command():
    """The command line prefix that starts the engine, e.g. ``['java', '-jar', '…/repgeom.jar']``."""
    jar = os.environ.get("REPGEOM_JAR")
    if jar:
        if not os.path.isfile(jar):
            raise FileNotFoundError("REPGEOM_JAR=%s: no such file" % jar)
        return [_java(), "-jar", jar]
    cp = os.environ.get("REPGEOM_CLASSPATH")
    if cp:
        return [_java(), "-cp", cp, MAIN_CLASS]
    jar = _repository_jar()
    if jar:
        return [_java(), "-jar", jar]
    raise FileNotFoundError("repgeom.jar not found: set REPGEOM_JAR=/path/to/repgeom.jar, or build it in the "
                            "repository with `mvn -DskipTests package` (java/target/repgeom.jar)")


def call(args, progress=True):
    """Runs ``repgeom ARGS``; streams its output line by line (to stdout, or to ``progress(line)`` when
    it is a function; ``progress=False`` is silent) and returns all of it. Raises EngineError on a
    non-zero exit code."""
    cmd = command() + [str(a) for a in args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace")
            lines.append(line)
            if callable(progress):
                progress(line.rstrip("\n"))
            elif progress:
                sys.stdout.write(line)
                sys.stdout.flush()
        code = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    output = "".join(lines)
    if code != 0:
        raise EngineError([str(a) for a in args], code, output)
    return output


def _spec_file(spec, tmp):
    """A path to a spec file: ``spec`` itself when it is one, else the spec written into ``tmp``.
    A dict is written as JSON (which YAML reads); its relative task paths are made absolute."""
    if isinstance(spec, dict):
        spec = json.loads(json.dumps(spec))
        task = spec.get("task") or {}
        for key in ("x", "y"):
            if isinstance(task.get(key), str):
                task[key] = os.path.abspath(task[key])
        text = json.dumps(spec, indent=2)
    elif isinstance(spec, str) and "\n" in spec:
        text = spec
    else:
        path = os.fspath(spec)
        if not os.path.isfile(path):
            raise FileNotFoundError("%s: no such spec file" % path)
        return path
    path = os.path.join(tmp, "spec.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def run(spec, out=None, backend="auto", force=False, resume=False, report=True, progress=True, args=()):
    """Trains a study with the engine and returns it loaded (``repgeom.load(out)``).

    ``spec``: a spec file path, a spec as YAML text, or a dict; ``out``: the output directory
    (default: the spec's ``output.dir``); ``backend``: auto, java, native or cuda; ``force``
    replaces a finished ``out``; ``resume`` continues an unfinished one; ``report=False`` skips the
    analysis and report.html; ``progress``: True prints the engine's progress lines, False is
    silent, a function receives each line; ``args``: further command-line options
    (e.g. ``["--chunk-size", "256"]``).
    """
    with tempfile.TemporaryDirectory(prefix="repgeom-spec-") as tmp:
        argv = ["run", _spec_file(spec, tmp), "--backend", backend]
        if out is not None:
            argv += ["--out", os.path.abspath(os.fspath(out))]
        if force:
            argv.append("--force")
        if resume:
            argv.append("--resume")
        if not report:
            argv.append("--no-report")
        argv += [str(a) for a in args]
        output = call(argv, progress)
    if out is None:
        m = re.findall(r"^results in (.+)$", output, re.M)
        if not m:
            raise EngineError(argv, 0, output + "\n(could not find the output directory in the engine's output)")
        out = m[-1].strip()
    return load(out)


def analyze(path, args=(), progress=False):
    """Runs ``repgeom analyze`` on the finished study ``path`` (writes analysis/: ``metrics``,
    ``trajectory`` …) and returns the study loaded; ``args``: further options, e.g. ``["--metrics", "all"]``."""
    path = os.path.abspath(os.fspath(path))
    call(["analyze", path] + [str(a) for a in args], progress)
    return load(path)


def landscape(path, args=(), progress=False):
    """Runs ``repgeom landscape`` on the finished study ``path`` (writes landscape.csv and landscape.json:
    ``Study.landscape``) and returns the study loaded; ``args``: further options, e.g. ``["--tol", "0.01"]``."""
    path = os.path.abspath(os.fspath(path))
    call(["landscape", path] + [str(a) for a in args], progress)
    return load(path)


class Theory(list):
    """What ``repgeom theory`` printed: a list with one dict per (λ1, λ2) pair (``lambda1``,
    ``lambda2``, ``P``, ``dY``, ``c``, ``minimal_loss``, ``minimal_width``, ``trivial``), and the
    text itself as ``.text``."""

    text = ""

    def __str__(self):
        return self.text


def _number(s):
    m = re.search(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", s)
    return float(m.group(0)) if m else float("nan")


def _parse_theory(text):
    out = Theory()
    out.text = text
    current = None
    for line in text.splitlines():
        m = re.match(r"^  (\S.*?)\s{2,}(.*)$", line)
        if not m:
            continue
        key, value = m.group(1).strip(), m.group(2)
        if key == "samples P":
            current = {"P": int(_number(value))}
            out.append(current)
        elif current is None:
            continue
        elif key == "labels dY":
            current["dY"] = int(_number(value))
        elif key == "lambda1, lambda2":
            l1, l2 = value.split(",", 1)
            current["lambda1"], current["lambda2"] = _number(l1), _number(l2)
        elif key == "kernel":
            current["trivial"] = "K* = 0" in value
            current["c"] = 0.0 if current["trivial"] else _number(value.split("c =", 1)[1])
        elif key == "minimal loss L*":
            current["minimal_loss"] = _number(value)
        elif key == "minimal width":
            current["minimal_width"] = int(_number(value))
    return out


def _theory_of_spec(text):
    """``repgeom theory SPEC --json``: one dict per configuration of the spec. Two-layer networks get
    ``lambda1``/``lambda2``; where a closed form applies, ``c`` is K*'s mean coefficient
    K*_ii / (2 dY) (the c of K* = c (K_Y + dY 11ᵀ) on the whitened hypercube)."""
    out = Theory()
    out.text = text
    for r in json.loads(text):
        lambdas = r["lambdas"]
        if len(lambdas) == 2:
            r["lambda1"], r["lambda2"] = lambdas
        if r.get("applies"):
            k = np.asarray(r["kernel"], dtype=float)
            r["kernel"] = k
            r["minimal_width"] = r["minimal_widths"][-1] if r["minimal_widths"] else None
            if r.get("form") == "hypercube-ray":
                r["c"] = 0.0 if r["trivial"] else float(np.mean(np.diag(k))) / (2 * r["labels"])
        out.append(r)
    return out


def theory(spec=None, labels=None, per_class=1, lambda1=None, lambda2=None, progress=False):
    """Closed-form optima from the engine's ``repgeom theory``. With ``spec`` (a file, YAML text or
    dict): one dict per configuration of the spec (``repgeom theory SPEC --json``: activation,
    widths, bias, lambdas, the form that applies with its minimal loss, smallest widths and last-layer
    kernel as an array, or ``why`` none does; two-layer configurations also get ``lambda1``,
    ``lambda2`` and, for the hypercube form, ``c``). Without: the two-layer ReLU on the whitened
    hypercube for ``labels`` = dY, ``per_class`` samples per class and ``lambda1`` (``lambda2``
    defaults to it), one dict. Returns a :class:`Theory` (a list of dicts; ``.text`` is the
    engine's text)."""
    with tempfile.TemporaryDirectory(prefix="repgeom-spec-") as tmp:
        if spec is not None:
            return _theory_of_spec(call(["theory", _spec_file(spec, tmp), "--json"], progress))
        else:
            if labels is None or lambda1 is None:
                raise ValueError("give a spec, or labels= and lambda1= (optionally per_class=, lambda2=)")
            argv = ["theory", "--labels", int(labels), "--per-class", int(per_class), "--lambda1", repr(float(lambda1))]
            if lambda2 is not None:
                argv += ["--lambda2", repr(float(lambda2))]
        return _parse_theory(call(argv, progress))
