"""``minitorch/_malloc.py``: on Linux with glibc, ``import minitorch`` makes malloc keep freed memory, so an op's
large numpy temporaries reuse pages instead of faulting fresh ones in on every call; the environment variable
turns it off. Checked by counting page faults in a child process (no timing)."""
import json
import os
import subprocess
import sys

import pytest

from minitorch._malloc import on_glibc

GLIBC = on_glibc()

CHILD = r"""
import json, resource
import minitorch
x = minitorch.randn(64, 6, 28, 28)                 # 1.2 MB: silu makes six temporaries of this size
f = minitorch.nn.functional.silu
for _ in range(3):
    f(x)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    f(x)
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10
print(json.dumps({"active": minitorch._malloc.active, "faults": faults}))
"""


def _child(**env):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    full = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    full.pop("MINITORCH_KEEP_FREED_MEMORY", None)
    full.update(env)
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=full, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not GLIBC, reason="malloc's thresholds are set on Linux with glibc only")
def test_freed_memory_is_reused_without_page_faults():
    kept = _child()
    assert kept["active"] is True
    # one call's six temporaries of 1.2 MB would be about 1,800 pages if they came from fresh memory
    assert kept["faults"] < 50, kept


def test_the_environment_variable_leaves_malloc_alone():
    plain = _child(MINITORCH_KEEP_FREED_MEMORY="0")
    assert plain["active"] is False


@pytest.mark.skipif(GLIBC, reason="checks the other platforms' answer")
def test_nothing_is_set_without_glibc():
    assert _child()["active"] is False
