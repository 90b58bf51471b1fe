"""The one door to the array libraries.

Every array minitorch holds is a ``numpy.ndarray`` (CPU) or a ``cupy.ndarray``
(CUDA). Code above this module never imports numpy or cupy: it asks a tensor
for its array module (``xp``) and calls ``xp.exp``, ``xp.matmul``, ... so the
GPU path is the CPU path. cupy is imported only when a CUDA device is asked
for (``is_available()``, ``.cuda()``, ``device='cuda'``), so a CPU install never
needs it; when it cannot be used, the user gets one clear error
(:func:`require_cuda`), never a cupy import traceback.

Devices follow torch: ``device('cuda')`` means "the current CUDA device", and a
tensor always reports the indexed device it lives on (``cuda:0``).
"""
import contextlib
import re

import numpy as _np

numpy = _np
_ndarray = _np.ndarray
_cupy = None          # the cupy module once imported and a device answered; False once known unusable
_cupy_error = None    # why cupy cannot be used (a sentence), once known
on_cuda = []          # called once cupy is loaded (autograd's device guard installs itself)


# ---------------------------------------------------------------- finding cupy
def _import_cupy():
    """Import cupy on first use; return the module, or None when no GPU can be used (the reason is kept).

    Never raises: a missing package, a broken install and a machine without a
    driver or device all just mean "no CUDA". The answer is cached, as torch caches it.
    """
    global _cupy, _cupy_error
    if _cupy is None:
        try:
            import cupy     # optional package: imported on first GPU use
        except ImportError as e:
            _cupy, _cupy_error = False, f"cupy is not installed ({e})"
            return None
        except Exception as e:  # a broken install (wrong CUDA wheel, missing libraries)
            _cupy, _cupy_error = False, f"cupy is installed but cannot be imported ({type(e).__name__}: {e})"
            return None
        try:
            n = cupy.cuda.runtime.getDeviceCount()
        except Exception as e:  # no driver, driver too old, no device
            n, why = 0, f"{type(e).__name__}: {e}"
        else:
            why = "the CUDA runtime reports 0 devices"
        if n <= 0:
            _cupy, _cupy_error = False, f"cupy imports, but no CUDA device answers ({why})"
            return None
        _cupy = cupy
        for f in on_cuda:
            f()
    return _cupy or None


def cuda_available():
    """True when cupy imports and at least one CUDA device answers; never raises."""
    try:
        return _import_cupy() is not None
    except Exception:
        return False


def cuda_device_count():
    """The number of CUDA devices cupy sees (0 without a usable GPU); never raises."""
    try:
        cp = _import_cupy()
        return 0 if cp is None else int(cp.cuda.runtime.getDeviceCount())
    except Exception:
        return 0


def cuda_unavailable_reason():
    """Why CUDA cannot be used (``None`` when it can)."""
    return None if cuda_available() else _cupy_error


def require_cuda():
    """Return cupy, or raise the error a user expects when no GPU can be used.

    The message starts with torch's own ("Torch not compiled with CUDA enabled",
    an ``AssertionError`` as in a CPU build of torch) and says what minitorch
    found and how to fix it. The cupy traceback is not chained onto it.
    """
    cp = _import_cupy()
    if cp is None:
        raise AssertionError(
            "Torch not compiled with CUDA enabled. minitorch runs on a GPU through cupy, and "
            f"{_cupy_error}. On a machine with an NVIDIA GPU, install the GPU extra "
            "from your minitorch clone (`pip install -e \".[cuda]\"`, the cupy wheel for CUDA 12; `\".[cuda13]\"` for "
            "CUDA 13), or keep the tensors on the CPU "
            "(use `minitorch.cuda.is_available()` to choose).")
    return cp


def _reset_for_tests():
    """Forget what was found about cupy (tests swap a fake cupy in and out)."""
    global _cupy, _cupy_error
    _cupy = None
    _cupy_error = None
    _cuda_devices.clear()


# ---------------------------------------------------------------- devices
_DEVICE_RE = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?\Z")     # torch's grammar for device strings


