"""``minitorch.backends.mkldnn``: whether float32 CPU convolutions run in oneDNN (torch's flag of that name).

oneDNN (formerly MKL-DNN) is the library torch's CPU convolutions run on. minitorch uses it when the
``onednn`` extra is installed (see ``minitorch/_onednn.py``); ``is_available()`` says whether it loads here.
``enabled`` (True, as in torch; ``MINITORCH_MKLDNN=0`` in the environment starts it False) switches it: off,
the convolutions run minitorch's numpy code (im2col and a matrix product), which is also what runs on every
machine without the extra.
"""
import contextlib
import os

__all__ = ["is_available", "flags", "set_flags", "enabled", "deterministic", "allow_tf32"]

enabled = os.environ.get("MINITORCH_MKLDNN", "1") != "0"
deterministic = False         # torch's settings, kept: oneDNN's float32 convolutions are deterministic anyway
allow_tf32 = True             # (no TF32 on a CPU)


def is_available():
    """True when oneDNN is installed and loads (the ``onednn`` extra, Linux x86-64)."""
    from .. import _onednn
    return _onednn.is_available()


def set_flags(_enabled=None, _deterministic=None, _allow_tf32=None, _fp32_precision="none"):
    """Set the flags given (None keeps one); returns the old values, as torch's ``set_flags``.

    ``fp32_precision``: only full float32 ("none" or "ieee"); torch's reduced "tf32"/"bf16" are refused."""
    global enabled, deterministic, allow_tf32
    if _fp32_precision not in (None, "none", "ieee"):
        raise ValueError(f"minitorch's oneDNN convolutions compute in full float32: fp32_precision={_fp32_precision!r} "
                         "is not supported")
    old = (enabled, deterministic, allow_tf32, "none")
    if _enabled is not None:
        enabled = bool(_enabled)
    if _deterministic is not None:
        deterministic = bool(_deterministic)
    if _allow_tf32 is not None:
        allow_tf32 = bool(_allow_tf32)
    return old


@contextlib.contextmanager
def flags(enabled=False, deterministic=False, allow_tf32=True, fp32_precision="none"):
    """Set the flags inside a ``with`` block and restore them after it (``flags(enabled=False)``: numpy code)."""
    old = set_flags(enabled, deterministic, allow_tf32, fp32_precision)
    try:
        yield
    finally:
        set_flags(*old)
