"""``minitorch.cuda``: is there a GPU, which one, its random seed and its memory (``torch.cuda``).

minitorch runs on NVIDIA GPUs through cupy, an optional extra
(``pip install -e ".[cuda]"`` from the clone). Nothing here imports cupy until a question
needs a GPU: ``is_available()`` answers False (and never raises) when cupy is
missing, broken, or finds no device; the functions that need a device then raise
torch's "Torch not compiled with CUDA enabled" ``AssertionError`` with the reason.
Seeding (``manual_seed``) works without a GPU, as in torch: it is remembered
for when CUDA numbers are first drawn.

Peak memory (``max_memory_allocated``) is counted by a cupy memory hook that is
installed the first time it is asked for (or at ``reset_peak_memory_stats()``),
so the usual run pays nothing; the hook sees the allocations of the thread that
installed it.
"""
import time

from . import _backend
from .creation import cuda_legacy_types as _legacy_types
from .random import default_generator as _generator

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device", "set_device", "device",
           "device_of", "get_device_name", "get_device_capability", "get_device_properties", "synchronize",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "memory_allocated",
           "max_memory_allocated", "memory_reserved", "max_memory_reserved", "reset_peak_memory_stats",
           "reset_max_memory_allocated", "empty_cache"]


# ---------------------------------------------------------------- availability
def is_available():
    """True when cupy imports and at least one CUDA device answers. Never raises; the answer is cached."""
    return _backend.cuda_available()


def device_count():
    """The number of CUDA devices (0 when none can be used)."""
    return _backend.cuda_device_count()


def is_initialized():
    """True once minitorch has loaded cupy and found a device."""
    return bool(_backend._cupy)


def init():
    """Load cupy and check that a device answers (raises the no-GPU error otherwise)."""
    _backend.require_cuda()


def _index(dev, optional=False):
    """A device argument (None, int, str, device) as a CUDA device index; None means the current one."""
    if dev is None:
        return None if optional else _current()
    if isinstance(dev, int) and not isinstance(dev, bool):
        return dev
    d = dev if isinstance(dev, _backend.device) else _backend.device(dev)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return d.index if d.index is not None else (None if optional else _current())


def _current():
    cp = _backend.require_cuda()
    return int(cp.cuda.runtime.getDevice())


def current_device():
    """The index of the current CUDA device (where ``'cuda'`` tensors are made)."""
    return _current()


def set_device(device):
    """Make ``device`` the current CUDA device (a negative index does nothing, as in torch)."""
    idx = _index(device, optional=True)
    if idx is None or idx < 0:
        return
    cp = _backend.require_cuda()
    _backend._check_index(cp, idx)
    cp.cuda.runtime.setDevice(idx)


class device:
    """Context manager that makes a CUDA device current for its block (``with minitorch.cuda.device(1): ...``)."""

    def __init__(self, device):
        self.idx = _index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is None or self.idx < 0:
            return self
        cp = _backend.require_cuda()
        _backend._check_index(cp, self.idx)
        self.prev_idx = int(cp.cuda.runtime.getDevice())
        if self.prev_idx != self.idx:
            cp.cuda.runtime.setDevice(self.idx)
        return self

    def __exit__(self, *exc):
        if self.prev_idx >= 0 and self.prev_idx != self.idx:
            _backend.require_cuda().cuda.runtime.setDevice(self.prev_idx)
        return False


class device_of(device):
    """Context manager that makes the device of tensor ``obj`` current (does nothing for a CPU tensor)."""

    def __init__(self, obj):
        dev = obj.device
        super().__init__(dev.index if dev.type == "cuda" else -1)


# ---------------------------------------------------------------- properties
class _CudaDeviceProperties:
    """What ``get_device_properties`` reports: name, compute capability, memory, multiprocessors."""

    def __init__(self, props):
        def get(key, default=0):
            return props.get(key, default)
        name = get("name", b"")
        self.name = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
        self.major = int(get("major"))
        self.minor = int(get("minor"))
        self.total_memory = int(get("totalGlobalMem"))
        self.multi_processor_count = int(get("multiProcessorCount"))

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def _properties(device):
    cp = _backend.require_cuda()
    idx = _index(device)
    _backend._check_index(cp, idx)
    return _CudaDeviceProperties(cp.cuda.runtime.getDeviceProperties(idx))


def get_device_properties(device=None):
    """The properties of a CUDA device (default: the current one)."""
    return _properties(device)


