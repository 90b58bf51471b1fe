"""The one door to the array libraries.

Every array minitorch holds is a ``numpy.ndarray`` (CPU) or a ``cupy.ndarray``
(CUDA). Code above this module never imports numpy or cupy: it asks a tensor
for its array module (``xp``) and calls ``xp.exp``, ``xp.matmul``, ... so the
GPU path is the CPU path. cupy is imported only when a CUDA device is asked
for, so a CPU install never needs it.
"""
import numpy as _np

numpy = _np
_ndarray = _np.ndarray
_cupy = None          # the cupy module once imported, False once known absent


def _import_cupy():
    """Import cupy on first use; return the module or None if unavailable."""
    global _cupy
    if _cupy is None:
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
        except Exception:  # ImportError, or no driver / device
            _cupy = False
    return _cupy or None


def cuda_available():
    """True when cupy imports and at least one CUDA device answers."""
    cp = _import_cupy()
    if cp is None:
        return False
    try:
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def cuda_device_count():
    cp = _import_cupy()
    if cp is None:
        return 0
    try:
        return cp.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


class device:
    """A place where a tensor's data lives: ``device('cpu')``, ``device('cuda')``, ``device('cuda', 0)``, ``device('cuda:1')``.

    Compares equal to the string of the same device (``t.device == 'cpu'``).
    """
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int):
            type, index = "cuda", type
        elif ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type}")
            type, _, idx = type.partition(":")
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'") from None
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                "Expected one of cpu, cuda device type at start of device string: " + str(type))
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")
_cuda_devices = {}


def as_device(d):
    """Normalise a device argument (None, str, int or device) to a ``device``; None means the CPU.

    A CUDA device always carries its index (``cuda`` means the current device, 0).
    """
    if d is None:
        return CPU
    if not isinstance(d, device):
        d = device(d)
    if d.type == "cpu":
        return CPU
    idx = 0 if d.index is None else d.index
    dev = _cuda_devices.get(idx)
    if dev is None:
        dev = _cuda_devices[idx] = device("cuda", idx)
    return dev


def require_cuda():
    """Return cupy, or raise the error a user expects when no GPU can be used."""
    cp = _import_cupy()
    if cp is None:
        raise AssertionError(
            "Torch not compiled with CUDA enabled: minitorch found no usable CUDA device "
            "(cupy is not installed or no GPU answers). Install the GPU extra with "
            "`pip install minitorch[cuda]` on a machine with an NVIDIA GPU, or stay on the CPU.")
    return cp


def array_module(arr):
    """The array module (numpy or cupy) that owns ``arr``."""
    if type(arr) is _ndarray:
        return _np
    if _cupy and isinstance(arr, _cupy.ndarray):
        return _cupy
    return _np


def device_of(arr):
    """The ``device`` an array lives on."""
    if type(arr) is _ndarray:
        return CPU
    if _cupy and isinstance(arr, _cupy.ndarray):
        return as_device(f"cuda:{arr.device.id}")
    return CPU


def module_for(dev):
    """The array module for a ``device``."""
    if dev.type == "cpu":
        return _np
    return require_cuda()


def to_device(arr, dev):
    """Copy ``arr`` to device ``dev`` (returns ``arr`` itself when already there)."""
    if dev.type == "cpu":
        if type(arr) is _ndarray:
            return arr
        return arr.get()
    cp = require_cuda()
    if dev.index is not None and dev.index >= cp.cuda.runtime.getDeviceCount():
        raise RuntimeError(f"CUDA error: invalid device ordinal (asked for {dev}, "
                           f"{cp.cuda.runtime.getDeviceCount()} device(s) present)")
    with cp.cuda.Device(dev.index or 0):
        if isinstance(arr, cp.ndarray) and arr.device.id == (dev.index or 0):
            return arr
        return cp.asarray(arr)


def to_numpy(arr):
    """A numpy array with the contents of ``arr`` (a copy only when it lives on a GPU)."""
    if type(arr) is _ndarray:
        return arr
    if _cupy and isinstance(arr, _cupy.ndarray):
        return arr.get()
    return _np.asarray(arr)


def is_array(x):
    """True for a numpy or cupy array."""
    return type(x) is _ndarray or (bool(_cupy) and isinstance(x, _cupy.ndarray))
