"""Random numbers: one global ``Generator`` seeded by ``manual_seed``, and ``Generator`` objects of your own.

A ``Generator`` draws from numpy's PCG64 on the CPU and from cupy's generator on
a GPU, both seeded from the same seed. A seeded program is reproducible run to
run; its numbers are not the ones torch's Mersenne Twister would draw (tests
that compare with torch copy weights and data across instead).
"""
import time

from . import _backend

_np = _backend.numpy


class Generator:
    """A source of random numbers (``torch.Generator``): ``manual_seed``, ``seed``, ``initial_seed``, state get/set."""

    def __init__(self, device="cpu"):
        self.device = _backend.as_device(device)
        self._seed = 67280421310721        # torch's default seed
        self._reset()

    def _reset(self):
        self._rng = _np.random.Generator(_np.random.PCG64(self._seed))
        self._seed_cuda(self._seed)

    def _seed_cuda(self, seed):
        """Seed only the CUDA draws (``minitorch.cuda.manual_seed``); needs no GPU: generators are made lazily."""
        self._cuda_seed = int(seed) & 0xFFFFFFFFFFFFFFFF
        self._cuda_rngs = {}              # device index -> cupy Generator, made on first draw

    def manual_seed(self, seed):
        """Reset the generator to a fixed seed; returns self."""
        seed = int(seed)
        if not -0x8000000000000000 <= seed <= 0xFFFFFFFFFFFFFFFF:      # torch takes a 64-bit signed or unsigned
            raise ValueError("Overflow when unpacking long long")
        if seed < 0:
            seed &= 0xFFFFFFFFFFFFFFFF
        self._seed = seed
        self._reset()
        return self

    def seed(self):
        """Seed from the clock (non-deterministic); returns the seed."""
        self.manual_seed(time.time_ns() & 0xFFFFFFFFFFFF)
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state (an opaque object to pass to ``set_state``)."""
        return {"seed": self._seed, "cpu": self._rng.bit_generator.state}

    def set_state(self, state):
        self._seed = state["seed"]
        self._rng = _np.random.Generator(_np.random.PCG64())
        self._rng.bit_generator.state = state["cpu"]

    def _cuda(self, device):
        """The cupy generator of CUDA device ``device`` (made on first use from the CUDA seed), and cupy."""
        cp = _backend.require_cuda()
        idx = device.index if device.index is not None else _backend.current_cuda_index()
        g = self._cuda_rngs.get(idx)
        if g is None:
            with _backend.device_guard(device):
                g = self._cuda_rngs[idx] = cp.random.default_rng(self._cuda_seed)
        return g, cp

    # draws, returning arrays on the requested device. On a GPU they come from cupy's
    # generator, drawn in the target float precision (cupy draws float32 or float64).
    def uniform(self, shape, np_dtype, device):
        if device.type == "cuda":
            g, cp = self._cuda(device)
            np_dtype = _np.dtype(np_dtype)
            with _backend.device_guard(device):
                return g.random(shape, dtype=_np.float32 if np_dtype == _np.float32 else _np.float64
                                ).astype(np_dtype, copy=False)
        return self._rng.random(shape, dtype=_np.float64).astype(np_dtype, copy=False)

    def normal(self, shape, np_dtype, device):
        if device.type == "cuda":
            g, cp = self._cuda(device)
            np_dtype = _np.dtype(np_dtype)
            with _backend.device_guard(device):
                return g.standard_normal(shape, dtype=_np.float32 if np_dtype == _np.float32 else _np.float64
                                         ).astype(np_dtype, copy=False)
        return self._rng.standard_normal(shape, dtype=_np.float64).astype(np_dtype, copy=False)

    def integers(self, low, high, shape, np_dtype, device):
        if device.type == "cuda":
            g, cp = self._cuda(device)
            with _backend.device_guard(device):
                return g.integers(low, high, shape, dtype=_np.int64).astype(np_dtype, copy=False)
        return self._rng.integers(low, high, shape, dtype=_np.int64).astype(np_dtype, copy=False)

    def permutation(self, n, np_dtype, device):
        if device.type == "cuda":
            g, cp = self._cuda(device)      # a random permutation on the device: the order of uniform keys
            with _backend.device_guard(device):
                return cp.argsort(g.random(n)).astype(np_dtype, copy=False)
        return self._rng.permutation(n).astype(np_dtype, copy=False)

    def choice(self, n, k, replace, p):
        return self._rng.choice(n, k, replace=replace, p=p)


default_generator = Generator()


def manual_seed(seed):
    """Seed the global generator (CPU and GPU draws alike) so that runs are reproducible; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
