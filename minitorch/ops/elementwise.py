"""Elementwise ops: arithmetic with broadcasting, math functions, comparisons and logic.

Binary ops first promote their operands to torch's result dtype (``_promote``),
then work on arrays of one dtype. Gradients come back in the output's shape;
the engine sums them down to each input's (broadcast) shape.
"""
import builtins
import contextlib
import math

from .._dtype import result_type, get_default_dtype, bool_
from ..autograd import grad_mode
from ..autograd.function import Function, _broadcast_error, _quiet_on, _quiet_off
from ..tensor import Tensor, _not_tensor
from .. import _backend, _kernels
from ._out import out_arg

_T = Tensor._from_array


# ---------------------------------------------------------------- numpy's floating-point warnings
# torch never warns about inf / nan results (log(0) = -inf, 0/0 = nan, inf - inf = nan): they are the answer.
# ``Function.apply`` runs every forward with numpy's error state off (``autograd.function._quiet_on``);
# ``_quietly`` does the same for array code that runs outside a Function.
def _quietly(fn):
    """``fn`` run with numpy's floating-point warnings off."""
    if getattr(fn, "_quiet", False):
        return fn

    def quiet(*args, **kwargs):
        token = _quiet_on()
        try:
            return fn(*args, **kwargs)
        finally:
            _quiet_off(token)
    quiet.__name__, quiet.__qualname__, quiet.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    quiet.__wrapped__, quiet._quiet = fn, True
    return quiet


def quiet_forwards(namespace):
    """Nothing left to do: ``Function.apply`` runs every forward without numpy's floating-point warnings.
    (Op modules call this at their end, from when each forward was wrapped one by one.)"""


# ---------------------------------------------------------------- dtype handling
class ToCopy(Function):
    """y = x converted to another dtype.   dL/dx = dL/dy converted back (the engine casts it)."""

    @staticmethod
    def forward(ctx, x, np_dtype):
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def _cast(t, dtype):
    """``t`` as ``dtype`` (``t`` itself when it already is)."""
    if t._data.dtype == dtype.np:
        return t
    return ToCopy.apply(t, dtype.np)


def _as_tensor_like(x, ref):
    """A Python number or array-like as a tensor on ``ref``'s device."""
    from ..creation import tensor
    return tensor(x, device=ref.device)


def _is_number(x):
    return isinstance(x, (bool, int, float)) or (hasattr(x, "dtype") and not hasattr(x, "shape")) or \
        (type(x).__module__ == "numpy" and getattr(x, "ndim", 1) == 0)


def _promote(a, b, name="binary op"):
    """Cast the operands of a binary op to torch's result dtype.

    Python numbers stay numbers: once the tensor has the result dtype, numpy
    applies a number without widening it (NEP 50), exactly as torch does.
    An operand that is neither a tensor nor a number (a list, an array, None)
    is refused with torch's TypeError, as ``name`` would refuse it.
    """
    at, bt = isinstance(a, Tensor), isinstance(b, Tensor)
    if at and bt:
        if a._data.dtype == b._data.dtype:
            return a, b
        rt = result_type(a, b)
        return _cast(a, rt), _cast(b, rt)
    if not (at or bt):
        if not _is_number(a):
            _not_tensor(name, a)
        if not _is_number(b):
            _not_tensor(name, b, "other", 2)
        raise TypeError("expected at least one Tensor operand")
    t, s = (a, b) if at else (b, a)
    if not _is_number(s):
        _not_tensor(name, s, "other" if at else "input", 2 if at else 1)
    if type(s) is float or type(s) is int:
        kind = t._data.dtype.kind
        if kind == "f" or (kind == "i" and type(s) is int and -128 <= s < 128):
            return a, b                    # numpy keeps the tensor's dtype, as torch does
    if hasattr(s, "item"):
        s = s.item()                      # numpy scalars act as Python numbers, as in torch
    rt = result_type(t, s)
    if rt.np != t._data.dtype:
        t = _cast(t, rt)
    return (t, _wrap_int(s, rt)) if at else (_wrap_int(s, rt), t)


def _wrap_int(s, dt):
    """A Python int out of an integer dtype's range wraps around (as torch's C casts do)."""
    if type(s) is int and dt.category == 1:
        info = _backend.numpy.iinfo(dt.np)
        if not info.min <= s <= info.max:
            return (s - int(info.min)) % (int(info.max) - int(info.min) + 1) + int(info.min)
    return s


def _scalar_tensor(s, like):
    """The number ``s`` as a 0-dim tensor of ``like``'s dtype and device."""
    xp = _backend.array_module(like._data)
    return _T(xp.asarray(s, dtype=like._data.dtype))


def _float_input(t):
    """Integer and bool tensors become the default float dtype for float-valued math (``exp``, ``sqrt``, ...)."""
    if t._data.dtype.kind not in "fc":
        return _cast(t, get_default_dtype())
    return t


# ---------------------------------------------------------------- arithmetic
class Add(Function):
    """z = x + alpha*y.   dz/dx = 1,  dz/dy = alpha."""
    differentiable_inputs = (0, 1)       # a number operand is listed too (torch wraps it as a tensor)

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        if alpha != 1:
            return (x + y * alpha).astype(x.dtype, copy=False)     # bool * int would widen
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha)


