"""``set_default_device`` / ``get_default_device``: where factory functions (``zeros``, ``randn``, ``tensor``,
``arange``, ...) and nn layers' parameters are made when no ``device`` is given.

The setting lives in ``_backend.default_device``, read by ``_backend.as_device(None)``, the one door every
factory goes through. Functions that take the device of their input (``zeros_like``, ops) and ``from_numpy``
and the legacy constructors (``FloatTensor(...)``) are not affected, as in torch.
"""
import numbers

from . import _backend

__all__ = ["set_default_device", "get_default_device"]


def set_default_device(device):
    """Make ``device`` ('cpu', 'cuda', 'cuda:1', a device, an index of a CUDA device; None: the CPU) the default."""
    if device is None:
        _backend.default_device[0] = None
        return
    if isinstance(device, numbers.Integral) and not isinstance(device, bool):
        if not _backend.cuda_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        device = _backend.device("cuda", int(device))
    d = device if isinstance(device, _backend.device) else _backend.device(device)
    _backend.default_device[0] = None if d.type == "cpu" else d


def get_default_device():
    """The device factory functions use when none is given (a CUDA device comes with its index)."""
    if _backend.default_device[0] is not None:
        _backend.require_cuda()                # as torch: no GPU, so no CUDA device to name
    return _backend.as_device(None)
