"""The GPU device guard: a FunctionHook installed once cupy is in use.

cupy runs a kernel on its *current* device. An op whose tensors live on another GPU
(``cuda:1`` while ``cuda:0`` is current) must run with that device made current, as
torch's device guard does; so must the backward of its node.
"""
from .. import _backend
from ..tensor import Tensor
from . import function as _function
from .function import FunctionHook


class DeviceGuard(FunctionHook):
    def forward(self, function, run, args, kwargs):
        guard = _elsewhere(a._data for a in args if isinstance(a, Tensor))
        if guard is None:
            return run(*args, **kwargs)
        with guard:
            return run(*args, **kwargs)

    def backward(self, node, run, grads):
        guard = _elsewhere(g._data for g in grads if g is not None)
        if guard is None:
            return run(grads)
        with guard:
            return run(grads)


def _elsewhere(arrays):
    """cupy's Device of the first GPU array when it is not the current device, else None."""
    for d in arrays:
        if type(d) is not _backend._ndarray:
            return _backend.guard_if_elsewhere(d)
    return None


_hook = DeviceGuard()


def install():
    """Called when cupy is first loaded (``_backend``): from then on every op runs on its tensors' GPU."""
    if _hook not in _function.hooks:
        _function.install_hook(_hook)


_backend.on_cuda.append(install)
if _backend._cupy:
    install()