class device:
    """A place where a tensor's data lives (``torch.device``).

    ``device('cpu')``, ``device('cuda')`` (the current GPU), ``device('cuda:1')``,
    ``device('cuda', 1)``, ``device(1)`` (= ``cuda:1``), ``device(other_device)``.
    ``type`` is ``'cpu'`` or ``'cuda'``, ``index`` an int or None. Immutable and
    hashable; like torch's, it equals only other devices with the same type and
    index (``device('cuda') != device('cuda:0')`` and ``device('cpu') != 'cpu'``:
    compare ``t.device.type == 'cpu'``).
    """
    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): a device object cannot be given an index")
            t, i = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            if index is not None:
                raise TypeError("device() received an invalid combination of arguments")
            t, i = "cuda", type
        elif isinstance(type, str):
            if not type:
                raise RuntimeError("Device string must not be empty")
            m = _DEVICE_RE.match(type)
            if m is None:
                raise RuntimeError(f"Invalid device string: '{type}'")
            t = m.group(1)
            if t not in ("cpu", "cuda"):
                raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {t}")
            i = int(m.group(2)) if m.group(2) is not None else None
            if index is not None:
                if i is not None:
                    raise RuntimeError("type (string) must not include an index because index was passed "
                                       f"explicitly: {type}")
                if isinstance(index, bool) or not isinstance(index, int):
                    raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                    f"{_builtin_type(index).__name__}")
                i = index
        else:
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_builtin_type(type).__name__}), but expected one of: (torch.device device), "
                            "(str type, int index = -1)")
        if i is not None and i < 0:
            raise RuntimeError("Device index must not be negative")
        object.__setattr__(self, "type", t)
        object.__setattr__(self, "index", i)

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))


_builtin_type = type
CPU = device("cpu")
_cuda_devices = {}


def _cuda_device(idx):
    """The (cached) ``device('cuda', idx)``."""
    dev = _cuda_devices.get(idx)
    if dev is None:
        dev = _cuda_devices[idx] = device("cuda", idx)
    return dev


def guard_if_elsewhere(arr):
    """cupy's ``Device`` of GPU array ``arr`` when it is not the current device (a context manager that makes it
    current, as torch's device guard does around every op), else None."""
    dev = arr.device
    return dev if dev.id != _cupy.cuda.runtime.getDevice() else None


def current_cuda_index():
    """cupy's current device (0 before cupy is loaded)."""
    if _cupy:
        return int(_cupy.cuda.runtime.getDevice())
    return 0


default_device = [None]                    # set by minitorch.set_default_device (None: the CPU)


def as_device(d):
    """Normalise a device argument (None, str, int or device) to a ``device``; None means the default device
    (the CPU unless ``set_default_device`` changed it).

    A CUDA device always comes back with its index: ``'cuda'`` is the current device.
    """
    if d is None:
        d = default_device[0]              # set_default_device; None: the CPU
        if d is None:
            return CPU
    if d is CPU:
        return CPU
    if not isinstance(d, device):
        d = device(d)
    if d.type == "cpu":
        return CPU
    return _cuda_device(current_cuda_index() if d.index is None else d.index)


def _check_index(cp, idx):
    n = cp.cuda.runtime.getDeviceCount()
    if idx >= n:
        raise RuntimeError(f"CUDA error: invalid device ordinal (asked for cuda:{idx}, {n} CUDA device(s) "
                           "present)")


_NO_GUARD = contextlib.nullcontext()


def device_guard(dev):
    """A context manager that makes ``dev`` cupy's current device (does nothing for the CPU).

    Arrays cupy creates inside it live on ``dev``.
    """
    if dev.type == "cpu":
        return _NO_GUARD
    cp = require_cuda()
    idx = dev.index if dev.index is not None else current_cuda_index()
    _check_index(cp, idx)
    return cp.cuda.Device(idx)


# ---------------------------------------------------------------- arrays
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
        return _cuda_device(arr.device.id)
    return CPU


def module_for(dev):
    """The array module for a ``device`` (raises the no-GPU error for CUDA without a GPU)."""
    if dev.type == "cpu":
        return _np
    return require_cuda()


def to_device(arr, dev):
    """Copy ``arr`` to device ``dev`` (returns ``arr`` itself when it is already there).

    Host to GPU is ``cupy.asarray``; GPU to host is ``.get()``; GPU to another GPU
    is a copy made with the target device current.
    """
    if dev.type == "cpu":
        if type(arr) is _ndarray:
            return arr
        if _unchecked:
            raise_deferred_errors()
        if _cupy and isinstance(arr, _cupy.ndarray):
            return arr.get()
        return _np.asarray(arr)
    cp = require_cuda()
    idx = dev.index if dev.index is not None else current_cuda_index()
    if isinstance(arr, cp.ndarray):
        if arr.device.id == idx:
            return arr
        _check_index(cp, idx)
        with cp.cuda.Device(idx):
            return arr.copy()          # cupy copies onto the current device
    _check_index(cp, idx)
    with cp.cuda.Device(idx):
        return cp.asarray(arr)


