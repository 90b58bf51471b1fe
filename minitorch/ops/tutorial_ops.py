"""Ops the PyTorch tutorials meet: ``tril``/``triu``, ``cumprod``, ``atan2``, ``roll``, ``diag``, ``diagonal``,
``unique``, ``meshgrid``, ``addcmul``/``addcdiv``.

Each differentiable op is a ``Function`` whose backward is written in Tensor ops
(so gradients of gradients work):

  tril/triu(x, k)   dL/dx = tril/triu(dL/dy, k)
  cumprod(x)        dL/dx_k = sum_{j>=k} g_j prod_{i<=j, i!=k} x_i   (zeros handled as torch does, below)
  atan2(y, x)       dL/dy = g x / (x^2 + y^2),   dL/dx = -g y / (x^2 + y^2)
  roll(x, s, d)     dL/dx = roll(dL/dy, -s, d)
  diag / diagonal   the diagonal read (a view for ``diagonal``) or written into zeros; each is the other's backward
  meshgrid          reshapes and expands (views), so autograd comes from those ops
  unique            not differentiable (torch records a node whose backward is not implemented)
  addcmul(x, a, b)  y = x + v a b:   dL/dx = g,  dL/da = g v b,  dL/db = g v a
  addcdiv(x, a, b)  y = x + v a / b: dL/dx = g,  dL/da = g v / b,  dL/db = -g v a / b^2
"""
import builtins
import numbers
import warnings

from .. import _backend, _dtype
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor, _wrap_dim, _not_tensor
from ._out import out_arg
from ._common import _promote, _cast
from .comparison import where, eq
from .reduce import cumsum
from .shape import reshape, expand
from .join import flip
from .inplace import inplace

_T = Tensor._from_array

__all__ = ["tril", "triu", "cumprod", "atan2", "arctan2", "roll", "diag", "diagonal", "unique", "meshgrid",
           "addcmul", "addcdiv"]


# ---------------------------------------------------------------- tril / triu
def _check_matrix(input, name):
    if not isinstance(input, Tensor):
        _not_tensor(name, input)
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def _diagonal_arg(diagonal, name):
    if not isinstance(diagonal, numbers.Integral) or isinstance(diagonal, bool):
        raise TypeError(f"{name}(): argument 'diagonal' (position 2) must be int, not {type(diagonal).__name__}")
    return int(diagonal)


class Tril(Function):
    """y = x with the elements above diagonal k zeroed (last two dims).   dL/dx = tril(dL/dy, k)."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return ctx.xp.tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return Tril.apply(grad, ctx.k), None


class Triu(Function):
    """y = x with the elements below diagonal k zeroed (last two dims).   dL/dx = triu(dL/dy, k)."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return ctx.xp.triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return Triu.apply(grad, ctx.k), None


@out_arg("tril", "expected")
def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements on and below diagonal ``diagonal``); the rest 0."""
    _check_matrix(input, "tril")
    return Tril.apply(input, _diagonal_arg(diagonal, "tril"))


@out_arg("triu", "expected")
def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements on and above diagonal ``diagonal``); the rest 0."""
    _check_matrix(input, "triu")
    return Triu.apply(input, _diagonal_arg(diagonal, "triu"))


# ---------------------------------------------------------------- cumprod
def _reverse_cumsum(t, dim):
    return flip(cumsum(flip(t, (dim,)), dim), (dim,))


