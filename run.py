#!/usr/bin/env python3
"""The README's commands, each doing its own set-up on a machine that has only Python 3.10+.

    python3 run.py compare          # the main job: minitorch vs torch, the quick benchmark table
    python3 run.py compare --full   # the whole benchmark suite
    python3 run.py test             # the test suite (what CI runs)
    python3 run.py setup            # only the set-up below

The first call creates ``.venv/`` and installs into it, with pip: ``torch==2.13.0``
as pip resolves it from your configured package indexes (from PyPI on Linux that
is the CUDA build; for the smaller CPU-only build, first set
PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu), then minitorch
itself in editable mode with its test and plot extras (pytest, hypothesis,
tensorboard, pillow, matplotlib). Later calls reuse it; delete ``.venv/`` to
start over. Extra arguments go to ``python -m benchmarks`` or ``pytest``.
"""
import hashlib
import os
import subprocess
import sys
import venv

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
TORCH = "torch==2.13.0"
STAMP = os.path.join(VENV, ".minitorch-installed")


def venv_python():
    sub = "Scripts" if os.name == "nt" else "bin"
    return os.path.join(VENV, sub, "python.exe" if os.name == "nt" else "python")


def sh(*cmd):
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def _wanted():
    """What the environment should hold: the torch pin and the project's dependencies (setup.cfg)."""
    with open(os.path.join(ROOT, "setup.cfg"), "rb") as f:
        return TORCH + " " + hashlib.sha256(f.read()).hexdigest() + "\n"


def setup():
    """Create the virtual environment and install torch and minitorch[test] into it (again when setup.cfg's
    dependencies changed since the last install)."""
    if not os.path.exists(venv_python()):
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if os.path.exists(STAMP):
        with open(STAMP) as f:
            if f.read() == _wanted():
                return
    py = venv_python()
    pip = [py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    sh(*pip, "--upgrade", "pip")
    sh(*pip, TORCH)
    sh(*pip, "-e", ".[test,plot]")
    with open(STAMP, "w") as f:
        f.write(_wanted())


COMMANDS = ("compare", "test", "setup")


def usage():
    return __doc__.strip().split("\n\n")[1] + "\n"


def main(argv):
    if argv and argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    if not argv or argv[0] not in COMMANDS:
        what = f"unknown command {argv[0]!r}" if argv else "no command given"
        print(f"run.py: {what} (choose from {', '.join(COMMANDS)})\n\nusage:\n{usage()}", file=sys.stderr)
        return 2
    task, rest = argv[0], argv[1:]
    setup()
    py = venv_python()
    if task == "setup":
        print(f"ready: {os.path.relpath(py, ROOT)} has torch and minitorch "
              f"(e.g. {os.path.relpath(py, ROOT)} examples/quickstart.py)")
        return 0
    if task == "test":
        return subprocess.run([py, "-m", "pytest", "-q"] + rest, cwd=ROOT).returncode
    full = "--full" in rest
    rest = [a for a in rest if a != "--full"]
    return subprocess.run([py, "-m", "benchmarks"] + ([] if full else ["--quick"]) + rest, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
