"""The error function: ``erf`` and ``erfc``, and the array routines ``gelu`` shares.

``erf`` is computed with W. J. Cody's rational Chebyshev approximations
(Math. Comp. 23, 1969, the SPECFUN routine CALERF), accurate to a few units
in the last place of float64: numpy has no erf of its own.
"""
import math

from .. import _backend
from ..autograd.function import Function
from ._out import out_arg
from ..tensor import Tensor, _not_tensor
from ._common import _float_input
from .unary import exp


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


__all__ = ["erf", "erfc", "erf_array", "erfc_array"]