def _cumprod_grad(x, g, d):
    """dL/dx of y = cumprod(x) along d for upstream g: sum_{j>=k} g_j prod_{i<=j, i!=k} x_i, per slice.

    Before the slice's first zero z it is (reverse cumsum of g*y)_k / x_k; at z it is sum_{j>=z} g_j y'_j
    with y' the cumprod of x with x_z set to 1. After z every term holds the factor x_z = 0: the value is 0,
    written as x_z * B_k with B_k = the same gradient for x with x_z set to 1, so that the derivative with
    respect to x_z (B_k) is right too (double backward). B_k enters only multiplied by x_z = 0, so it is
    computed without a graph. Returns (gradient, zero mask) with the mask None when x has no zero.
    """
    zero = eq(x, 0)
    y = Cumprod.apply(x, d)
    if not bool(zero._data.any()):
        return _reverse_cumsum(g * y, d) / x, None
    n_zeros = cumsum(zero, d)                          # zeros up to and including each position
    before = eq(n_zeros, 0)                            # positions before the slice's first zero
    first = zero & eq(n_zeros, 1)                      # the first zero itself
    x1 = where(first, 1, x)
    if not grad_mode.is_grad_enabled():
        # not recorded: as torch, only the terms without a zero factor are summed (an inf or nan upstream
        # gradient further on stays out) and the gradient after the first zero is exactly 0
        g_before = _reverse_cumsum(where(before, g * y, 0), d) / where(before, x, 1)
        g_first = _reverse_cumsum(where(eq(n_zeros, 1), g * Cumprod.apply(x1, d), 0), d)
        return where(before, g_before, where(first, g_first, 0)), zero
    # recorded: the terms with a zero factor stay in the sums, where their derivatives are not zero
    g_before = _reverse_cumsum(g * y, d) / where(before, x, 1)
    g_first = _reverse_cumsum(where(before, 0, g * Cumprod.apply(x1, d)), d)
    x_z = where(first, x, 0).sum(d, keepdim=True)      # the first zero's value (0), kept in the graph
    with grad_mode.no_grad():
        b = _cumprod_grad(x1.detach(), g.detach(), d)[0]
    return where(before, g_before, where(first, g_first, x_z * b)), zero


class Cumprod(Function):
    """y_j = prod_{i<=j} x_i along ``dim``.   dL/dx_k = sum_{j>=k} g_j prod_{i<=j, i!=k} x_i (``_cumprod_grad``)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.save_for_backward(x)
        return ctx.xp.cumprod(x, axis=dim) if x.ndim else x.copy()

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        if x._data.ndim == 0:
            return grad, None
        return _cumprod_grad(x, grad, ctx.dim)[0], None


@out_arg("cumprod", dtype_from_out="any")
def cumprod(input, dim=None, *, dtype=None):
    """Cumulative product along ``dim`` (integer and bool inputs give int64, as torch)."""
    if not isinstance(input, Tensor):
        _not_tensor("cumprod", input)
    if dim is None:
        raise TypeError('cumprod() missing 1 required positional arguments: "dim"')
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"cumprod(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    d = _wrap_dim(dim, input._data.ndim)
    if dtype is not None:
        input = _cast(input, _dtype.as_dtype(dtype))
    if input._data.dtype.kind in "biu":
        xp = _backend.array_module(input._data)
        a = input._data
        return _T(xp.cumprod(a, axis=d, dtype=xp.int64) if a.ndim else a.astype(xp.int64))
    return Cumprod.apply(input, d)


# ---------------------------------------------------------------- atan2
class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y).   dz/dy = x / (x^2 + y^2),  dz/dx = -y / (x^2 + y^2)."""

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return ctx.xp.arctan2(y, x)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        r = grad / (x * x + y * y)
        return (r * x if need[0] else None), (-r * y if need[1] else None)


@out_arg("atan2")
def atan2(input, other):
    """Elementwise atan2(input, other) in radians, in (-pi, pi]; integer inputs give the default float dtype."""
    if not isinstance(input, Tensor):
        _not_tensor("atan2", input)
    if not isinstance(other, Tensor):
        _not_tensor("atan2", other, "other", 2)
    a, b = _promote(input, other, "atan2")
    if a._data.dtype.kind != "f":
        dt = _dtype.get_default_dtype()
        a, b = _cast(a, dt), _cast(b, dt)
    return Atan2.apply(a, b)


arctan2 = atan2


# ---------------------------------------------------------------- roll
class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (None: the flattened tensor).   dL/dx = roll back."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return ctx.xp.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        s = ctx.shifts
        back = -s if isinstance(s, int) else tuple(-v for v in s)
        return Roll.apply(grad, back, ctx.dims), None, None


def _int_list(v, name, arg, pos):
    vals = (v,) if isinstance(v, numbers.Integral) and not isinstance(v, bool) else v
    if not isinstance(vals, (tuple, list)) or not builtins.all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in vals):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                        f"{type(v).__name__}")
    return tuple(int(s) for s in vals)


