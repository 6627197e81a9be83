"""The README's Python snippet and examples/python run on a study, with numpy alone."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Makes `import pandas` fail in the child, as on a machine without it.
NO_PANDAS = "import sys; sys.modules['pandas'] = None; sys.modules['xarray'] = None\n"


def _env():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return env


def test_readme_snippet_runs_with_numpy_alone(study_dir):
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "README.md has no ```python block"
    code = NO_PANDAS + blocks[0].replace("/tmp/ex", study_dir)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "median distance to theory" in r.stdout, r.stdout


def test_kernels_vs_theory_example(study_dir, tmp_path):
    script = os.path.join(ROOT, "examples", "python", "kernels_vs_theory.py")
    fig = tmp_path / "fig.png"
    r = subprocess.run([sys.executable, script, study_dir, "--out", str(fig)], capture_output=True, text=True,
                       env=_env(), cwd=str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "relu|w=8|lambda=0.01|lr=0.01" in r.stdout and "theory check:" in r.stdout, r.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in r.stdout and not fig.exists()
    else:
        assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", r.stdout
    # and without matplotlib it still runs, saying so
    r = subprocess.run([sys.executable, "-c", NO_PANDAS + "sys.modules['matplotlib'] = None\n"
                        "sys.argv = [%r, %r]\n"
                        "exec(compile(open(%r).read(), %r, 'exec'), {'__name__': '__main__', '__file__': %r})"
                        % (script, study_dir, script, script, script)],
                       capture_output=True, text=True, env=_env(), cwd=str(tmp_path))
    assert r.returncode == 0 and "matplotlib is not installed" in r.stdout, r.stdout + r.stderr
