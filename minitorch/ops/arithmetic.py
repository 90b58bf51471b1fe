"""Arithmetic with broadcasting: add, sub, mul, div (true and rounding), floor_divide, remainder, fmod, neg,
pow, square, lerp.

Binary ops first promote their operands to torch's result dtype (``_common._promote``), then work on arrays
of one dtype. Gradients come back in the output's shape; the engine sums them down to each input's
(broadcast) shape.
"""
import builtins
import math

from .._dtype import result_type, get_default_dtype
from ..autograd.function import Function
from ..tensor import Tensor, _not_tensor
from .. import _backend
from ._common import _cast, _promote, _scalar_tensor, _is_number
from ._out import out_arg, scalar_name
from .comparison import where
from .unary import log, reciprocal

__all__ = [
    "Add", "Sub", "Mul", "Div", "Neg", "Pow", "PowTensor", "PowScalarBase", "Lerp", "Rsub", "add", "sub", "mul",
    "div", "DivRounding", "true_divide", "divide", "multiply", "subtract", "FloorDivide", "floor_divide",
    "Remainder", "Fmod", "remainder", "fmod", "neg", "negative", "pow", "square", "lerp"]


# ---------------------------------------------------------------- Functions
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

    array_backward = backward            # the same formula on arrays


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
        if y == 0 and type(y) is not bool:        # torch: zeros for a 0 exponent; a False one takes the formula
            return grad.new_zeros(grad.shape), None   # (0 * x^-1: NaN at x = 0)
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
        if need[0]:       # torch's forms: where(y = 0, 0, grad * factor) (no NaN upstream gradient leaks in)
            gx = where(y == 0, 0.0, grad * (y * pow(x, y - 1)))
        if need[1]:                                   # and the gradient times a selected factor
            gy = grad * where((x == 0) & (y >= 0), 0.0, z * log(x))
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
        factor = z * (math.log(b) if b > 0 else -math.inf if b == 0 else math.nan)
        if b == 0:
            factor = where(y >= 0, 0.0, factor)
        return grad * factor, None                  # torch's form: the gradient times a selected factor


_builtin_abs = builtins.abs


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
        return x + w * d if _builtin_abs(w) < 0.5 else e - d * (1 - w)

    @staticmethod
    def backward(ctx, grad):
        x, e, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (grad * (1 - w) if need[0] else None,
                grad * w if need[1] else None,
                grad * (e - x) if len(need) > 2 and need[2] else None)


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
        from ..creation import ones_like     # creation sits above ops: imported when first needed
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
            raise RuntimeError(f"expected dtype {scalar_name(input.dtype).lower()} for `{name}` but got dtype "
                               f"{scalar_name(t.dtype).lower()}")
    if isinstance(weight, Tensor):
        return Lerp.named("LerpBackward1").apply(input, end, weight)
    return Lerp.apply(input, end, weight)
