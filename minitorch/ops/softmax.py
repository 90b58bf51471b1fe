"""The softmax family: ``softmax`` and ``log_softmax`` along a dim, computed without overflow.

Each op is a ``Function`` whose forward works on arrays and whose backward
is written with Tensor ops, so that gradients of gradients come out right.
"""
from ..autograd.function import Function
from ._out import out_arg, scalar_name
from ..tensor import Tensor, _wrap_dim, _not_tensor
from ._common import _cast
from .unary import exp
from .._dtype import as_dtype


class Softmax(Function):
    """y = exp(x - max) / sum(exp(x - max)) along ``dim``.   dL/dx = y * (g - sum(g * y, dim))."""

    @staticmethod
    def forward(ctx, x, dim):
        xp = ctx.xp
        ctx.dim = dim
        if x.size == 0:
            y = x.copy()
        else:
            y = x - x.max(axis=dim, keepdims=True)
            xp.exp(y, out=y)
            y /= y.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """y = x - max - log(sum(exp(x - max))) along ``dim``.   dL/dx = g - exp(y) * sum(g, dim)."""

    @staticmethod
    def forward(ctx, x, dim):
        xp = ctx.xp
        ctx.dim = dim
        if x.size == 0:
            y = x.copy()
        else:
            y = x - x.max(axis=dim, keepdims=True)
            y -= xp.log(xp.exp(y).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad - exp(y) * grad.sum(ctx.dim, keepdim=True), None


def _softmax_input(input, dim, dtype, name="softmax"):
    if dtype is not None:
        input = _cast(input, as_dtype(dtype))
    nd = input._data.ndim
    d = _wrap_dim(dim, nd) if nd else _wrap_dim(dim, 1)
    if input._data.dtype.kind != "f" and input._data.size:    # torch's kernels: one for the last dim, one for the others
        kernel = f"{name}_lastdim_kernel_impl" if d >= nd - 1 else f"{name}_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_name(input.dtype)}'")
    return input, d


@out_arg("softmax", "expected")
def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed without overflow (the max is subtracted first)."""
    if not isinstance(input, Tensor):
        _not_tensor("softmax", input)
    input, d = _softmax_input(input, dim, dtype)
    if input._data.dtype.kind != "f":             # no elements: torch runs no kernel, the result keeps the dtype
        return Tensor._from_array(input._data.copy())
    if input._data.ndim == 0:
        return Softmax.apply(input.reshape(1), 0).reshape(())
    return Softmax.apply(input, d)


@out_arg("log_softmax", "expected")
def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along ``dim`` as x - logsumexp(x): finite even where softmax underflows to 0."""
    if not isinstance(input, Tensor):
        _not_tensor("log_softmax", input)
    input, d = _softmax_input(input, dim, dtype, "log_softmax")
    if input._data.dtype.kind != "f":             # no elements: torch runs no kernel, the result keeps the dtype
        return Tensor._from_array(input._data.copy())
    if input._data.ndim == 0:
        return LogSoftmax.apply(input.reshape(1), 0).reshape(())
    return LogSoftmax.apply(input, d)


__all__ = ["softmax", "log_softmax"]
