"""A PEP 517 build backend for the pure-Python package ``repgeom``, standard library only.

Why not setuptools: pip builds in an isolated environment and would download setuptools there,
which fails on an offline cluster node. This backend has no requirements, so ``pip install ./python``
needs no network. It packs ``repgeom/*.py`` into a wheel (PEP 427) with metadata read from
``pyproject.toml``; ``build_editable`` installs a ``.pth`` file that points at this folder.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGE = "repgeom"


def _project():
    """name, version, summary, requires-python and dependencies from pyproject.toml's [project] table."""
    text = open(os.path.join(_HERE, "pyproject.toml"), encoding="utf-8").read()
    table = text.split("[project]", 1)[1].split("\n[", 1)[0]

    def value(key):
        m = re.search(r"^" + re.escape(key) + r"\s*=\s*\"([^\"]*)\"", table, re.M)
        return m.group(1) if m else None

    deps = re.search(r"^dependencies\s*=\s*\[([^\]]*)\]", table, re.M)
    extras = {}
    section = text.split("[project.optional-dependencies]", 1)
    if len(section) == 2:
        for m in re.finditer(r"^(\w+)\s*=\s*\[([^\]]*)\]", section[1].split("\n[", 1)[0], re.M):
            extras[m.group(1)] = re.findall(r"\"([^\"]+)\"", m.group(2))
    return {
        "name": value("name"),
        "version": value("version"),
        "summary": value("description"),
        "requires_python": value("requires-python"),
        "dependencies": re.findall(r"\"([^\"]+)\"", deps.group(1)) if deps else [],
        "extras": extras,
    }


def _metadata(p):
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"],
             "Summary: " + p["summary"], "License: Apache-2.0"]
    if p["requires_python"]:
        lines.append("Requires-Python: " + p["requires_python"])
    lines += ["Requires-Dist: " + d for d in p["dependencies"]]
    for extra, deps in p["extras"].items():
        lines.append("Provides-Extra: " + extra)
        lines += ["Requires-Dist: %s; extra == \"%s\"" % (d, extra) for d in deps]
    readme = os.path.join(_HERE, "README.md")
    body = open(readme, encoding="utf-8").read() if os.path.exists(readme) else ""
    return "\n".join(lines) + "\nDescription-Content-Type: text/markdown\n\n" + body


def _dist_info(p):
    return "%s-%s.dist-info" % (p["name"], p["version"])


def _wheel_name(p):
    return "%s-%s-py3-none-any.whl" % (p["name"], p["version"])


def _sources():
    """(path inside the wheel, bytes) of every module of the package, in a stable order."""
    out = []
    root = os.path.join(_HERE, _PACKAGE)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            if f.endswith(".py") or f == "py.typed":
                full = os.path.join(dirpath, f)
                rel = os.path.relpath(full, _HERE).replace(os.sep, "/")
                out.append((rel, open(full, "rb").read()))
    return out


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def _write_wheel(wheel_directory, files):
    p = _project()
    info = _dist_info(p)
    files = list(files) + [
        (info + "/METADATA", _metadata(p).encode()),
        (info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: repgeom_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    record = [_record_line(n, d) for n, d in files] + [info + "/RECORD,,"]
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode()))
    name = _wheel_name(p)
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files:
            z.writestr(zipfile.ZipInfo(n, date_time=(2020, 1, 1, 0, 0, 0)), d, zipfile.ZIP_DEFLATED)
    return name


# ---- PEP 517 / PEP 660 hooks -------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    p = _project()
    info = os.path.join(metadata_directory, _dist_info(p))
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata(p))
    return _dist_info(p)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, _sources())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [("repgeom-editable.pth", (_HERE + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    p = _project()
    base = "%s-%s" % (p["name"], p["version"])
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        members = ["pyproject.toml", "README.md", "_backend/repgeom_build.py"] + [n for n, _ in _sources()]
        for rel in members:
            full = os.path.join(_HERE, rel)
            if os.path.exists(full):
                t.add(full, arcname=base + "/" + rel)
        pkg_info = _metadata(p).encode()
        ti = tarfile.TarInfo(base + "/PKG-INFO")
        ti.size = len(pkg_info)
        t.addfile(ti, io.BytesIO(pkg_info))
    return name
