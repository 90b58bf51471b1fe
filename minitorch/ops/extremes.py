"""Extremes: amax/amin, max/min (with indices), argmax/argmin, sort, argsort, topk.

Split from ops/reduce.py (sums, means, variances, products, norms). The gradient of an extreme goes to
where the value came from: shared among ties for ``amax``/``amin`` and the all-dims ``max``/``min``,
scattered back to the chosen index (``ScatterToDim``) for ``max``/``min`` along a dim and ``sort``/``topk``.
"""
from collections import namedtuple

from .. import _backend
from ..autograd.function import Function
from ._out import out_arg
from ..tensor import Tensor, _wrap_dim, _not_tensor
from .comparison import isnan, maximum, minimum
from .unary import masked_grad
from .shape import expand, reshape
from .gather import gather
from .reduce import sum, _dims, _unsqueeze_dims

_T = Tensor._from_array


class _Extreme(Function):
    """y = max (or min) of x over ``axes``.   The gradient is shared evenly among the elements equal to y."""
    reducer = None

    @classmethod
    def forward(cls, ctx, x, axes, keepdim):
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, x.shape
        y = getattr(x, cls.reducer)(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        y = _unsqueeze_dims(y, ctx.axes, ctx.in_shape, ctx.keepdim)
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        mask = (x == y)
        count = sum(mask, ctx.axes, keepdim=True)
        return g * mask / count, None, None


class Amax(_Extreme):
    reducer = "max"


class Amin(_Extreme):
    reducer = "min"


class _ExtremeAll(_Extreme):
    """max (or min) over all elements.   The gradient is shared evenly among the elements equal to y, or among
    the NaNs when y is NaN (torch's evenly_distribute_backward); it is filled in, not multiplied by a mask,
    so an inf gradient leaves the other elements 0."""

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        x = x.detach()
        mask = isnan(x) if bool(isnan(y.detach())) else x == y.detach()
        count = sum(mask)
        return masked_grad(expand(reshape(grad / count, (1,) * x.dim()), x.shape), mask), None, None


class MaxAll(_ExtremeAll):
    """max over all elements (its node is torch's ``MaxBackward1``)."""
    node_name = "MaxBackward1"
    reducer = "max"


class MinAll(_ExtremeAll):
    node_name = "MinBackward1"
    reducer = "min"


@out_arg("amax", "reduce_same")
def amax(input, dim=(), keepdim=False):
    """Maximum over ``dim`` (all dims by default); gradient split evenly between ties."""
    if not isinstance(input, Tensor):
        _not_tensor("amax", input)
    axes = _dims(dim, input._data.ndim)
    _check_nonempty(input, "amax", None if dim in ((), [], None) else axes)
    return Amax.apply(input, axes, keepdim)


@out_arg("amin", "reduce_same")
def amin(input, dim=(), keepdim=False):
    """Minimum over ``dim`` (all dims by default); gradient split evenly between ties."""
    if not isinstance(input, Tensor):
        _not_tensor("amin", input)
    axes = _dims(dim, input._data.ndim)
    _check_nonempty(input, "amin", None if dim in ((), [], None) else axes)
    return Amin.apply(input, axes, keepdim)


def _check_nonempty(input, name, axes=None, error=RuntimeError):
    """torch's errors for reductions without an identity (max, argmax, ...) over nothing."""
    shape = input._data.shape
    if axes is None:
        if input._data.size == 0:
            raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0." +
                        (" Specify the reduction dim with the 'dim' argument." if error is RuntimeError else ""))
        return
    for d in axes:
        if shape and shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