class Sub(Function):
    """z = x - alpha*y.   dz/dx = 1,  dz/dy = -alpha."""
    differentiable_inputs = (0, 1)       # a number operand is listed too (torch wraps it as a tensor)

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        if alpha != 1:
            return (x - y * alpha).astype(x.dtype, copy=False)
        return x - y

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha)

    @staticmethod
    def array_backward(ctx, grad):
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha)


class Mul(Function):
    """z = x*y.   dz/dx = y,  dz/dy = x."""
    differentiable_inputs = (0, 1)       # a number operand is listed too (torch wraps it as a tensor)

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * y if need[0] else None,
                grad * x if len(need) > 1 and need[1] else None)

    @staticmethod
    def array_backward(ctx, grad):
        x, y = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (grad * y if need[0] else None,
                grad * x if len(need) > 1 and need[1] else None)


class Div(Function):
    """z = x/y.   dz/dx = 1/y,  dz/dy = -x/y^2."""
    differentiable_inputs = (0, 1)       # a number operand is listed too (torch wraps it as a tensor)

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = grad / y if need[0] else None
        gy = -grad * ((x / y) / y) if len(need) > 1 and need[1] else None    # torch's formula: no y*y (0 * inf)
        return gx, gy

    @staticmethod
    def array_backward(ctx, grad):
        x, y = ctx.saved_arrays
        need = ctx.needs_input_grad
        gx = grad / y if need[0] else None
        gy = -grad * ((x / y) / y) if len(need) > 1 and need[1] else None
        return gx, gy


