"""Activation functions: the pointwise nonlinearities of ``nn`` (softmax lives in softmax.py, erf in erf.py).

Each op is a ``Function`` whose forward works on arrays and whose backward
is written with Tensor ops, so that gradients of gradients come out right.
Where the derivative depends on the input, backward recomputes it from the
saved input *tensor* (a node of the graph), not from a detached array.
"""
import math

from .. import _backend
from ..autograd.function import Function
from .comparison import where
from .unary import tanh, cosh, sigmoid, exp, masked_grad, depends_on
from .join import cat
from .erf import erf, erf_array
from ._fast import select      # numpy's where without a branch per element


# ---------------------------------------------------------------- piecewise-linear units
class LeakyRelu(Function):
    """y = x if x > 0 else slope * x.   dy/dx = 1 if x > 0 else slope."""

    @staticmethod
    def forward(ctx, x, slope):
        xp = ctx.xp
        pos = x > 0
        ctx.save_for_backward(pos, x)
        ctx.slope = slope
        return select(xp, pos, x, x * slope).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        pos, x = ctx.saved_tensors
        return depends_on(where(pos, grad, grad * ctx.slope), x), None


class Hardtanh(Function):
    """y = min(max(x, lo), hi).   dy/dx = 0 where x <= lo or x >= hi, else 1 (torch's convention at the kinks;
    a NaN, outside neither, keeps its gradient)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = ctx.xp
        ctx.save_for_backward(~((x <= lo) | (x >= hi)), x)
        return xp.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        inside, x = ctx.saved_tensors
        return masked_grad(grad, inside, x), None, None


class Threshold(Function):
    """y = x if x > threshold else value.   dy/dx = 1 if x > threshold else 0."""

    @staticmethod
    def forward(ctx, x, threshold, value):
        xp = ctx.xp
        keep = ~(x <= threshold)                   # torch's test: a NaN is kept, with its gradient
        ctx.save_for_backward(keep, x)
        return select(xp, keep, x, value).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        keep, x = ctx.saved_tensors
        return masked_grad(grad, keep, x), None, None


class Hardsigmoid(Function):
    """y = min(max(x + 3, 0), 6) / 6.   dy/dx = 1/6 strictly inside (-3, 3), else 0.

    torch multiplies the gradient by the float32 constant 1/6 even for float64 tensors; so do we.
    """

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward((x > -3) & (x < 3))
        return (xp.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        inside, = ctx.saved_tensors
        return masked_grad(grad * _ONE_SIXTH_F32, inside)


_ONE_SIXTH_F32 = float(_backend.numpy.float32(1.0) / _backend.numpy.float32(6.0))


# ---------------------------------------------------------------- smooth units
class Elu(Function):
    """y = scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1)).

    dy/dx = scale if x > 0 else scale * alpha * input_scale * exp(x * input_scale).
    Covers ``elu``, ``selu`` (fixed alpha and scale) and ``celu`` (input_scale = 1/alpha).
    """
    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        xp = ctx.xp
        pos = ~(x <= 0)                            # torch's test: a NaN takes the linear branch (slope scale)
        neg = xp.expm1(xp.minimum(x, 0) * input_scale) * (alpha * scale)
        y = select(xp, pos, x * scale if scale != 1 else x, neg).astype(x.dtype, copy=False)
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        ctx.save_for_backward(pos, x)
        return y

    @staticmethod
    def backward(ctx, grad):
        pos, x = ctx.saved_tensors
        # dy/dx = scale alpha input_scale e^(x input_scale) below 0, from x (torch's formula: y + scale alpha
        # would cancel for x << 0). Its own derivative is kept only where x < 0 (torch's elu_double_backward):
        # at 0 the slope is a constant, and a NaN (which takes the linear branch) has none.
        xn = where(x < 0, x, 0.0)
        neg = grad * (exp(xn * ctx.input_scale) * (ctx.scale * ctx.alpha * ctx.input_scale))
        return where(pos, grad * ctx.scale if ctx.scale != 1 else grad, neg), None, None, None


class Gelu(Function):
    """y = x * Phi(x), Phi the standard normal CDF: Phi(x) = (1 + erf(x / sqrt 2)) / 2.

    dy/dx = Phi(x) + x * phi(x),  phi(x) = exp(-x^2/2) / sqrt(2 pi).
    With ``approximate='tanh'``: y = x/2 * (1 + tanh(u)), u = sqrt(2/pi) * (x + 0.044715 x^3),
    dy/dx = (1 + t)/2 + x/2 * (1 - t^2) * sqrt(2/pi) * (1 + 3 * 0.044715 x^2), t = tanh(u).
    """
    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x, approximate):
        xp = ctx.xp
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        if approximate == "tanh":
            inner = (x + 0.044715 * (x * x * x)) * _SQRT_2_OVER_PI
            return 0.5 * x * (1.0 + _tanh_rounded(xp, inner))
        cdf = erf_array(x * _SQRT_HALF)         # a fresh array: 0.5 x (1 + erf(x / sqrt 2)) in place, the same bits
        cdf += 1.0
        cdf *= 0.5 * x
        return cdf

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        if ctx.approximate == "tanh":
            return grad * GeluTanhGrad.apply(x), None
        else:
            cdf = (erf(x * _SQRT_HALF) + 1.0) * 0.5
            d = cdf + x * exp(x * x * -0.5) * _INV_SQRT_2PI
        return grad * d, None


class GeluTanhGrad(Function):
    """d = dy/dx of the tanh GELU as one op: with t = tanh(u), u = b (x + k x^3), h = du/dx = b (1 + 3 k x^2),
    d = (1 + t)/2 + x/2 (1 - t^2) h.

    Float32 accuracy, for x < -3 where t is -1 to within rounding (measured on 6,001 points against torch's
    float64 answer; the composed form failed the test suite's bound at 936 of them, the thorough hypothesis
    profile found it): t is rounded correctly (``_tanh_rounded``), 1 - t^2 is (1 - t)(1 + t) (numpy has no
    fused multiply-add, which is how torch's kernel keeps that digit), and the derivative of d is written out
    as torch's double backward writes it (g = 1 - t^2, dg/dx = -2 sech^2(u) t h), computed in float64:
    dd/dx = g h / 2 + g h / 2 + x/2 h dg/dx + x/2 g dh/dx,  dh/dx = 6 k b x.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        x2 = x * x
        t = _tanh_rounded(ctx.xp, (x + x2 * x * 0.044715) * _SQRT_2_OVER_PI)
        return (t + 1.0) * 0.5 + x * 0.5 * ((1.0 - t) * (1.0 + t)) * ((x2 * (3 * 0.044715) + 1.0) * _SQRT_2_OVER_PI)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        xd = x if x._data.dtype.itemsize >= 8 else x.double()     # its terms cancel: in float64
        x2 = xd * xd
        u = (xd + x2 * xd * 0.044715) * _SQRT_2_OVER_PI
        t = tanh(u)
        sech = 1.0 / cosh(u)
        g = 1.0 - t * t
        h = (x2 * (3 * 0.044715) + 1.0) * _SQRT_2_OVER_PI
        half_x = xd * 0.5
        dg = sech * 2.0 * (-sech * t) * h
        dh = xd * (6 * 0.044715 * _SQRT_2_OVER_PI)
        half_gh = g * h * 0.5
        return grad * (half_gh + half_gh + half_x * h * dg + half_x * g * dh).to(x.dtype)


def _tanh_rounded(xp, u):
    """tanh, correctly rounded for float32/float16 (through float64): numpy's float32 tanh is up to an ulp off,
    and the tanh GELU's 1 + t and 1 - t^2 magnify that ulp for x < -3 (tests/test_functional.py, thorough)."""
    if u.dtype.itemsize >= 8:
        return xp.tanh(u)
    return xp.tanh(u.astype(xp.float64)).astype(u.dtype)


_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class Silu(Function):
    """y = x * sigmoid(x).   dy/dx = s * (1 + x * (1 - s)),  s = sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        e = xp.exp(-xp.abs(x))
        s = select(xp, x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        s = sigmoid(x)
        return grad * (s * (x * (1 - s) + 1))


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold.

    dy/dx = sigmoid(beta x) (1 where beta x > threshold).
    """

    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = ctx.xp
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(x)
        bx = x * beta
        # log1p(exp(z)) = max(z, 0) + log1p(exp(-|z|)) never overflows
        sp = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
        return select(xp, bx > threshold, x, sp).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        bx = x * ctx.beta
        # torch's second derivative is 0 from the threshold on (its first takes the linear branch only above
        # it): sigmoid's argument is cut from the graph where beta x >= threshold
        s = sigmoid(where(bx >= ctx.threshold, bx.detach(), bx))        # (a NaN keeps its NaN derivative)
        return where(bx > ctx.threshold, grad, grad * s), None, None


class LogSigmoid(Function):
    """y = log(sigmoid(x)) = -softplus(-x).   dy/dx = 1 - sigmoid(x) = sigmoid(-x)."""
    node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        return (xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * sigmoid(-x)


class Hardswish(Function):
    """y = x * min(max(x + 3, 0), 6) / 6.   dy/dx = 0 up to -3, x/3 + 1/2 strictly between, 1 from 3 on."""

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        return (x * xp.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        # torch's kernel: 0 up to -3, g (x/3 + 1/2) strictly between, g from 3 on (and for NaN)
        mid = grad * (x / 3 + 0.5)
        return masked_grad(where(x < 3, mid, grad), ~(x <= -3))


class Mish(Function):
    """y = x * tanh(softplus(x)).   dy/dx = t + x (1 - t^2) sigmoid(x),  t = tanh(softplus(x))."""

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        sp = xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
        return (x * xp.tanh(sp)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        t = tanh(Softplus.apply(x, 1.0, float("inf")))
        return grad * (t + x * (1 - t * t) * sigmoid(x))


class Hardshrink(Function):
    """y = x where |x| > lambd, else 0.   dy/dx = 1 where |x| > lambd, else 0."""

    @staticmethod
    def forward(ctx, x, lambd):
        inside = (x >= -lambd) & (x <= lambd)
        ctx.save_for_backward(~inside, x)
        # torch zeroes [-lambd, lambd] only: a NaN, inside neither, stays NaN and keeps its gradient (torch's
        # backward tests the same interval)
        return ctx.xp.where(inside, 0, x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        keep, x = ctx.saved_tensors
        return masked_grad(grad, keep, x), None


class Softshrink(Hardshrink):
    """y = x - lambd above lambd, x + lambd below -lambd, else 0.   dy/dx = 1 where |x| > lambd, else 0
    (Hardshrink's backward)."""

    @staticmethod
    def forward(ctx, x, lambd):
        xp = ctx.xp
        ctx.save_for_backward(~((x >= -lambd) & (x <= lambd)), x)
        # torch's zero is x * 0: -0 for a negative x (seen through a division), NaN for a NaN (whose gradient
        # passes, as hardshrink's)
        return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, x * 0)).astype(x.dtype, copy=False)


class Glu(Function):
    """y = a * sigmoid(b), (a, b) the halves of x along ``dim``.   da = g s,  db = g a s (1 - s),  s = sigmoid(b)."""

    @staticmethod
    def forward(ctx, x, dim):
        xp = ctx.xp
        n = x.shape[dim] // 2
        a = xp.take(x, xp.arange(n), axis=dim)
        b = xp.take(x, xp.arange(n, 2 * n), axis=dim)
        ctx.dim, ctx.n = dim, n
        ctx.save_for_backward(x)
        e = xp.exp(-xp.abs(b))
        s = xp.where(b >= 0, 1 / (1 + e), e / (1 + e))
        return (a * s).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        a, b = x.narrow(ctx.dim, 0, ctx.n), x.narrow(ctx.dim, ctx.n, ctx.n)
        s = sigmoid(b)
        ga = grad * s
        return cat([ga, ga * a * (1 - s)], ctx.dim), None


class Prelu(Function):
    """y = x if x > 0 else a * x, one learnable a per channel (dim 1) or one for all.

    dL/dx = g where x > 0 else a * g;   dL/da = sum of g * x over x <= 0 (per channel).
    """
    node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, a, a_shape):
        xp = ctx.xp
        ctx.a_shape = a_shape
        ab = a.reshape(a_shape)
        ctx.save_for_backward(x, a)
        return xp.where(x > 0, x, ab * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, a = ctx.saved_tensors
        need = ctx.needs_input_grad
        pos = x > 0
        ab = a.reshape(ctx.a_shape)
        gx = depends_on(where(pos, grad, grad * ab), x) if need[0] else None
        ga = None
        if need[1]:
            contrib = where(pos, grad * 0, grad * x)
            if a._data.size == 1:
                ga = contrib.sum().reshape(a._data.shape)
            else:
                ga = contrib.sum(tuple(i for i in range(contrib.dim()) if i != 1))
        return gx, ga, None


# ---------------------------------------------------------------- public functions (array checks live in nn.functional)
def leaky_relu(input, negative_slope=0.01):
    return LeakyRelu.apply(input, negative_slope)


def hardtanh(input, min_val=-1.0, max_val=1.0):
    return Hardtanh.apply(input, min_val, max_val)


def hardsigmoid(input):
    return Hardsigmoid.apply(input)


def threshold(input, threshold, value):
    return Threshold.apply(input, threshold, value)


def elu(input, alpha=1.0, scale=1.0, input_scale=1.0):
    return Elu.apply(input, alpha, scale, input_scale)


def gelu(input, approximate="none"):
    return Gelu.apply(input, approximate)


def silu(input):
    return Silu.apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(input, beta, threshold)


def logsigmoid(input):
    return LogSigmoid.apply(input)


__all__ = ["leaky_relu", "hardtanh", "threshold", "elu", "gelu", "silu", "softplus", "logsigmoid", "sigmoid", "tanh"]