def roll(input, shifts, dims=None):
    """Shift the elements cyclically: ``roll(x, 1)`` on the flattened tensor, ``roll(x, (1, 2), (0, 1))`` per dim."""
    if not isinstance(input, Tensor):
        _not_tensor("roll", input)
    shifts = _int_list(shifts, "roll", "shifts", 2)
    if dims is None:
        dims = ()
    dims = _int_list(dims, "roll", "dims", 3)
    nd = input._data.ndim
    if not dims:
        if len(shifts) != 1:
            raise RuntimeError("`shifts` required" if not shifts else
                               f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts[0], None)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if nd == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    axes = tuple(_wrap_dim(d, nd) for d in dims)
    return Roll.apply(input, shifts, axes)


# ---------------------------------------------------------------- diagonal, diag
def _diag_geometry(shape, offset, d1, d2):
    """Length of the diagonal and the index of its first element along d1 and d2."""
    r0, c0 = (0, offset) if offset >= 0 else (-offset, 0)
    n = builtins.max(builtins.min(shape[d1] - r0, shape[d2] - c0), 0)
    return n, r0, c0


def _diag_view(xp, a, offset, d1, d2):
    """The diagonal of array ``a`` between dims d1, d2 as a writable strided view (other dims first, then it)."""
    n, r0, c0 = _diag_geometry(a.shape, offset, d1, d2)
    if n:
        idx = [slice(None)] * a.ndim
        idx[d1], idx[d2] = slice(r0, None), slice(c0, None)
        a = a[tuple(idx)]
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in keep) + (n,)
    strides = tuple(a.strides[i] for i in keep) + (a.strides[d1] + a.strides[d2],)
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


