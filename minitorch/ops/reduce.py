"""Reductions: sum, mean, var/std, max/min, argmax/argmin, logsumexp, prod, norm, cumsum.

``dim`` may be None (all dims), an int or a tuple; ``keepdim`` keeps reduced
dims with size 1. Backward re-inserts the reduced dims (``_unsqueeze_dims``)
and broadcasts the gradient back over them.
"""
import builtins
from collections import namedtuple

from .. import _backend
from .._dtype import get_default_dtype, int64
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim
from .elementwise import _cast, exp, where
from .shape import expand, reshape

_T = Tensor._from_array


def _dims(dim, ndim):
    """Normalise ``dim`` (None, int, tuple or list) to a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
        return axes
    return (_wrap_dim(dim, ndim),)


def _unsqueeze_dims(grad, axes, in_shape, keepdim):
    """Put reduced dims back as size 1, so that the gradient broadcasts over them."""
    if keepdim or not axes:
        return grad
    shape = list(grad._data.shape)
    for a in axes:
        shape.insert(a, 1)
    return reshape(grad, tuple(shape))


class Sum(Function):
    """y = sum of x over ``axes``.   dy/dx = 1 (the gradient is broadcast back)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, np_dtype):
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, x.shape
        return x.sum(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        return expand(g, ctx.in_shape), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of elements over ``dim`` (all by default). Integer and bool inputs sum as int64."""
    axes = _dims(dim, input._data.ndim)
    np_dtype = dtype.np if dtype is not None else (int64.np if input._data.dtype.kind in "biu" else None)
    return Sum.apply(input, axes, keepdim, np_dtype)


class Mean(Function):
    """y = mean of x over ``axes``.   dy/dx = 1/n."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, x.shape
        n = 1
        for a in axes:
            n *= x.shape[a]
        ctx.n = n
        return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        return expand(g / ctx.n, ctx.in_shape), None, None


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` (all by default); needs a floating dtype, as in torch."""
    if dtype is not None:
        input = _cast(input, dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {input.dtype.name.capitalize() if input.dtype.name != 'int64' else 'Long'}")
    return Mean.apply(input, _dims(dim, input._data.ndim), keepdim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim``: sum((x - mean)^2) / (n - correction); correction 1 (Bessel) by default."""
    if isinstance(dim, bool):                     # var(x, False): the old positional `unbiased`
        unbiased, dim = dim, None
    c = _correction(unbiased, correction)
    axes = _dims(dim, input._data.ndim)
    n = 1
    for a in axes:
        n *= input._data.shape[a]
    centered = input - mean(input, axes, keepdim=True)
    return sum(centered * centered, axes, keepdim) / builtins.max(n - c, 0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt of ``var``."""
    from .elementwise import sqrt
    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


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


class MaxBackward1(Amax):
    """max over all elements (torch's ``MaxBackward1``)."""
    node_name = "MaxBackward1"


class MinBackward1(Amin):
    node_name = "MinBackward1"


def amax(input, dim=(), keepdim=False):
    """Maximum over ``dim`` (all dims by default); gradient split evenly between ties."""
    _check_nonempty(input, "amax")
    return Amax.apply(input, _dims(dim, input._data.ndim), keepdim)


def amin(input, dim=(), keepdim=False):
    _check_nonempty(input, "amin")
    return Amin.apply(input, _dims(dim, input._data.ndim), keepdim)


def _check_nonempty(input, name, dim=None):
    if input._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument." if dim is None else
                           f"{name}(): Expected reduction dim {dim} to have non-zero size.")


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
        from .index import gather
        return gather(grad, ctx.dim, _T(ctx.index)), None, None, None


class MaxDim(Function):
    """values, indices = max of x along ``dim``.   The gradient goes to the first maximal element only."""
    node_name = "MaxBackward0"
    pick = "argmax"

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        xp = ctx.xp
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
        g = _unsqueeze_dims(grad, (ctx.dim,), ctx.in_shape, ctx.keepdim)
        return ScatterToDim.apply(g, ctx.idx, ctx.dim, ctx.in_shape), None, None


class MinDim(MaxDim):
    node_name = "MinBackward0"
    pick = "argmin"


_MaxReturn = namedtuple("max", ["values", "indices"])
_MinReturn = namedtuple("min", ["values", "indices"])


def max(input, dim=None, keepdim=False, *, out=None):
    """``max(x)``: the largest element. ``max(x, dim)``: (values, indices) along ``dim``. ``max(x, y)``: elementwise."""
    if isinstance(dim, Tensor):
        from .elementwise import maximum
        return maximum(input, dim)
    if dim is None:
        _check_nonempty(input, "max")
        return MaxBackward1.apply(input, tuple(range(input._data.ndim)), False)
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return _MaxReturn(input * 1 if input._requires_grad else input, _T(_backend.array_module(input._data).zeros((), "int64")))
    if input._data.shape[d] == 0:
        raise IndexError(f"max(): Expected reduction dim {d} to have non-zero size.")
    return _MaxReturn(*MaxDim.apply(input, d, keepdim))


def min(input, dim=None, keepdim=False, *, out=None):
    """``min(x)``: the smallest element. ``min(x, dim)``: (values, indices) along ``dim``. ``min(x, y)``: elementwise."""
    if isinstance(dim, Tensor):
        from .elementwise import minimum
        return minimum(input, dim)
    if dim is None:
        _check_nonempty(input, "min")
        return MinBackward1.apply(input, tuple(range(input._data.ndim)), False)
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return _MinReturn(input * 1 if input._requires_grad else input, _T(_backend.array_module(input._data).zeros((), "int64")))
    if input._data.shape[d] == 0:
        raise IndexError(f"min(): Expected reduction dim {d} to have non-zero size.")
    return _MinReturn(*MinDim.apply(input, d, keepdim))


def _arg(name):
    def op(input, dim=None, keepdim=False):
        xp = _backend.array_module(input._data)
        if dim is None:
            if input._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            r = getattr(xp, name)(input._data.reshape(-1))
            r = xp.asarray(r, dtype=xp.int64)
            return _T(r.reshape((1,) * input._data.ndim) if keepdim else r)
        d = _wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:
            return _T(xp.zeros((), xp.int64))
        r = getattr(xp, name)(input._data, axis=d, keepdims=keepdim)
        return _T(r.astype(xp.int64, copy=False))
    op.__name__ = name
    op.__doc__ = f"Index of the {'largest' if name == 'argmax' else 'smallest'} element (first one on ties), as int64."
    return op


argmax = _arg("argmax")
argmin = _arg("argmin")


class LogSumExp(Function):
    """y = log(sum(exp(x))) over ``axes``, computed stably.   dy/dx = exp(x - y) (the softmax)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = ctx.xp
        m = x.max(axis=axes, keepdims=True) if x.size else xp.zeros((1,) * x.ndim, x.dtype)
        m = xp.where(xp.isfinite(m), m, 0)
        y = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, x.shape
        if not keepdim:
            y = y.reshape(tuple(s for i, s in enumerate(x.shape) if i not in axes))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        y = _unsqueeze_dims(y, ctx.axes, ctx.in_shape, ctx.keepdim)
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        return g * exp(x - y), None, None


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over ``dim``, without overflow."""
    if input._data.dtype.kind != "f":
        input = _cast(input, get_default_dtype())
    return LogSumExp.apply(input, _dims(dim, input._data.ndim), keepdim)


class Prod(Function):
    """y = product of x over ``axes``.   dy/dx_i = product of the other elements."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, x.shape
        y = x.prod(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        y = _unsqueeze_dims(y, ctx.axes, ctx.in_shape, ctx.keepdim)
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        xp = _backend.array_module(x._data)
        if not bool((x._data == 0).any()):
            return g * y / x, None, None
        # with zeros present: the product of the others, computed without dividing (not differentiable twice)
        xa = xp.moveaxis(x._data, ctx.axes, tuple(range(-len(ctx.axes), 0)))
        flat = xa.reshape(xa.shape[:xa.ndim - len(ctx.axes)] + (-1,))
        ones = xp.ones(flat.shape[:-1] + (1,), flat.dtype)
        left = xp.cumprod(xp.concatenate([ones, flat[..., :-1]], -1), -1)
        right = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(flat, -1)[..., :-1]], -1), -1), -1)
        others = (left * right).reshape(xa.shape)
        others = xp.moveaxis(others, tuple(range(-len(ctx.axes), 0)), ctx.axes)
        return g * _T(others), None, None


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of elements (over ``dim`` when given). Integer inputs multiply as int64."""
    if dtype is not None:
        input = _cast(input, dtype)
    if input._data.dtype.kind in "biu":
        xp = _backend.array_module(input._data)
        axes = _dims(dim, input._data.ndim)
        return _T(xp.asarray(input._data.prod(axis=axes, keepdims=keepdim, dtype=xp.int64)))
    axes = _dims(dim, input._data.ndim) if dim is not None else tuple(range(input._data.ndim))
    return Prod.apply(input, axes, keepdim)


class Cumsum(Function):
    """y_i = x_0 + ... + x_i along ``dim``.   dL/dx_i = sum_{j >= i} dL/dy_j (a reversed cumsum)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return ctx.xp.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        from .shape import flip
        return flip(cumsum(flip(grad, ctx.dim), ctx.dim), ctx.dim), None


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``."""
    if dtype is not None:
        input = _cast(input, dtype)
    if input._data.dtype.kind in "biu":
        xp = _backend.array_module(input._data)
        return _T(xp.cumsum(input._data, axis=_wrap_dim(dim, input._data.ndim), dtype=xp.int64))
    if input._data.ndim == 0:
        return input * 1
    return Cumsum.apply(input, _wrap_dim(dim, input._data.ndim))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm over ``dim`` (2-norm / Frobenius by default; p may be inf or -inf)."""
    from .elementwise import abs as _abs, pow as _pow, sqrt
    if p in ("fro", 2, 2.0):
        s = sum(input * input, dim, keepdim)
        return sqrt(s)
    if p in (float("inf"), "inf"):
        return amax(_abs(input), dim if dim is not None else (), keepdim)
    if p in (float("-inf"), "-inf"):
        return amin(_abs(input), dim if dim is not None else (), keepdim)
    if p == 1:
        return sum(_abs(input), dim, keepdim)
    if p == 0:
        return sum(_cast(input != 0, input.dtype), dim, keepdim)
    return _pow(sum(_pow(_abs(input), p), dim, keepdim), 1.0 / p)


def all(input, dim=None, keepdim=False):
    """True where every element (over ``dim``) is nonzero."""
    xp = _backend.array_module(input._data)
    axes = None if dim is None else _dims(dim, input._data.ndim)
    return _T(xp.asarray(input._data.astype(bool).all(axis=axes, keepdims=keepdim)))


def any(input, dim=None, keepdim=False):
    """True where some element (over ``dim``) is nonzero."""
    xp = _backend.array_module(input._data)
    axes = None if dim is None else _dims(dim, input._data.ndim)
    return _T(xp.asarray(input._data.astype(bool).any(axis=axes, keepdims=keepdim)))


def count_nonzero(input, dim=None):
    xp = _backend.array_module(input._data)
    return _T(xp.asarray(xp.count_nonzero(input._data, axis=dim), dtype=xp.int64))


def sort(input, dim=-1, descending=False, stable=False):
    """(values, indices) sorted along ``dim``; the gradient flows back to where each value came from."""
    from .index import gather
    xp = _backend.array_module(input._data)
    d = _wrap_dim(dim, input._data.ndim)
    key = -input._data if descending and input._data.dtype.kind != "b" else input._data
    idx = xp.argsort(key, axis=d, kind="stable").astype(xp.int64)
    if descending and input._data.dtype.kind == "b":
        idx = xp.flip(idx, d)
    idx_t = _T(idx)
    return namedtuple("sort", ["values", "indices"])(gather(input, d, idx_t), idx_t)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) elements along ``dim``, with their indices."""
    from .shape import narrow
    from .index import gather
    s = sort(input, dim, descending=largest)
    d = _wrap_dim(dim, input._data.ndim)
    idx = narrow(s.indices, d, 0, k)
    return namedtuple("topk", ["values", "indices"])(gather(input, d, idx), idx)
