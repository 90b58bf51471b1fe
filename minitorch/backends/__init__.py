"""``minitorch.backends``: torch's backend flags, answered for minitorch.

minitorch computes on numpy (CPU) or cupy (CUDA); it never calls cuDNN or Metal itself, so
``cudnn.is_available()`` and ``mps.is_available()`` are False everywhere. ``mkldnn`` is real: with the
``onednn`` extra installed, float32 CPU convolutions run in oneDNN (as torch's do) while ``mkldnn.enabled``.
The cuDNN flags that tutorials set (``torch.backends.cudnn.benchmark = True``, ``deterministic = True``) are
kept as plain settings with torch's defaults and change nothing: minitorch's kernels are deterministic and
have no autotuner.
"""
from . import cuda, cudnn, mkldnn, mps  # noqa: F401

__all__ = ["cuda", "cudnn", "mkldnn", "mps"]
