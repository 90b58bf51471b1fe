"""Reductions: sum, mean, var/std, logsumexp, prod, cumsum, norm, all/any, count_nonzero.

The extremes (amax/amin, max/min, argmax/argmin, sort, topk) live in ops/extremes.py.

``dim`` may be None (all dims), an int or a tuple; ``keepdim`` keeps reduced
dims with size 1. Backward re-inserts the reduced dims (``_unsqueeze_dims``)
and broadcasts the gradient back over them.
"""
import builtins
import sys
import warnings

from .. import _backend
from .. import _grad_mode as grad_mode
from .._dtype import get_default_dtype, int64
from ..autograd.function import Function
from ._out import out_arg, scalar_name
from ..tensor import Tensor, _wrap_dim, _not_tensor
from ._common import _cast
from ._fast import broadcast_view, channel_sum
from .comparison import where
from .piecewise import abs as _abs, sign
from .unary import exp
from .shape import expand, permute, reshape, unsqueeze
from .join import flip

_T = Tensor._from_array


def _dims(dim, ndim):
    """Normalise ``dim`` (None, int, tuple or list) to a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        for a, b in zip(axes, axes[1:]):
            if a == b:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        return axes if ndim else ()
    _wrap_dim(dim, ndim)
    return (dim + ndim if dim < 0 else dim,) if ndim else ()    # a 0-d tensor has nothing to reduce


def _unsqueeze_dims(grad, axes, in_shape, keepdim):
    """Put reduced dims back as size 1, so that the gradient broadcasts over them."""
    if keepdim or not axes:
        return grad
    return reshape(grad, _unsqueezed_shape(grad._data.shape, axes))


def _unsqueezed_shape(shape, axes):
    shape = list(shape)
    for a in axes:
        shape.insert(a, 1)
    return tuple(shape)


def _spread_array(xp, grad, axes, in_shape, keepdim):
    """``expand(_unsqueeze_dims(grad))`` on arrays (a broadcast view, as ``expand`` gives)."""
    if not keepdim and axes:
        grad = grad.reshape(_unsqueezed_shape(grad.shape, axes))
    return broadcast_view(xp, grad, in_shape)


class Sum(Function):
    """y = sum of x over all dims.   dy/dx = 1 (the gradient is broadcast back)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, np_dtype):
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, x.shape
        if np_dtype is None and x.ndim > 2 and axes == (0,) + tuple(range(2, x.ndim)):
            y = channel_sum(ctx.xp, x)              # per channel (a bias's gradient): the faster pass in _fast.py
            return y.reshape((1, -1) + (1,) * (x.ndim - 2)) if keepdim else y
        return x.sum(axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        return expand(g, ctx.in_shape), None, None, None

    @staticmethod
    def array_backward(ctx, grad):
        return _spread_array(ctx.xp, grad, ctx.axes, ctx.in_shape, ctx.keepdim), None, None, None


@out_arg("sum", dtype_from_out="any")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of elements over ``dim`` (all by default). Integer and bool inputs sum as int64."""
    if not isinstance(input, Tensor):
        _not_tensor("sum", input)
    axes = _dims(dim, input._data.ndim)
    np_dtype = dtype.np if dtype is not None else (int64.np if input._data.dtype.kind in "biu" else None)
    return (Sum if dim is None else Sum.named("SumBackward1")).apply(input, axes, keepdim, np_dtype)


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _mean_backward(grad, axes, in_shape, keepdim, n):
    """dL/dx of a mean over ``axes`` of ``n`` elements: the gradient spread evenly."""
    g = _unsqueeze_dims(grad, axes, in_shape, keepdim)
    if n == 0:
        return expand(g, in_shape) / n        # nothing to spread: no 0 * inf in the double backward
    return expand(g / n, in_shape)


class Mean(Function):
    """y = mean of x over all dims.   dy/dx = 1/n."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.axes, ctx.keepdim, ctx.in_shape = axes, keepdim, x.shape
        ctx.n = _count(x.shape, axes)
        return _mean_array(ctx.xp, x, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _mean_backward(grad, ctx.axes, ctx.in_shape, ctx.keepdim, ctx.n), None, None

    @staticmethod
    def array_backward(ctx, grad):
        xp, n = ctx.xp, ctx.n
        if n == 0:
            return _spread_array(xp, grad, ctx.axes, ctx.in_shape, ctx.keepdim) / n, None, None
        return _spread_array(xp, grad / n, ctx.axes, ctx.in_shape, ctx.keepdim), None, None


@out_arg("mean", dtype_from_out="cast")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over ``dim`` (all by default); needs a floating dtype, as in torch."""
    if not isinstance(input, Tensor):
        _not_tensor("mean", input)
    if dtype is not None:
        input = _cast(input, dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {scalar_name(input.dtype)}")
    return (Mean if dim is None else Mean.named("MeanBackward1")).apply(input, _dims(dim, input._data.ndim), keepdim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _var_backward(grad, x, axes, keepdim, correction):
    """d var / dx = 2 (x - mean) / (n - correction), times the (un-reduced) gradient (torch's var_backward).

    ``axes`` is None when no dim was given (a reduction over everything, where torch treats n <= correction apart).
    """
    shape = x._data.shape
    if axes is None or not shape:
        dof = x._data.size - correction
        if dof <= 0:       # 2 / 0 = inf: inf * 0 = nan where x equals the mean, inf elsewhere
            m = mean(x).detach()
            return grad * where(x.detach() == m, float("nan"), float("inf"))
        return (2.0 / dof) * grad * (x - mean(x))
    dof = _count(shape, axes) - correction
    g = _unsqueeze_dims(grad, axes, shape, keepdim)
    return (2.0 / dof if dof else float("inf")) * g * (x - mean(x, axes, keepdim=True))


def _std_backward(grad, std, x, axes, keepdim, correction):
    """d std / dx = (d var / dx) / (2 std), 0 where std = 0."""
    return _var_backward(where(std == 0, 0.0, grad / (std * 2)), x, axes, keepdim, correction)


def _mean_array(xp, x, axes, keepdim):
    """numpy's mean; a mean of no elements is NaN, as in torch, without numpy's "Mean of empty slice" warning
    (numpy raises it from its own module, where no filter of ours reaches). That NaN is torch's sum / 0 = 0 / 0,
    computed (forwards run with numpy's warnings off): the machine's default NaN, sign bit included, as torch's."""
    if _count(x.shape, axes) == 0:
        return x.sum(axis=axes, keepdims=keepdim) / x.dtype.type(0)
    return x.mean(axis=axes, keepdims=keepdim)


def _warn_user(message):
    """A UserWarning attributed to the first caller outside minitorch (torch's warnings point at user code)."""
    f, level = sys._getframe(1), 2
    while f is not None and f.f_globals.get("__name__", "").startswith("minitorch"):
        f, level = f.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def _var_array(xp, x, axes, keepdim, correction, name=None):
    axes = tuple(range(x.ndim)) if axes is None else axes
    n = _count(x.shape, axes)
    if name is not None and (n - correction <= 0 or x.size == 0):
        _warn_user(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                   "reduction factor (input numel divided by output numel).")
    if n == 0:                          # torch's var/std/var_mean of no elements: its positive quiet NaN
        m = xp.full_like(x.sum(axis=axes, keepdims=True), float("nan"))
        return xp.full_like(x.sum(axis=axes, keepdims=keepdim), float("nan")), m
    m = _mean_array(xp, x, axes, True)
    c = x - m
    v = (c * c).sum(axis=axes, keepdims=keepdim) / builtins.max(n - correction, 0)
    return v.astype(x.dtype, copy=False), m


class Var(Function):
    """y = sum((x - mean)^2) / (n - correction) over ``axes``.   dy/dx = 2 (x - mean) / (n - correction)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        ctx.axes, ctx.keepdim, ctx.correction = axes, keepdim, correction
        ctx.save_for_backward(x)
        return _var_array(ctx.xp, x, axes, keepdim, correction, "var")[0]

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return _var_backward(grad, x, ctx.axes, ctx.keepdim, ctx.correction), None, None, None


class Std(Function):
    """y = sqrt(var(x)).   dy/dx = (x - mean) / ((n - correction) y)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        ctx.axes, ctx.keepdim, ctx.correction = axes, keepdim, correction
        y = ctx.xp.sqrt(_var_array(ctx.xp, x, axes, keepdim, correction, "std")[0])
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _std_backward(grad, y, x, ctx.axes, ctx.keepdim, ctx.correction), None, None, None


class VarMean(Function):
    """(var(x), mean(x)) over ``axes``, in one node.   dL/dx = var's gradient + mean's gradient."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        ctx.axes, ctx.keepdim, ctx.correction = axes, keepdim, correction
        ctx.set_materialize_grads(False)           # backward gets None for an output nobody used
        v, m = _var_array(ctx.xp, x, axes, keepdim, correction, "var_mean")
        ctx.save_for_backward(x)
        return v, (m if keepdim else m.reshape(v.shape))

    @staticmethod
    def backward(ctx, gv, gm):
        x, = ctx.saved_tensors
        gx = None if gv is None else _var_backward(gv, x, ctx.axes, ctx.keepdim, ctx.correction)
        return _plus_mean_term(gx, gm, x, ctx), None, None, None


class StdMean(Function):
    """(std(x), mean(x)) over ``axes``, in one node.   dL/dx = std's gradient + mean's gradient."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        ctx.axes, ctx.keepdim, ctx.correction = axes, keepdim, correction
        ctx.set_materialize_grads(False)           # backward gets None for an output nobody used
        v, m = _var_array(ctx.xp, x, axes, keepdim, correction, "std_mean")
        s = ctx.xp.sqrt(v)
        ctx.save_for_backward(x, s)
        return s, (m if keepdim else m.reshape(v.shape))

    @staticmethod
    def backward(ctx, gs, gm):
        x, s = ctx.saved_tensors
        gx = None if gs is None else _std_backward(gs, s, x, ctx.axes, ctx.keepdim, ctx.correction)
        return _plus_mean_term(gx, gm, x, ctx), None, None, None


def _plus_mean_term(gx, gm, x, ctx):
    """The gradient of (var or std, mean): the first output's term ``gx`` plus the mean's. An unused output's
    term is skipped (None: torch's undefined gradient), so there is no 0 * inf where dof <= 0 or std = 0."""
    if gm is None:
        return gx
    axes = tuple(range(x._data.ndim)) if ctx.axes is None else ctx.axes
    g_mean = _mean_backward(gm, axes, x._data.shape, ctx.keepdim, _count(x._data.shape, axes))
    return g_mean if gx is None else gx + g_mean


def _var_args(input, dim, unbiased, correction, name):
    if isinstance(dim, bool):                     # var(x, False): the old positional `unbiased`
        unbiased, dim = dim, None
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name}(): input dtype should be either floating point or complex. "
                           f"Got {scalar_name(input.dtype)} instead.")
    return (None if dim is None else _dims(dim, input._data.ndim)), _correction(unbiased, correction)


@out_arg("var")
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim``: sum((x - mean)^2) / (n - correction); correction 1 (Bessel) by default."""
    if not isinstance(input, Tensor):
        _not_tensor("var", input)
    axes, c = _var_args(input, dim, unbiased, correction, "std and var")
    return Var.apply(input, axes, keepdim, c)


@out_arg("std")
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt of ``var`` (same ``dim``, ``correction`` and ``keepdim``)."""
    if not isinstance(input, Tensor):
        _not_tensor("std", input)
    axes, c = _var_args(input, dim, unbiased, correction, "std and var")
    return Std.apply(input, axes, keepdim, c)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``, computed together."""
    if not isinstance(input, Tensor):
        _not_tensor("var_mean", input)
    axes, c = _var_args(input, dim, unbiased, correction, "var_mean")
    return VarMean.apply(input, axes, keepdim, c)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``, computed together."""
    if not isinstance(input, Tensor):
        _not_tensor("std_mean", input)
    axes, c = _var_args(input, dim, unbiased, correction, "std_mean")
    return StdMean.apply(input, axes, keepdim, c)




class LogSumExp(Function):
    """y = log(sum(exp(x))) over ``axes``, computed stably.   dy/dx = exp(x - y) (the softmax)."""
    node_name = "LogsumexpBackward0"

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


@out_arg("logsumexp", "floating")
def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over ``dim``, without overflow."""
    if not isinstance(input, Tensor):
        _not_tensor("logsumexp", input)
    if input._data.dtype.kind != "f":
        input = _cast(input, get_default_dtype())
    return LogSumExp.apply(input, _dims(dim, input._data.ndim), keepdim)


class Prod(Function):
    """y = product of x over all dims.   dy/dx_i = product of the other elements (= y / x_i without zeros).

    ``whole``: torch's ``prod()`` of the whole tensor (ProdBackward0), whose gradient with two zeros or more
    is zeros when the backward is not recorded (every product of others has a zero), even where the upstream
    gradient is inf or nan; ``prod(dim)`` (ProdBackward1) and a recorded backward multiply it through."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, whole=False):
        ctx.axes, ctx.keepdim, ctx.in_shape, ctx.whole = axes, keepdim, x.shape, whole
        y = x.prod(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        if not ctx.in_shape:                    # torch: a 0-d input's gradient is the upstream one, a constant
            return g, None, None, None
        zeros = int((x._data == 0).sum())
        if not zeros:
            return g * (_unsqueeze_dims(y, ctx.axes, ctx.in_shape, ctx.keepdim) / x), None, None, None
        if _count(ctx.in_shape, ctx.axes) == 1:  # (and with zeros, slices of one element: no product of others)
            return g, None, None, None
        if ctx.whole and zeros > 1 and not grad_mode.is_grad_enabled():
            return x.new_zeros(x.shape), None, None, None
        return g * _prod_others(x, ctx.axes), None, None, None


def _prod_others(x, axes):
    """For every element, the product of the other elements of its slice over ``axes``.

    Computed without dividing (so zeros are fine) from Tensor ops (so it is differentiable again):
    each slice of n elements becomes an n x n matrix whose diagonal is 1, whose rows are then multiplied.
    """
    nd = x._data.ndim
    if not axes:
        return x.new_ones(x.shape)
    perm = [d for d in range(nd) if d not in axes] + list(axes)
    xt = permute(x, perm)
    lead = tuple(xt._data.shape[:nd - len(axes)])
    n = _count(x._data.shape, axes)
    m = expand(unsqueeze(reshape(xt, lead + (n,)), -2), lead + (n, n))
    eye = _T(_backend.array_module(x._data).eye(n, dtype=bool))
    others = reshape(prod(where(eye, 1.0, m), -1), xt._data.shape)
    inv = [0] * nd
    for i, d in enumerate(perm):
        inv[d] = i
    return permute(others, inv)


@out_arg("prod", dtype_from_out="any")
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of elements (over ``dim`` when given). Integer inputs multiply as int64."""
    if not isinstance(input, Tensor):
        _not_tensor("prod", input)
    if dtype is not None:
        input = _cast(input, dtype)
    if input._data.dtype.kind in "biu":
        xp = _backend.array_module(input._data)
        axes = _dims(dim, input._data.ndim)
        return _T(xp.asarray(input._data.prod(axis=axes, keepdims=keepdim, dtype=xp.int64)))
    if dim is None:
        return Prod.apply(input, tuple(range(input._data.ndim)), False, True)
    return Prod.named("ProdBackward1").apply(input, _dims(dim, input._data.ndim), keepdim)


class Cumsum(Function):
    """y_i = x_0 + ... + x_i along ``dim``.   dL/dx_i = sum_{j >= i} dL/dy_j (a reversed cumsum)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        if not x.ndim:
            return x.copy()
        y = ctx.xp.cumsum(x, axis=dim)
        if y.dtype.kind == "f":
            y += 0.0               # torch's running sum starts from +0: a -0 input gives +0 (numpy keeps -0)
        return y

    @staticmethod
    def backward(ctx, grad):
        if grad._data.ndim == 0:
            return grad, None
        return flip(cumsum(flip(grad, (ctx.dim,)), ctx.dim), (ctx.dim,)), None


@out_arg("cumsum", dtype_from_out="any")
def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``."""
    if not isinstance(input, Tensor):
        _not_tensor("cumsum", input)
    if dtype is not None:
        input = _cast(input, dtype)
    if input._data.dtype.kind in "biu":
        xp = _backend.array_module(input._data)
        d = _wrap_dim(dim, input._data.ndim)
        return _T(xp.cumsum(input._data, axis=d, dtype=xp.int64) if input._data.ndim else
                  input._data.astype(xp.int64))
    return Cumsum.apply(input, _wrap_dim(dim, input._data.ndim))


_INF = float("inf")


class Norm(Function):
    """y = (sum |x|^p)^(1/p) over ``axes`` (p = inf: max |x|, -inf: min |x|, 0: count of nonzeros).

    dy/dx = sign(x) |x|^(p-1) / y^(p-1)  (p = 2: x / y, p = 1: sign(x), p = +-inf: sign(x) shared among the
    elements where |x| = y, p = 0: 0), with 0 where y = 0, as torch's ``linalg_vector_norm_backward``.
    """
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        xp = ctx.xp
        ctx.p, ctx.axes, ctx.keepdim, ctx.in_shape = p, axes, keepdim, x.shape
        a = xp.abs(x)
        if p == _INF or p == -_INF:
            if a.size == 0 and builtins.any(x.shape[d] == 0 for d in axes) or x.size == 0 and not axes:
                raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because "
                                   "the operation does not have an identity")
            y = a.max(axis=axes, keepdims=keepdim) if p > 0 else a.min(axis=axes, keepdims=keepdim)
        elif p == 0:
            y = (a != 0).sum(axis=axes, keepdims=keepdim, dtype=x.dtype)
        elif p == 1:
            y = a.sum(axis=axes, keepdims=keepdim)
        elif p == 2:
            y = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        else:
            y = ((a ** p).sum(axis=axes, keepdims=keepdim)) ** (1.0 / p)
        y = xp.asarray(y).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        p = ctx.p
        g = _unsqueeze_dims(grad, ctx.axes, ctx.in_shape, ctx.keepdim)
        y = _unsqueeze_dims(y, ctx.axes, ctx.in_shape, ctx.keepdim)
        if p == 0:
            gx = x.new_zeros(x.shape)
        elif p == 1:
            gx = sign(x) * g
        elif p == 2:
            gx = g * where(y == 0, 0.0, x / y)
        elif p == _INF or p == -_INF:
            mask = _abs(x) == y
            gx = sign(x) * ((g / sum(mask, ctx.axes, keepdim=True)) * mask)
        elif p < 1:
            gx = sign(x) * where(x == 0, 0.0, _abs(x) ** (p - 1)) * g * y ** (1 - p)
        else:
            gx = sign(x) * _abs(x) ** (p - 1) * where(y == 0, 0.0, g / y ** (p - 1))
        return gx, None, None, None


@out_arg("linalg_vector_norm", "expected", position=4)      # torch.norm(input, p, dim, keepdim, out, dtype)
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm over ``dim`` (all elements by default): 2-norm / Frobenius unless ``p`` says otherwise.

    ``p`` may be a number, ``inf``, ``-inf``, ``'fro'``; the gradient follows torch (0 where the norm is 0).
    """
    if dtype is not None:
        input = _cast(input, dtype)
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"norm(): unsupported norm type {p!r} (use a number, inf or 'fro')")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:          # torch: a matrix norm over two dims
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        p = 2
    if input._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {scalar_name(input.dtype)}")
    axes = tuple(range(input._data.ndim)) if dim is None else _dims(dim, input._data.ndim)
    return Norm.apply(input, float(p), axes, keepdim)


@out_arg("all", "bool_result", differentiable=False)
def all(input, dim=None, keepdim=False):
    """True where every element (over ``dim``) is nonzero."""
    if not isinstance(input, Tensor):
        _not_tensor("all", input)
    xp = _backend.array_module(input._data)
    axes = None if dim is None else _dims(dim, input._data.ndim)
    r = xp.asarray(input._data.astype(bool).all(axis=axes, keepdims=keepdim))
    return _T(r.astype(xp.uint8) if input._data.dtype == xp.uint8 else r)      # uint8 in, uint8 out (torch)


@out_arg("any", "bool_result", differentiable=False)
def any(input, dim=None, keepdim=False):
    """True where some element (over ``dim``) is nonzero."""
    if not isinstance(input, Tensor):
        _not_tensor("any", input)
    xp = _backend.array_module(input._data)
    axes = None if dim is None else _dims(dim, input._data.ndim)
    r = xp.asarray(input._data.astype(bool).any(axis=axes, keepdims=keepdim))
    return _T(r.astype(xp.uint8) if input._data.dtype == xp.uint8 else r)


def count_nonzero(input, dim=None):
    if not isinstance(input, Tensor):
        _not_tensor("count_nonzero", input)
    xp = _backend.array_module(input._data)
    axes = None if dim is None else _dims(dim, input._data.ndim)     # torch's IndexError for a dim out of range
    return _T(xp.asarray(xp.count_nonzero(input._data, axis=axes or None), dtype=xp.int64))