class Neg(Function):
    """y = -x.   dy/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad

    array_backward = backward


class Pow(Function):
    """z = x^y for a number y.   dz/dx = y*x^(y-1) (0 when y = 0)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x)
        ctx.y = y
        return ctx.xp.power(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        y = ctx.y
        if y == 0:
            return grad.new_zeros(grad.shape), None
        return grad * (y * pow(x, y - 1)), None


def _power(xp, x, y):
    """x ** y as torch computes it: integers to negative integer powers give 1 for a base of 1, +-1 for -1 and 0
    otherwise (0 ** -n included), where numpy refuses them."""
    x_int = x.dtype.kind in "iu" if hasattr(x, "dtype") else type(x) is int
    if not (x_int and y.dtype.kind in "iu") or not (neg := y < 0).any():
        return xp.power(x, y)
    z = xp.power(x, xp.where(neg, 0, y))
    x = xp.asarray(x, dtype=z.dtype)
    inv = xp.where(x == 1, 1, xp.where(x == -1, xp.where(y % 2 == 0, 1, -1), 0))
    return xp.where(neg, inv, z).astype(z.dtype, copy=False)


class PowTensor(Function):
    """z = x^y, both tensors.   dz/dx = y*x^(y-1) (0 where y = 0),  dz/dy = z*ln(x) (0 where x = 0 and y >= 0)."""
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        z = _power(ctx.xp, x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y, z = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            gx = where(y == 0, 0.0, grad * (y * pow(x, y - 1)))
        if need[1]:
            gy = where((x == 0) & (y >= 0), 0.0, grad * (z * log(x)))
        return gx, gy


class PowScalarBase(Function):
    """z = b^y for a number b.   dz/dy = z*ln(b) (0 where b = 0 and y >= 0)."""
    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, y, b):
        z = _power(ctx.xp, b, y)
        ctx.save_for_backward(y, z)
        ctx.b = b
        return z

    @staticmethod
    def backward(ctx, grad):
        y, z = ctx.saved_tensors
        b = ctx.b
        if b == 0:
            return where(y >= 0, 0.0, grad * (z * math.log(b) if b > 0 else math.nan)), None
        return grad * (z * (math.log(b) if b > 0 else math.nan)), None


# ---------------------------------------------------------------- unary math
class Exp(Function):
    """y = e^x.   dy/dx = e^x = y."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y

    @staticmethod
    def array_backward(ctx, grad):
        y, = ctx.saved_arrays
        return grad * y


class Exp2(Function):
    """y = 2^x.   dy/dx = ln2 * y."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y * math.log(2.0)


class Expm1(Function):
    """y = e^x - 1.   dy/dx = y + 1."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * (y + 1)


class Log(Function):
    """y = ln x.   dy/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / x


class Log2(Function):
    """y = log2 x.   dy/dx = 1/(x ln2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log2(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / (x * math.log(2.0))


class Log10(Function):
    """y = log10 x.   dy/dx = 1/(x ln10)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log10(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / (x * math.log(10.0))


class Log1p(Function):
    """y = ln(1 + x).   dy/dx = 1/(1 + x)."""
    node_name = "Log1PBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / (x + 1)


class Sqrt(Function):
    """y = sqrt(x).   dy/dx = 1/(2y)."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad / (2 * y)


class Rsqrt(Function):
    """y = 1/sqrt(x).   dy/dx = -y^3/2."""

    @staticmethod
    def forward(ctx, x):
        y = 1 / ctx.xp.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * (y * y * y) * -0.5


class Reciprocal(Function):
    """y = 1/x.   dy/dx = -y^2."""

    @staticmethod
    def forward(ctx, x):
        y = 1 / x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return -grad * y * y


class Sin(Function):
    """y = sin x.   dy/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sin(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * cos(x)


class Cos(Function):
    """y = cos x.   dy/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cos(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * -sin(x)


class Tan(Function):
    """y = tan x.   dy/dx = 1 + y^2."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * (y * y + 1)


class Asin(Function):
    """y = asin x.   dy/dx = 1/sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * rsqrt(1 - x * x)


class Acos(Function):
    """y = acos x.   dy/dx = -1/sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arccos(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return -grad * rsqrt(1 - x * x)


class Atan(Function):
    """y = atan x.   dy/dx = 1/(1 + x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arctan(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / (x * x + 1)


class Sinh(Function):
    """y = sinh x.   dy/dx = cosh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sinh(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * cosh(x)


class Cosh(Function):
    """y = cosh x.   dy/dx = sinh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cosh(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * sinh(x)


class Tanh(Function):
    """y = tanh x.   dy/dx = 1 - y^2."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return TanhBackward.apply(grad, y)

    @staticmethod
    def array_backward(ctx, grad):
        y, = ctx.saved_arrays
        return grad * (1 - y * y)                      # TanhBackward's forward


class TanhBackward(Function):
    """z = g (1 - y^2), tanh's backward as one op.   dz/dg = 1 - y^2,  dz/dy = -2 g y."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (TanhBackward.apply(grad, y) if need[0] else None,
                grad * g * y * -2 if need[1] else None)


class Sigmoid(Function):
    """y = 1/(1 + e^-x).   dy/dx = y(1 - y)."""

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        # torch's formula; for x << 0, e^-x overflows to inf and 1/inf is the exact 0, so silence the warning
        with _quiet(xp):
            y = 1 / (1 + xp.exp(-x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return SigmoidBackward.apply(grad, y)

    @staticmethod
    def array_backward(ctx, grad):
        y, = ctx.saved_arrays
        return grad * (y * (1 - y))                    # SigmoidBackward's forward


class SigmoidBackward(Function):
    """z = g y (1 - y), sigmoid's backward as one op.   dz/dg = y (1 - y),  dz/dy = g (1 - 2y)."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return g * (y * (1 - y))

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (SigmoidBackward.apply(grad, y) if need[0] else None,
                grad * g * (1 - 2 * y) if need[1] else None)


class Relu(Function):
    """y = max(x, 0).   dy/dx = 1 where y > 0, else 0."""

    @staticmethod
    def forward(ctx, x):
        y = ctx.xp.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(grad, y)


def _quiet(xp):
    """numpy's floating-point warnings off (overflow to inf is intended); cupy warns of nothing."""
    errstate = getattr(xp, "errstate", None)
    return errstate(over="ignore") if errstate is not None else contextlib.nullcontext()


def _keep_where(xp, g, keep):
    """``g`` where ``keep`` else +0, exactly (a NaN in ``g`` is zeroed too), without branches.

    ``where`` over a half-random mask (every ReLU's) mispredicts a branch per element
    and is ~8x slower than this: AND the float's bits with all-ones or all-zeros.
    """
    if g.dtype.kind != "f" or g.itemsize not in (4, 8):
        return xp.where(keep, g, 0).astype(g.dtype, copy=False)
    bits = xp.uint32 if g.itemsize == 4 else xp.uint64
    g = xp.ascontiguousarray(g)
    mask = xp.subtract(0, keep, dtype=bits)              # all ones where keep, else zeros: one pass
    out = mask if mask.shape == g.shape else None
    return xp.bitwise_and(g.view(bits), mask, out=out).view(g.dtype)


class ThresholdBackward(Function):
    """z = g where y > 0 else 0, relu's backward as one op.   dz/dg = [y > 0],  dz/dy = 0."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        z = _kernels.threshold_backward(ctx.xp, g, y)    # one fused kernel on a GPU
        if z is None:
            z = _keep_where(ctx.xp, g, ~(y <= 0))        # a NaN in y passes the gradient, as in torch
        return z

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        # y's derivative is zero, but it is one (as in torch): y, and the input before it, get a zero gradient
        return ThresholdBackward.apply(grad, y), y.new_zeros(y.shape)


class MaskedGrad(Function):
    """z = g where keep else +0: the backward of piecewise ops (hardtanh, threshold, hardshrink, ...) as one op.

    A selected, not multiplied, gradient: an inf or NaN upstream gradient stays out of the zero region, as in
    torch's kernels (``g * keep`` would make 0 * inf = NaN there).   dz/dg = [keep],  dz/dkeep = 0.
    ``src``, the tensor the mask was computed from, is an input with derivative 0: as in torch, a gradient
    taken with ``create_graph=True`` then requires grad, and ``src`` gets a zero gradient, not none.
    """

    @staticmethod
    def forward(ctx, g, keep, src=None):
        ctx.save_for_backward(keep)
        ctx.src_shape = None if src is None else src.shape
        return _keep_where(ctx.xp, g, keep)

    @staticmethod
    def backward(ctx, grad):
        keep, = ctx.saved_tensors
        zero = None if ctx.src_shape is None else grad.new_zeros(ctx.src_shape)
        return MaskedGrad.apply(grad, keep), None, zero


def masked_grad(grad, keep, src=None):
    """``grad`` where the bool tensor (or array) ``keep`` holds, else exactly 0 (see ``MaskedGrad``)."""
    keep = keep if isinstance(keep, Tensor) else _T(keep)
    if src is None or not (src.requires_grad and grad_mode.is_grad_enabled()):
        return MaskedGrad.apply(grad, keep)
    return MaskedGrad.apply(grad, keep, src)


class ZeroDependency(Function):
    """z = v, also recorded as a function of ``src`` with derivative 0.

    torch's backward formulas of piecewise-linear ops (leaky_relu, prelu, the pools) read their input; its
    derivative there is zero, but it is a dependency: a gradient taken with ``create_graph=True`` requires
    grad, and the input gets a zero gradient from it. Ours compute such gradients from constants (masks,
    argmax codes); this puts the dependency back.   dz/dv = 1,  dz/dsrc = 0.
    """

    @staticmethod
    def forward(ctx, v, src):
        ctx.src_shape = src.shape
        return v

    @staticmethod
    def backward(ctx, grad):
        return grad, grad.new_zeros(ctx.src_shape)


def depends_on(value, src):
    """``value``, recorded as depending on ``src`` with derivative 0 when a graph is being built (see
    ``ZeroDependency``); ``value`` itself otherwise."""
    if src is None or not (src.requires_grad and grad_mode.is_grad_enabled()):
        return value
    return ZeroDependency.apply(value, src)


class Abs(Function):
    """y = |x|.   dy/dx = sign(x) (0 at 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * sign(x)


class Clamp(Function):
    """y = min(max(x, lo), hi) for numbers lo, hi.   dy/dx = 1 where lo <= x <= hi, else 0."""
    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = ctx.xp
        y = x
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        mask = True
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            mask = mask & (x <= hi)
        ctx.save_for_backward(mask if mask is not True else None)
        return y.astype(x.dtype, copy=False) if y is not x else x.copy()

    @staticmethod
    def backward(ctx, grad):
        mask, = ctx.saved_tensors
        return (grad if mask is None else where(mask, grad, 0.0)), None, None


class ClampTensor(Function):
    """y = min(max(x, lo), hi) for tensors lo, hi (either may be None).

    dy/dx = [lo <= x <= hi],  dy/dlo = [x < lo and lo < hi],  dy/dhi = [x > hi or hi < lo]  (torch's rule).
    """
    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = ctx.xp
        y = x
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        ctx.save_for_backward(x, lo, hi)
        return y.astype(x.dtype, copy=False) if y is not x else x.copy()

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        x, lo, hi = x.detach(), lo.detach() if lo is not None else None, hi.detach() if hi is not None else None
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if need[0]:
                gx = where((x >= lo) & (x <= hi), grad, 0.0)
            if need[1]:
                glo = where((x < lo) & (lo < hi), grad, 0.0)
            if need[2]:
                ghi = where((x > hi) | (hi < lo), grad, 0.0)
        elif lo is not None:
            gx = where(x >= lo, grad, 0.0) if need[0] else None
            glo = where(x < lo, grad, 0.0) if need[1] else None
        else:
            gx = where(x <= hi, grad, 0.0) if need[0] else None
            ghi = where(x > hi, grad, 0.0) if need[2] else None
        return gx, glo, ghi


builtins_abs = builtins.abs


class Lerp(Function):
    """z = x + w (e - x) (computed as e - (e - x)(1 - w) when w >= 0.5, as torch does).

    dz/dx = 1 - w,  dz/de = w,  dz/dw = e - x.
    """
    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, x, e, w):
        xp = ctx.xp
        ctx.save_for_backward(x, e, w)
        d = e - x
        if _backend.is_array(w):
            return xp.where(xp.abs(w) < 0.5, x + w * d, e - d * (1 - w)).astype(d.dtype, copy=False)
        return x + w * d if builtins_abs(w) < 0.5 else e - d * (1 - w)

    @staticmethod
    def backward(ctx, grad):
        x, e, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * (1 - w) if need[0] else None,
                grad * w if need[1] else None,
                grad * (e - x) if len(need) > 2 and need[2] else None)


class Maximum(Function):
    """z = max(x, y).   the gradient goes to the larger input; ties split it in half."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        half = where(x == y, grad / 2, grad)          # torch's rule (a nan sends the gradient to both)
        return (where(x < y, 0.0, half) if need[0] else None,
                where(x > y, 0.0, half) if need[1] else None)


class Minimum(Function):
    """z = min(x, y).   the gradient goes to the smaller input; ties split it in half."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        half = where(x == y, grad / 2, grad)
        return (where(x > y, 0.0, half) if need[0] else None,
                where(x < y, 0.0, half) if need[1] else None)


class Where(Function):
    """z = x where cond else y.   dz/dx = cond,  dz/dy = not cond."""
    differentiable_inputs = (1, 2)

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        out = ctx.xp.where(cond, x, y)
        dt = getattr(x, "dtype", None) or getattr(y, "dtype", None)
        return out.astype(dt, copy=False) if dt is not None else out

    @staticmethod
    def backward(ctx, grad):
        cond, = ctx.saved_tensors
        need = ctx.needs_input_grad
        zero = grad.new_zeros(())
        return (None,
                where(cond, grad, zero) if need[1] else None,
                where(cond, zero, grad) if need[2] else None)


class _ZeroGrad(Function):
    """Piecewise-constant functions (floor, ceil, round, trunc, sign): derivative 0 almost everywhere."""
    fn = None

    @classmethod
    def forward(cls, ctx, x):
        return getattr(ctx.xp, cls.fn)(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape)


class RoundDecimals(_ZeroGrad):
    """y = x rounded to ``decimals`` places (half to even).   dy/dx = 0."""
    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        return ctx.xp.round(x, decimals)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape), None


class Frac(Function):
    """y = x - trunc(x).   dy/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x - ctx.xp.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Rsub(Function):
    """z = s - alpha*x for a number s (``s - x``).   dz/dx = -alpha."""
    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, x, s, alpha=1):
        ctx.alpha = alpha
        return s - (x * alpha if alpha != 1 else x)

    @staticmethod
    def backward(ctx, grad):
        return (-grad if ctx.alpha == 1 else grad * -ctx.alpha), None


class Sign(_ZeroGrad):
    """y = (x > 0) - (x < 0), torch's formula: +0 for 0, -0 and NaN (numpy's sign gives NaN and -0).   dy/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()
        if x.dtype.kind != "f":
            return ctx.xp.sign(x)
        return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


class Floor(_ZeroGrad):
    fn = "floor"


class Ceil(_ZeroGrad):
    fn = "ceil"


class Round(_ZeroGrad):
    fn = "round"


class Trunc(_ZeroGrad):
    fn = "trunc"


# ---------------------------------------------------------------- public functions
_ONE = 1


def _check_alpha(input, other, alpha, name):
    """torch's rules for ``alpha`` of add/sub, by the result dtype: no float alpha for integer (or bool)
    results, a bool alpha only for bool results."""
    if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
        return
    kind = result_type(input, other).np.kind
    if type(alpha) is bool:
        if kind != "b":
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif kind in "biu" and not isinstance(alpha, int) and not (hasattr(alpha, "dtype") and alpha.dtype.kind in "iu"):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


@out_arg("add")
def add(input, other, *, alpha=1):
    """input + alpha * other, with broadcasting."""
    if alpha is not _ONE:                              # (an identity test: nothing on the hot path)
        _check_alpha(input, other, alpha, "add")
    if isinstance(other, Tensor) and isinstance(input, Tensor) and input._data.dtype is other._data.dtype:
        return Add.apply(input, other) if alpha == 1 else Add.apply(input, other, alpha=alpha)
    if alpha != 1 and not isinstance(other, (Tensor, bool)):
        other, alpha = other * alpha, 1
    a, b = _promote(input, other, "add")
    if not isinstance(a, Tensor):
        if alpha == 1:
            return Add.apply(b, a)             # number + tensor: recorded as tensor + number, as torch does
        a = _scalar_tensor(a, b)
    return Add.apply(a, b, alpha=alpha)


@out_arg("sub")
def sub(input, other, *, alpha=1):
    """input - alpha * other, with broadcasting."""
    if isinstance(input, bool) or isinstance(other, bool) or \
            (isinstance(input, Tensor) and input._data.dtype.kind == "b") or \
            (isinstance(other, Tensor) and other._data.dtype.kind == "b"):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if alpha is not _ONE:
        _check_alpha(input, other, alpha, "sub")
    if alpha != 1 and not isinstance(other, Tensor):
        other, alpha = other * alpha, 1
    a, b = _promote(input, other, "sub")
    if not isinstance(a, Tensor):
        return Rsub.apply(b, a, alpha=alpha)
    return Sub.apply(a, b, alpha=alpha)


@out_arg("mul")
def mul(input, other):
    """input * other, elementwise with broadcasting."""
    if isinstance(other, Tensor) and isinstance(input, Tensor) and input._data.dtype is other._data.dtype:
        return Mul.apply(input, other)
    a, b = _promote(input, other, "mul")
    if not isinstance(a, Tensor):
        a, b = b, a
    return Mul.apply(a, b)


@out_arg("div")
def div(input, other, *, rounding_mode=None):
    """input / other (true division: integer inputs give the default float dtype)."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                             f"'{rounding_mode}'")
        a, b = _promote(input, other, "div")
        if not isinstance(a, Tensor):
            a = _scalar_tensor(a, b)
        return DivRounding.apply(a, b, rounding_mode)
    if (isinstance(input, Tensor) and input._data.dtype.kind != "f") or \
            (isinstance(other, Tensor) and other._data.dtype.kind != "f"):
        rt = result_type(input, other)          # true division of integers: the default float dtype
        if rt.category < 2:
            rt = get_default_dtype()
        input = _cast(input, rt) if isinstance(input, Tensor) else input
        other = _cast(other, rt) if isinstance(other, Tensor) else other
    a, b = _promote(input, other, "div")
    if not isinstance(a, Tensor):
        return mul(reciprocal(b), a)          # number / tensor, computed as torch does
    return Div.apply(a, b)


class DivRounding(Function):
    """z = floor(x / y) or trunc(x / y) (integers stay integers).   Piecewise constant: dz/dx = dz/dy = 0."""
    node_name = "DivBackward2"
    differentiable_inputs = (0, 1)

    @staticmethod
    def forward(ctx, x, y, mode):
        xp = ctx.xp
        _check_int_divisor(xp, x, y, "div_floor" if mode == "floor" else "div_trunc")
        if mode == "floor":
            return xp.floor_divide(x, y)                # Python's (and torch's) floor division
        if x.dtype.kind in "biu":
            q = xp.floor_divide(xp.abs(x), xp.abs(y))
            return xp.where((x < 0) != (xp.asarray(y) < 0), -q, q).astype(x.dtype, copy=False)
        return xp.trunc(x / y)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        zero = grad.new_zeros(grad.shape)
        return zero if need[0] else None, (zero if len(need) > 1 and need[1] else None), None


true_divide = divide = div
multiply = mul
subtract = sub


def _check_int_divisor(xp, x, y, name):
    """The check every integer division kernel makes (torch's CPU kernels): a zero divisor raises
    ``RuntimeError('ZeroDivisionError')`` instead of numpy's silent 0; bool tensors have no such kernel.

    Only divisors that meet an element count: nothing is divided when the (broadcast) result is empty.
    """
    if x.dtype.kind not in "biu":
        return
    if x.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    if x.size == 0 or getattr(y, "size", 1) == 0:
        return
    if bool((xp.asarray(y) == 0).any()):
        raise RuntimeError("ZeroDivisionError")


class FloorDivide(Function):
    """z = floor(x / y) (integers stay integers). torch defines no derivative: as in torch, a float result of
    inputs that require grad requires grad too (its node is ``NotImplemented``) and its backward raises."""
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, y):
        xp = ctx.xp
        _check_int_divisor(xp, x, y, "div_floor")
        return xp.asarray(xp.floor_divide(x, y))

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


FloorDivide._Node.name = classmethod(lambda cls: "torch::autograd::NotImplemented")


@out_arg("floor_divide", differentiable=False)
def floor_divide(input, other):
    """Floor of input / other (integers stay integers). Not differentiable (torch has no derivative either)."""
    a, b = _promote(input, other, "floor_divide")
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    return FloorDivide.apply(a, b)


class Remainder(Function):
    """z = x - y*floor(x/y) (sign of the divisor).   dz/dx = 1,  dz/dy = -floor(x/y)."""
    node_name = "RemainderBackward1"
    fn, rounding = "remainder", "floor"

    @classmethod
    def forward(cls, ctx, x, y):
        _check_int_divisor(ctx.xp, x, y, cls.fn)
        ctx.save_for_backward(x, y)
        return getattr(ctx.xp, cls.fn)(x, y)

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gy = None
        if len(need) > 1 and need[1]:
            gy = -grad * div(x.detach(), y.detach(), rounding_mode=cls.rounding)
        return grad, gy


class Fmod(Remainder):
    """z = x - y*trunc(x/y) (sign of the dividend, C's fmod).   dz/dx = 1,  dz/dy = -trunc(x/y)."""
    node_name = "FmodBackward1"
    fn, rounding = "fmod", "trunc"


def _modulo(cls, input, other):
    a, b = _promote(input, other, cls.__name__.lower())
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    if not isinstance(b, Tensor):
        b = _scalar_tensor(b, a)
    return cls.apply(a, b)


@out_arg("remainder")
def remainder(input, other):
    """Python-style modulus: the result has the sign of ``other``. Differentiable (dz/dx = 1, dz/dy = -floor(x/y))."""
    return _modulo(Remainder, input, other)


@out_arg("fmod")
def fmod(input, other):
    """C-style modulus: the result has the sign of ``input``. Differentiable (dz/dx = 1, dz/dy = -trunc(x/y))."""
    return _modulo(Fmod, input, other)


@out_arg("neg", "same")
def neg(input):
    """-input."""
    if not isinstance(input, Tensor):
        _not_tensor("neg", input)
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return Neg.apply(input)


negative = neg


@out_arg("pow")
def pow(input, exponent):
    """input ** exponent (either may be a tensor, or a number)."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        if input._data.dtype.kind in "biu" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    a, b = _promote(input, exponent, "pow")
    if (a if isinstance(a, Tensor) else b)._data.dtype.kind == "b":
        if isinstance(b, Tensor):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        from ..creation import ones_like
        return a.clone() if b else ones_like(a)
    if not isinstance(a, Tensor):
        return PowScalarBase.apply(b, a)
    if not isinstance(b, Tensor):
        return Pow.apply(a, b)
    return PowTensor.apply(a, b)


@out_arg("pow")
def square(input):
    """input ** 2."""
    return pow(input, 2)


_BOOL_DT = _backend.numpy.dtype(bool)


def _unary(fn_class, float_only=True, out="cast", refuse_bool=None):
    """The public function of a one-input op; ``refuse_bool``: the exception torch raises for a bool input
    (an exception class and its message, e.g. ``(NotImplementedError, '"floor_vml_cpu" not ...')``)."""
    name = fn_class.__name__.lower()

    if refuse_bool is not None:
        exc, msg = refuse_bool

        def op(input):
            if not isinstance(input, Tensor):
                _not_tensor(name, input)
            if input._data.dtype is _BOOL_DT:          # an identity test: a few ns on relu's hot path
                raise exc(msg)
            return fn_class.apply(input)
    else:
        def op(input):
            if not isinstance(input, Tensor):
                _not_tensor(name, input)
            return fn_class.apply(_float_input(input) if float_only else input)
    op.__name__ = name
    op.__doc__ = fn_class.__doc__
    return op if out is None else out_arg(op.__name__, out)(op)     # out: torch's dtype rule for out=


exp = _unary(Exp)
exp2 = _unary(Exp2)
expm1 = _unary(Expm1)
log = _unary(Log)
log2 = _unary(Log2)
log10 = _unary(Log10)
log1p = _unary(Log1p)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
reciprocal = _unary(Reciprocal)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
asin = arcsin = _unary(Asin)
acos = arccos = _unary(Acos)
atan = arctan = _unary(Atan)
sinh = _unary(Sinh)
cosh = _unary(Cosh)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)
relu = _unary(Relu, float_only=False, out=None,                 # torch.relu has no out=
              refuse_bool=(RuntimeError, "Boolean inputs not supported for relu"))
_abs = _unary(Abs, float_only=False, out=None)


@out_arg("abs", "same")
def abs(input):
    """|input| elementwise (not for bool tensors, as in torch)."""
    if not isinstance(input, Tensor):
        _not_tensor("abs", input)
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return _abs(input)


absolute = abs
sign = _unary(Sign, float_only=False, out="same")
floor = _unary(Floor, float_only=False, out="same",
               refuse_bool=(NotImplementedError, "\"floor_vml_cpu\" not implemented for 'Bool'"))
ceil = _unary(Ceil, float_only=False, out="same",
              refuse_bool=(NotImplementedError, "\"ceil_vml_cpu\" not implemented for 'Bool'"))
round_ = _unary(Round, float_only=False, out=None,
                refuse_bool=(NotImplementedError, "\"round_vml_cpu\" not implemented for 'Bool'"))
trunc = _unary(Trunc, float_only=False, out="same",
               refuse_bool=(NotImplementedError, "\"trunc_vml_cpu\" not implemented for 'Bool'"))


@out_arg("round", "same")
def round(input, decimals=0):
    """Round half to even, as torch does (optionally to ``decimals`` places)."""
    if not isinstance(input, Tensor):
        _not_tensor("round", input)
    if decimals == 0:
        return round_(input)
    if input._data.dtype is _BOOL_DT:
        raise NotImplementedError("\"round_cpu\" not implemented for 'Bool'")
    return RoundDecimals.apply(input, decimals)


@out_arg("frac", "same")
def frac(input):
    """The fractional part, x - trunc(x)."""
    if not isinstance(input, Tensor):
        _not_tensor("frac", input)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{input.dtype._legacy[:-6]}'")
    return Frac.apply(input)


@out_arg("clamp", "same")
def clamp(input, min=None, max=None):
    """Limit values to [min, max] (either bound may be omitted, or a tensor)."""
    if not isinstance(input, Tensor):
        _not_tensor("clamp", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        # a 0-d tensor that requires no grad is a Number to torch's argument parser
        min, max = (v.item() if isinstance(v, Tensor) and not v._data.ndim and not v._requires_grad and
                    not isinstance(o, Tensor) and o is not None else v for v, o in ((min, max), (max, min)))
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if min is not None and max is not None and isinstance(min, Tensor) != isinstance(max, Tensor):
            raise TypeError(f"clamp() received an invalid combination of arguments - got (Tensor, "
                            f"{type(min).__name__}, {type(max).__name__}), but expected one of:\n"
                            " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
                            " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n")
        from ..creation import tensor
        rt = result_type(*[v for v in (input, min, max) if v is not None])
        lo = None if min is None else _cast(min if isinstance(min, Tensor) else tensor(min, device=input.device), rt)
        hi = None if max is None else _cast(max if isinstance(max, Tensor) else tensor(max, device=input.device), rt)
        return ClampTensor.apply(_cast(input, rt), lo, hi)
    return _clamp(Clamp, input, min, max)


def _clamp(cls, input, min, max):
    rt = result_type(*[v for v in (input, min, max) if v is not None])
    if rt is bool_:
        raise NotImplementedError("\"clamp_scalar_cpu\" not implemented for 'Bool'")
    input = _cast(input, rt)
    if min is not None:
        min = _wrap_int(min.item() if hasattr(min, "item") else min, rt)
    if max is not None:
        max = _wrap_int(max.item() if hasattr(max, "item") else max, rt)
    return cls.apply(input, min, max)


clip = clamp


@out_arg("clamp_min", "same")
def clamp_min(input, min):
    """max(input, min)."""
    if isinstance(min, Tensor):
        return clamp(input, min=min)
    return _clamp(Clamp.named("ClampMinBackward0"), input, min, None)


@out_arg("clamp_max", "same")
def clamp_max(input, max):
    """min(input, max)."""
    if isinstance(max, Tensor):
        return clamp(input, max=max)
    return _clamp(Clamp.named("ClampMaxBackward0"), input, None, max)


@out_arg("maximum")
def maximum(input, other):
    """Elementwise maximum of two tensors."""
    a, b = _promote(input, other, "maximum")
    return Maximum.apply(a, b)


@out_arg("minimum")
def minimum(input, other):
    """Elementwise minimum of two tensors."""
    a, b = _promote(input, other, "minimum")
    return Minimum.apply(a, b)


@out_arg("where", "where")
def where(condition, input=None, other=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; ``where(cond)`` gives nonzero indices."""
    if not isinstance(condition, Tensor):
        _not_tensor("where", condition, "condition")
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor) or condition._data.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype if isinstance(condition, Tensor) else type(condition).__name__}")
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        a, b = _promote(input, other, "where")
    else:
        if not _is_number(input):
            _not_tensor("where", input, "input", 2)
        if not _is_number(other):
            _not_tensor("where", other, "other", 3)
        rt = result_type(input, other)
        xp = _backend.array_module(condition._data)
        a, b = _T(xp.asarray(input, dtype=rt.np)), _T(xp.asarray(other, dtype=rt.np))
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    if not isinstance(b, Tensor):
        b = _scalar_tensor(b, a)
    return Where.apply(condition, a, b)


@out_arg("lerp")
def lerp(input, end, weight):
    """input + weight * (end - input); ``weight`` is a number or a tensor."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor) or not (
            isinstance(weight, Tensor) or _is_number(weight)):
        got = ", ".join(type(v).__name__ if not isinstance(v, Tensor) else "Tensor" for v in (input, end, weight))
        raise TypeError(f"lerp() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                        " * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n"
                        " * (Tensor input, Tensor end, Number weight, *, Tensor out = None)\n")
    for name, t in (("end", end), ("weight", weight)):      # torch's kernel takes one dtype, no promotion
        if isinstance(t, Tensor) and isinstance(input, Tensor) and t.dtype != input.dtype:
            raise RuntimeError(f"expected dtype {input.dtype._legacy[:-6].lower()} for `{name}` but got dtype "
                               f"{t.dtype._legacy[:-6].lower()}")
    if isinstance(weight, Tensor):
        return Lerp.named("LerpBackward1").apply(input, end, weight)
    return Lerp.apply(input, end, weight)


# ---------------------------------------------------------------- comparisons and logic (no gradient)
def _kernel(fn, a, b, **kwargs):
    """``fn(a, b)`` of an op that is no Function (no gradient): numpy's broadcast ValueError becomes torch's
    RuntimeError, as ``Function.apply`` does for the others."""
    try:
        return fn(a, b, **kwargs)
    except ValueError as e:
        _broadcast_error(e, (a, b))


def _compare(name):
    short = {"equal": "eq", "not_equal": "ne", "less": "lt", "less_equal": "le", "greater": "gt",
             "greater_equal": "ge"}[name]

    def op(input, other):
        if not isinstance(input, Tensor):
            _not_tensor(short, input)
        a, b = _promote(input, other, short)
        if not isinstance(a, Tensor):
            a, b = b, a
            flipped = {"less": "greater", "greater": "less", "less_equal": "greater_equal",
                       "greater_equal": "less_equal"}.get(name, name)
        else:
            flipped = name
        xp = _backend.array_module(a._data)
        return _T(xp.asarray(_kernel(getattr(xp, flipped), a._data, b._data if isinstance(b, Tensor) else b)))
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison, as a bool tensor."
    return out_arg(name, differentiable=False)(op)


eq = _compare("equal")
ne = _compare("not_equal")
lt = less = _compare("less")
le = less_equal = _compare("less_equal")
gt = greater = _compare("greater")
ge = greater_equal = _compare("greater_equal")
not_equal = ne


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    if not isinstance(input, Tensor):
        _not_tensor("equal", input)
    return input.shape == other.shape and bool((input._data == other._data).all())


def _logical(name, bitwise=False):
    def op(input, other):
        if not bitwise:
            if not isinstance(input, Tensor):
                _not_tensor(name, input)
            if not isinstance(other, Tensor):
                _not_tensor(name, other, "other", 2)
        a, b = _promote(input, other, name) if bitwise else (input, other)
        xp = _backend.array_module((a if isinstance(a, Tensor) else b)._data)
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        if bitwise:                    # the promoted dtype decides (a number operand stays a number)
            t = a if isinstance(a, Tensor) else b
            if t._data.dtype.kind == "f":
                if isinstance(a, Tensor) and isinstance(b, Tensor):     # torch broadcasts before it dispatches
                    from .shape import _broadcast_shape
                    _broadcast_shape(a._data.shape, b._data.shape)
                raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{t.dtype._legacy[:-6]}'")
        return _T(xp.asarray(_kernel(getattr(xp, name), ad, bd)))
    op.__name__ = name
    return out_arg(name, differentiable=False)(op)


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")
bitwise_and = _logical("bitwise_and", bitwise=True)
bitwise_or = _logical("bitwise_or", bitwise=True)
bitwise_xor = _logical("bitwise_xor", bitwise=True)


@out_arg("logical_not", differentiable=False)
def logical_not(input):
    if not isinstance(input, Tensor):
        _not_tensor("logical_not", input)
    xp = _backend.array_module(input._data)
    return _T(xp.asarray(xp.logical_not(input._data)))


@out_arg("bitwise_not", "same", differentiable=False)
def bitwise_not(input):
    if not isinstance(input, Tensor):
        _not_tensor("bitwise_not", input)
    if input._data.dtype.kind == "f":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{input.dtype._legacy[:-6]}'")
    xp = _backend.array_module(input._data)
    return _T(xp.asarray(xp.invert(input._data)))


def _predicate(name):
    def op(input):
        if not isinstance(input, Tensor):
            _not_tensor(name, input)
        xp = _backend.array_module(input._data)
        return _T(xp.asarray(getattr(xp, name)(input._data)))
    op.__name__ = name
    return op


isnan = _predicate("isnan")
isinf = _predicate("isinf")
isfinite = _predicate("isfinite")
signbit = out_arg("signbit", "bool_only", differentiable=False)(_predicate("signbit"))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if not isinstance(input, Tensor):
        _not_tensor("isclose", input)
    xp = _backend.array_module(input._data)
    return _T(xp.asarray(_kernel(xp.isclose, input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if not isinstance(input, Tensor):
        _not_tensor("allclose", input)
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


quiet_forwards(globals())
