"""`pip install ./python` in a fresh virtual environment that sees only the system's packages
(numpy among them), with the package index switched off: the install needs no network."""

import os
import subprocess
import sys

import pytest

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_pip_installs_offline_into_a_fresh_venv(tmp_path, study_dir):
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip("python3 -m venv does not work here (Debian: apt-get install python3-venv): " + made.stderr[-300:])
    py = str(venv / "bin" / "python")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    install = subprocess.run([py, "-m", "pip", "install", "--no-index", "--no-cache-dir", PACKAGE],
                             capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    check = ("import os, sys, numpy, repgeom\n"
             "assert repgeom.__file__.startswith(sys.prefix), repgeom.__file__\n"
             "s = repgeom.load(sys.argv[1])\n"
             "m = s.members\n"
             "assert s.columns['lambda1'].dtype == numpy.float64\n"
             "print('ok', repgeom.__version__, numpy.__version__, len(s))\n")
    run = subprocess.run([py, "-c", check, study_dir], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert run.returncode == 0 and run.stdout.startswith("ok 0.1.0"), run.stdout + run.stderr
