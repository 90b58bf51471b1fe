"""Elementwise ops: arithmetic with broadcasting, math functions, comparisons and logic.

Binary ops first promote their operands to torch's result dtype (``_promote``),
then work on arrays of one dtype. Gradients come back in the output's shape;
the engine sums them down to each input's (broadcast) shape.
"""
import math

from .._dtype import result_type, get_default_dtype, bool_
from ..autograd.function import Function
from ..tensor import Tensor
from .. import _backend

_T = Tensor._from_array


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


def _promote(a, b):
    """Cast the operands of a binary op to torch's result dtype.

    Python numbers stay numbers: once the tensor has the result dtype, numpy
    applies a number without widening it (NEP 50), exactly as torch does.
    """
    at, bt = isinstance(a, Tensor), isinstance(b, Tensor)
    if at and bt:
        if a._data.dtype == b._data.dtype:
            return a, b
        rt = result_type(a, b)
        return _cast(a, rt), _cast(b, rt)
    if not (at or bt):
        raise TypeError("expected at least one Tensor operand")
    t, s = (a, b) if at else (b, a)
    if type(s) is float or type(s) is int:
        kind = t._data.dtype.kind
        if kind == "f" or (kind in "iu" and type(s) is int):
            return a, b                    # numpy keeps the tensor's dtype, as torch does
    if not _is_number(s):
        s = _as_tensor_like(s, t)
        return _promote(t, s) if at else _promote(s, t)
    if hasattr(s, "item"):
        s = s.item()                      # numpy scalars act as Python numbers, as in torch
    rt = result_type(t, s)
    if rt.np != t._data.dtype:
        t = _cast(t, rt)
    return (t, s) if at else (s, t)


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

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        if alpha != 1:
            y = y * alpha
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha)


class Sub(Function):
    """z = x - alpha*y.   dz/dx = 1,  dz/dy = -alpha."""

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        if alpha != 1:
            y = y * alpha
        return x - y

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha)


class Mul(Function):
    """z = x*y.   dz/dx = y,  dz/dy = x."""

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


