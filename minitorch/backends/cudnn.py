"""``minitorch.backends.cudnn``: cuDNN's flags. minitorch does not call cuDNN yet, so ``is_available()`` is False
and ``version()`` None; ``enabled``, ``benchmark``, ``deterministic``, ``allow_tf32`` are settings with torch's
defaults that a program may read and assign, and that change nothing today.

``enabled`` starts False when the environment says ``MINITORCH_CUDNN=0``: the switch the GPU convolution path
will read (the ``[cuda]`` extra already installs NVIDIA's cuDNN frontend for it; see the README's GPU section).
"""
import contextlib
import os

__all__ = ["is_available", "version", "is_acceptable", "flags", "enabled", "benchmark", "benchmark_limit",
           "deterministic", "allow_tf32"]

enabled = os.environ.get("MINITORCH_CUDNN", "1") != "0"
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available():
    """False: minitorch does not use cuDNN."""
    return False


def version():
    """None: no cuDNN is loaded."""
    return None


def is_acceptable(tensor):
    """False: cuDNN would not be used for any tensor."""
    return False


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the flags inside a ``with`` block and restore them after it."""
    g = globals()
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    old = {n: g[n] for n in names}
    g.update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit, deterministic=deterministic,
             allow_tf32=allow_tf32)
    try:
        yield
    finally:
        g.update(old)
