"""Activation functions: softmax and log-softmax, erf, and the pointwise nonlinearities of ``nn``.

Each op is a ``Function`` whose forward works on arrays and whose backward
is written with Tensor ops, so that gradients of gradients come out right.
Where the derivative depends on the input, backward recomputes it from the
saved input *tensor* (a node of the graph), not from a detached array.

``erf`` is computed with W. J. Cody's rational Chebyshev approximations
(Math. Comp. 23, 1969, the SPECFUN routine CALERF), accurate to a few units
in the last place of float64: numpy has no erf of its own.
"""
import math

from .. import _backend
from ..autograd.function import Function
from ._out import out_arg, scalar_name
from ..tensor import Tensor, _wrap_dim, _not_tensor
from ._common import _float_input, _cast
from .comparison import where
from .unary import exp, tanh, sigmoid, masked_grad, depends_on
from .._dtype import as_dtype
from .join import cat

_T = Tensor._from_array


# ---------------------------------------------------------------- erf (Cody's CALERF)
# erf(x) = x * P(x^2) / Q(x^2)                         for |x| <= 0.46875
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
# erfc(y) = exp(-y^2) * P(y) / Q(y)                    for 0.46875 < y <= 4
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
# erfc(y) = exp(-y^2)/y * (1/sqrt(pi) + P(1/y^2)/(y^2 Q(1/y^2)))   for y > 4
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_SQRPI = 5.6418958354775628695e-1      # 1/sqrt(pi)
_XBIG = 26.543                         # erfc(x) underflows to 0 in float64 beyond this


def _erfc_tail(xp, y):
    """erfc(y) for y > 0.46875 (y >= 0, may hold inf or nan), from Cody's two outer approximations."""
    r = xp.empty_like(y)
    mid = y <= 4.0
    if mid.any():
        ym = y[mid]
        num, den = _ERF_C[8] * ym, ym
        for i in range(7):
            num = (num + _ERF_C[i]) * ym
            den = (den + _ERF_D[i]) * ym
        r[mid] = (num + _ERF_C[7]) / (den + _ERF_D[7])
    far = ~mid
    if far.any():
        yf = xp.minimum(y[far], _XBIG)
        z = 1.0 / (yf * yf)
        num, den = _ERF_P[5] * z, z
        for i in range(4):
            num = (num + _ERF_P[i]) * z
            den = (den + _ERF_Q[i]) * z
        rf = z * (num + _ERF_P[4]) / (den + _ERF_Q[4])
        rf = (_SQRPI - rf) / yf
        r[far] = xp.where(y[far] >= _XBIG, 0.0, rf)
    # exp(-y^2) computed as exp(-ysq^2) * exp(-(y - ysq)(y + ysq)) with ysq = y rounded down to 1/16:
    # splitting the square keeps the rounding error of y^2 out of the exponent
    yc = xp.minimum(y, _XBIG)
    ysq = xp.trunc(yc * 16.0) / 16.0
    delta = (yc - ysq) * (yc + ysq)
    return xp.exp(-ysq * ysq) * xp.exp(-delta) * r


def _in_float64(fn):
    """Run ``fn`` in float64 for lower precisions, then round once: results correctly rounded to float32."""
    def wrapped(x):
        if x.dtype.itemsize < 8:
            return fn(x.astype("float64")).astype(x.dtype)
        return fn(x)
    wrapped.__name__, wrapped.__doc__ = fn.__name__, fn.__doc__
    return wrapped


@_in_float64
def erf_array(x):
    """erf of a float array (numpy or cupy), to float64 rounding accuracy (Cody's CALERF)."""
    xp = _backend.array_module(x)
    y = xp.abs(x)
    out = xp.empty_like(x)
    small = y <= 0.46875
    if small.any():
        xs = x[small]
        z = xs * xs
        num, den = _ERF_A[4] * z, z
        for i in range(3):
            num = (num + _ERF_A[i]) * z
            den = (den + _ERF_B[i]) * z
        out[small] = xs * (num + _ERF_A[3]) / (den + _ERF_B[3])
    big = ~small
    if big.any():
        xb = x[big]
        r = (0.5 - _erfc_tail(xp, xp.abs(xb))) + 0.5
        out[big] = xp.where(xb < 0, -r, r)
    return out


@_in_float64
def erfc_array(x):
    """erfc(x) = 1 - erf(x) of a float array, accurate also far in the tail where 1 - erf(x) would round to 0."""
    xp = _backend.array_module(x)
    y = xp.abs(x)
    out = xp.empty_like(x)
    small = y <= 0.46875
    if small.any():
        out[small] = 1.0 - erf_array(x[small])
    big = ~small
    if big.any():
        xb = x[big]
        r = _erfc_tail(xp, xp.abs(xb))
        out[big] = xp.where(xb < 0, 2.0 - r, r)
    return out


_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)


class Erf(Function):
    """y = erf(x) = 2/sqrt(pi) * int_0^x e^(-t^2) dt.   dy/dx = 2/sqrt(pi) * e^(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (exp(-(x * x)) * _TWO_OVER_SQRTPI)


class Erfc(Function):
    """y = erfc(x) = 1 - erf(x).   dy/dx = -2/sqrt(pi) * e^(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfc_array(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (exp(-(x * x)) * -_TWO_OVER_SQRTPI)


@out_arg("erf")
def erf(input):
    """The error function, elementwise."""
    if not isinstance(input, Tensor):
        _not_tensor("erf", input)
    return Erf.apply(_float_input(input))


@out_arg("erfc")
def erfc(input):
    """The complementary error function 1 - erf(x), elementwise (accurate in the tail)."""
    if not isinstance(input, Tensor):
        _not_tensor("erfc", input)
    return Erfc.apply(_float_input(input))


# ---------------------------------------------------------------- softmax family
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


# ---------------------------------------------------------------- piecewise-linear units
class LeakyRelu(Function):
    """y = x if x > 0 else slope * x.   dy/dx = 1 if x > 0 else slope."""

    @staticmethod
    def forward(ctx, x, slope):
        xp = ctx.xp
        pos = x > 0
        ctx.save_for_backward(pos, x)
        ctx.slope = slope
        return xp.where(pos, x, x * slope).astype(x.dtype, copy=False)

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
        return xp.where(keep, x, value).astype(x.dtype, copy=False)

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
        y = xp.where(pos, x * scale if scale != 1 else x, neg).astype(x.dtype, copy=False)
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
            return 0.5 * x * (1.0 + xp.tanh(inner))
        return 0.5 * x * (1.0 + erf_array(x * _SQRT_HALF))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x2 = x * x
            t = tanh((x + x2 * x * 0.044715) * _SQRT_2_OVER_PI)
            d = (t + 1.0) * 0.5 + x * 0.5 * (1.0 - t * t) * ((x2 * (3 * 0.044715) + 1.0) * _SQRT_2_OVER_PI)
        else:
            cdf = (erf(x * _SQRT_HALF) + 1.0) * 0.5
            d = cdf + x * exp(x * x * -0.5) * _INV_SQRT_2PI
        return grad * d, None


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
        s = xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
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
        return xp.where(bx > threshold, x, sp).astype(x.dtype, copy=False)

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


__all__ = ["erf", "erfc", "erf_array", "erfc_array", "softmax", "log_softmax", "leaky_relu", "hardtanh",
           "threshold", "elu", "gelu", "silu", "softplus", "logsigmoid", "sigmoid", "tanh"]