class Div(Function):
    """z = x/y.   dz/dx = 1/y,  dz/dy = -x/y^2."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = grad / y if need[0] else None
        gy = -grad * x / (y * y) if len(need) > 1 and need[1] else None
        return gx, gy


class Neg(Function):
    """y = -x.   dy/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """z = x^y.   dz/dx = y*x^(y-1),  dz/dy = x^y*ln(x) (0 where x = 0 and y >= 0)."""

    @staticmethod
    def forward(ctx, x, y):
        z = ctx.xp.power(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y, z = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            if isinstance(y, Tensor):
                gx = grad * y * x ** (y - 1)
            elif y == 0:
                gx = grad * 0
            else:
                gx = grad * (y * x ** (y - 1))
        if len(need) > 1 and need[1]:
            if isinstance(x, Tensor):
                gy = where((x == 0) & (y >= 0), 0.0, grad * z * log(x))
            else:
                gy = grad * z * math.log(x) if x > 0 else grad * 0
        return gx, gy


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
        # exp of a non-positive number never overflows: split by sign
        e = xp.exp(-xp.abs(x))
        y = xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return SigmoidBackward.apply(grad, y)


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


class ThresholdBackward(Function):
    """z = g where y > 0 else 0, relu's backward as one op.   dz/dg = [y > 0],  dz/dy = 0."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return ctx.xp.where(y > 0, g, 0).astype(g.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(grad, y), None


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
    """y = min(max(x, lo), hi).   dy/dx = 1 where lo <= x <= hi, else 0."""

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
        return (grad if mask is None else grad * mask), None, None


class Maximum(Function):
    """z = max(x, y).   the gradient goes to the larger input; ties split it in half."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        w = (x > y) + (x == y) * 0.5
        return grad * w, grad * (1 - w)


class Minimum(Function):
    """z = min(x, y).   the gradient goes to the smaller input; ties split it in half."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.xp.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        w = (x < y) + (x == y) * 0.5
        return grad * w, grad * (1 - w)


class Where(Function):
    """z = x where cond else y.   dz/dx = cond,  dz/dy = not cond."""

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
        return grad * 0


class Sign(_ZeroGrad):
    fn = "sign"


class Floor(_ZeroGrad):
    fn = "floor"


class Ceil(_ZeroGrad):
    fn = "ceil"


class Round(_ZeroGrad):
    fn = "round"


class Trunc(_ZeroGrad):
    fn = "trunc"


# ---------------------------------------------------------------- public functions
def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with broadcasting."""
    if isinstance(other, Tensor) and isinstance(input, Tensor) and input._data.dtype is other._data.dtype:
        return Add.apply(input, other) if alpha == 1 else Add.apply(input, other, alpha=alpha)
    a, b = _promote(input, other)
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    return Add.apply(a, b, alpha=alpha)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other, with broadcasting."""
    if isinstance(input, bool) or isinstance(other, bool) or \
            (isinstance(input, Tensor) and input._data.dtype.kind == "b") or \
            (isinstance(other, Tensor) and other._data.dtype.kind == "b"):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    a, b = _promote(input, other)
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    return Sub.apply(a, b, alpha=alpha)


def mul(input, other, *, out=None):
    """input * other, elementwise with broadcasting."""
    if isinstance(other, Tensor) and isinstance(input, Tensor) and input._data.dtype is other._data.dtype:
        return Mul.apply(input, other)
    a, b = _promote(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return Mul.apply(a, b)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other (true division: integer inputs give the default float dtype)."""
    if rounding_mode is not None:
        q = div(input, other)
        if rounding_mode == "floor":
            q = floor(q)
        elif rounding_mode == "trunc":
            q = trunc(q)
        else:
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
        it = input.dtype if isinstance(input, Tensor) else None
        if it is not None and it.category < 2 and (not isinstance(other, Tensor) or other.dtype.category < 2) \
                and not isinstance(other, float):
            q = _cast(q, result_type(input, other))
        return q
    a, b = _promote(input, other)
    for t in (a, b):
        if isinstance(t, Tensor) and t._data.dtype.kind in "biu":
            if isinstance(a, Tensor):
                a = _cast(a, get_default_dtype())
            if isinstance(b, Tensor):
                b = _cast(b, get_default_dtype())
            break
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    return Div.apply(a, b)


true_divide = divide = div
multiply = mul
subtract = sub


def floor_divide(input, other):
    """Floor of input / other (integers stay integers)."""
    a, b = _promote(input, other)
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    xp = _backend.array_module(a._data)
    bd = b._data if isinstance(b, Tensor) else b
    return _T(xp.floor_divide(a._data, bd))


def remainder(input, other):
    """Python-style modulus (sign of the divisor); differentiable in input (gradient 1)."""
    return sub(input, mul(floor_divide(input, other), other))


fmod = remainder


def neg(input):
    """-input."""
    return Neg.apply(input)


negative = neg


def pow(input, exponent):
    """input ** exponent (either may be a tensor)."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        if input._data.dtype.kind in "iu" and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if exponent == 1 and input._data.dtype.kind == "f":
            return input * 1
    a, b = _promote(input, exponent)
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    return Pow.apply(a, b)


def square(input):
    return mul(input, input)


def _unary(fn_class, float_only=True):
    def op(input, *, out=None):
        return fn_class.apply(_float_input(input) if float_only else input)
    op.__name__ = fn_class.__name__.lower()
    op.__doc__ = fn_class.__doc__
    return op


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
relu = _unary(Relu, float_only=False)
abs = _unary(Abs, float_only=False)
absolute = abs
sign = _unary(Sign, float_only=False)
floor = _unary(Floor, float_only=False)
ceil = _unary(Ceil, float_only=False)
round_ = _unary(Round, float_only=False)
trunc = _unary(Trunc, float_only=False)


def round(input, decimals=0):
    """Round half to even, as torch does (optionally to ``decimals`` places)."""
    if decimals == 0:
        return round_(input)
    return round_(input * 10 ** decimals) / 10 ** decimals


def frac(input):
    return input - trunc(input)


def clamp(input, min=None, max=None):
    """Limit values to [min, max] (either bound may be omitted, or a tensor)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min if isinstance(min, Tensor) else _scalar_tensor(min, input))
        if max is not None:
            out = minimum(out, max if isinstance(max, Tensor) else _scalar_tensor(max, input))
        return out
    if input._data.dtype.kind in "iu" and (isinstance(min, float) or isinstance(max, float)):
        input = _cast(input, get_default_dtype())
    return Clamp.apply(input, min, max)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def maximum(input, other):
    """Elementwise maximum of two tensors."""
    a, b = _promote(input, other)
    return Maximum.apply(a, b)