def to_numpy(arr):
    """A numpy array with the contents of ``arr`` (a copy only when it lives on a GPU)."""
    if type(arr) is _ndarray:
        return arr
    if _unchecked:
        raise_deferred_errors()
    if _cupy and isinstance(arr, _cupy.ndarray):
        return arr.get()
    return _np.asarray(arr)


# ---------------------------------------------------------------- errors found inside GPU kernels
# A fused kernel (minitorch/_kernels.py) that meets a bad index writes [1, value] into its device's
# buffer instead of stopping the host; the error is raised at the next point where the host reads from
# the device anyway (to_numpy, item(), printing, moving to the CPU, synchronize), as torch raises its
# device-side asserts at the next synchronising call.
_deferred_errors = {}     # device -> int64 buffer [flag, value]
_unchecked = []           # (buffer, message) written since the last check


def defer_error_check(buf, message="Target {} is out of bounds."):
    """Remember to look at ``buf`` (a kernel's [flag, value] error buffer) at the next host sync."""
    for b, _ in _unchecked:
        if b is buf:
            return
    _unchecked.append((buf, message))


def raise_deferred_errors():
    """Raise the IndexError a kernel recorded since the last check (and clear it); a no-op otherwise."""
    while _unchecked:
        buf, message = _unchecked.pop()
        flag, value = (int(v) for v in buf.get())
        if flag:
            buf.fill(0)
            raise IndexError(message.format(value))


def is_writeable(arr):
    """Whether ``arr`` may be written in place (numpy's read-only broadcast views may not; cupy arrays always may)."""
    return getattr(arr.flags, "writeable", True)


def can_view(arr, shape):
    """Whether a view (no copy) of ``arr`` can have ``shape`` (numpy's no-copy reshape rule, for any backend).

    Dims of size 1 are dropped; then old and new dims are matched in groups of
    equal product, and each group of old dims must be contiguous among itself
    (``stride[k] == size[k+1] * stride[k+1]``).
    """
    if arr.size == 0:
        return True
    old = [(n, st) for n, st in zip(arr.shape, arr.strides) if n != 1]
    new = [n for n in shape if n != 1]
    ni = oi = 0
    while ni < len(new) and oi < len(old):
        nj, oj = ni + 1, oi + 1
        n_prod, o_prod = new[ni], old[oi][0]
        while n_prod != o_prod:
            if n_prod < o_prod:
                n_prod *= new[nj]
                nj += 1
            else:
                o_prod *= old[oj][0]
                oj += 1
        for k in range(oi, oj - 1):
            if old[k][1] != old[k + 1][0] * old[k + 1][1]:
                return False
        ni, oi = nj, oj
    return True


def is_array(x):
    """True for a numpy or cupy array."""
    return type(x) is _ndarray or (bool(_cupy) and isinstance(x, _cupy.ndarray))


# cupy's atomic scatter-add (cupyx.scatter_add) takes these dtypes only
_ATOMIC_ADD = frozenset(_np.dtype(t) for t in ("int32", "uint32", "uint64", "float16", "float32", "float64"))


def add_at(out, key, values):
    """``out[key] += values`` in place, where repeated indices accumulate (numpy's ``add.at``).

    On a GPU this is ``cupyx.scatter_add`` (atomic adds). Its dtypes are limited:
    int64 is added as uint64 (the same bits in two's complement); the small
    integer and bool dtypes go through an int32 copy.
    """
    if type(out) is _ndarray:
        _np.add.at(out, key, values)
        return
    cp = require_cuda()
    import cupyx     # optional package: imported on first GPU use
    dt = out.dtype
    if dt in _ATOMIC_ADD:
        cupyx.scatter_add(out, key, cp.asarray(values, dtype=dt))
    elif dt == _np.int64:
        cupyx.scatter_add(out.view(_np.uint64), key, cp.asarray(values, dtype=_np.int64).view(_np.uint64))
    else:
        wide = out.astype(_np.int32)
        cupyx.scatter_add(wide, key, cp.asarray(values).astype(_np.int32))
        out[...] = (wide != 0) if dt == _np.bool_ else wide.astype(dt)


def synchronize(dev=None):
    """Wait until every queued kernel on CUDA device ``dev`` (default: the current one) has finished."""
    cp = require_cuda()
    idx = current_cuda_index() if dev is None or dev.index is None else dev.index
    _check_index(cp, idx)
    cp.cuda.Device(idx).synchronize()
    if _unchecked:
        raise_deferred_errors()
