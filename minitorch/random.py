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
        self._cuda_rng = None

    def manual_seed(self, seed):
        """Reset the generator to a fixed seed; returns self."""
        seed = int(seed)
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

    def _cuda(self):
        if self._cuda_rng is None:
            cp = _backend.require_cuda()
            self._cuda_rng = cp.random.default_rng(self._seed)
        return self._cuda_rng

    # draws, returning arrays on the requested device
    def uniform(self, shape, np_dtype, device):
        if device.type == "cuda":
            cp = _backend.require_cuda()
            with cp.cuda.Device(device.index or 0):
                return self._cuda().random(shape, dtype=_np.float64).astype(np_dtype)
        return self._rng.random(shape, dtype=_np.float64).astype(np_dtype, copy=False)

    def normal(self, shape, np_dtype, device):
        if device.type == "cuda":
            cp = _backend.require_cuda()
            with cp.cuda.Device(device.index or 0):
                return self._cuda().standard_normal(shape, dtype=_np.float64).astype(np_dtype)
        return self._rng.standard_normal(shape, dtype=_np.float64).astype(np_dtype, copy=False)

    def integers(self, low, high, shape, np_dtype, device):
        arr = self._rng.integers(low, high, shape, dtype=_np.int64).astype(np_dtype, copy=False)
        return _backend.to_device(arr, device)

    def permutation(self, n, np_dtype, device):
        return _backend.to_device(self._rng.permutation(n).astype(np_dtype, copy=False), device)

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