def minimum(input, other):
    """Elementwise minimum of two tensors."""
    a, b = _promote(input, other)
    return Minimum.apply(a, b)


def where(condition, input=None, other=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; ``where(cond)`` gives nonzero indices."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor) or condition._data.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype if isinstance(condition, Tensor) else type(condition).__name__}")
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        a, b = _promote(input, other)
    else:
        rt = result_type(input, other)
        xp = _backend.array_module(condition._data)
        a, b = _T(xp.asarray(input, dtype=rt.np)), _T(xp.asarray(other, dtype=rt.np))
    if not isinstance(a, Tensor):
        a = _scalar_tensor(a, b)
    if not isinstance(b, Tensor):
        b = _scalar_tensor(b, a)
    return Where.apply(condition, a, b)


def lerp(input, end, weight):
    """input + weight * (end - input)."""
    return input + weight * (end - input)


# ---------------------------------------------------------------- comparisons and logic (no gradient)
def _compare(name):
    def op(input, other):
        a, b = _promote(input, other)
        if not isinstance(a, Tensor):
            a, b = b, a
            flipped = {"less": "greater", "greater": "less", "less_equal": "greater_equal",
                       "greater_equal": "less_equal"}.get(name, name)
        else:
            flipped = name
        xp = _backend.array_module(a._data)
        return _T(getattr(xp, flipped)(a._data, b._data if isinstance(b, Tensor) else b))
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison, as a bool tensor."
    return op


eq = _compare("equal")
ne = _compare("not_equal")
lt = less = _compare("less")
le = less_equal = _compare("less_equal")
gt = greater = _compare("greater")
ge = greater_equal = _compare("greater_equal")
not_equal = ne


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool((input._data == other._data).all())


def _logical(name, bitwise=False):
    def op(input, other):
        a, b = _promote(input, other) if bitwise else (input, other)
        xp = _backend.array_module((a if isinstance(a, Tensor) else b)._data)
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        if bitwise and (getattr(ad, "dtype", None) is not None and ad.dtype.kind == "f"):
            raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float'")
        return _T(xp.asarray(getattr(xp, name)(ad, bd)))
    op.__name__ = name
    return op


logical_and = _logical("logical_and")
logical_or = _logical("logical_or")
logical_xor = _logical("logical_xor")
bitwise_and = _logical("bitwise_and", bitwise=True)
bitwise_or = _logical("bitwise_or", bitwise=True)
bitwise_xor = _logical("bitwise_xor", bitwise=True)


def logical_not(input):
    xp = _backend.array_module(input._data)
    return _T(xp.logical_not(input._data))


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError("~ (bitwise_not) is only supported for integer and bool tensors")
    xp = _backend.array_module(input._data)
    return _T(xp.invert(input._data))


def _predicate(name):
    def op(input):
        xp = _backend.array_module(input._data)
        return _T(xp.asarray(getattr(xp, name)(input._data)))
    op.__name__ = name
    return op


isnan = _predicate("isnan")
isinf = _predicate("isinf")
isfinite = _predicate("isfinite")
signbit = _predicate("signbit")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    xp = _backend.array_module(input._data)
    return _T(xp.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())