def get_device_name(device=None):
    """The name of a CUDA device, e.g. ``'NVIDIA H100 80GB HBM3'``."""
    return _properties(device).name


def get_device_capability(device=None):
    """The compute capability ``(major, minor)`` of a CUDA device."""
    p = _properties(device)
    return (p.major, p.minor)


def synchronize(device=None):
    """Wait for every queued kernel on a CUDA device to finish (use it around GPU timings)."""
    idx = _index(device)
    _backend.synchronize(_backend._cuda_device(idx))


# ---------------------------------------------------------------- random numbers
def manual_seed(seed):
    """Seed the CUDA random numbers (``device='cuda'`` draws) so runs are reproducible; works without a GPU.

    minitorch keeps one CUDA generator per device, all seeded alike, so this is also ``manual_seed_all``.
    ``minitorch.manual_seed`` seeds the CPU and CUDA numbers together.
    """
    _generator._seed_cuda(seed)


def manual_seed_all(seed):
    """Seed the random numbers of every CUDA device."""
    _generator._seed_cuda(seed)


def seed():
    """Seed the CUDA random numbers from the clock."""
    _generator._seed_cuda(time.time_ns() & 0xFFFFFFFFFFFF)


seed_all = seed


def initial_seed():
    """The seed of the CUDA random numbers."""
    _backend.require_cuda()
    return _generator._cuda_seed


# ---------------------------------------------------------------- memory (cupy's memory pool)
def _pool_bytes(device, what):
    if not _backend.cuda_available():
        return 0
    cp = _backend._cupy
    idx = _index(device)
    with cp.cuda.Device(idx):
        return int(getattr(cp.get_default_memory_pool(), what)())


def memory_allocated(device=None):
    """Bytes of GPU memory held by live tensors (cupy's memory pool, used bytes); 0 without a GPU."""
    return _pool_bytes(device, "used_bytes")


def memory_reserved(device=None):
    """Bytes of GPU memory cupy's pool holds, in use or cached for reuse; 0 without a GPU."""
    return _pool_bytes(device, "total_bytes")


_peak = None      # the installed peak hook, once asked for


def _peak_hook():
    """Install (once) the cupy memory hook that follows used bytes and their peak, per device."""
    global _peak
    if _peak is None:
        cp = _backend._cupy

        class _PeakHook(cp.cuda.MemoryHook):
            name = "minitorch_peak_memory"

            def __init__(self):
                self.used = {}
                self.peak = {}

            def start(self, idx, used):
                self.used[idx] = used
                self.peak[idx] = used

            def malloc_postprocess(self, device_id=0, mem_size=0, mem_ptr=0, **kwargs):
                if mem_ptr:
                    u = self.used.get(device_id, 0) + mem_size
                    self.used[device_id] = u
                    if u > self.peak.get(device_id, 0):
                        self.peak[device_id] = u

            def free_postprocess(self, device_id=0, mem_size=0, **kwargs):
                self.used[device_id] = self.used.get(device_id, 0) - mem_size

        hook = _PeakHook()
        for idx in range(_backend.cuda_device_count()):
            with cp.cuda.Device(idx):
                hook.start(idx, int(cp.get_default_memory_pool().used_bytes()))
        hook.__enter__()          # registered for this thread from now on
        _peak = hook
    return _peak


def max_memory_allocated(device=None):
    """The most GPU memory held by tensors at once since the last ``reset_peak_memory_stats()``.

    The count starts the first time this (or the reset) is called; before that,
    the current use is reported. 0 without a GPU.
    """
    if not _backend.cuda_available():
        return 0
    idx = _index(device)
    now = memory_allocated(idx)
    hook = _peak_hook()
    return max(hook.peak.get(idx, 0), now)


def reset_peak_memory_stats(device=None):
    """Restart the peak count of ``max_memory_allocated`` from the current use."""
    if not _backend.cuda_available():
        return
    idx = _index(device)
    hook = _peak_hook()
    hook.start(idx, memory_allocated(idx))


reset_max_memory_allocated = reset_peak_memory_stats


def max_memory_reserved(device=None):
    """cupy's pool only grows until ``empty_cache()``, so this is the current reserve."""
    return memory_reserved(device)


def empty_cache():
    """Give the GPU memory that cupy's pool caches (not held by tensors) back to the driver."""
    if _backend._cupy:
        _backend._cupy.get_default_memory_pool().free_all_blocks()


# ---------------------------------------------------------------- legacy tensor types
globals().update(_legacy_types)     # FloatTensor, DoubleTensor, LongTensor, ... (see creation.legacy_types)
