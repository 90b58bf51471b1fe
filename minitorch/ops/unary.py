"""Math functions of one input: exp and log, sqrt, rsqrt, reciprocal, the trigonometric and hyperbolic
functions, sigmoid and relu; and the gradient helpers of piecewise ops (``masked_grad``, ``depends_on``).

Integer and bool inputs of float-valued math are computed in the default float dtype (``_float_input``).
abs, sign, clamp and rounding are in ``piecewise.py``.
"""
import contextlib
import math

from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor, _not_tensor
from .. import _backend, _kernels
from ._common import _T, _float_input
from ._fast import keep_where, relu as _relu
from ._out import out_arg

__all__ = [
    "Exp", "Exp2", "Expm1", "Log", "Log2", "Log10", "Log1p", "Sqrt", "Rsqrt", "Reciprocal", "Sin", "Cos", "Tan",
    "Asin", "Acos", "Atan", "Sinh", "Cosh", "Tanh", "TanhBackward", "Sigmoid", "SigmoidBackward", "Relu",
    "ThresholdBackward", "MaskedGrad", "masked_grad", "ZeroDependency", "depends_on", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "arcsin",
    "acos", "arccos", "atan", "arctan", "sinh", "cosh", "tanh", "sigmoid", "relu"]


def _quiet(xp):
    """numpy's floating-point warnings off (overflow to inf is intended); cupy warns of nothing."""
    errstate = getattr(xp, "errstate", None)
    return errstate(over="ignore") if errstate is not None else contextlib.nullcontext()


# ---------------------------------------------------------------- Functions
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
        y = _relu(ctx.xp, x)                 # max(0, x): -0. and NaN pass through, as in torch (ops/_fast.py)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return ThresholdBackward.apply(grad, y)

    @staticmethod
    def array_backward(ctx, grad):
        y, = ctx.saved_arrays
        return _threshold_grad(ctx.xp, grad, y)          # ThresholdBackward's forward


# ---------------------------------------------------------------- gradient helpers of piecewise ops
def _threshold_grad(xp, g, y):
    """g where y > 0 else +0, on arrays."""
    z = _kernels.threshold_backward(xp, g, y)           # one fused kernel on a GPU
    if z is None:
        z = keep_where(xp, g, ~(y <= 0))                # a NaN in y passes the gradient, as in torch
    return z


class ThresholdBackward(Function):
    """z = g where y > 0 else 0, relu's backward as one op.   dz/dg = [y > 0],  dz/dy = 0."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return _threshold_grad(ctx.xp, g, y)

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
        return keep_where(ctx.xp, g, keep)

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


# ---------------------------------------------------------------- public functions
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
    op.__name__ = op.__qualname__ = name       # (the qualname is what a TypeError about its arguments names)
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