class Diagonal(Function):
    """y = the diagonal of x between dims d1 and d2 (a view, appended as the last dim).
    dL/dx = zeros with dL/dy written on that diagonal."""
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.geom, ctx.in_shape = (offset, d1, d2), x.shape
        return _diag_view(ctx.xp, x, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalScatter.apply(grad, ctx.in_shape, *ctx.geom), None, None, None


class DiagonalScatter(Function):
    """y = zeros of ``shape`` with g written on the diagonal (offset, d1, d2).   dL/dg = that diagonal of dL/dy."""
    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.geom = (offset, d1, d2)
        out = ctx.xp.zeros(shape, dtype=g.dtype)
        _diag_view(ctx.xp, out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, *ctx.geom), None, None, None, None


class DiagCopy(Diagonal):
    """``diag`` of a matrix: its diagonal as a new tensor (a copy, not a view)."""
    node_name = "DiagonalBackward0_copy"
    is_view = False

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        return Diagonal.forward(ctx, x, offset, d1, d2).copy()


class DiagEmbed(Function):
    """y = the square matrix with v on diagonal k.   dL/dv = diagonal k of dL/dy."""

    @staticmethod
    def forward(ctx, v, k):
        ctx.k = k
        n = v.shape[0] + abs(k)
        out = ctx.xp.zeros((n, n), dtype=v.dtype)
        _diag_view(ctx.xp, out, k, 0, 1)[...] = v
        return out

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, ctx.k, 0, 1), None


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal (offset ``offset``) of the matrices in dims ``dim1``, ``dim2``, as a view, appended last."""
    if not isinstance(input, Tensor):
        _not_tensor("diagonal", input)
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


@out_arg("diag", "expected", differentiable=False)       # torch takes out= with inputs that require grad here
def diag(input, diagonal=0):
    """A 1-D tensor becomes the matrix with it on diagonal ``diagonal``; a matrix gives that diagonal (a copy)."""
    if not isinstance(input, Tensor):
        _not_tensor("diag", input)
    k = _diagonal_arg(diagonal, "diag")
    nd = input._data.ndim
    if nd == 1:
        return DiagEmbed.apply(input, k)
    if nd == 2:
        return DiagCopy.apply(input, k, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


# ---------------------------------------------------------------- unique
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted; torch sorts even with ``sorted=False`` on the CPU), or distinct slices along
    ``dim``; optionally the index of each input element in the result, and how often each value occurs.
    Not differentiable."""
    if not isinstance(input, Tensor):
        _not_tensor("unique", input)
    a = input._data
    xp = _backend.array_module(a)
    if dim is None:
        flat = a.reshape(-1)
        res = xp.unique(flat, return_inverse=True, return_counts=True, equal_nan=False) if flat.size else \
            (flat.copy(), xp.zeros(0, xp.int64), xp.zeros(0, xp.int64))
        values, inverse, counts = res
        inverse = inverse.reshape(a.shape)
    else:
        d = _wrap_dim(dim, a.ndim)
        if a.shape[d] == 0:
            values, inverse, counts = a.copy(), xp.zeros(0, xp.int64), xp.zeros(0, xp.int64)
        else:
            values, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=d,
                                                equal_nan=False)
            inverse = inverse.reshape(-1)
    out = [_T(xp.ascontiguousarray(values))]
    if return_inverse:
        out.append(_T(inverse.astype(xp.int64)))
    if return_counts:
        out.append(_T(counts.astype(xp.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# ---------------------------------------------------------------- meshgrid
_meshgrid_warned = [False]      # torch warns once per process when ``indexing`` is not given


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: ``indexing='ij'`` (matrix, output shape (len(t0), len(t1), ...)) or
    ``'xy'`` (Cartesian: the first two dims swapped). The outputs are expanded views."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    if indexing is None:
        if not _meshgrid_warned[0]:
            _meshgrid_warned[0] = True
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                          "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    if builtins.any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if builtins.any(t.device != tensors[0].device for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same device")
    n = len(tensors)
    pos = list(range(n))
    if indexing == "xy" and n >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * n
    for t, p in zip(tensors, pos):
        shape[p] = t._data.size
    out = []
    for t, p in zip(tensors, pos):
        view = [1] * n
        view[p] = -1
        out.append(expand(reshape(t, tuple(view)), tuple(shape)))
    return tuple(out)


# ---------------------------------------------------------------- addcmul / addcdiv
class Addcmul(Function):
    """y = x + v * a * b (broadcast).   dL/dx = g,  dL/da = g v b,  dL/db = g v a."""

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.value = value
        ctx.save_for_backward(a, b)
        return x + (value * a) * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need, v = ctx.needs_input_grad, ctx.value
        return (grad if need[0] else None, grad * v * b if need[1] else None, grad * v * a if need[2] else None,
                None)


class Addcdiv(Function):
    """y = x + v * a / b (broadcast).   dL/dx = g,  dL/da = g v / b,  dL/db = -g v a / b^2."""

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.value = value
        ctx.save_for_backward(a, b)
        return x + (value * a) / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need, v = ctx.needs_input_grad, ctx.value
        return (grad if need[0] else None, grad * v / b if need[1] else None,
                -grad * v * a / (b * b) if need[2] else None, None)


def _addc(name, fn, input, tensor1, tensor2, value):
    for k, (arg, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2))):
        if not isinstance(t, Tensor):
            _not_tensor(name, t, arg, k + 1)
    if not isinstance(value, numbers.Number):
        raise TypeError(f"{name}(): argument 'value' must be Number, not {type(value).__name__}")
    dt = _dtype.result_type(input, tensor1, tensor2)
    if dt.np.kind in "iub":
        if name == "addcdiv":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
                "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented "
                "as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
                "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the "
                "latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
        value = int(value)                      # torch truncates a float value for integer tensors
    return fn.apply(_cast(input, dt), _cast(tensor1, dt), _cast(tensor2, dt), value)


@out_arg("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``, elementwise with broadcasting."""
    return _addc("addcmul", Addcmul, input, tensor1, tensor2, value)


@out_arg("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2``, elementwise with broadcasting (floating point only)."""
    return _addc("addcdiv", Addcdiv, input, tensor1, tensor2, value)


def _bind_methods():
    """``x.tril()``, ``x.tril_()``, ``x.cumprod(0)``, ``x.atan2(y)``, ``x.roll(1)``, ``x.diag()``, ... as in torch."""
    methods = {"tril": tril, "triu": triu, "cumprod": cumprod, "atan2": atan2, "arctan2": atan2, "roll": roll,
               "diag": diag, "diagonal": diagonal, "unique": unique, "addcmul": addcmul, "addcdiv": addcdiv}
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    for name in ("tril", "triu", "cumprod", "atan2", "arctan2", "addcmul", "addcdiv"):
        setattr(Tensor, name + "_", inplace(methods[name], name + "_"))


_bind_methods()