class ScatterToDim(Function):
    """y = zeros of ``shape`` with ``grad`` written at ``index`` along ``dim``.   dL/dgrad = gather(dL/dy)."""
    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, src, index, dim, shape):
        xp = ctx.xp
        ctx.index, ctx.dim = index, dim
        out = xp.zeros(shape, dtype=src.dtype)
        xp.put_along_axis(out, index, src, axis=dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        return gather(grad, ctx.dim, _T(ctx.index)), None, None, None


class MaxDim(Function):
    """values, indices = max of x along ``dim``.   The gradient goes to the first maximal element only."""
    node_name = "MaxBackward0"
    pick = "argmax"

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        xp = ctx.xp
        ctx.in_shape = x.shape
        if x.ndim == 0:
            idx = xp.zeros((), xp.int64)
            ctx.mark_non_differentiable(idx)
            return x.copy(), idx
        idx = getattr(xp, cls.pick)(x, axis=dim)
        idx = xp.expand_dims(idx, dim)
        vals = xp.take_along_axis(x, idx, axis=dim)
        ctx.dim, ctx.keepdim, ctx.in_shape, ctx.idx = dim, keepdim, x.shape, idx
        if not keepdim:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        idx = idx.astype(xp.int64, copy=False)
        ctx.mark_non_differentiable(idx)
        return vals, idx

    @staticmethod
    def backward(ctx, grad, _grad_idx):
        if not ctx.in_shape:
            return grad, None, None
        g = _unsqueeze_dims(grad, (ctx.dim,), ctx.in_shape, ctx.keepdim)
        return ScatterToDim.apply(g, ctx.idx, ctx.dim, ctx.in_shape), None, None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    pick = "argmin"


_MaxReturn = namedtuple("max", ["values", "indices"])
_MinReturn = namedtuple("min", ["values", "indices"])


def _minmax_overload(args, kwargs):
    dim = args[1] if len(args) > 1 else kwargs.get("dim", kwargs.get("other"))
    return "other" if isinstance(dim, Tensor) else ("all" if dim is None else "dim")


def _minmax_name(name, args, kwargs):        # max(x, y) is torch.maximum: its name in errors
    return {"max": "maximum", "min": "minimum"}[name] if _minmax_overload(args, kwargs) == "other" else name


def _minmax_rule(args, kwargs):             # out='s dtype rule of each overload, as torch's kernels check it
    return {"other": "cast", "all": "can_cast_check", "dim": "expected"}[_minmax_overload(args, kwargs)]


@out_arg(lambda a, k: _minmax_name("max", a, k), _minmax_rule, nout=2)
def max(input, dim=None, keepdim=False):
    """``max(x)``: the largest element. ``max(x, dim)``: (values, indices) along ``dim``. ``max(x, y)``: elementwise."""
    if not isinstance(input, Tensor):
        _not_tensor("max", input)
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    if dim is None:
        _check_nonempty(input, "max")
        return MaxAll.apply(input, tuple(range(input._data.ndim)), False)
    d = _wrap_dim(dim, input._data.ndim)
    _check_nonempty(input, "max", (d,))
    return _MaxReturn(*MaxDim.apply(input, d, keepdim))


@out_arg(lambda a, k: _minmax_name("min", a, k), _minmax_rule, nout=2)
def min(input, dim=None, keepdim=False):
    """``min(x)``: the smallest element. ``min(x, dim)``: (values, indices) along ``dim``.
    ``min(x, y)``: elementwise."""
    if not isinstance(input, Tensor):
        _not_tensor("min", input)
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    if dim is None:
        _check_nonempty(input, "min")
        return MinAll.apply(input, tuple(range(input._data.ndim)), False)
    d = _wrap_dim(dim, input._data.ndim)
    _check_nonempty(input, "min", (d,))
    return _MinReturn(*MinDim.apply(input, d, keepdim))


def _arg(name):
    def op(input, dim=None, keepdim=False):
        if not isinstance(input, Tensor):
            _not_tensor(name, input)
        xp = _backend.array_module(input._data)
        if input._data.dtype.kind == "b":
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            _check_nonempty(input, name, error=IndexError)
            r = getattr(xp, name)(input._data.reshape(-1))
            r = xp.asarray(r, dtype=xp.int64)
            return _T(r.reshape((1,) * input._data.ndim) if keepdim else r)
        d = _wrap_dim(dim, input._data.ndim)
        _check_nonempty(input, name, (d,))
        if input._data.ndim == 0:
            return _T(xp.zeros((), xp.int64))
        r = getattr(xp, name)(input._data, axis=d, keepdims=keepdim)
        return _T(xp.asarray(r, dtype=xp.int64))
    op.__name__ = name
    op.__doc__ = f"Index of the {'largest' if name == 'argmax' else 'smallest'} element (first one on ties), as int64."
    return op


argmax = out_arg("argmax", "expected", differentiable=False)(_arg("argmax"))
argmin = out_arg("argmin", "expected", differentiable=False)(_arg("argmin"))


class Sort(Function):
    """values, indices = x sorted along ``dim`` (stable; NaN counts as the largest value).

    dL/dx = dL/dvalues written back at the positions the values came from (``indices``).
    """

    @staticmethod
    def forward(ctx, x, dim, descending, k):
        xp = ctx.xp
        if x.ndim == 0:
            idx = xp.zeros((), xp.int64)
        elif descending:          # stable and descending: sort the reversed data, reverse, map the indices back
            n = x.shape[dim]
            idx = (n - 1) - xp.flip(xp.argsort(xp.flip(x, dim), axis=dim, kind="stable"), dim)
        else:
            idx = xp.argsort(x, axis=dim, kind="stable")
        if k is not None and x.ndim:
            idx = idx[(slice(None),) * dim + (slice(0, k),)]
        idx = xp.asarray(idx, dtype=xp.int64, order="C")     # (ascontiguousarray would make a 0-d index 1-d)
        vals = xp.take_along_axis(x, idx, axis=dim) if x.ndim else x.copy()
        ctx.dim, ctx.idx, ctx.in_shape = dim, idx, x.shape
        ctx.mark_non_differentiable(idx)
        return vals, idx

    @staticmethod
    def backward(ctx, grad, _grad_idx):
        if not ctx.in_shape:
            return grad, None, None, None
        return ScatterToDim.apply(grad, ctx.idx, ctx.dim, ctx.in_shape), None, None, None


_SortReturn = namedtuple("sort", ["values", "indices"])
_TopkReturn = namedtuple("topk", ["values", "indices"])


@out_arg("sort", "expected", nout=2)
def sort(input, dim=-1, descending=False, stable=False):
    """(values, indices) sorted along ``dim``; the gradient flows back to where each value came from."""
    if not isinstance(input, Tensor):
        _not_tensor("sort", input)
    d = _wrap_dim(dim, input._data.ndim)
    return _SortReturn(*Sort.apply(input, d, descending, None))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    if not isinstance(input, Tensor):
        _not_tensor("argsort", input)
    return sort(input, dim, descending, stable).indices


@out_arg("topk", "expected", nout=2)
def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) elements along ``dim``, with their indices."""
    if not isinstance(input, Tensor):
        _not_tensor("topk", input)
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    n = input._data.shape[d] if input._data.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    return _TopkReturn(*Sort.named("TopkBackward0").apply(input, d, largest, k))
