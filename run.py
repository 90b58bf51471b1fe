#!/usr/bin/env python3
"""The two commands of the README, each doing its own set-up on a machine that has only Python.

    python3 run.py compare          # the main job: minitorch vs torch, quick benchmark table
    python3 run.py compare --full   # the full benchmark suite (under 10 minutes on 2 cores)
    python3 run.py test             # the test suite (what CI runs)

The first call creates ``.venv/`` and installs into it: torch==2.13.0 (its CPU
build where one is available), then minitorch itself with its test extras.
Later calls reuse it. Extra arguments go to ``python -m benchmarks`` or ``pytest``.
"""
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


def setup():
    """Create the virtual environment and install torch and minitorch[test] into it (once)."""
    if not os.path.exists(venv_python()):
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if os.path.exists(STAMP):
        return
    py = venv_python()
    pip = [py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    sh(*pip, "--upgrade", "pip")
    sh(*pip, TORCH)
    sh(*pip, "-e", ".[test,plot]")
    with open(STAMP, "w") as f:
        f.write("ok\n")


def main(argv):
    if not argv or argv[0] not in ("compare", "test", "setup"):
        print(__doc__)
        return 2
    task, rest = argv[0], argv[1:]
    setup()
    py = venv_python()
    if task == "setup":
        return 0
    if task == "test":
        return subprocess.run([py, "-m", "pytest", "-q"] + rest, cwd=ROOT).returncode
    full = "--full" in rest
    rest = [a for a in rest if a != "--full"]
    return subprocess.run([py, "-m", "benchmarks"] + ([] if full else ["--quick"]) + rest, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
