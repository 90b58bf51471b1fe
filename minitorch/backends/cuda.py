"""``minitorch.backends.cuda``: whether minitorch can reach CUDA at all, and torch's matmul flags."""
from .. import _backend

__all__ = ["is_built", "matmul"]


def is_built():
    """True when cupy, minitorch's CUDA backend, is installed and imports (a GPU need not be present:
    ``minitorch.cuda.is_available()`` says whether one can be used)."""
    if _backend.cuda_available():
        return True
    try:
        import cupy  # noqa: F401  (optional package: imported when asked)
    except Exception:
        return False
    return True


class _Matmul:
    """``torch.backends.cuda.matmul``: precision flags with torch's defaults (minitorch's cupy matmuls use full
    float32, as ``allow_tf32 = False`` asks)."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _Matmul()
