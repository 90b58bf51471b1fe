"""``minitorch.accelerator``: torch's device-agnostic accelerator API, answered by minitorch's one accelerator, CUDA
(through cupy).

On a machine without a usable GPU ``is_available()`` is False, ``current_accelerator()`` is None,
``device_count()`` is 0, and the calls that need a device raise torch's RuntimeError, as torch on a CPU-only
machine does. With a GPU they are ``minitorch.cuda``'s: the accelerator is ``device('cuda')``.

    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
"""
from . import _backend, cuda

__all__ = ["current_accelerator", "current_device_idx", "current_device_index", "device_count", "device_index",
           "is_available", "set_device_idx", "set_device_index", "synchronize"]

_NONE = "Cannot access accelerator device when none is available."


def is_available():
    """True when an accelerator (a CUDA device that cupy can use) is present."""
    return _backend.cuda_available()


def device_count():
    """The number of accelerator devices (0 without one)."""
    return _backend.cuda_device_count() if _backend.cuda_available() else 0


def current_accelerator(check_available=False):
    """``device(type='cuda')`` when minitorch can use a GPU, else None (``check_available`` changes nothing here:
    the only accelerator minitorch is built for is the one it found)."""
    if _backend.cuda_available():
        return _backend.device("cuda")
    return None


def _require():
    if not _backend.cuda_available():
        raise RuntimeError(_NONE)
    return cuda


def current_device_index():
    """The index of the current accelerator device."""
    return _require().current_device()


def set_device_index(device):
    """Make ``device`` (an index, ``'cuda:1'``, a device) the current accelerator device; -1 does nothing."""
    _require().set_device(device)


def synchronize(device=None):
    """Wait until every kernel queued on ``device`` (default: the current one) has finished."""
    _require().synchronize(device)


current_device_idx = current_device_index      # torch's older names
set_device_idx = set_device_index


class device_index:
    """Context manager: ``device`` is the current accelerator device inside the block (None: do nothing)."""

    def __init__(self, device):
        self.idx = device
        self.prev = None

    def __enter__(self):
        if self.idx is not None:
            self.prev = current_device_index()
            set_device_index(self.idx)
        return self

    def __exit__(self, *exc):
        if self.idx is not None:
            set_device_index(self.prev)
        return False
